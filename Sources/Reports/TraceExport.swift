import Foundation
import LitNetwork
import Simulation

/// trace.json in the Chrome trace event format (opens in Perfetto and chrome://tracing):
/// one track per node (process "nodes") and per client (process "clients"), compute spans,
/// sends and deliveries as short slices joined by flow arrows, drops, timers and outputs as
/// instants. Times are simulated microseconds.
public enum TraceExport {
    public static func render(_ report: RunReport, scenario: String) -> String {
        let nodes = report.specification.nodes
        let endpoints = report.specification.endpoints
        var lines = [String]()
        func pid(_ endpoint: Int) -> Int { endpoint < nodes ? 1 : 2 }
        let clients = report.specification.clientCount
        func name(_ endpoint: Int) -> String {
            endpoint < nodes ? "node \(endpoint)" : endpoint < nodes + clients ? "client \(endpoint - nodes)" : "chain"
        }
        func micros(_ instant: SimInstant) -> String { String(format: "%.3f", Double(instant.nanoseconds) / 1000) }
        lines.append(#"{"name":"process_name","ph":"M","pid":1,"args":{"name":"nodes"}}"#)
        lines.append(#"{"name":"process_name","ph":"M","pid":2,"args":{"name":"clients"}}"#)
        for endpoint in 0..<endpoints {
            lines.append(#"{"name":"thread_name","ph":"M","pid":\#(pid(endpoint)),"tid":\#(endpoint),"args":{"name":\#(JSON.quote(name(endpoint)))}}"#)
            lines.append(#"{"name":"thread_sort_index","ph":"M","pid":\#(pid(endpoint)),"tid":\#(endpoint),"args":{"sort_index":\#(endpoint)}}"#)
        }
        for event in report.trace.events {
            let endpoint = event.endpoint
            guard endpoint >= 0, endpoint < endpoints else { continue }
            let base = #""pid":\#(pid(endpoint)),"tid":\#(endpoint),"ts":\#(micros(event.time))"#
            // The client request and attempt an event belongs to (`litsim explain` reads them).
            let request = event.request.map { #","request":\#($0.request),"attempt":\#($0.attempt)"# } ?? ""
            switch event.kind {
            case .compute:
                let args = event.request.map { #","args":{"request":\#($0.request),"attempt":\#($0.attempt)}"# } ?? ""
                lines.append(#"{"name":"compute","cat":"cpu","ph":"X",\#(base),"dur":\#(String(format: "%.3f", Double(event.duration.nanoseconds) / 1000))\#(args)}"#)
            case .send:
                let label = JSON.quote("send \(event.label) → \(name(event.peer))")
                lines.append(#"{"name":\#(label),"cat":"net","ph":"X",\#(base),"dur":1,"args":{"bytes":\#(event.bytes),"message":\#(event.messageID)\#(request)}}"#)
                lines.append(#"{"name":"message","cat":"flow","ph":"s","id":\#(event.messageID),\#(base)}"#)
            case .deliver, .duplicate:
                let label = JSON.quote("\(event.kind == .duplicate ? "duplicate" : "deliver") \(event.label) ← \(name(event.peer))")
                lines.append(#"{"name":\#(label),"cat":"net","ph":"X",\#(base),"dur":1,"args":{"bytes":\#(event.bytes),"message":\#(event.messageID)\#(request)}}"#)
                lines.append(#"{"name":"message","cat":"flow","ph":"f","bp":"e","id":\#(event.messageID),\#(base)}"#)
            case .drop:
                let label = JSON.quote("drop \(event.label) (\(event.dropReason?.name ?? "?"))")
                lines.append(#"{"name":\#(label),"cat":"net","ph":"i","s":"t",\#(base),"args":{"from":\#(JSON.quote(name(event.peer))),"message":\#(event.messageID)\#(request)}}"#)
            case .timer:
                lines.append(#"{"name":"timer","cat":"timer","ph":"i","s":"t",\#(base),"args":{"id":\#(event.messageID)}}"#)
            case .output:
                lines.append(#"{"name":\#(JSON.quote(event.label)),"cat":"output","ph":"i","s":"t",\#(base)}"#)
            case .crash, .restart, .pause, .resume, .start:
                lines.append(#"{"name":\#(JSON.quote(event.kind.name)),"cat":"host","ph":"i","s":"p",\#(base)}"#)
            }
        }
        let truncated = report.trace.omittedCount > 0
        let note = truncated
            ? "Trace limited to the first \(report.trace.events.count) of \(report.trace.eventCount) events (--trace-limit); the digest covers all of them."
            : "Complete trace of \(report.trace.eventCount) events."
        let other = JSON.object([
            ("scenario", .string(scenario)), ("seed", .integer(Int64(bitPattern: report.specification.seed))),
            ("trace_digest", .string(report.traceDigest)), ("events_recorded", .integer(Int64(report.trace.events.count))),
            ("events_omitted", .integer(Int64(report.trace.omittedCount))), ("truncated", .bool(truncated)), ("note", .string(note)),
        ]).line
        return "{\"displayTimeUnit\":\"ms\",\"otherData\":\(other),\"traceEvents\":[\n" + lines.joined(separator: ",\n") + "\n]}\n"
    }
}
