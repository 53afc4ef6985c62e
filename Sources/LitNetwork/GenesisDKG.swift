import Protocols
import Simulation
import ThresholdCrypto

/// Everything a genesis-DKG run needs (the scenario layer fills it in).
public struct NetworkSpecification: Sendable {
    public var nodes: Int
    public var threshold: ThresholdRule
    public var seed: UInt64
    public var network: NetworkModel
    public var faults: FaultSchedule
    public var roundTimeout: SimDuration
    public var behaviours: [Int: DKGBehaviour]
    public var costTable: CostTable
    /// CPU factor per node in thousandths; nodes not listed run at 1000.
    public var cpuFactorsPermille: [Int: Int64]
    public var stop: SimDuration
    public var trace: TraceRecorder.Retention

    public init(
        nodes: Int, threshold: ThresholdRule = .lit, seed: UInt64 = 1,
        network: NetworkModel = NetworkModel(latency: .distribution(.constant(.milliseconds(40)))),
        faults: FaultSchedule = FaultSchedule(), roundTimeout: SimDuration = .seconds(30),
        behaviours: [Int: DKGBehaviour] = [:], costTable: CostTable = .builtIn,
        cpuFactorsPermille: [Int: Int64] = [:], stop: SimDuration = .seconds(600),
        trace: TraceRecorder.Retention = .digestOnly
    ) {
        self.nodes = nodes
        self.threshold = threshold
        self.seed = seed
        self.network = network
        self.faults = faults
        self.roundTimeout = roundTimeout
        self.behaviours = behaviours
        self.costTable = costTable
        self.cpuFactorsPermille = cpuFactorsPermille
        self.stop = stop
        self.trace = trace
    }

    public var thresholdValue: Int { threshold.threshold(nodes: nodes) }

    /// Byzantine nodes whose DKG misbehaviour leaves signed evidence (recall counts these).
    public var provableByzantine: [Int] {
        behaviours.keys.sorted().filter { node in
            switch behaviours[node]! {
            case .badShare, .badProof, .extraCommitments, .equivocate: true
            case .honest, .silent, .falseComplaint, .withholdShare: false
            }
        }
    }

    public var byzantine: [Int] { behaviours.keys.sorted().filter { behaviours[$0] != .honest } }
}

/// A broken safety property, with what broke it.
public struct SafetyViolation: Sendable, Equatable, CustomStringConvertible {
    public let oracle: String
    public let detail: String
    public var description: String { "\(oracle): \(detail)" }
}

/// One metric value: a number or a flag, kept in a fixed order for reports.
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
        case .list: nil
        }
    }
}

/// The outcome of a genesis-DKG run.
public struct GenesisReport: Sendable {
    public let specification: NetworkSpecification
    public let threshold: Int
    public let stopReason: StopReason
    public let endTime: SimInstant
    public let traceDigest: String
    public let counters: EngineCounters
    /// The agreed result, when every honest finished node agrees.
    public let agreedResult: DKGResult?
    public let results: [DKGResult?]
    public let finishedAt: [SimInstant?]
    public let violations: [SafetyViolation]
    public let accused: [Int]
    /// Metric name → value, in report order.
    public let metrics: [(name: String, value: MetricValue)]
    public let trace: TraceRecorder
    /// Crypto operations by kind, summed over all nodes.
    public let operationTotals: [Int]

    public var pointMultiplications: Int { operationTotals[CryptoOperation.pointMultiply.rawValue] }

    public func metric(_ name: String) -> MetricValue? { metrics.first { $0.name == name }?.value }

    /// Every node's public verification share (computed once here, off the nodes' clocks).
    public func verificationShares() -> [Point]? {
        guard let agreedResult else { return nil }
        let meter = CostMeter()
        return (0..<specification.nodes).map { agreedResult.verificationShare(of: $0, meter: meter) }
    }
}

/// Builds the network of a specification and runs its genesis DKG on the engine.
public func runGenesisDKG(_ specification: NetworkSpecification) -> GenesisReport {
    let n = specification.nodes
    let threshold = specification.thresholdValue
    let tree = RandomTree(rootSeed: specification.seed)
    let setupMeter = CostMeter()
    let identities = (0..<n).map { node -> NodeIdentity in
        var stream = tree.stream(.identity, node)
        return NodeIdentity(secret: .randomNonZero(using: &stream), meter: setupMeter)
    }
    var seedBytes = [UInt8]()
    for shift in stride(from: 56, through: 0, by: -8) { seedBytes.append(UInt8(truncatingIfNeeded: specification.seed >> UInt64(shift))) }
    let session = Hashing.sha256(Array("LitSim-v1-session|epoch-0".utf8), seedBytes, meter: setupMeter)
    let timeout = Duration.nanoseconds(specification.roundTimeout.nanoseconds)
    let configuration = DKGConfiguration(session: session, participants: n, threshold: threshold,
                                         identityKeys: identities.map(\.publicKey), roundTimeout: timeout)
    let costs = CryptoCostModel(table: specification.costTable)
    let processes = (0..<n).map { node in
        LitNode(id: node, dkg: DKGNode(configuration: configuration, me: node, identity: identities[node],
                                       behaviour: specification.behaviours[node] ?? .honest),
                costs: costs, random: tree.stream(.node, node))
    }
    let settings = (0..<n).map { EndpointSettings(cpuFactorPermille: specification.cpuFactorsPermille[$0] ?? 1000) }
    var simulator = Simulator(processes: processes, network: specification.network, faults: specification.faults,
                              settings: settings, randomTree: tree, trace: TraceRecorder(retention: specification.trace))
    let stopReason = simulator.run(until: SimInstant(nanoseconds: specification.stop.nanoseconds))
    return assess(simulator, specification: specification, threshold: threshold, stopReason: stopReason)
}

/// Oracles, blame and metrics over a finished run.
func assess(_ simulator: Simulator<LitNode>, specification: NetworkSpecification, threshold: Int, stopReason: StopReason) -> GenesisReport {
    let nodes = simulator.processes
    let byzantine = Set(specification.byzantine)
    let honest = nodes.indices.filter { !byzantine.contains($0) }
    // Honest nodes that were up the whole DKG (a crash before finishing loses the round state).
    let live = honest.filter { !nodes[$0].crashedDuringDKG && simulator.isUp($0) }
    let finished = honest.filter { nodes[$0].dkgResult != nil }
    var violations = [SafetyViolation]()

    // Agreement: every honest node that finished holds the same key, set and commitment.
    let reference = finished.first.flatMap { nodes[$0].dkgResult }
    for node in finished.dropFirst() {
        let result = nodes[node].dkgResult!
        if result.groupPublicKey != reference!.groupPublicKey || result.qualified != reference!.qualified
            || result.groupCommitment != reference!.groupCommitment {
            violations.append(SafetyViolation(oracle: "agreement", detail: "node \(node) finished with a different key or qualified set than node \(finished[0])"))
        }
    }
    let agreed = violations.isEmpty ? reference : nil

    // Correctness: honest shares match their verification shares, and those lie on one
    // polynomial whose constant term's public key is the group key.
    let meter = CostMeter()
    if let agreed {
        for node in finished where nodes[node].dkgResult!.shareIsConsistent {
            let share = nodes[node].dkgResult!.secretShare
            if Point.base(share, meter: meter) != agreed.verificationShare(of: node, meter: meter) {
                violations.append(SafetyViolation(oracle: "correctness", detail: "node \(node)'s share does not match its verification share"))
            }
        }
        let sample = Array(finished.prefix(threshold))
        if sample.count == threshold,
           let lambdas = try? Lagrange.coefficients(for: sample.map { Scalar(UInt64($0 + 1)) }, meter: meter) {
            let interpolated = Point.sum(zip(sample, lambdas).map { node, lambda in
                agreed.verificationShare(of: node, meter: meter).multiplied(by: lambda, meter: meter)
            }, meter: meter)
            if interpolated != agreed.groupPublicKey {
                violations.append(SafetyViolation(oracle: "correctness", detail: "verification shares do not interpolate to the group key"))
            }
        }
    }

    // Blame: what honest nodes proved. Accusing an honest node is a safety violation.
    var accusedSet = Set<Int>()
    for node in honest { for accusation in nodes[node].dkgResult?.accused ?? [] { accusedSet.insert(accusation.node) } }
    let accused = accusedSet.sorted()
    for node in accused where !byzantine.contains(node) {
        violations.append(SafetyViolation(oracle: "blame", detail: "honest node \(node) was accused"))
    }
    let provable = specification.provableByzantine
    let precision = accused.isEmpty ? 1.0 : Double(accused.filter { byzantine.contains($0) }.count) / Double(accused.count)
    let recall = provable.isEmpty ? 1.0 : Double(provable.filter { accusedSet.contains($0) }.count) / Double(provable.count)

    let finishTimes = finished.compactMap { nodes[$0].dkgFinishedAt?.nanoseconds }
    let completed = !live.isEmpty && live.allSatisfy { nodes[$0].dkgResult != nil } && agreed != nil
    let counters = simulator.counters
    let qualified = agreed?.qualified.count ?? 0
    let metrics: [(String, MetricValue)] = [
        ("dkg.completed", .bool(completed)),
        ("dkg.duration_ms", .number(completed ? Double(finishTimes.max() ?? 0) / 1e6 : 0)),
        ("dkg.messages", .integer(Int64(counters.messagesSent))),
        ("dkg.bytes", .integer(Int64(counters.bytesSent))),
        ("dkg.qualified", .integer(Int64(qualified))),
        ("dkg.excluded", .integer(Int64(agreed == nil ? 0 : specification.nodes - qualified))),
        ("blame.accused", .list(accused)),
        ("blame.precision", .number(precision)),
        ("blame.recall", .number(recall)),
        ("safety.violations", .integer(Int64(violations.count))),
        ("network.messages_sent", .integer(Int64(counters.messagesSent))),
        ("network.messages_delivered", .integer(Int64(counters.messagesDelivered))),
        ("network.messages_dropped", .integer(Int64(counters.messagesDropped))),
        ("network.bytes_sent", .integer(Int64(counters.bytesSent))),
        ("sim.events", .integer(Int64(counters.events))),
        ("sim.end_ms", .number(simulator.now.milliseconds)),
    ]
    return GenesisReport(
        specification: specification, threshold: threshold, stopReason: stopReason, endTime: simulator.now,
        traceDigest: simulator.trace.digestHex, counters: counters, agreedResult: agreed,
        results: nodes.map(\.dkgResult), finishedAt: nodes.map(\.dkgFinishedAt), violations: violations,
        accused: accused, metrics: metrics, trace: simulator.trace,
        operationTotals: nodes.reduce(into: Array(repeating: 0, count: CryptoOperation.allCases.count)) { totals, node in
            for index in totals.indices { totals[index] += node.operationTotals[index] }
        })
}
