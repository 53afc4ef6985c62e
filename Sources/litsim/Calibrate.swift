import ArgumentParser
import Benchmarking
import Foundation

struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure this machine's cost per crypto operation and write a cost table (JSON)."
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

/// Writes to a temporary file beside the target, then renames it into place, so a reader
/// never sees half a file and an interruption never leaves one.
func writeAtomically(_ data: Data, to url: URL) throws {
    let directory = url.deletingLastPathComponent()
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
    try data.write(to: temporary)
    if FileManager.default.fileExists(atPath: url.path) {
        _ = try FileManager.default.replaceItemAt(url, withItemAt: temporary)
    } else {
        try FileManager.default.moveItem(at: temporary, to: url)
    }
}
