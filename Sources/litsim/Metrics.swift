import ArgumentParser
import LitNetwork

struct Metrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every metric a run can report: name, kind, unit, owner and meaning.",
        discussion: "The README's metric reference is this table (a test keeps the two the same)."
    )

    @Flag(help: "Print the Markdown table the README carries.")
    var markdown = false

    func run() throws {
        if markdown {
            print(MetricRegistry.markdownReference, terminator: "")
            return
        }
        let width = MetricRegistry.all.map(\.name.count).max() ?? 0
        for metric in MetricRegistry.all {
            let unit = metric.unit.isEmpty ? "" : " [\(metric.unit)]"
            print("\(metric.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(metric.description)\(unit)")
        }
    }
}
