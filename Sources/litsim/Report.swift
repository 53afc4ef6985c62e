import ArgumentParser
import Foundation
import Reports

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write sweep.html for a sweep folder: each key metric against each swept parameter.",
        discussion: "Run folders get report.html and trace.json from `litsim run` itself."
    )

    @Argument(help: "A folder written by `litsim sweep` (it holds sweep.csv).")
    var directory: String

    func run() throws {
        let root = URL(fileURLWithPath: directory)
        let table: SweepReport.Table
        do {
            table = try SweepReport.read(root.appendingPathComponent("sweep.csv"))
        } catch {
            throw InvalidInput(message: "litsim report: \(error)")
        }
        let metrics = Sweep.columns.filter { table.header.contains($0) }
        guard let firstMetric = table.header.firstIndex(where: { metrics.contains($0) }) else {
            throw InvalidInput(message: "litsim report: sweep.csv has none of the key metrics")
        }
        let parameters = Array(table.header[1..<firstMetric]).filter { $0 != "seed" }
        let output = root.appendingPathComponent("sweep.html")
        try writeAtomically(SweepReport.render(table, parameters: parameters, metrics: metrics, title: root.lastPathComponent), to: output)
        print("wrote \(output.path)")
    }
}
