import Foundation
import LitNetwork
import Protocols
import Scenario
import Simulation
import ThresholdCrypto

/// One expectation's outcome.
public struct ExpectationResult: Sendable {
    public let metric: String
    public let condition: String
    public let actual: String
    public let passed: Bool
}

public func evaluate(_ expectations: [Expectation], against report: RunReport) -> [ExpectationResult] {
    expectations.map { expectation in
        var actual = report.metric(expectation.metric)
        var condition = expectation.condition
        if let window = expectation.window {
            let metrics = report.signingMetrics(from: SimInstant(nanoseconds: window.from.nanoseconds), to: SimInstant(nanoseconds: window.to.nanoseconds))
            actual = metrics.first { $0.0 == expectation.metric }?.1
            condition += " over requests started in [\(window.from), \(window.to))"
        }
        return ExpectationResult(metric: expectation.metric, condition: condition, actual: actual?.description ?? "missing",
                                 passed: expectation.holds(for: actual))
    }
}

/// A word the POSIX shell reads back as exactly `word` (single quotes unless it is plain).
public func shellQuoted(_ word: String) -> String {
    let plain = word.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
        || "-_./=:,@%+".unicodeScalars.contains($0) }
    if plain, !word.isEmpty { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// The command that reproduces a run: its file, its seed and its `--set` options, quoted so
/// that pasting it into a shell runs exactly that.
public func replayCommand(_ scenario: Scenario) -> String {
    let sets = scenario.overrides.filter { !$0.hasPrefix("seed=") }.flatMap { ["--set", $0] }
    return "litsim run " + ([scenario.file, "--seed", "\(scenario.seed)"] + sets).map(shellQuoted).joined(separator: " ")
}

public enum RunOutputs {
    public static let version = "0.1.0"

    static func json(_ value: MetricValue) -> JSON {
        switch value {
        case let .bool(flag): .bool(flag)
        case let .integer(number): .integer(number)
        case let .number(number): .number(number)
        case let .list(values): .array(values.map { .integer(Int64($0)) })
        }
    }

    static func milliseconds(_ instant: SimInstant?) -> String {
        guard let instant else { return "" }
        return String(format: "%.3f", Double(instant.nanoseconds) / 1e6)
    }

    public static func summary(_ report: RunReport, scenario: Scenario, expectations: [ExpectationResult], wallSeconds: Double) -> JSON {
        .object([
            ("scenario", .string(scenario.name)),
            ("seed", .integer(Int64(bitPattern: report.specification.seed))),
            ("version", .string(version)),
            ("network", .object([("nodes", .integer(Int64(report.specification.nodes))), ("threshold", .integer(Int64(report.threshold)))])),
            ("metrics", .object(report.metrics.map { ($0.name, json($0.value)) })),
            ("expectations", .array(expectations.map {
                .object([("metric", .string($0.metric)), ("condition", .string($0.condition)), ("actual", .string($0.actual)), ("passed", .bool($0.passed))])
            })),
            ("violations", .array(report.violations.map { violation in
                .object([("oracle", .string(violation.oracle)), ("detail", .string(violation.detail)),
                         ("time_ms", violation.time.map { .number($0.milliseconds) } ?? .null),
                         ("event", violation.event.map { .integer(Int64($0)) } ?? .null)])
            })),
            ("stop_reason", .string(report.stopReason.rawValue)),
            ("overrides", .array(scenario.overrides.map { .string($0) })),
            ("replay", .string(replayCommand(scenario))),
            ("resolved_scenario", .string(scenario.resolvedYAML)),
            ("trace_digest", .string(report.traceDigest)),
            ("wall", .object([
                ("seconds", .number((wallSeconds * 1000).rounded() / 1000)),
                ("events_per_second", .number(wallSeconds > 0 ? (Double(report.counters.events) / wallSeconds).rounded() : 0)),
            ])),
        ])
    }

    /// Writes every output of a run into `directory`, each file atomically.
    public static func write(
        _ report: RunReport, scenario: Scenario, expectations: [ExpectationResult], wallSeconds: Double,
        to directory: URL, exportSecretShares: Bool
    ) throws {
        try writeAtomically(summary(report, scenario: scenario, expectations: expectations, wallSeconds: wallSeconds).text + "\n",
                            to: directory.appendingPathComponent("summary.json"))
        try writeAtomically(scenario.resolvedYAML, to: directory.appendingPathComponent("scenario.resolved.yaml"))
        var metrics = "metric,value\n"
        for (name, value) in report.metrics {
            let text = value.description
            metrics += "\(name),\(text.contains(",") ? "\"\(text)\"" : text)\n"
        }
        metrics += "wall.seconds,\((wallSeconds * 1000).rounded() / 1000)\n"
        metrics += "wall.events_per_second,\(wallSeconds > 0 ? (Double(report.counters.events) / wallSeconds).rounded() : 0)\n"
        try writeAtomically(metrics, to: directory.appendingPathComponent("metrics.csv"))

        var requests = "id,client,op,start_ms,end_ms,outcome,attempts,signers,failure,group\n"
        for record in report.requests {
            let failure = record.failure?.description ?? ""
            requests += "\(record.index),\(record.client),\(record.op),\(milliseconds(record.start)),\(milliseconds(record.end)),\(record.outcome.rawValue),"
                + "\(record.attempts),\(record.signers.map(String.init).joined(separator: ";")),\"\(failure)\",\(record.group)\n"
        }
        try writeAtomically(requests, to: directory.appendingPathComponent("requests.csv"))
        try writeAtomically(attemptsCSV(report), to: directory.appendingPathComponent("attempts.csv"))

        let signatures = report.signatures.map { signature in
            var fields: [(String, JSON)] = [
                ("request", .integer(Int64(signature.request))),
                ("scheme", .string(signature.kind.name)),
                ("public_key", .string(signature.publicKey.hexString)),
                ("message", .string(signature.message.hexString)),
                ("signature", .string(signature.signature.hexString)),
                ("signers", .array(signature.signers.map { .integer(Int64($0)) })),
            ]
            if case let .ecdsa(recoveryID) = signature.kind {
                // The Ethereum address of the PKP key, and the recovery id (v = 27 + it).
                let address = (try? Point(compressed: signature.publicKey, meter: CostMeter())).map { ECDSA.ethereumAddress($0, meter: CostMeter()) } ?? []
                fields += [("address", .string("0x" + address.hexString)), ("recovery_id", .integer(Int64(recoveryID)))]
            }
            return JSON.object(fields).line
        }
        try writeAtomically(signatures.map { $0 + "\n" }.joined(), to: directory.appendingPathComponent("signatures.jsonl"))
        // An output this run does not produce must not be left from an earlier run.
        for (name, text) in [("decryptions.jsonl", decryptionsJSONL(report)), ("jwts.jsonl", jwtsJSONL(report)), ("actions.jsonl", actionsJSONL(report))] {
            if let text {
                try writeAtomically(text, to: directory.appendingPathComponent(name))
            } else {
                try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
            }
        }

        // An output this run does not produce must not be left from an earlier run.
        if let keys = keysDocument(report, exportSecretShares: exportSecretShares) {
            try writeAtomically(keys.text + "\n", to: directory.appendingPathComponent("keys.json"))
        } else {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent("keys.json"))
        }
        try writeAtomically(HTMLReport.render(report, scenario: scenario, expectations: expectations, wallSeconds: wallSeconds),
                            to: directory.appendingPathComponent("report.html"))
        if case .events = report.specification.trace {
            try writeAtomically(TraceExport.render(report, scenario: scenario.name), to: directory.appendingPathComponent("trace.json"))
        } else {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent("trace.json"))
        }
    }

    /// actions.jsonl: per Lit Action request, how it ended, the response the client picked, and
    /// what each signer of its last combined attempt answered (nil without action requests).
    public static func actionsJSONL(_ report: RunReport) -> String? {
        let records = report.requests.filter { $0.op == "action" }
        guard !records.isEmpty else { return nil }
        return records.map { record in
            JSON.object([
                ("request", .integer(Int64(record.index))),
                ("outcome", .string(record.outcome.rawValue)),
                ("failure", record.failure.map { .string($0.description) } ?? .null),
                ("response", record.response.map(JSON.string) ?? .null),
                ("jwts", .array(record.actionJWTs.map(JSON.string))),
                ("answers", .array(record.actionAnswers.map { answer in
                    .object([("node", .integer(Int64(answer.node))), ("response", answer.response.map(JSON.string) ?? .null),
                             ("error", answer.error.map(JSON.string) ?? .null), ("digests", .array(answer.digests.map { .string($0.hexString) })),
                             ("schemes", .array(answer.schemes.map(JSON.string)))])
                })),
            ]).line + "\n"
        }.joined()
    }

    /// attempts.csv: one row per attempt of every request (DESIGN.md §6): who was asked, how
    /// it ended, who was responsible and why (`timeout(4)`, `refused(4:no-key)`).
    public static func attemptsCSV(_ report: RunReport) -> String {
        var out = "request,attempt,client,start_ms,end_ms,nodes,outcome,responsible\n"
        for record in report.requests {
            for attempt in record.attemptLog {
                let responsible: String = switch attempt.outcome {
                case let .failed(failure)?: failure.description
                default: ""
                }
                out += "\(record.index),\(attempt.number),\(record.client),\(milliseconds(attempt.start)),\(milliseconds(attempt.end)),"
                    + "\(attempt.nodes.map(String.init).joined(separator: ";")),\(attempt.outcome?.code ?? "unfinished"),\"\(responsible)\"\n"
            }
        }
        return out
    }

    /// keys.json (DESIGN.md §6); nil when the DKG produced no agreed key.
    public static func keysDocument(_ report: RunReport, exportSecretShares: Bool) -> JSON? {
        guard let agreed = report.agreedResult, let verification = report.verificationShares(),
              let groupKey = try? agreed.groupPublicKey.compressed() else { return nil }
        let nodes: [JSON] = agreed.roster.members.enumerated().map { position, member in
            let node = member.value
            var fields: [(String, JSON)] = [
                ("id", .integer(Int64(node))),
                ("identifier", .string(agreed.roster.identifier(of: member)!.scalar.hexString)),
                ("verification_share", .string((try? verification[position].compressed())?.hexString ?? "")),
            ]
            if exportSecretShares, let result = report.results[node] {
                fields.append(("secret_share", .string(result.secretShare.hexString)))
            }
            return .object(fields)
        }
        return .object([("threshold", .integer(Int64(report.threshold))), ("group_public_key", .string(groupKey.hexString)),
                        ("nodes", .array(nodes))])
    }

    /// The table `litsim run` prints.
    public static func table(_ report: RunReport, scenario: Scenario, expectations: [ExpectationResult], wallSeconds: Double) -> String {
        var lines = ["\(scenario.name)  seed \(report.specification.seed)  \(report.specification.nodes) nodes, threshold \(report.threshold)"]
        let width = max(28, report.metrics.map(\.name.count).max() ?? 0)
        for (name, value) in report.metrics {
            var text = value.description
            if case let .number(number) = value { text = String(format: number == number.rounded() ? "%.0f" : "%.3f", number) }
            lines.append("  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(text)")
        }
        lines.append("  \("wall.seconds".padding(toLength: width, withPad: " ", startingAt: 0))  \(String(format: "%.3f", wallSeconds))")
        if !report.violations.isEmpty {
            lines.append("safety violations:")
            lines += report.violations.map { "  \($0)" }
        }
        if !expectations.isEmpty {
            lines.append("expectations:")
            for result in expectations {
                lines.append("  \(result.passed ? "PASS" : "FAIL")  \(result.metric) \(result.condition)  (actual \(result.actual))")
            }
        }
        lines.append("trace digest \(report.traceDigest)  (stopped: \(report.stopReason.rawValue))")
        return lines.joined(separator: "\n")
    }
}

/// decryptions.jsonl: per opened content, what an independent checker needs to redo it — the
/// conditions (canonical JSON) and label, the ciphertext, each combined share with its proof and
/// the verification share it was checked against — and the opened content's SHA-256 (never
/// the content). Nil for a run without decryption.
func decryptionsJSONL(_ report: RunReport) -> String? {
    guard report.specification.runs("decrypt") else { return nil }
    let meter = CostMeter()
    func hex(_ point: Point) -> String { ((try? point.compressed()) ?? []).hexString }
    return report.decryptions.map { decryption in
        let c = decryption.ciphertext
        let shares: [JSON] = decryption.shares.map { node, share, verificationShare in
            .object([("node", .integer(Int64(node))), ("id", .string(share.id.hexString)), ("ui", .string(hex(share.ui))),
                     ("e", .string(share.e.hexString)), ("f", .string(share.f.hexString)), ("hi", .string(hex(verificationShare)))])
        }
        return JSON.object([
            ("request", .integer(Int64(decryption.request))), ("client", .integer(Int64(decryption.client.value))),
            ("conditions", decryption.conditions.map { .string($0.canonicalJSON) } ?? .null),
            ("label", .string(c.label.hexString)),
            ("ciphertext", .object([("sealed", .string(c.sealed.hexString)), ("u", .string(hex(c.u))), ("u_bar", .string(hex(c.uBar))),
                                    ("e", .string(c.e.hexString)), ("f", .string(c.f.hexString))])),
            ("plaintext_sha256", .string(Hashing.sha256(decryption.plaintext, meter: meter).hexString)),
            ("shares", .array(shares)),
        ]).line + "\n"
    }.joined()
}

/// jwts.jsonl: per signed JWT `request`, `client`, `jwt` (compact JWS, ES256K) and `public_key`
/// (the network key, compressed): any JWT library checks them. Nil for a run without JWTs.
func jwtsJSONL(_ report: RunReport) -> String? {
    guard report.specification.runs("jwt") else { return nil }
    return report.jwts.map { token in
        JSON.object([("request", .integer(Int64(token.request))), ("client", .integer(Int64(token.client.value))),
                     ("jwt", .string(token.jwt)), ("public_key", .string(token.publicKey.hexString))]).line + "\n"
    }.joined()
}

extension NetworkSpecification {
    /// Whether a workload entry has this op.
    func runs(_ op: String) -> Bool { clientGroups.contains { $0.workloads.contains { $0.op.name == op } } }
}
