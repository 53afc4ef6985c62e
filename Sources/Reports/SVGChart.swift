import Foundation

/// A small SVG chart with labelled axes: enough for the run and sweep reports, drawn in Swift
/// so the HTML needs no script and no network.
struct SVGChart {
    let width: Double
    let height: Double
    let title: String
    let xLabel: String
    let yLabel: String
    var xRange: ClosedRange<Double>
    var yRange: ClosedRange<Double>
    var elements: [String] = []
    var legend: [(String, String)] = []
    var left = 70.0
    let right = 20.0, top = 34.0, bottom = 48.0
    /// Category labels for the x axis (bar charts) instead of numeric ticks.
    var categories: [String]?
    /// A group per category (a region, say), drawn as a coloured strip along the plot's top
    /// edge with the groups in the legend.
    var categoryGroups: (names: [String], groupOf: [Int])? {
        didSet {
            for (index, name) in (categoryGroups?.names ?? []).enumerated() { legend.append((name, Self.groupPalette[index % Self.groupPalette.count])) }
        }
    }
    static let groupPalette = ["#5c6bc0", "#26a69a", "#ffa726", "#8d6e63", "#ec407a", "#78909c", "#9ccc65", "#ab47bc"]
    /// Colours for category labels (a Byzantine node in red); absent means the default grey.
    var categoryColors: [String]?
    /// Row labels for the y axis (timelines) instead of numeric ticks: text, y value, colour.
    var rowLabels: [(String, Double, String)] = []
    /// A logarithmic y axis, for latencies that span orders of magnitude; yRange must be positive.
    var logY = false
    /// Fault-window labels, drawn last with a white halo so bars and dots never hide them.
    var bandLabels: [String] = []

    init(title: String, xLabel: String, yLabel: String, x: ClosedRange<Double>, y: ClosedRange<Double>, width: Double = 860, height: Double = 300) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.width = width
        self.height = height
        xRange = x.lowerBound == x.upperBound ? x.lowerBound...(x.lowerBound + 1) : x
        yRange = y.lowerBound == y.upperBound ? y.lowerBound...(y.lowerBound + 1) : y
    }

    var plotWidth: Double { width - left - right }
    var plotHeight: Double { height - top - bottom }

    func x(_ value: Double) -> Double { left + (value - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * plotWidth }
    func y(_ value: Double) -> Double {
        guard logY else { return top + plotHeight - (value - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * plotHeight }
        let low = log10(yRange.lowerBound), high = log10(yRange.upperBound)
        return top + plotHeight - (log10(max(value, yRange.lowerBound)) - low) / (high - low) * plotHeight
    }

    /// Ticks for a logarithmic axis: 1, 2 and 5 × 10^k inside the range (only 10^k when it spans many decades).
    static func logTicks(_ range: ClosedRange<Double>) -> [Double] {
        let low = Int(floor(log10(range.lowerBound))), high = Int(ceil(log10(range.upperBound)))
        let multipliers: [Double] = high - low > 4 ? [1] : [1, 2, 5]
        return (low...high).flatMap { power in multipliers.map { $0 * pow(10, Double(power)) } }.filter { range.contains($0) }
    }

    /// A positive range around the values for a logarithmic axis.
    static func paddedLog(_ values: [Double]) -> ClosedRange<Double> {
        let positive = values.filter { $0 > 0 }
        let low = (positive.min() ?? 1) / 1.3, high = (positive.max() ?? 10) * 1.3
        return low...max(high, low * 10)
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e9 { return String(Int64(value)) }
        return abs(value) >= 100 ? String(format: "%.0f", value) : abs(value) >= 1 ? String(format: "%.1f", value) : String(format: "%.3g", value)
    }

    /// Round numbers for ticks: steps of 1, 2 or 5 × 10^k.
    static func ticks(_ range: ClosedRange<Double>, count: Int = 6) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let raw = span / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var value = ceil(range.lowerBound / step) * step
        var result = [Double]()
        while value <= range.upperBound + step * 1e-9 {
            result.append(abs(value) < step * 1e-9 ? 0 : value)
            value += step
        }
        return result
    }

    /// A range that starts at zero (or the data's minimum) and ends a little above the maximum.
    static func padded(_ values: [Double], fromZero: Bool = true) -> ClosedRange<Double> {
        let low = fromZero ? min(0, values.min() ?? 0) : (values.min() ?? 0)
        let high = values.max() ?? 1
        return low...(high > low ? high + (high - low) * 0.05 : low + 1)
    }

    mutating func shade(from start: Double, to end: Double, color: String, label: String) {
        let a = max(x(xRange.lowerBound), x(start)), b = min(x(xRange.upperBound), x(end))
        // An instant (a kick) is a band of no length: drawn 1.5 px wide.
        guard b >= a else { return }
        elements.append(##"<rect x="\##(f(a))" y="\##(f(top))" width="\##(f(max(1.5, b - a)))" height="\##(f(plotHeight))" fill="\##(color)" fill-opacity="0.18"><title>\##(escape(label))</title></rect>"##)
        // Labels sit at the foot of the band, clear of failure markers drawn along the top.
        bandLabels.append(##"<text x="\##(f(a + 3))" y="\##(f(top + plotHeight - 5))" class="band">\##(escape(label))</text>"##)
    }

    mutating func dots(_ points: [(Double, Double)], color: String, radius: Double = 2.2, title: String = "") {
        for (px, py) in points {
            elements.append(##"<circle cx="\##(f(x(px)))" cy="\##(f(y(py)))" r="\##(f(radius))" fill="\##(color)" fill-opacity="0.75"/>"##)
        }
        if !title.isEmpty { legend.append((title, color)) }
    }

    mutating func crosses(_ points: [(Double, Double)], color: String, title: String) {
        for (px, py) in points {
            let cx = x(px), cy = y(py)
            elements.append(##"<path d="M\##(f(cx - 4)) \##(f(cy - 4))L\##(f(cx + 4)) \##(f(cy + 4))M\##(f(cx - 4)) \##(f(cy + 4))L\##(f(cx + 4)) \##(f(cy - 4))" stroke="\##(color)" stroke-width="1.6"/>"##)
        }
        legend.append((title, color))
    }

    mutating func line(_ points: [(Double, Double)], color: String, title: String = "", width: Double = 2, step: Bool = false) {
        guard let first = points.first else { return }
        var path = "M\(f(x(first.0))) \(f(y(first.1)))"
        var previous = first
        for point in points.dropFirst() {
            if step { path += "L\(f(x(point.0))) \(f(y(previous.1)))" }
            path += "L\(f(x(point.0))) \(f(y(point.1)))"
            previous = point
        }
        elements.append(##"<path d="\##(path)" fill="none" stroke="\##(color)" stroke-width="\##(f(width))"/>"##)
        if !title.isEmpty { legend.append((title, color)) }
    }

    mutating func band(lower: [(Double, Double)], upper: [(Double, Double)], color: String) {
        guard !lower.isEmpty else { return }
        let points = upper + lower.reversed()
        let path = points.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(f(x($0.element.0))) \(f(y($0.element.1)))" }.joined() + "Z"
        elements.append(##"<path d="\##(path)" fill="\##(color)" fill-opacity="0.15" stroke="none"/>"##)
    }

    /// Vertical bars at numeric x positions, stacked in the order given.
    mutating func stackedBars(_ stacks: [(x: Double, values: [Double])], barWidth: Double, colors: [String], titles: [String]) {
        for stack in stacks {
            var base = 0.0
            for (index, value) in stack.values.enumerated() where value > 0 {
                let x0 = x(stack.x - barWidth / 2), x1 = x(stack.x + barWidth / 2)
                elements.append(##"<rect x="\##(f(x0))" y="\##(f(y(base + value)))" width="\##(f(max(1, x1 - x0 - 1)))" height="\##(f(y(base) - y(base + value)))" fill="\##(colors[index])"/>"##)
                base += value
            }
        }
        for (title, color) in zip(titles, colors) { legend.append((title, color)) }
    }

    /// Grouped bars per category (categories at x = 0, 1, 2, ...).
    mutating func groupedBars(_ series: [[Double]], colors: [String], titles: [String]) {
        let groups = series.count
        for (seriesIndex, values) in series.enumerated() {
            for (category, value) in values.enumerated() {
                let slot = 0.8 / Double(groups)
                let start = Double(category) - 0.4 + slot * Double(seriesIndex)
                let x0 = x(start), x1 = x(start + slot)
                elements.append(##"<rect x="\##(f(x0))" y="\##(f(y(value)))" width="\##(f(max(1, x1 - x0 - 1)))" height="\##(f(max(0, y(0) - y(value))))" fill="\##(colors[seriesIndex])"><title>\##(escape(titles[seriesIndex])): \##(SVGChart.format(value))</title></rect>"##)
            }
        }
        for (title, color) in zip(titles, colors) { legend.append((title, color)) }
    }

    mutating func rect(x0: Double, x1: Double, y0: Double, y1: Double, color: String, title: String) {
        elements.append(##"<rect x="\##(f(x(x0)))" y="\##(f(y(y1)))" width="\##(f(max(1, x(x1) - x(x0))))" height="\##(f(max(1, y(y0) - y(y1))))" fill="\##(color)"><title>\##(escape(title))</title></rect>"##)
    }

    mutating func text(_ value: String, atX px: Double, y py: Double, color: String = "#222", anchor: String = "start") {
        elements.append(##"<text x="\##(f(x(px)))" y="\##(f(y(py)))" fill="\##(color)" text-anchor="\##(anchor)" class="small">\##(escape(value))</text>"##)
    }

    func render() -> String {
        var out = [##"<svg class="chart" viewBox="0 0 \##(f(width)) \##(f(height))" width="\##(f(width))" height="\##(f(height))" role="img" aria-label="\##(escape(title))">"##]
        out.append(##"<text x="12" y="20" class="title">\##(escape(title))</text>"##)
        out.append(##"<rect x="\##(f(left))" y="\##(f(top))" width="\##(f(plotWidth))" height="\##(f(plotHeight))" fill="#fff" stroke="#bbb"/>"##)
        for (label, value, color) in rowLabels {
            out.append(##"<text x="\##(f(left - 6))" y="\##(f(y(value) + 4))" text-anchor="end" class="tick" style="fill:\##(color)">\##(escape(label))</text>"##)
        }
        for tick in !rowLabels.isEmpty ? [] : logY ? Self.logTicks(yRange) : Self.ticks(yRange, count: 5) {
            out.append(##"<line x1="\##(f(left))" x2="\##(f(left + plotWidth))" y1="\##(f(y(tick)))" y2="\##(f(y(tick)))" stroke="#eee"/>"##)
            out.append(##"<text x="\##(f(left - 6))" y="\##(f(y(tick) + 4))" text-anchor="end" class="tick">\##(Self.format(tick))</text>"##)
        }
        if let categories {
            // About 7 px per character of the longest label, so neighbours never overlap.
            let spacing = Double((categories.map(\.count).max() ?? 1) * 7 + 6)
            let every = max(1, Int((spacing * Double(categories.count) / plotWidth).rounded(.up)))
            for (index, name) in categories.enumerated() where index % every == 0 {
                let color = categoryColors?[index] ?? "#555"
                out.append(##"<text x="\##(f(x(Double(index))))" y="\##(f(top + plotHeight + 15))" text-anchor="middle" class="tick" style="fill:\##(color)">\##(escape(name))</text>"##)
            }
            if let categoryGroups {
                let half = max(1, (x(1) - x(0)) / 2)
                for (index, group) in categoryGroups.groupOf.enumerated() where index < categories.count {
                    let color = Self.groupPalette[group % Self.groupPalette.count]
                    out.append(##"<rect x="\##(f(x(Double(index)) - half))" y="\##(f(top + 1))" width="\##(f(2 * half))" height="4" fill="\##(color)"><title>\##(escape(categories[index] + ": " + categoryGroups.names[group]))</title></rect>"##)
                }
            }
            // A coloured mark under every flagged category, labelled or not.
            for (index, color) in (categoryColors ?? []).enumerated() where color != "#555" {
                out.append(##"<rect x="\##(f(x(Double(index)) - 2))" y="\##(f(top + plotHeight + 1))" width="4" height="4" fill="\##(color)"><title>\##(escape(categories[index]))</title></rect>"##)
            }
        } else {
            for tick in Self.ticks(xRange, count: 8) {
                out.append(##"<line x1="\##(f(x(tick)))" x2="\##(f(x(tick)))" y1="\##(f(top + plotHeight))" y2="\##(f(top + plotHeight + 4))" stroke="#888"/>"##)
                out.append(##"<text x="\##(f(x(tick)))" y="\##(f(top + plotHeight + 16))" text-anchor="middle" class="tick">\##(Self.format(tick))</text>"##)
            }
        }
        out += elements
        out += bandLabels
        out.append(##"<text x="\##(f(left + plotWidth / 2))" y="\##(f(height - 8))" text-anchor="middle" class="axis">\##(escape(xLabel))</text>"##)
        out.append(##"<text transform="translate(16 \##(f(top + plotHeight / 2))) rotate(-90)" text-anchor="middle" class="axis">\##(escape(yLabel))</text>"##)
        // Beside the title when it fits; else in rows at the top of the plot, in order, on a
        // white backing (long sweep labels would run over the title).
        let widths = legend.map { Double($0.0.count) * 6.6 + 26 }
        let besideTitle = widths.reduce(0, +) <= width - right - (12 + Double(title.count) * 7.5 + 10)
        var legendX = besideTitle ? width - right - widths.reduce(0, +) : left + 8
        var legendY = besideTitle ? 10.0 : top + 6
        for ((label, color), entryWidth) in zip(legend, widths) {
            if !besideTitle {
                if legendX > left + 8, legendX + entryWidth > left + plotWidth - 6 {
                    legendX = left + 8
                    legendY += 15
                }
                out.append(##"<rect x="\##(f(legendX - 3))" y="\##(f(legendY - 2))" width="\##(f(entryWidth))" height="14" fill="#fff" fill-opacity="0.85"/>"##)
            }
            out.append(##"<rect x="\##(f(legendX))" y="\##(f(legendY))" width="10" height="10" fill="\##(color)"/><text x="\##(f(legendX + 14))" y="\##(f(legendY + 9))" class="small">\##(escape(label))</text>"##)
            legendX += entryWidth
        }
        out.append("</svg>")
        return out.joined(separator: "\n")
    }

    func f(_ value: Double) -> String { String(format: "%.1f", value) }
}

func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
