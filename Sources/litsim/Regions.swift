import ArgumentParser
import Simulation

struct Regions: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the built-in one-way latency table between regions, with its source.",
        discussion: "Scenarios place nodes with `network.latency: { distribution: regions, regions: { us-east: 4, eu-west: rest } }`."
    )

    func run() throws {
        let names = BuiltInRegions.names
        guard let matrix = BuiltInRegions.oneWayMatrix(for: names) else { return }
        let width = max(12, names.map(\.count).max() ?? 0) + 1
        func cell(_ text: String) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        print("one-way latency in ms (* estimate)")
        print(cell("") + names.map(cell).joined())
        for (row, from) in names.enumerated() {
            let cells = names.enumerated().map { column, to in
                cell(String(format: "%.2f", Double(matrix[row][column].nanoseconds) / 1e6) + (BuiltInRegions.isEstimate(from, to) ? "*" : ""))
            }
            print(cell(from) + cells.joined())
        }
        print("\nsource: " + BuiltInRegions.source)
    }
}
