import ArgumentParser
import Benchmarking
import Foundation
import Reports

struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure this machine's cost per crypto operation and write a cost table (JSON).",
        discussion: "Use the table in a scenario with `nodes: { cpu: FILE }`. Build with -c release first."
    )

    @Option(help: "Where to write the table; prints it when omitted.")
    var out: String?

    @Flag(help: "Fewer iterations (a smoke run, not a measurement).")
    var quick = false

    func run() throws {
        let data = try calibrateCostTable(quick: quick).encodedJSON()
        guard let out else {
            print(String(decoding: data, as: UTF8.self))
            return
        }
        try writeAtomically(data, to: URL(fileURLWithPath: out))
        print("wrote \(out)")
    }
}
