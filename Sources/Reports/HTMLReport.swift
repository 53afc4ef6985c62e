import Foundation
import LitNetwork
import Protocols
import Scenario
import Simulation

/// report.html: one self-contained page (inline SVG and CSS, no script, no remote reference).
public enum HTMLReport {
    static let style = """
        body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 920px; color: #222; }
        h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; }
        table { border-collapse: collapse; margin: 8px 0; } td, th { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: left; }
        td.number { text-align: right; font-variant-numeric: tabular-nums; }
        .pass { color: #1a7f37; font-weight: 600; } .fail { color: #c62828; font-weight: 600; }
        .muted { color: #666; } svg.chart { display: block; margin: 10px 0; background: #fafafa; }
        svg .title { font-size: 14px; font-weight: 600; } svg .tick { font-size: 11px; fill: #555; }
        svg .axis { font-size: 12px; fill: #333; } svg .small { font-size: 11px; fill: #333; } svg .band { font-size: 10px; fill: #444; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
        code { background: #f3f3f3; padding: 1px 4px; }
        """

    /// Where each fault lies in time, for shading: (start, end, label, colour).
    static func faultWindows(_ specification: NetworkSpecification, end: Double) -> [(Double, Double, String, String)] {
        var windows = [(Double, Double, String, String)]()
        func seconds(_ instant: SimInstant) -> Double { Double(instant.nanoseconds) / 1e9 }
        for partition in specification.faults.partitions {
            let label: String
            switch partition.shape {
            case let .groups(groups): label = "partition " + groups.map { "\($0)" }.joined(separator: " | ")
            case let .oneWay(from, to): label = "partition \(from) → \(to)"
            }
            windows.append((seconds(partition.window.start), seconds(partition.window.end), label, "#e8710a"))
        }
        for clog in specification.faults.clogs {
            windows.append((seconds(clog.window.start), seconds(clog.window.end), "clog \(clog.from)→\(clog.to)", "#8e24aa"))
        }
        for link in specification.faults.linkOverrides {
            windows.append((seconds(link.window.start), seconds(link.window.end), "link \(link.from)→\(link.to)", "#607d8b"))
        }
        for fault in specification.faults.hostFaults {
            switch fault {
            case let .crash(endpoints, at, restart):
                windows.append((seconds(at), restart.map(seconds) ?? end, "crash \(endpoints)", "#c62828"))
            case let .pause(endpoints, window):
                windows.append((seconds(window.start), seconds(window.end), "pause \(endpoints)", "#f9a825"))
            }
        }
        return windows
    }

    public static func render(_ report: RunReport, scenario: Scenario, expectations: [ExpectationResult], wallSeconds: Double) -> String {
        let specification = report.specification
        var html = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
                    "<title>LitSim report: \(escape(scenario.name)) seed \(specification.seed)</title>",
                    "<style>\(style)</style></head><body>"]
        html.append("<h1>\(escape(scenario.name)) <span class=\"muted\">seed \(specification.seed)</span></h1>")
        if !scenario.description.isEmpty { html.append("<p>\(escape(scenario.description))</p>") }
        html.append("<p class=\"muted\">\(specification.nodes) nodes, threshold \(report.threshold), \(specification.clientCount) clients, "
                    + "\(workloadSummary(specification)). Simulated \(String(format: "%.1f", report.endTime.milliseconds / 1000)) s "
                    + "in \(String(format: "%.2f", wallSeconds)) s of wall time; stopped: \(report.stopReason.rawValue). "
                    + "Trace digest <code>\(report.traceDigest.prefix(16))…</code>. Replay: <code>\(escape(replayCommand(scenario)))</code></p>")

        html.append("<h2>Expectations</h2>")
        if expectations.isEmpty {
            html.append("<p class=\"muted\">This scenario states no expectations.</p>")
        } else {
            html.append("<table><tr><th></th><th>metric</th><th>condition</th><th>actual</th></tr>")
            for result in expectations {
                html.append("<tr><td class=\"\(result.passed ? "pass" : "fail")\">\(result.passed ? "PASS" : "FAIL")</td><td>\(escape(result.metric))</td>"
                            + "<td>\(escape(result.condition))</td><td>\(escape(Double(result.actual).map { SVGChart.format(($0 * 10_000).rounded() / 10_000) } ?? result.actual))</td></tr>")
            }
            html.append("</table>")
        }
        if !report.violations.isEmpty {
            html.append("<p class=\"fail\">Safety violations:</p><ul>" + report.violations.map { "<li>\(escape($0.description))</li>" }.joined() + "</ul>")
        }

        html.append("<h2>Summary</h2><table>")
        for (name, value) in report.metrics {
            html.append("<tr><td>\(escape(name))</td><td class=\"number\">\(escape(display(value)))</td></tr>")
        }
        html.append("</table>")

        let end = max(report.endTime.milliseconds / 1000, 1)
        // Transitions (lock to advance or abort) and kicks are marked like fault windows.
        let windows = faultWindows(specification, end: end) + epochWindows(report) + chainMarks(specification)
        if !report.transitions.isEmpty {
            html.append("<h2>Epochs</h2>")
            html.append(epochTable(report))
        }
        html.append("<h2>Requests</h2>")
        html.append(latencyOverTime(report, windows: windows))
        html.append(latencyCDF(report))
        html.append(outcomesOverTime(report, windows: windows))
        if report.presignPoolDepth.contains(where: { !$0.isEmpty }) { html.append(presignPoolDepth(report, windows: windows)) }
        html.append(actionSteps(report))
        html.append("<h2>Nodes</h2>")
        html += perNodeCharts(report)
        html.append("<h2>DKG timeline</h2>")
        html.append(dkgTimeline(report))
        html.append("<h2>Blame</h2>")
        html.append(blameTable(report))
        html.append("<p class=\"muted\">Generated by litsim \(RunOutputs.version). Times are simulated unless marked wall.</p>")
        html.append("</body></html>")
        return html.joined(separator: "\n")
    }

    /// Each transition attempt from its lock to its advance or abort, and each kick.
    static func epochWindows(_ report: RunReport) -> [(Double, Double, String, String)] {
        func seconds(_ instant: SimInstant) -> Double { Double(instant.nanoseconds) / 1e9 }
        var windows = [(Double, Double, String, String)]()
        for record in report.transitions {
            let end = record.endedAt.map(seconds) ?? seconds(report.endTime)
            switch record.outcome {
            case .advanced: windows.append((seconds(record.lockedAt), end, "→ epoch \(record.epoch.value)", "#5e35b1"))
            case .aborted: windows.append((seconds(record.lockedAt), end, "epoch \(record.epoch.value) try \(record.attempt) aborted", "#ef6c00"))
            case .unfinished: windows.append((seconds(record.lockedAt), end, "epoch \(record.epoch.value) try \(record.attempt)", "#9e9e9e"))
            }
        }
        for kick in report.kicks { windows.append((seconds(kick.at), seconds(kick.at), "kick n\(kick.node)", "#c62828")) }
        return windows
    }

    /// One row per transition attempt: the validator set it locked, and how it ended.
    static func epochTable(_ report: RunReport) -> String {
        var out = "<table><tr><th>epoch</th><th>try</th><th>validators</th><th>threshold</th><th>locked (s)</th><th>ended (s)</th>"
            + "<th>lock → end (ms)</th><th>outcome</th></tr>"
        for record in report.transitions {
            let locked = Double(record.lockedAt.nanoseconds) / 1e9
            let ended = record.endedAt.map { Double($0.nanoseconds) / 1e9 }
            out += "<tr><td>\(record.epoch.value)</td><td>\(record.attempt)</td><td>\(escape(record.next.map(String.init).joined(separator: ", ")))</td>"
                + "<td>\(record.threshold)</td><td class=\"number\">\(SVGChart.format(locked))</td>"
                + "<td class=\"number\">\(ended.map { SVGChart.format($0) } ?? "—")</td>"
                + "<td class=\"number\">\(ended.map { SVGChart.format((($0 - locked) * 1e6).rounded() / 1e3) } ?? "—")</td>"
                + "<td class=\"\(record.outcome == .aborted ? "fail" : "")\">\(record.outcome.rawValue)</td></tr>"
        }
        out += "</table>"
        if !report.kicks.isEmpty {
            out += "<p>Kicked: " + report.kicks.map { "node \($0.node) at \(SVGChart.format(Double($0.at.nanoseconds) / 1e9)) s (\($0.reason))" }
                .joined(separator: ", ") + ".</p>"
        }
        if !report.exposedEpochs.isEmpty {
            out += "<p class=\"fail\">The adversary held a threshold of shares of epoch(s) \(report.exposedEpochs.map { String($0.value) }.joined(separator: ", ")).</p>"
        }
        return out
    }

    /// Numbers to four decimals at most: a table is read, not parsed.
    static func display(_ value: MetricValue) -> String {
        if case let .number(number) = value {
            if number == number.rounded() { return String(Int64(number)) }
            return abs(number) >= 1000 ? String(format: "%.0f", number) : String(format: "%.4g", number)
        }
        return value.description
    }

    static func latencyOverTime(_ report: RunReport, windows: [(Double, Double, String, String)]) -> String {
        let succeeded = report.requests.filter { $0.outcome == .success }
        let failed = report.requests.filter { $0.outcome != .success && $0.outcome != .denied }
        let denied = report.requests.filter { $0.outcome == .denied }
        guard !report.requests.isEmpty else { return "<p class=\"muted\">No signing workload in this scenario.</p>" }
        let points = succeeded.compactMap { record in record.latency.map { (Double(record.start.nanoseconds) / 1e9, $0.milliseconds) } }
        let xs = report.requests.map { Double($0.start.nanoseconds) / 1e9 } + windows.flatMap { [$0.0, $0.1] }
        // A log axis when latencies span orders of magnitude (a retry after a timeout beside a fast path).
        let latencies = points.map(\.1)
        let logY = (latencies.max() ?? 1) / max(latencies.min() ?? 1, 0.001) > 50
        let yRange = logY ? SVGChart.paddedLog(latencies) : SVGChart.padded(latencies + [1])
        var chart = SVGChart(title: "Request latency over simulated time", xLabel: "request start (s, simulated)",
                             yLabel: logY ? "latency (ms, log scale)" : "latency (ms)", x: SVGChart.padded(xs, fromZero: false), y: yRange)
        chart.logY = logY
        for (start, end, label, color) in windows { chart.shade(from: start, to: end, color: color, label: label) }
        chart.dots(points, color: "#1565c0", title: "succeeded")
        if !failed.isEmpty {
            chart.crosses(failed.map { (Double($0.start.nanoseconds) / 1e9, yRange.upperBound * 0.96) }, color: "#c62828", title: "failed (at top)")
        }
        if !denied.isEmpty {
            chart.crosses(denied.map { (Double($0.start.nanoseconds) / 1e9, yRange.upperBound * 0.9) }, color: "#5c6bc0", title: "denied (near the top)")
        }
        return chart.render()
    }

    /// Lit Actions: the mean time of each kind of step on a node (the `action.step_ms.*` metrics).
    static func actionSteps(_ report: RunReport) -> String {
        let prefix = "action.step_ms."
        let steps = report.metrics.compactMap { name, value in name.hasPrefix(prefix) ? value.numeric.map { (String(name.dropFirst(prefix.count)), $0) } : nil }
        guard let longest = steps.map(\.1).max(), longest > 0 else { return "" }
        var html = "<h3>Lit Actions: time per step</h3><table><tr><th>step</th><th>mean on a node (ms)</th><th></th></tr>"
        for (kind, milliseconds) in steps {
            let width = Int((milliseconds / longest * 300).rounded())
            html += "<tr><td>\(escape(kind))</td><td class=\"number\">\(SVGChart.format((milliseconds * 1000).rounded() / 1000))</td>"
                + "<td><div style=\"background:#2e7d32;height:10px;width:\(max(1, width))px\"></div></td></tr>"
        }
        return html + "</table><p class=\"muted\">A waiting step (fetch, run-once, broadcast-and-collect) counts from the wait's start to the value; the others are modelled run time.</p>"
    }

    /// One line per request op that succeeded at least once.
    static func latencyCDF(_ report: RunReport) -> String {
        let ops = ["sign", "sign-ecdsa", "decrypt", "jwt", "action"]
        let colors = ["#1565c0", "#6a1b9a", "#00897b", "#ef6c00", "#2e7d32"]
        let series = ops.map { op in
            report.requests.filter { $0.op == op && $0.outcome == .success }.compactMap { $0.latency?.milliseconds }.sorted()
        }
        let present = ops.indices.filter { !series[$0].isEmpty }
        guard !present.isEmpty else { return "" }
        var chart = SVGChart(title: "Latency CDF (\(present.map { ops[$0] }.joined(separator: ", ")))", xLabel: "latency (ms)",
                             yLabel: "fraction of successful requests", x: SVGChart.padded(present.flatMap { series[$0] }), y: 0...1)
        for index in present {
            let latencies = series[index]
            let points = latencies.enumerated().map { ($0.element, Double($0.offset + 1) / Double(latencies.count)) }
            chart.line([(latencies[0], 0)] + points, color: colors[index], title: ops[index], step: true)
        }
        return chart.render()
    }

    /// What the run's requests do: FROST's scheme and flow, Lit's ECDSA variant, TDH2, ES256K JWTs.
    static func workloadSummary(_ specification: NetworkSpecification) -> String {
        let ops = specification.clientGroups.flatMap(\.workloads).map(\.op.name)
        var parts: [String] = []
        if ops.isEmpty || ops.contains("sign") { parts.append("\(specification.scheme.rawValue) with the \(specification.flow.rawValue) flow") }
        if ops.contains("sign-ecdsa") { parts.append("ECDSA (\(specification.ecdsaVariant.rawValue))") }
        if ops.contains("decrypt") { parts.append("TDH2 decryption (standing in for Lit's BLS-IBE)") }
        if ops.contains("jwt") { parts.append("ES256K JWTs") }
        if ops.contains("action") {
            let programs = specification.actions
            let names = programs.map(\.name).joined(separator: ", ")
            var uses: [String] = []
            if programs.contains(where: { $0.signers.contains(DelegatedSignature.ecdsa) }) { uses.append("ECDSA (\(specification.ecdsaVariant.rawValue))") }
            let frost = SigningScheme.allCases.filter { scheme in programs.contains { $0.signs(with: scheme) } }
            if !frost.isEmpty { uses.append("FROST (\(frost.map(\.rawValue).joined(separator: ", ")))") }
            var text = "Lit Actions (\(names))" + (uses.isEmpty ? "" : " signing with " + uses.joined(separator: " and "))
            if programs.contains(where: { !$0.decryptSecrets.isEmpty }) { text += ", decrypting with TDH2" }
            parts.append(text)
        }
        return parts.joined(separator: ", ")
    }

    /// Chain events where requests see them: a transfer at the block that includes it, a reorg
    /// when it happens.
    static func chainMarks(_ specification: NetworkSpecification) -> [(Double, Double, String, String)] {
        guard let access = specification.access else { return [] }
        return access.events.compactMap { event in
            guard let chain = access.chains.first(where: { $0.name == event.chain }) else { return nil }
            switch event.action {
            case let .transfer(contract, token, _, to, amount):
                let block = chain.block(including: event.at)
                let at = Double(block * chain.blockTime.nanoseconds) / 1e9
                let what = amount.map { "\($0) \(contract)" } ?? "\(contract)-\(token ?? "")"
                return (at, at, "\(what) → \(to) (block \(block))", "#00897b")
            case let .reorg(depth):
                let at = Double(event.at.nanoseconds) / 1e9
                return (at, at, "reorg \(depth) on \(event.chain)", "#6d4c41")
            }
        }
    }

    static func outcomesOverTime(_ report: RunReport, windows: [(Double, Double, String, String)]) -> String {
        guard !report.requests.isEmpty else { return "" }
        // Denied requests (access conditions false) are their own colour where there are any.
        let denials = report.requests.contains { $0.outcome == .denied }
        let starts = report.requests.map { Double($0.start.nanoseconds) / 1e9 }
        let low = starts.min()!, high = max(starts.max()!, low + 1)
        let width = SVGChart.ticks(0...(high - low), count: 30).dropFirst().first ?? 1
        var buckets = [Int: [Double]]()
        for record in report.requests {
            let bucket = Int(((Double(record.start.nanoseconds) / 1e9) - low) / width)
            var values = buckets[bucket] ?? Array(repeating: 0, count: denials ? 4 : 3)
            values[record.outcome == .success ? 0 : record.outcome == .denied ? 3 : 1] += 1
            values[2] += Double(max(0, record.attempts - 1))
            buckets[bucket] = values
        }
        let stacks = buckets.keys.sorted().map { (x: low + (Double($0) + 0.5) * width, values: buckets[$0]!) }
        let peak = stacks.map { $0.values.reduce(0, +) }.max() ?? 1
        var chart = SVGChart(title: denials ? "Successes, failures, retries and denials by request start" : "Successes, failures and retries by request start",
                             xLabel: "request start (s, simulated)",
                             yLabel: "requests per \(SVGChart.format(width)) s", x: (low - width)...(high + width), y: 0...(peak * 1.1))
        for (start, end, label, color) in windows { chart.shade(from: start, to: end, color: color, label: label) }
        chart.stackedBars(stacks, barWidth: width * 0.9, colors: ["#2e7d32", "#c62828", "#ef6c00", "#5c6bc0"],
                          titles: ["succeeded", "failed", "retries", "denied"].prefix(denials ? 4 : 3).map { $0 })
        return chart.render()
    }

    /// How many presignatures each node leads over time: a step line per node.
    static func presignPoolDepth(_ report: RunReport, windows: [(Double, Double, String, String)]) -> String {
        let end = report.endTime.milliseconds / 1000
        let series = report.presignPoolDepth.map { changes in changes.map { (Double($0.at.nanoseconds) / 1e9, Double($0.depth)) } }
        let depths = series.flatMap { $0.map(\.1) }
        var chart = SVGChart(title: "Presignatures each node leads", xLabel: "time (s, simulated)", yLabel: "presignatures",
                             x: 0...max(end, 1), y: SVGChart.padded(depths + [1]))
        for (start, stop, label, color) in windows { chart.shade(from: start, to: stop, color: color, label: label) }
        for (node, points) in series.enumerated() where !points.isEmpty {
            // Held until the run's end at the last depth.
            chart.line(points + [(end, points.last!.1)], color: SVGChart.groupPalette[node % SVGChart.groupPalette.count], title: "n\(node)",
                       width: 1.5, step: true)
        }
        return chart.render()
    }

    static func perNodeCharts(_ report: RunReport) -> [String] {
        let counters = report.counters
        let endpoints = counters.sentMessagesByEndpoint.count
        let labels = (0..<endpoints).map { $0 < report.specification.nodes ? "n\($0)" : "c\($0 - report.specification.nodes)" }
        func chart(_ title: String, _ label: String, _ series: [[Double]], _ titles: [String], _ colors: [String]) -> String {
            var chart = SVGChart(title: title, xLabel: "endpoint (n = node, c = client)", yLabel: label, x: -0.6...(Double(endpoints) - 0.4),
                                 y: SVGChart.padded(series.flatMap { $0 }))
            chart.categories = labels
            chart.categoryColors = (0..<endpoints).map { report.specification.behaviours[$0] != nil ? "#c62828" : "#555" }
            if case let .regions(regions) = report.specification.network.latency, regions.names.count > 1 {
                chart.categoryGroups = (regions.names.map { "region " + $0 }, Array(regions.regionOfEndpoint.prefix(endpoints)))
            }
            chart.groupedBars(series, colors: colors, titles: titles)
            return chart.render()
        }
        return [
            chart("Messages per endpoint", "messages", [counters.sentMessagesByEndpoint.map { Double($0) }, counters.receivedMessagesByEndpoint.map { Double($0) }],
                  ["sent", "received"], ["#1565c0", "#90caf9"]),
            chart("Bytes per endpoint", "kB", [counters.sentBytesByEndpoint.map { Double($0) / 1000 }, counters.receivedBytesByEndpoint.map { Double($0) / 1000 }],
                  ["sent", "received"], ["#6a1b9a", "#ce93d8"]),
            chart("Time busy computing", "ms (simulated)", [counters.busyNanosecondsByEndpoint.map { Double($0) / 1e6 }], ["busy"], ["#00897b"]),
        ]
    }

    static let phaseColors = ["commitments": "#1e88e5", "echoes": "#00acc1", "shares": "#43a047", "complaints": "#fb8c00", "justifications": "#8e24aa",
                              "agreement": "#3949ab", "finished": "#9e9e9e", "failed": "#c62828", "idle": "#e0e0e0"]

    static func dkgTimeline(_ report: RunReport) -> String {
        let n = report.specification.nodes
        let finish = report.finishedAt.compactMap { $0?.milliseconds }.max() ?? 0
        let lastPhase = report.dkgPhases.compactMap { $0.last?.at.milliseconds }.max() ?? 0
        let end = max(finish, lastPhase) * 1.08 + 1
        let rowHeight = max(8.0, min(22, 300.0 / Double(n)))
        var chart = SVGChart(title: "DKG rounds per node", xLabel: "simulated time (ms)", yLabel: "",
                             x: 0...end, y: 0...Double(n), height: Double(n) * rowHeight + 90)
        let qualified = Set(report.agreedResult?.qualified ?? [])
        let notes = (0..<n).map { node in
            var note = "n\(node)"
            if report.agreedResult != nil && !qualified.contains(NodeID(node)) { note += " excluded" }
            if report.results[node] == nil { note += report.dkgPhases[node].last?.phase == .failed ? ", failed" : ", no key" }
            if let behaviour = report.specification.behaviours[node] { note += " byz:\(behaviour.name)" }
            return note
        }
        // Room for the longest label; set before drawing, since elements are placed as they are added.
        chart.left = max(120, Double(notes.map(\.count).max() ?? 0) * 7 + 12)
        // A node with something to say is always labelled; plain labels are thinned to one per
        // 12 px and kept clear of flagged ones so no two labels overlap.
        let step = rowHeight >= 12 ? 1 : Int((12 / rowHeight).rounded(.up))
        let flagged = (0..<n).filter { notes[$0] != "n\($0)" }
        for node in 0..<n {
            let phases = report.dkgPhases[node]
            let row = Double(n - node - 1)
            for (index, phase) in phases.enumerated() where phase.phase != .finished && phase.phase != .failed {
                let start = phase.at.milliseconds
                let stop = index + 1 < phases.count ? phases[index + 1].at.milliseconds : end
                chart.rect(x0: start, x1: stop, y0: row + 0.15, y1: row + 0.85, color: phaseColors[phase.phase.rawValue] ?? "#999",
                           title: "node \(node): \(phase.phase.rawValue) from \(SVGChart.format(start)) ms")
            }
            let isFlagged = flagged.contains(node)
            let plainFits = node % step == 0 && !flagged.contains { abs($0 - node) < step }
            if isFlagged || plainFits {
                chart.rowLabels.append((notes[node], row + 0.5, isFlagged ? "#c62828" : "#333"))
            }
        }
        for phase in DKGParticipant.Phase.allCases where ![.idle, .finished, .failed].contains(phase) {
            chart.legend.append((phase.rawValue, phaseColors[phase.rawValue]!))
        }
        var out = chart.render()
        let complaints = report.accusations.filter { $0.protocolName == dkgProtocol.name }
        if !complaints.isEmpty {
            out += "<p>Complaints upheld in the DKG: " + complaints.map { "node \($0.node) (\(escape($0.code)))" }.joined(separator: ", ") + ".</p>"
        }
        return out
    }

    static func blameTable(_ report: RunReport) -> String {
        let byzantine = report.specification.behaviours
        var out = ""
        if report.accusations.isEmpty {
            out += "<p>No node was proven to have misbehaved.</p>"
        } else {
            out += "<table><tr><th>node</th><th>proven</th><th>proven by</th><th>scenario says</th></tr>"
            for accusation in report.accusations {
                out += "<tr><td>\(accusation.node)</td><td>\(escape(accusation.code))<br><span class=\"muted\">\(escape(accusation.evidence))</span></td><td>\(escape(accusation.provenBy))</td>"
                    + "<td>\(escape(byzantine[accusation.node]?.name ?? "honest"))</td></tr>"
            }
            out += "</table>"
        }
        let unaccused = byzantine.keys.sorted().filter { !report.accused.contains($0) }
        if !unaccused.isEmpty {
            out += "<p class=\"muted\">Byzantine but not accused (nothing provable, or it never acted): "
                + unaccused.map { "node \($0) (\(byzantine[$0]!.name))" }.joined(separator: ", ") + ".</p>"
        }
        return out
    }
}
