import Protocols

/// One metric value.
public enum MetricValue: Sendable, Equatable, CustomStringConvertible {
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case list([Int])

    public var description: String {
        switch self {
        case let .bool(value): "\(value)"
        case let .integer(value): "\(value)"
        case let .number(value): "\(value)"
        case let .list(values): "[\(values.map(String.init).joined(separator: ","))]"
        }
    }

    public var numeric: Double? {
        switch self {
        case let .bool(value): value ? 1 : 0
        case let .integer(value): Double(value)
        case let .number(value): value
        case let .list(values): Double(values.count)
        }
    }
}

/// What a metric is: its name (units last), kind, unit, meaning and the part that owns it.
public struct MetricDefinition: Sendable {
    public enum Kind: String, Sendable { case bool, integer, number, list }

    public let name: String
    public let kind: Kind
    /// "ms", "bytes", "messages", ... or "" for a plain count or ratio.
    public let unit: String
    public let owner: String
    public let description: String
    /// Whether `litsim sweep` puts it in sweep.csv.
    public let inSweep: Bool
    /// Whether the same scenario and seed always give the same value (everything but wall time).
    public var isDeterministic: Bool { owner != "litsim" }

    init(_ name: String, _ kind: Kind, unit: String = "", owner: String, inSweep: Bool = false, _ description: String) {
        self.name = name
        self.kind = kind
        self.unit = unit
        self.owner = owner
        self.inSweep = inSweep
        self.description = description
    }
}

/// Every metric a run can report, in report order: what run outputs write, what `expect:`
/// accepts, what sweeps tabulate, what the README's reference lists (generated from here).
public enum MetricRegistry {
    /// The request metrics of an op that can be denied (decrypt, jwt): like sign.*, with
    /// `denied` apart from `failed`.
    static func accessRequests(_ prefix: String, _ noun: String, requested: String, succeeded: String, denied: String, median: String)
        -> [MetricDefinition] {
        [
            MetricDefinition("\(prefix).requested", .integer, owner: "client", requested),
            MetricDefinition("\(prefix).succeeded", .integer, owner: "client", succeeded),
            MetricDefinition("\(prefix).denied", .integer, owner: "client", inSweep: true, denied),
            MetricDefinition("\(prefix).failed", .integer, owner: "client", inSweep: true,
                             "\(noun) requests neither succeeded nor denied (failed or unfinished)"),
            MetricDefinition("\(prefix).success_rate", .number, owner: "client", inSweep: true, "\(prefix).succeeded / \(prefix).requested"),
            MetricDefinition("\(prefix).retries", .integer, owner: "client", "\(noun) attempts beyond each request's first"),
            MetricDefinition("\(prefix).latency_ms.p50", .number, unit: "ms", owner: "client", inSweep: true, median),
            MetricDefinition("\(prefix).latency_ms.p90", .number, unit: "ms", owner: "client", "90th percentile \(noun) latency"),
            MetricDefinition("\(prefix).latency_ms.p99", .number, unit: "ms", owner: "client", inSweep: true, "99th percentile \(noun) latency"),
            MetricDefinition("\(prefix).latency_ms.max", .number, unit: "ms", owner: "client", "slowest successful \(noun) request"),
            MetricDefinition("\(prefix).latency_ms.mean", .number, unit: "ms", owner: "client", "mean \(noun) latency"),
        ]
    }

    public static let all: [MetricDefinition] = [
        MetricDefinition("dkg.completed", .bool, owner: "dkg", inSweep: true,
                         "every live honest node finished the genesis DKG, all agree, and at least a threshold of honest nodes hold consistent shares"),
        MetricDefinition("dkg.duration_ms", .number, unit: "ms", owner: "dkg", inSweep: true,
                         "when the last honest node finished the DKG (absent if it did not complete)"),
        MetricDefinition("dkg.messages", .integer, unit: "messages", owner: "dkg", inSweep: true, "DKG messages sent by all nodes"),
        MetricDefinition("dkg.bytes", .integer, unit: "bytes", owner: "dkg", inSweep: true, "DKG bytes sent by all nodes"),
        MetricDefinition("dkg.qualified", .integer, owner: "dkg", "dealers in the agreed qualified set"),
        MetricDefinition("dkg.excluded", .integer, owner: "dkg", "nodes outside the agreed qualified set"),
        MetricDefinition("sign.requested", .integer, owner: "client", "signing requests in the workload"),
        MetricDefinition("sign.succeeded", .integer, owner: "client", "requests that ended with a valid signature"),
        MetricDefinition("sign.failed", .integer, owner: "client", inSweep: true, "requests that did not (failed or unfinished)"),
        MetricDefinition("sign.success_rate", .number, owner: "client", inSweep: true, "succeeded / requested"),
        MetricDefinition("sign.retries", .integer, owner: "client", inSweep: true, "attempts beyond each request's first"),
        MetricDefinition("sign.latency_ms.p50", .number, unit: "ms", owner: "client", inSweep: true,
                         "median latency of successful requests (exact nearest rank; absent without one)"),
        MetricDefinition("sign.latency_ms.p90", .number, unit: "ms", owner: "client", inSweep: true, "90th percentile latency"),
        MetricDefinition("sign.latency_ms.p99", .number, unit: "ms", owner: "client", inSweep: true, "99th percentile latency"),
        MetricDefinition("sign.latency_ms.max", .number, unit: "ms", owner: "client", "slowest successful request"),
        MetricDefinition("sign.latency_ms.mean", .number, unit: "ms", owner: "client", inSweep: true, "mean latency of successful requests"),
        MetricDefinition("sign.recovery_ms", .number, unit: "ms", owner: "client",
                         "the slowest recovery after a fault window: from its end to the end of the first request started after it that succeeded"),
        MetricDefinition("ecdsa.requested", .integer, owner: "client", "ECDSA (sign-ecdsa) requests in the workload"),
        MetricDefinition("ecdsa.succeeded", .integer, owner: "client", "ECDSA requests that ended with a valid, low-s signature"),
        MetricDefinition("ecdsa.failed", .integer, owner: "client", inSweep: true, "ECDSA requests that did not (failed or unfinished)"),
        MetricDefinition("ecdsa.success_rate", .number, owner: "client", inSweep: true, "ecdsa.succeeded / ecdsa.requested"),
        MetricDefinition("ecdsa.retries", .integer, owner: "client", "ECDSA attempts beyond each request's first"),
        MetricDefinition("ecdsa.latency_ms.p50", .number, unit: "ms", owner: "client", inSweep: true,
                         "median ECDSA latency (request to combined signature, a real-time presignature included where there was no pool presignature)"),
        MetricDefinition("ecdsa.latency_ms.p90", .number, unit: "ms", owner: "client", "90th percentile ECDSA latency"),
        MetricDefinition("ecdsa.latency_ms.p99", .number, unit: "ms", owner: "client", inSweep: true, "99th percentile ECDSA latency"),
        MetricDefinition("ecdsa.latency_ms.max", .number, unit: "ms", owner: "client", "slowest successful ECDSA request"),
        MetricDefinition("ecdsa.latency_ms.mean", .number, unit: "ms", owner: "client", "mean ECDSA latency"),
        MetricDefinition("ecdsa.messages", .integer, unit: "messages", owner: "ecdsa", inSweep: true,
                         "ECDSA messages sent by all nodes (presigning rounds, pool generations included, leaders' words, shares, refusals)"),
        MetricDefinition("ecdsa.bytes", .integer, unit: "bytes", owner: "ecdsa", "ECDSA bytes sent by all nodes"),
        MetricDefinition("presign.generated", .integer, owner: "ecdsa", inSweep: true,
                         "pool presignatures generated (with protocol.presign_pool; counted by the node that leads each)"),
        MetricDefinition("presign.failed", .integer, owner: "ecdsa", inSweep: true, "pool generations that failed (a check, or a validator missing)"),
        MetricDefinition("presign.hits", .integer, owner: "ecdsa", "ECDSA requests whose leader handed out a pool presignature"),
        MetricDefinition("presign.misses", .integer, owner: "ecdsa", inSweep: true,
                         "ECDSA requests whose leader had none (they presigned in real time)"),
        MetricDefinition("presign.pool_min_observed", .integer, owner: "ecdsa", inSweep: true,
                         "the fewest presignatures a leader had left as it led a request (0: some request missed); absent without one"),
    ] + accessRequests("decrypt", "decryption", requested: "decryption requests in the workload",
                       succeeded: "decryption requests whose combined shares opened the content",
                       denied: "decryption requests denied: so many nodes found the conditions false that no threshold of shares could come",
                       median: "median decryption latency (request to opened content, retries included)")
      + accessRequests("jwt", "JWT", requested: "signed-JWT requests in the workload",
                       succeeded: "JWT requests that ended with a token verifying under the network key",
                       denied: "JWT requests denied: more signers found the conditions false than the validator set can spare",
                       median: "median JWT latency (request to assembled token: the RPC's evaluation, a presignature unless pooled, the shares)")
      + actionDefinitions
      + [
        MetricDefinition("access.violations", .integer, owner: "access", inSweep: true,
                         "content opened or JWTs signed although their conditions were false, throughout the attempt, in the view of every node that took part (access.respected)"),
        MetricDefinition("access.violations_at_head", .integer, owner: "access", inSweep: true,
                         "content opened or JWTs signed although their conditions were false at the canonical chain's head throughout the attempt (lagging RPCs can do this honestly)"),
        MetricDefinition("access.disagreement", .integer, owner: "access", inSweep: true,
                         "decryption requests whose nodes evaluated the conditions differently (one released, another refused; over all the request's attempts)"),
        MetricDefinition("access.time_to_grant_ms", .number, unit: "ms", owner: "access", inSweep: true,
                         "from the moment the conditions of the first content opened (or JWT signed) turned true at the canonical head to that release (absent if they never turned)"),
        MetricDefinition("blame.accused", .list, owner: "oracles",
                         "nodes *proven* to have misbehaved (by an honest node or a client, from signed messages)"),
        MetricDefinition("blame.unresponsive", .list, owner: "oracles",
                         "nodes that missed a DKG round or held up a client by silence, and are not accused (not provable)"),
        MetricDefinition("blame.precision", .number, owner: "oracles", inSweep: true, "accused Byzantine nodes / accused nodes (1 if none)"),
        MetricDefinition("blame.recall", .number, owner: "oracles", inSweep: true,
                         "accused / Byzantine nodes whose misbehaviour happened and is provable (1 if none)"),
        MetricDefinition("safety.violations", .integer, owner: "oracles", inSweep: true,
                         "broken safety properties: dkg.agreement, dkg.usable, epoch.key_unchanged, blame.precision, signature.valid, nonce.unique, access.respected"),
        MetricDefinition("safety.key_exposed", .integer, owner: "oracles", inSweep: true,
                         "keys the adversary holds: epochs of which Byzantine nodes (each while its behaviour was in force) held a threshold of one sharing's shares (shares are kept epochs.keep_previous epochs), plus PKP keys it computed from an ECDSA signature one of them presigned (Lit's variant opens k⁻¹ to every presigner; under damfast-paper it needs a threshold of their shares of k⁻¹)"),
        MetricDefinition("sign.failed_at_switch", .integer, owner: "client", inSweep: true,
                         "requests with an attempt refused for its epoch (wrong-epoch: the client was behind or ahead of the nodes)"),
        MetricDefinition("epoch.count", .integer, owner: "chain", inSweep: true, "epoch transitions the staking contract advanced"),
        MetricDefinition("epoch.transition_ms.p50", .number, unit: "ms", owner: "chain", inSweep: true,
                         "median time from an epoch's first lock to its advance (retries included)"),
        MetricDefinition("epoch.transition_ms.max", .number, unit: "ms", owner: "chain", "slowest transition, lock to advance"),
        MetricDefinition("epoch.aborts", .integer, owner: "chain", inSweep: true, "transition attempts abandoned (vote or lock timeout, or a kick)"),
        MetricDefinition("epoch.unavailable_ms", .number, unit: "ms", owner: "chain", inSweep: true,
                         "summed over advances: from the chain's advance until a threshold of the new validators had switched (no threshold could sign for the current epoch meanwhile)"),
        MetricDefinition("epoch.unavailable_ms_per_switch", .number, unit: "ms", owner: "chain", inSweep: true,
                         "epoch.unavailable_ms / epoch.count (absent without an advance)"),
        MetricDefinition("kick.count", .integer, owner: "chain", inSweep: true, "validators the staking contract kicked"),
        MetricDefinition("kick.nodes", .list, owner: "chain", "the kicked validators"),
        MetricDefinition("network.messages_sent", .integer, unit: "messages", owner: "engine", "messages sent by every endpoint"),
        MetricDefinition("network.messages_delivered", .integer, unit: "messages", owner: "engine", "messages delivered"),
        MetricDefinition("network.messages_dropped", .integer, unit: "messages", owner: "engine",
                         "messages lost, cut by partitions or sent by crashed hosts"),
        MetricDefinition("network.bytes_sent", .integer, unit: "bytes", owner: "engine", inSweep: true, "bytes sent by every endpoint"),
        MetricDefinition("network.messages_undecodable", .integer, unit: "messages", owner: "engine",
                         "messages dropped because their bytes did not decode (network.wire: encoded)"),
        MetricDefinition("sim.events", .integer, unit: "events", owner: "engine", inSweep: true, "events the engine handled"),
        MetricDefinition("sim.end_ms", .number, unit: "ms", owner: "engine",
                         "when the last request ended or the last protocol output happened"),
        MetricDefinition("sim.quiescent_ms", .number, unit: "ms", owner: "engine",
                         "simulated time when the run stopped (leftover timers included)"),
        MetricDefinition("wall.seconds", .number, unit: "s", owner: "litsim", "wall time of the run (not deterministic)"),
        MetricDefinition("wall.events_per_second", .number, unit: "events/s", owner: "litsim",
                         "engine speed on this machine (not deterministic)"),
    ]

    /// `action.*`: Lit Actions (`op: action`).
    static let actionDefinitions: [MetricDefinition] = [
        MetricDefinition("action.requested", .integer, owner: "client", "Lit Action requests in the workload"),
        MetricDefinition("action.succeeded", .integer, owner: "client", inSweep: true,
                         "action requests whose every signing step gave a signature (a digest with a threshold of shares) verifying under the action's PKP key (ECDSA) or the network key (FROST)"),
        MetricDefinition("action.failed", .integer, owner: "client", inSweep: true,
                         "action requests that failed for another reason than divergence (timeouts, node errors such as a failed fetch, too few nodes)"),
        MetricDefinition("action.diverged", .integer, owner: "client", inSweep: true,
                         "action requests whose nodes computed different messages: no digest got a threshold of shares (not retried)"),
        MetricDefinition("action.divergence_rate", .number, owner: "client", inSweep: true, "action.diverged / action.requested"),
        MetricDefinition("action.success_rate", .number, owner: "client", inSweep: true, "action.succeeded / action.requested"),
        MetricDefinition("action.retries", .integer, owner: "client", "action attempts beyond each request's first"),
        MetricDefinition("action.latency_ms.p50", .number, unit: "ms", owner: "client", inSweep: true,
                         "median action latency (request to the last combined signature: start-up, fetches, coordination, presigning, shares)"),
        MetricDefinition("action.latency_ms.p90", .number, unit: "ms", owner: "client", "90th percentile action latency"),
        MetricDefinition("action.latency_ms.p99", .number, unit: "ms", owner: "client", inSweep: true, "99th percentile action latency"),
        MetricDefinition("action.latency_ms.max", .number, unit: "ms", owner: "client", "slowest successful action request"),
        MetricDefinition("action.latency_ms.mean", .number, unit: "ms", owner: "client", "mean action latency"),
        MetricDefinition("action.fetches", .integer, owner: "action", inSweep: true, "external fetches the nodes' action runs made"),
        MetricDefinition("action.fetch_failures", .integer, owner: "action", "fetches that failed (the source's `failure`); each stops its node's run"),
        MetricDefinition("action.node_errors", .integer, owner: "action",
                         "nodes' action runs that stopped with an error (a failed fetch, a limit, a type error, a peer that never sent its value)"),
        MetricDefinition("action.messages", .integer, unit: "messages", owner: "action", inSweep: true,
                         "action-protocol messages nodes sent (run-once results, collected values, decryption shares, responses; the signing steps' ECDSA and FROST traffic is in ecdsa.* and network.*)"),
        MetricDefinition("action.bytes", .integer, unit: "bytes", owner: "action", "action-protocol bytes nodes sent"),
    ] + ActionStep.kinds.map { kind in
        MetricDefinition("action.step_ms.\(kind)", .number, unit: "ms", owner: "action", inSweep: ["fetch", "run-once", "broadcast-and-collect", "decrypt"].contains(kind),
                         "mean time of one `\(kind)` step on a node (modelled run time; for a wait, from its start to the value)")
    }

    public static func definition(_ name: String) -> MetricDefinition? { all.first { $0.name == name } }
    public static var names: [String] { all.map(\.name) }
    public static var sweepColumns: [String] { all.filter(\.inSweep).map(\.name) }

    /// The README's metric reference, generated (a test checks the README carries it).
    public static var markdownReference: String {
        var out = "| metric | kind | unit | owner | meaning |\n| --- | --- | --- | --- | --- |\n"
        for metric in all {
            out += "| `\(metric.name)` | \(metric.kind.rawValue) | \(metric.unit.isEmpty ? "—" : metric.unit) | \(metric.owner) | \(metric.description) |\n"
        }
        return out
    }
}
