import Protocols
import Simulation

/// What one run reached, for `litsim explore`'s coverage (so a clean exploration means
/// something): per protocol, the message kinds nodes sent, the outputs their services produced
/// (DKG phases, finished — with dealers excluded or not — and failed with the failure's kind,
/// signing shares released),
/// accusations by code, and the clients' request and attempt outcomes by op. Counted only when
/// `NetworkSpecification.coverage` is set.
public struct CoverageKey: Hashable, Sendable, Comparable {
    /// `dkg`, `sign`, `ecdsa`, `decrypt`, `epoch`, ... (a message kind's prefix, a request's op).
    public let area: String
    /// `message`, `output`, `accusation`, `request`, `attempt`.
    public let category: String
    public let label: String

    public init(area: String, category: String, label: String) {
        self.area = area
        self.category = category
        self.label = label
    }

    public static func < (a: Self, b: Self) -> Bool { (a.area, a.category, a.label) < (b.area, b.category, b.label) }
}

/// Messages an endpoint sent, by kind; counts only when the run collects coverage.
struct KindCounter {
    let enabled: Bool
    private(set) var counts: [String: Int] = [:]

    init(_ specification: NetworkSpecification) { enabled = specification.coverage }

    mutating func count(_ message: any WireMessage) {
        if enabled { counts["\(message.traceKind)", default: 0] += 1 }
    }
}

enum CoverageCount {
    /// Every coverage key the run reached, with how often. `sent`: each endpoint's counter.
    static func collect(sent: [KindCounter], observer: RunObserver, records: [RequestRecord]) -> [CoverageKey: Int] {
        var counts: [CoverageKey: Int] = [:]
        func add(_ key: CoverageKey, _ count: Int = 1) { counts[key, default: 0] += count }
        for counter in sent {
            for (kind, count) in counter.counts {
                add(CoverageKey(area: String(kind.prefix { $0 != "." }), category: "message", label: kind), count)
            }
        }
        for logged in observer.outputs {
            let (area, label) = outputLabel(logged.output)
            add(CoverageKey(area: area, category: "output", label: label))
            // A DKG that finished without some dealers: the exclusion path was taken.
            if let (_, _, result) = finishedDKG(logged.output), result.qualified.count < result.roster.count {
                add(CoverageKey(area: "dkg", category: "output", label: "finished-excluding-dealers"))
            }
        }
        for logged in observer.accusations {
            let code = logged.accusation.code
            add(CoverageKey(area: String(code.prefix { $0 != "/" }), category: "accusation", label: code))
        }
        for record in records {
            add(CoverageKey(area: record.op, category: "request", label: record.outcome.rawValue))
            for attempt in record.attemptLog { add(CoverageKey(area: record.op, category: "attempt", label: attempt.outcome?.code ?? "unfinished")) }
        }
        return counts
    }

    /// The output's protocol (from its type) and its case, with a case-only payload's case
    /// (`phase.echoes`, `failed.tooFewQualified`).
    static func outputLabel(_ output: any Sendable) -> (String, String) {
        let type = String(describing: Swift.type(of: output))
        let area = switch type {
        case _ where type.hasPrefix("DKG"): "dkg"
        case _ where type.hasPrefix("ECDSA"): "ecdsa"
        case _ where type.hasPrefix("Signer"): "sign"
        case _ where type.hasPrefix("Decrypt"): "decrypt"
        case _ where type.hasPrefix("Epoch") || type.hasPrefix("Transition") || type.hasPrefix("RootKey"): "epoch"
        default: type
        }
        return (area, caseLabel(output, depth: 2))
    }

    static func caseLabel(_ value: Any, depth: Int) -> String {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .enum else { return String(describing: Swift.type(of: value)) }
        guard let child = mirror.children.first else { return "\(value)" }
        let label = child.label ?? "\(value)"
        guard depth > 1 else { return label }
        // A payload that is itself an enum (or a one-field tuple holding one) names its case too.
        var payload = child.value
        let inner = Mirror(reflecting: payload)
        if inner.displayStyle == .tuple, inner.children.count == 1, let only = inner.children.first { payload = only.value }
        guard Mirror(reflecting: payload).displayStyle == .enum else { return label }
        return label + "." + caseLabel(payload, depth: depth - 1)
    }
}
