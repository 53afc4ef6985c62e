import Foundation

/// sweep.html: each key metric against each swept parameter, one line per combination of the
/// other parameters, the median over seeds drawn as a line and the min–max as a band.
public enum SweepReport {
    public struct Table {
        public let header: [String]
        public let rows: [[String]]
    }

    public enum Failure: Error, CustomStringConvertible {
        case missing(String)
        case malformed(String)
        public var description: String {
            switch self {
            case let .missing(path): "no sweep.csv in \(path) (run `litsim sweep` first)"
            case let .malformed(reason): "sweep.csv is malformed: \(reason)"
            }
        }
    }

    public static func read(_ url: URL) throws -> Table {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw Failure.missing(url.deletingLastPathComponent().path) }
        let lines = text.split(separator: "\n").map { splitCSV(String($0)) }
        guard let header = lines.first, header.first == "point" else { throw Failure.malformed("no header") }
        guard lines.dropFirst().allSatisfy({ $0.count == header.count }) else { throw Failure.malformed("rows of different lengths") }
        return Table(header: header, rows: Array(lines.dropFirst()))
    }

    static func splitCSV(_ line: String) -> [String] {
        var fields = [String](), current = "", quoted = false
        for character in line {
            if character == "\"" { quoted.toggle() } else if character == "," && !quoted { fields.append(current); current = "" } else { current.append(character) }
        }
        fields.append(current)
        return fields
    }

    /// `parameters`: the swept columns (seed excluded); `metrics`: the numeric ones to plot.
    public static func render(_ table: Table, parameters: [String], metrics: [String], title: String) -> String {
        var html = ["<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>LitSim sweep: \(escape(title))</title>",
                    "<style>\(HTMLReport.style)</style></head><body>", "<h1>Sweep: \(escape(title))</h1>",
                    "<p class=\"muted\">\(table.rows.count) runs. Lines: median over seeds; bands: min to max.</p>"]
        let colors = ["#1565c0", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037", "#ad1457"]
        func column(_ name: String) -> Int? { table.header.firstIndex(of: name) }
        for metric in metrics {
            guard let metricColumn = column(metric) else { continue }
            let values = table.rows.compactMap { numeric($0[metricColumn]) }
            guard !values.isEmpty else { continue }
            html.append("<h2>\(escape(metric))</h2>")
            for parameter in parameters {
                guard let parameterColumn = column(parameter) else { continue }
                let others = parameters.filter { $0 != parameter }.compactMap(column)
                let xValues = orderedUnique(table.rows.map { $0[parameterColumn] })
                let numericX = xValues.allSatisfy { Double($0) != nil }
                func xPosition(_ value: String) -> Double { numericX ? Double(value)! : Double(xValues.firstIndex(of: value)!) }
                var chart = SVGChart(title: "\(metric) against \(parameter)", xLabel: parameter, yLabel: metric,
                                     x: SVGChart.padded(xValues.map(xPosition), fromZero: false), y: SVGChart.padded(values), height: 260)
                if !numericX { chart.categories = xValues; chart.xRange = -0.5...(Double(xValues.count) - 0.5) }
                let groups = orderedUnique(table.rows.map { row in others.map { table.header[$0] + "=" + row[$0] }.joined(separator: ", ") })
                for (index, group) in groups.enumerated() {
                    let rows = table.rows.filter { row in others.map { table.header[$0] + "=" + row[$0] }.joined(separator: ", ") == group }
                    var medians = [(Double, Double)](), lows = [(Double, Double)](), highs = [(Double, Double)]()
                    for x in xValues {
                        let samples = rows.filter { $0[parameterColumn] == x }.compactMap { numeric($0[metricColumn]) }.sorted()
                        guard !samples.isEmpty else { continue }
                        let middle = samples.count % 2 == 1 ? samples[samples.count / 2] : (samples[samples.count / 2 - 1] + samples[samples.count / 2]) / 2
                        medians.append((xPosition(x), middle))
                        lows.append((xPosition(x), samples.first!))
                        highs.append((xPosition(x), samples.last!))
                    }
                    let color = colors[index % colors.count]
                    chart.band(lower: lows, upper: highs, color: color)
                    chart.line(medians, color: color, title: group.isEmpty ? "median" : group)
                    chart.dots(medians, color: color)
                }
                html.append(chart.render())
            }
        }
        html.append("</body></html>")
        return html.joined(separator: "\n")
    }

    static func numeric(_ text: String) -> Double? {
        if text == "true" { return 1 }
        if text == "false" { return 0 }
        return Double(text)
    }

    static func orderedUnique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
