import Foundation

/// `litsim explain RUN_DIR REQUEST`: one request's story from a run folder — its attempts
/// (attempts.csv), the messages of each (trace.json events carry request and attempt), the
/// critical path of each attempt that got its answers, and where the time went.
public enum RequestExplanation {
    public enum Failure: Error, CustomStringConvertible {
        case missing(String)
        case malformed(String)
        case noSuchRequest(Int, known: Int)

        public var description: String {
            switch self {
            case let .missing(file): "\(file) not found: is this a run folder (litsim run --out)?"
            case let .malformed(what): "malformed run output: \(what)"
            case let .noSuchRequest(request, known): "request \(request) is not in requests.csv (it has requests 0 to \(known - 1))"
            }
        }
    }

    struct Attempt {
        let number: Int
        let start: Double
        let end: Double?
        let nodes: String
        let outcome: String
        let responsible: String
    }

    /// A message of the request, as trace.json recorded it.
    struct Message {
        let id: Int
        let kind: String
        let attempt: Int
        var sentAt: Double?
        var from: Int?
        var to: Int?
        var deliveredAt: Double?
        var dropped: String?
        var bytes = 0
    }

    public static func explain(runDirectory: URL, request: Int) throws -> String {
        func read(_ name: String) throws -> String {
            let url = runDirectory.appendingPathComponent(name)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw Failure.missing(url.path) }
            return text
        }
        let requests = try read("requests.csv").split(separator: "\n").map { SweepReport.splitCSV(String($0)) }
        guard let header = requests.first, header.starts(with: ["id", "client", "op", "start_ms", "end_ms", "outcome", "attempts"]) else {
            throw Failure.malformed("requests.csv has no header")
        }
        guard let row = requests.dropFirst().first(where: { Int($0[0]) == request }), row.count >= 9 else {
            throw Failure.noSuchRequest(request, known: requests.count - 1)
        }
        let group = row.count > 9 ? row[9] : "main"
        let attempts: [Attempt] = try read("attempts.csv").split(separator: "\n").dropFirst().compactMap { line in
            let fields = SweepReport.splitCSV(String(line))
            guard fields.count >= 8, Int(fields[0]) == request else { return nil }
            guard let number = Int(fields[1]), let start = Double(fields[3]) else { throw Failure.malformed("attempts.csv line `\(line)`") }
            return Attempt(number: number, start: start, end: Double(fields[4]), nodes: fields[5], outcome: fields[6], responsible: fields[7])
        }
        let trace = try? read("trace.json")
        let (messages, names, truncated) = trace.map { traceEvents($0, request: request) } ?? ([], [:], false)
        func name(_ endpoint: Int?) -> String { endpoint.map { names[$0] ?? "endpoint \($0)" } ?? "?" }

        var out = ["request \(request): client \(row[1]) (group \(group)), \(row[2]); started at \(row[3]) ms"]
        let total = (Double(row[4]) ?? 0) - (Double(row[3]) ?? 0)
        if row[5] == "unfinished" {
            out.append("unfinished when the run ended, after \(row[6]) attempt(s)")
        } else {
            out.append("\(row[5]) at \(row[4]) ms after \(row[6]) attempt(s): \(ms(total)) in all" + (row[8].isEmpty ? "" : "; last failure \(row[8])"))
        }
        if trace == nil { out.append("(no trace.json in the folder: run with --trace-limit above 0 to see the messages)") }
        var network = 0.0, atNodes = 0.0, atClient = 0.0, waited = 0.0, backoff = 0.0
        for (index, attempt) in attempts.enumerated() {
            out.append("")
            let span = attempt.end.map { "\(fixed(attempt.start)) → \(fixed($0)) ms (\(ms($0 - attempt.start)))" } ?? "\(fixed(attempt.start)) ms, still open"
            let asked = attempt.nodes.isEmpty ? "" : ", nodes \(attempt.nodes.replacingOccurrences(of: ";", with: ", "))"
            out.append("attempt \(attempt.number): \(span)\(asked): \(attempt.responsible.isEmpty ? attempt.outcome : attempt.responsible)")
            if index > 0, let previousEnd = attempts[index - 1].end {
                backoff += attempt.start - previousEnd
                out[out.count - 1] += " (after a backoff of \(ms(attempt.start - previousEnd)))"
            }
            let own = messages.filter { $0.attempt == attempt.number }.sorted { ($0.sentAt ?? 0, $0.id) < ($1.sentAt ?? 0, $1.id) }
            let dropped = own.filter { $0.dropped != nil }
            out.append("  \(own.count) messages, \(own.reduce(0) { $0 + $1.bytes }) bytes" + (dropped.isEmpty ? "" : "; dropped: "
                + dropped.map { "\($0.kind) \(name($0.from)) → \(name($0.to)) (\($0.dropped!))" }.joined(separator: ", ")))
            guard let end = attempt.end else { continue }
            if attempt.outcome == "timeout" {
                waited += end - attempt.start
                out.append("  waited the whole timeout for \(attempt.responsible)")
                continue
            }
            guard let path = criticalPath(own, start: attempt.start, end: end, client: Int(row[1]).map { clientEndpoint($0, names) } ?? nil) else {
                if !own.isEmpty || trace != nil { out.append("  (its messages are not in trace.json\(truncated ? ", which was cut short by --trace-limit" : ""))") }
                continue
            }
            out.append("  critical path:")
            for step in path {
                let where_ = step.message.map { "\(name($0.from)) → \(name($0.to))" } ?? name(step.endpoint)
                out.append("    " + where_.padding(toLength: 22, withPad: " ", startingAt: 0) + ms(step.length).padding(toLength: 12, withPad: " ", startingAt: 0)
                           + step.what)
                if step.message != nil { network += step.length } else if names[step.endpoint ?? -1]?.hasPrefix("client") == true { atClient += step.length } else { atNodes += step.length }
            }
        }
        out.append("")
        var parts = ["network \(ms(network))", "at nodes \(ms(atNodes))", "at the client \(ms(atClient))"]
        if waited > 0 { parts.append("timeouts \(ms(waited))") }
        if backoff > 0 { parts.append("backoff between attempts \(ms(backoff))") }
        out.append("where the time went: " + parts.joined(separator: ", ")
                   + " (at an endpoint: computing, queued behind other work, or waiting for the inputs it needs)")
        return out.joined(separator: "\n") + "\n"
    }

    struct Step {
        let endpoint: Int?
        let message: Message?
        let length: Double
        let what: String
    }

    /// Back from the last message the client received before the attempt ended: each message's
    /// flight, and before it the time its sender spent since the message that let it send.
    static func criticalPath(_ messages: [Message], start: Double, end: Double, client: Int?) -> [Step]? {
        guard let client else { return nil }
        let delivered = messages.filter { $0.deliveredAt != nil && $0.sentAt != nil }
        guard var current = delivered.filter({ $0.to == client && $0.deliveredAt! <= end + 1e-6 }).max(by: { ($0.deliveredAt!, $0.id) < ($1.deliveredAt!, $1.id) })
        else { return nil }
        var steps = [Step(endpoint: client, message: nil, length: end - current.deliveredAt!, what: "combining and checking the answers")]
        while true {
            steps.append(Step(endpoint: nil, message: current, length: current.deliveredAt! - current.sentAt!, what: "\(current.kind) in flight"))
            let sender = current.from!, sentAt = current.sentAt!
            let trigger = delivered.filter { $0.to == sender && $0.deliveredAt! <= sentAt + 1e-6 && $0.id != current.id }
                .max { ($0.deliveredAt!, $0.id) < ($1.deliveredAt!, $1.id) }
            guard let trigger else {
                steps.append(Step(endpoint: sender, message: nil, length: sentAt - start, what: "preparing and signing the request"))
                break
            }
            steps.append(Step(endpoint: sender, message: nil, length: sentAt - trigger.deliveredAt!, what: "from the last input it needed to sending"))
            current = trigger
        }
        return steps.reversed()
    }

    static func clientEndpoint(_ client: Int, _ names: [Int: String]) -> Int? {
        names.keys.sorted().first { names[$0] == "client \(client)" }
    }

    /// The request's messages from trace.json (one event per line), the endpoints' names, and
    /// whether the trace was cut short.
    static func traceEvents(_ text: String, request: Int) -> ([Message], [Int: String], Bool) {
        var messages = [Int: Message](), names = [Int: String](), endpointNamed = [String: Int]()
        let marker = "\"request\":\(request),"
        var truncated = false
        for line in text.split(separator: "\n") {
            if line.contains("\"thread_name\""), let object = parse(line), let tid = object["tid"] as? Int,
               let name = (object["args"] as? [String: Any])?["name"] as? String {
                names[tid] = name
                endpointNamed[name] = tid
                continue
            }
            if line.hasPrefix("{\"displayTimeUnit\"") { truncated = line.contains("\"truncated\":true") }
            guard line.contains(marker), let object = parse(line), let args = object["args"] as? [String: Any],
                  let attempt = args["attempt"] as? Int, let tid = object["tid"] as? Int, let ts = object["ts"] as? Double,
                  let label = object["name"] as? String else { continue }
            let time = ts / 1000
            guard let id = args["message"] as? Int else { continue }
            let words = label.split(separator: " ")
            var message = messages[id] ?? Message(id: id, kind: words.count > 1 ? String(words[1]) : label, attempt: attempt)
            message.bytes = args["bytes"] as? Int ?? message.bytes
            if label.hasPrefix("send ") {
                message.sentAt = time
                message.from = tid
                message.to = label.split(separator: "→ ").last.flatMap { endpointNamed[String($0)] }
            } else if label.hasPrefix("deliver ") {
                if message.deliveredAt == nil { message.deliveredAt = time }
                message.to = tid
            } else if label.hasPrefix("drop ") {
                message.dropped = label.split(separator: "(").last.map { String($0.dropLast()) } ?? "dropped"
                message.to = tid
            }
            messages[id] = message
        }
        return (messages.keys.sorted().map { messages[$0]! }, names, truncated)
    }

    static func parse(_ line: Substring) -> [String: Any]? {
        let trimmed = line.hasSuffix(",") ? line.dropLast() : line
        return (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) as? [String: Any]
    }

    static func fixed(_ value: Double) -> String { String(format: "%.3f", value) }
    static func ms(_ value: Double) -> String { String(format: "%.3f ms", value) }
}
