import Protocols
import Simulation
import ThresholdCrypto

/// Clients of the network (Lit SDK instances).
public struct ClientSpecification: Hashable, Sendable {
    public var count: Int
    /// Per attempt (Lit SDK: 20 s).
    public var timeout: SimDuration
    /// Further attempts after the first for network errors and timeouts (Lit SDK: 3).
    public var retries: Int
    /// Further attempts when shares were invalid (Lit SDK: 6 for "no valid shares").
    public var invalidShareRetries: Int

    public init(count: Int, timeout: SimDuration = .seconds(20), retries: Int = 3, invalidShareRetries: Int = 6) {
        self.count = count
        self.timeout = timeout
        self.retries = retries
        self.invalidShareRetries = invalidShareRetries
    }
}

/// Everything a run needs (the scenario layer fills it in). Endpoints: nodes 0..<nodes, then
/// clients nodes..<nodes+clients.
public struct NetworkSpecification: Sendable {
    public var nodes: Int
    public var threshold: ThresholdRule
    public var seed: UInt64
    public var network: NetworkModel
    public var faults: FaultSchedule
    public var roundTimeout: SimDuration
    public var behaviours: [Int: ByzantineBehaviour]
    public var costTable: CostTable
    /// CPU factor per endpoint in thousandths; endpoints not listed run at 1000.
    public var cpuFactorsPermille: [Int: Int64]
    public var clients: ClientSpecification
    /// Workload entries, run side by side; their requests are numbered one after another.
    public var workloads: [WorkloadSpecification]
    public var scheme: SigningScheme
    public var flow: SigningFlow
    public var stop: SimDuration
    /// Messages travel as real bytes and are decoded and validated on arrival.
    public var wireEncoded: Bool
    public var maxEvents: UInt64
    public var trace: TraceRecorder.Retention

    public init(
        nodes: Int, threshold: ThresholdRule = .lit, seed: UInt64 = 1,
        network: NetworkModel = NetworkModel(latency: .distribution(.constant(.milliseconds(40)))),
        faults: FaultSchedule = FaultSchedule(), roundTimeout: SimDuration = .seconds(30),
        behaviours: [Int: ByzantineBehaviour] = [:], costTable: CostTable = .builtIn,
        cpuFactorsPermille: [Int: Int64] = [:], clients: ClientSpecification = ClientSpecification(count: 0),
        workload: WorkloadSpecification? = nil, workloads: [WorkloadSpecification] = [], scheme: SigningScheme = .frostSecp256k1,
        flow: SigningFlow = .lit,
        stop: SimDuration = .seconds(600), wireEncoded: Bool = false, maxEvents: UInt64 = 500_000_000,
        trace: TraceRecorder.Retention = .digestOnly
    ) {
        self.wireEncoded = wireEncoded
        self.nodes = nodes
        self.threshold = threshold
        self.seed = seed
        self.network = network
        self.faults = faults
        self.roundTimeout = roundTimeout
        self.behaviours = behaviours
        self.costTable = costTable
        self.cpuFactorsPermille = cpuFactorsPermille
        self.clients = clients
        self.workloads = (workload.map { [$0] } ?? []) + workloads
        self.scheme = scheme
        self.flow = flow
        self.stop = stop
        self.maxEvents = maxEvents
        self.trace = trace
    }

    public var thresholdValue: Int { threshold.threshold(nodes: nodes) }
    public var byzantine: [Int] { behaviours.keys.sorted() }
    public var endpoints: Int { nodes + clients.count }
}

/// A broken safety property, with what broke it.
public struct SafetyViolation: Sendable, Equatable, CustomStringConvertible {
    public let oracle: String
    public let detail: String
    public var description: String { "\(oracle): \(detail)" }
}

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

/// A signature a client accepted, as signatures.jsonl lists it.
public struct AcceptedSignature: Sendable {
    public let request: Int
    public let scheme: SigningScheme
    public let publicKey: [UInt8]
    public let message: [UInt8]
    public let signature: [UInt8]
    public let signers: [Int]
}

/// Why a node is accused, and who proved it.
public struct Accusation: Sendable, Equatable {
    public let node: Int
    public let reason: String
    /// "node 3" or "client 1".
    public let provenBy: String
}

/// The outcome of a run.
public struct RunReport: Sendable {
    public let specification: NetworkSpecification
    public let threshold: Int
    public let stopReason: StopReason
    public let endTime: SimInstant
    public let traceDigest: String
    public let counters: EngineCounters
    /// The agreed DKG result, when every honest finished node agrees.
    public let agreedResult: DKGResult?
    public let results: [DKGResult?]
    public let finishedAt: [SimInstant?]
    public let violations: [SafetyViolation]
    public let accused: [Int]
    /// Request records of every client, by request index.
    public let requests: [RequestRecord]
    public let signatures: [AcceptedSignature]
    /// Metric name → value, in report order.
    public let metrics: [(name: String, value: MetricValue)]
    public let trace: TraceRecorder
    /// Crypto operations by kind, summed over nodes.
    public let operationTotals: [Int]
    /// Every proof of misbehaviour, by node then reason.
    public let accusations: [Accusation]
    /// Per node: when it entered each DKG phase.
    public let dkgPhases: [[(phase: String, at: SimInstant)]]

    public var pointMultiplications: Int { operationTotals[CryptoOperation.pointMultiply.rawValue] }
    public func metric(_ name: String) -> MetricValue? { metrics.first { $0.name == name }?.value }

    /// Every node's public verification share (computed here, off the nodes' clocks).
    public func verificationShares() -> [Point]? {
        guard let agreedResult else { return nil }
        let meter = CostMeter()
        return (0..<specification.nodes).map { agreedResult.verificationShare(of: $0, meter: meter) }
    }
}

/// Progress of a long run: simulated time reached, events so far, and the time limit.
public typealias RunProgress = (_ now: SimInstant, _ events: UInt64, _ stop: SimInstant) -> Void

/// Builds the network of a specification and runs it: genesis DKG, then the clients' workload.
/// `progress` is called every million events or so (never from another thread).
public func runNetwork(_ specification: NetworkSpecification, progress: RunProgress? = nil) -> RunReport {
    let n = specification.nodes
    let threshold = specification.thresholdValue
    let tree = RandomTree(rootSeed: specification.seed)
    let setupMeter = CostMeter()
    let identities = (0..<n).map { node -> NodeIdentity in
        var stream = tree.stream(.identity, node)
        return NodeIdentity(secret: .randomNonZero(using: &stream), meter: setupMeter)
    }
    let identityKeys = identities.map(\.publicKey)
    let seedBytes = (0..<8).map { UInt8(truncatingIfNeeded: specification.seed >> (56 - 8 * UInt64($0))) }
    let session = Hashing.sha256(Array("LitSim-v1-session|epoch-0".utf8), seedBytes, meter: setupMeter)
    // One memo per run: the nodes of this run share the host's work, no other run sees it.
    let memo = CryptoMemo()
    let configuration = DKGConfiguration(session: session, participants: n, threshold: threshold, identityKeys: identityKeys,
                                         roundTimeout: .nanoseconds(specification.roundTimeout.nanoseconds), memo: memo)
    let costs = CryptoCostModel(table: specification.costTable)
    var endpoints = (0..<n).map { node -> LitEndpoint in
        let behaviour = specification.behaviours[node]
        let dkg = DKGNode(configuration: configuration, me: node, identity: identities[node], behaviour: behaviour?.dkgBehaviour ?? .honest)
        return .node(LitNode(id: node, participants: n, dkg: dkg, identity: identities[node], identityKeys: identityKeys,
                             roundTimeout: specification.roundTimeout, behaviour: behaviour, costs: costs,
                             random: tree.stream(.node, node), clientTimeout: specification.clients.timeout, memo: memo))
    }
    for client in 0..<specification.clients.count {
        var order = tree.stream(.client, client)
        let endpoint = n + client
        // Cheapest first: expected one-way latency, ties in a random order of this client's own.
        let rank = (0..<n).map { _ in order.next() }
        let preference = (0..<n).sorted {
            let a = expectedLatency(specification.network, from: endpoint, to: $0), b = expectedLatency(specification.network, from: endpoint, to: $1)
            return a != b ? a < b : (rank[$0], $0) < (rank[$1], $1)
        }
        endpoints.append(.client(LitClient(
            endpoint: endpoint, index: client, clientCount: specification.clients.count, nodes: n, threshold: threshold,
            scheme: specification.scheme, flow: specification.flow, timeout: specification.clients.timeout,
            retries: specification.clients.retries, invalidShareRetries: specification.clients.invalidShareRetries, workloads: specification.workloads, preference: preference, seed: specification.seed,
            costs: costs, identityKeys: identityKeys, random: order)))
    }
    for endpoint in endpoints {
        endpoint.node?.encodesWire = specification.wireEncoded
        endpoint.client?.encodesWire = specification.wireEncoded
    }
    let settings = (0..<specification.endpoints).map { EndpointSettings(cpuFactorPermille: specification.cpuFactorsPermille[$0] ?? 1000) }
    var simulator = Simulator(processes: endpoints, network: specification.network, faults: specification.faults,
                              settings: settings, randomTree: tree, trace: TraceRecorder(retention: specification.trace))
    let stop = SimInstant(nanoseconds: specification.stop.nanoseconds)
    var stopReason: StopReason
    repeat {
        // Run in slices so a caller can show progress; the slicing changes nothing simulated.
        let slice = min(specification.maxEvents, simulator.counters.events + 1_000_000)
        stopReason = simulator.run(until: stop, maxEvents: slice)
        progress?(simulator.now, simulator.counters.events, stop)
    } while stopReason == .eventLimit && simulator.counters.events < specification.maxEvents
    return assess(simulator, specification: specification, threshold: threshold, stopReason: stopReason)
}

func expectedLatency(_ network: NetworkModel, from: Int, to: Int) -> Int64 {
    switch network.latency {
    case let .distribution(distribution): distribution.mean.nanoseconds
    case let .regions(regions): regions.oneWay[regions.regionOfEndpoint[from]][regions.regionOfEndpoint[to]].nanoseconds
    }
}

/// Oracles, blame and metrics over a finished run.
func assess(_ simulator: Simulator<LitEndpoint>, specification: NetworkSpecification, threshold: Int, stopReason: StopReason) -> RunReport {
    let nodes = simulator.processes.compactMap(\.node)
    let clients = simulator.processes.compactMap(\.client)
    let byzantine = Set(specification.byzantine)
    let honest = nodes.indices.filter { !byzantine.contains($0) }
    let live = honest.filter { !nodes[$0].crashedDuringDKG && simulator.isUp($0) }
    let finished = honest.filter { nodes[$0].dkgResult != nil }
    var violations = [SafetyViolation]()

    // DKG agreement: every honest node that finished holds the same key, set and commitment.
    let reference = finished.first.flatMap { nodes[$0].dkgResult }
    for node in finished.dropFirst() {
        let result = nodes[node].dkgResult!
        if result.groupPublicKey != reference!.groupPublicKey || result.qualified != reference!.qualified
            || result.groupCommitment != reference!.groupCommitment {
            violations.append(SafetyViolation(oracle: "dkg.agreement", detail: "node \(node) finished with a different key or qualified set than node \(finished[0])"))
        }
    }
    let agreed = violations.isEmpty ? reference : nil
    let meter = CostMeter()

    // DKG correctness: honest shares match their verification shares, which interpolate to the key.
    if let agreed {
        for node in finished where nodes[node].dkgResult!.shareIsConsistent {
            if Point.base(nodes[node].dkgResult!.secretShare, meter: meter) != agreed.verificationShare(of: node, meter: meter) {
                violations.append(SafetyViolation(oracle: "dkg.correctness", detail: "node \(node)'s share does not match its verification share"))
            }
        }
        let sample = Array(finished.prefix(threshold))
        if sample.count == threshold, let lambdas = try? Lagrange.coefficients(for: sample.map { Scalar(UInt64($0 + 1)) }, meter: meter) {
            let interpolated = Point.sum(zip(sample, lambdas).map { node, lambda in
                agreed.verificationShare(of: node, meter: meter).multiplied(by: lambda, meter: meter)
            }, meter: meter)
            if interpolated != agreed.groupPublicKey {
                violations.append(SafetyViolation(oracle: "dkg.correctness", detail: "verification shares do not interpolate to the group key"))
            }
        }
    }

    // Signatures: every accepted one is verified again, by libsecp256k1, under the agreed key.
    var records = clients.flatMap { $0.records + $0.unfinished }
    records.sort { $0.index < $1.index }
    var signatures = [AcceptedSignature]()
    for record in records where record.outcome == .success {
        guard let bytes = record.signature, let key = agreed?.groupPublicKey else {
            violations.append(SafetyViolation(oracle: "sign.valid", detail: "request \(record.index) accepted without an agreed key"))
            continue
        }
        let valid: Bool
        let publicKey: [UInt8]
        switch specification.scheme {
        case .frostTaproot:
            publicKey = (try? key.xOnly()) ?? []
            valid = BIP340.verifyWithLibsecp256k1(publicKeyX: publicKey, message: record.message, signature: bytes, meter: meter)
        case .frostSecp256k1:
            publicKey = (try? key.compressed()) ?? []
            if bytes.count == 65, let r = try? Point(compressed: bytes[0..<33], meter: meter), let z = try? Scalar(bytes: bytes[33..<65]) {
                valid = FROST<FROSTSecp256k1>.verify(FROSTSignature(groupCommitment: r, response: z), groupKey: key, message: record.message, meter: meter)
            } else {
                valid = false
            }
        }
        if !valid { violations.append(SafetyViolation(oracle: "sign.valid", detail: "request \(record.index)'s accepted signature does not verify")) }
        signatures.append(AcceptedSignature(request: record.index, scheme: specification.scheme, publicKey: publicKey,
                                            message: record.message, signature: bytes, signers: record.signers))
    }

    // Blame: what honest nodes and clients proved. Accusing an honest node is a violation.
    var accusedSet = Set<Int>()
    for node in honest { for accusation in nodes[node].dkgResult?.accused ?? [] { accusedSet.insert(accusation.node) } }
    for client in clients { for blame in client.blames { accusedSet.insert(blame.node) } }
    let accused = accusedSet.sorted()
    for node in accused where !byzantine.contains(node) {
        violations.append(SafetyViolation(oracle: "blame", detail: "honest node \(node) was accused"))
    }
    // Recall counts Byzantine nodes that did something provable.
    let provable = specification.byzantine.filter { node in
        guard let behaviour = specification.behaviours[node], behaviour.isProvable else { return false }
        return behaviour.isSigningBehaviour ? nodes[node].actedProvably : !nodes[node].crashedDuringDKG || nodes[node].dkgResult != nil
    }
    // Unresponsive, not accused: missed a DKG round an honest node waited for, or held up a
    // client's attempt by silence. Nothing about it is provable, so it is only counted.
    var unresponsiveSet = Set<Int>()
    for node in honest { for missing in nodes[node].dkgResult?.unresponsive ?? [] { unresponsiveSet.insert(missing) } }
    for client in clients { for (node, strikes) in client.strikes.enumerated() where strikes > 0 { unresponsiveSet.insert(node) } }
    let unresponsive = unresponsiveSet.subtracting(accusedSet).sorted()
    let precision = accused.isEmpty ? 1.0 : Double(accused.filter { byzantine.contains($0) }.count) / Double(accused.count)
    let recall = provable.isEmpty ? 1.0 : Double(provable.filter { accusedSet.contains($0) }.count) / Double(provable.count)

    let finishTimes = finished.compactMap { nodes[$0].dkgFinishedAt?.nanoseconds }
    let completed = !live.isEmpty && live.allSatisfy { nodes[$0].dkgResult != nil } && agreed != nil
    let counters = simulator.counters
    let qualified = agreed?.qualified.count ?? 0
    var metrics: [(String, MetricValue)] = [
        ("dkg.completed", .bool(completed)),
        ("dkg.duration_ms", .number(completed ? Double(finishTimes.max() ?? 0) / 1e6 : 0)),
        ("dkg.messages", .integer(Int64(nodes.reduce(0) { $0 + $1.dkgMessagesSent }))),
        ("dkg.bytes", .integer(Int64(nodes.reduce(0) { $0 + $1.dkgBytesSent }))),
        ("dkg.qualified", .integer(Int64(qualified))),
        ("dkg.excluded", .integer(Int64(agreed == nil ? 0 : specification.nodes - qualified))),
    ]
    if !specification.workloads.isEmpty {
        let succeeded = records.filter { $0.outcome == .success }
        let latencies = succeeded.compactMap { $0.latency?.nanoseconds }.sorted()
        func percentile(_ p: Int) -> Double {
            guard !latencies.isEmpty else { return 0 }
            // Nearest rank, exact (no histogram buckets).
            let rank = max(1, (p * latencies.count + 99) / 100)
            return Double(latencies[rank - 1]) / 1e6
        }
        let requested = specification.workloads.reduce(0) { $0 + $1.count }
        metrics += [
            ("sign.requested", .integer(Int64(requested))),
            ("sign.succeeded", .integer(Int64(succeeded.count))),
            ("sign.failed", .integer(Int64(requested - succeeded.count))),
            ("sign.success_rate", .number(requested == 0 ? 1 : Double(succeeded.count) / Double(requested))),
            ("sign.retries", .integer(Int64(records.reduce(0) { $0 + max(0, $1.attempts - 1) }))),
            ("sign.latency_ms.p50", .number(percentile(50))),
            ("sign.latency_ms.p90", .number(percentile(90))),
            ("sign.latency_ms.p99", .number(percentile(99))),
            ("sign.latency_ms.max", .number(latencies.last.map { Double($0) / 1e6 } ?? 0)),
            ("sign.latency_ms.mean", .number(latencies.isEmpty ? 0 : Double(latencies.reduce(0, +)) / Double(latencies.count) / 1e6)),
        ]
    }
    metrics += [
        ("blame.accused", .list(accused)),
        ("blame.unresponsive", .list(unresponsive)),
        ("blame.precision", .number(precision)),
        ("blame.recall", .number(recall)),
        ("safety.violations", .integer(Int64(violations.count))),
        ("network.messages_sent", .integer(Int64(counters.messagesSent))),
        ("network.messages_delivered", .integer(Int64(counters.messagesDelivered))),
        ("network.messages_dropped", .integer(Int64(counters.messagesDropped))),
        ("network.bytes_sent", .integer(Int64(counters.bytesSent))),
        ("network.messages_undecodable", .integer(Int64(nodes.reduce(0) { $0 + $1.undecodableMessages } + clients.reduce(0) { $0 + $1.undecodableMessages }))),
        ("sim.events", .integer(Int64(counters.events))),
        ("sim.end_ms", .number(simulator.now.milliseconds)),
    ]
    var totals = Array(repeating: 0, count: CryptoOperation.allCases.count)
    for node in nodes { for index in totals.indices { totals[index] += node.operationTotals[index] } }
    return RunReport(
        specification: specification, threshold: threshold, stopReason: stopReason, endTime: simulator.now,
        traceDigest: simulator.trace.digestHex, counters: counters, agreedResult: agreed,
        results: nodes.map(\.dkgResult), finishedAt: nodes.map(\.dkgFinishedAt), violations: violations,
        accused: accused, requests: records, signatures: signatures, metrics: metrics, trace: simulator.trace,
        operationTotals: totals, accusations: accusations(nodes: nodes, honest: honest, clients: clients), dkgPhases: nodes.map(\.dkgPhases))
}

/// Each distinct (node, reason) with the first honest node or client that proved it.
func accusations(nodes: [LitNode], honest: [Int], clients: [LitClient]) -> [Accusation] {
    var seen = Set<String>()
    var list = [Accusation]()
    for node in honest {
        for accusation in nodes[node].dkgResult?.accused ?? [] where seen.insert("\(accusation.node)|\(accusation.reason.rawValue)").inserted {
            list.append(Accusation(node: accusation.node, reason: "DKG: " + accusation.reason.rawValue, provenBy: "node \(node)"))
        }
    }
    for client in clients {
        for blame in client.blames where seen.insert("\(blame.node)|\(blame.reason.rawValue)").inserted {
            list.append(Accusation(node: blame.node, reason: "signing: " + blame.reason.rawValue, provenBy: "client \(client.index)"))
        }
    }
    return list.sorted { ($0.node, $0.reason) < ($1.node, $1.reason) }
}
