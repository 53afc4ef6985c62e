import Protocols
import Simulation
import ThresholdCrypto

/// How a client orders the nodes it may ask (`clients.selection`).
public enum NodeSelection: String, Hashable, Sendable, CaseIterable {
    /// Lowest expected one-way latency first, ties in a per-client random order (Lit's SDK).
    case cheapest
    /// A fresh random order for every attempt.
    case random
    /// Lowest observed answer time first (request to share, averaged per node); nodes not yet
    /// observed by their expected latency.
    case fastestObserved = "fastest-observed"
}

/// How many nodes beyond `threshold` a client asks (`clients.over_request`).
public enum OverRequest: Hashable, Sendable {
    /// `threshold + extra` nodes; the first `threshold` to take part sign.
    case extra(Int)
    /// Every node the client may ask.
    case all
}

/// Clients of the network (Lit SDK instances). Every default is Lit's SDK behaviour.
public struct ClientSpecification: Hashable, Sendable {
    public var count: Int
    /// Per attempt (Lit SDK: 20 s).
    public var timeout: SimDuration
    /// Further attempts after the first for network errors and timeouts (Lit SDK: 3).
    public var retries: Int
    /// Further attempts when shares were invalid (Lit SDK: 6 for "no valid shares").
    public var invalidShareRetries: Int
    public var selection: NodeSelection
    /// A node that refused for itself or held an attempt up is left out of every request of
    /// this client for this long (0: only of the request it failed, as Lit's SDK does).
    public var cooldown: SimDuration
    /// How long a signer waits for its co-signers' commitments before it refuses (lit flow);
    /// nil: three quarters of `timeout`, so the refusal reaches the client before it gives up.
    public var cosignerWait: SimDuration?
    /// How many nodes an attempt asks beyond `threshold`; nil: the flow's own (lit: none, as
    /// Lit's SDK; coordinator: every node it may ask, the first `threshold` to commit sign).
    public var overRequest: OverRequest?
    /// How long a client keeps using its epoch after the chain announces the next (0: moves at
    /// once; Lit's v7 SDK kept the old one about 45 s, js-sdk PR #596).
    public var staleEpochFor: SimDuration = .zero

    public init(count: Int, timeout: SimDuration = .seconds(20), retries: Int = 3, invalidShareRetries: Int = 6,
                selection: NodeSelection = .cheapest, cooldown: SimDuration = .zero, cosignerWait: SimDuration? = nil,
                overRequest: OverRequest? = nil) {
        self.overRequest = overRequest
        self.count = count
        self.timeout = timeout
        self.retries = retries
        self.invalidShareRetries = invalidShareRetries
        self.selection = selection
        self.cooldown = cooldown
        self.cosignerWait = cosignerWait
    }

    /// The co-signer wait in effect.
    public var effectiveCosignerWait: SimDuration { cosignerWait ?? SimDuration(nanoseconds: timeout.nanoseconds / 4 * 3) }

    /// The over-request in effect for a flow.
    public func effectiveOverRequest(_ flow: SigningFlow) -> OverRequest { overRequest ?? (flow == .lit ? .extra(0) : .all) }
}

/// Clients that share settings and a workload (`clients.groups`): the scenario's own clients
/// are the first group; each further group has its own count, region, settings and workload.
public struct ClientGroup: Hashable, Sendable {
    public var name: String
    public var settings: ClientSpecification
    /// Entries run side by side; request j of an entry goes to the group's client j mod count.
    public var workloads: [WorkloadSpecification]

    public init(name: String, settings: ClientSpecification, workloads: [WorkloadSpecification]) {
        self.name = name
        self.settings = settings
        self.workloads = workloads
    }
}

/// Validators joining or leaving the staked set at a time (`membership:`); it takes effect at
/// the next transition the staking contract locks.
public struct MembershipChange: Hashable, Sendable {
    public var at: SimDuration
    public var join: [Int]
    public var leave: [Int]

    public init(at: SimDuration, join: [Int] = [], leave: [Int] = []) {
        self.at = at
        self.join = join
        self.leave = leave
    }
}

/// Epochs (`epochs:`): the staking contract re-keys the network every `length` (LIT-FACTS.md
/// "Epochs"); nil in a run without epochs (one genesis DKG, as before).
public struct EpochSpecification: Hashable, Sendable {
    public var length: SimDuration
    /// After the first ready signal, how long the others have before the attempt is abandoned.
    public var voteToAdvanceTimeout: SimDuration
    /// Attempts after the first before a transition is given up until the next epoch's end.
    public var maxRetries: Int
    /// The validators at genesis (node ids, ascending); the other nodes wait to be staked.
    public var validators: [Int]
    public var membership: [MembershipChange]
    /// Kicking's pings; nil: no pings, no kicks.
    public var pings: PingPolicy?
    /// Epochs before the active one whose shares a node keeps (Lit: 2); with 0 a request in
    /// flight across a switch is refused.
    public var keepPrevious = 2

    public init(length: SimDuration = .seconds(3600), voteToAdvanceTimeout: SimDuration = .seconds(60), maxRetries: Int = 10,
                validators: [Int], membership: [MembershipChange] = [], pings: PingPolicy? = nil) {
        self.length = length
        self.voteToAdvanceTimeout = voteToAdvanceTimeout
        self.maxRetries = maxRetries
        self.validators = validators
        self.membership = membership
        self.pings = pings
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
    /// Further client groups, after `clients` (ids and request numbers continue from theirs).
    public var extraClientGroups: [ClientGroup] = []
    public var scheme: SigningScheme
    public var flow: SigningFlow
    public var stop: SimDuration
    /// Messages travel as real bytes and are decoded and validated on arrival.
    public var wireEncoded: Bool
    public var maxEvents: UInt64
    public var trace: TraceRecorder.Retention
    /// End the run at the first safety violation (its event is the last one).
    public var stopOnViolation = false
    /// Whether nodes share the host's work on identical checks (CryptoMemo). Each node is charged
    /// the full cost either way, so simulated time is the same; off only to show that.
    public var sharesCryptoWork = true
    /// Count what the run reached (`RunReport.coverage`, for the explorer); off by default.
    public var coverage = false
    /// A bug planted on purpose (`testing.planted_bug`), so the explorer's tests have one to find.
    public var plantedBug: PlantedBug?
    /// When a DKG node may finish (`protocol.dkg_agreement`).
    public var dkgAgreement = DKGAgreementRule.quorum
    /// How nodes become Shamir x-coordinates (`network.identifiers`).
    public var identifiers = IdentifierScheme.sequential
    /// Secp256k1 root keys (`protocol.root_keys`): key 0 is the network key FROST, decryption and
    /// JWTs use; PKP keys derive from all of them (Σ d^ℓ · root_ℓ). Lit runs two.
    public var rootKeys = 1
    /// Lit's DamFast or the paper's (`protocol.ecdsa`).
    public var ecdsaVariant = DamFast.Variant.lit
    /// ECDSA presignatures each node leads (`protocol.presign_pool`); disabled: real time.
    public var presignPool = PresignPool.disabled
    /// Epochs and the staking contract; nil: one genesis DKG among all nodes.
    public var epochs: EpochSpecification?
    /// What decryption costs (`nodes.cost_profile`): TDH2's own work, or Lit's BLS-IBE's.
    public var decryptionCosts = DecryptionCostProfile.secp256k1
    /// Simulated chains for access conditions (`chains:`, `chain_events:`, `rpc:`); nil: none.
    public var access: AccessSpecification?
    /// Lit Actions the nodes can run (`op: action` workloads name them), and the external
    /// sources their fetches read.
    public var actions: [ActionProgram] = []
    /// Per action, the texts of its secrets (`ActionProgram.secrets`, in that order): the
    /// client's alone; it encrypts them to the network key with each request.
    public var actionSecrets: [String: [String]] = [:]
    public var externalSources: [ExternalSourceSpecification] = []

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

    /// The genesis validators: all nodes, unless epochs name fewer.
    public var genesisValidators: [Int] { epochs?.validators ?? Array(0..<nodes) }
    /// The genesis roster, with the network's identifier scheme.
    public var genesisRoster: Roster { Roster(epoch: .genesis, members: genesisValidators.map(NodeID.init), scheme: identifiers) }
    /// The genesis threshold (of the genesis validators).
    public var thresholdValue: Int { threshold.threshold(nodes: genesisValidators.count) }
    /// The threshold for a validator set of `count` (never above it).
    public func threshold(validators count: Int) -> Int { min(count, threshold.threshold(nodes: count)) }
    public var byzantine: [Int] { behaviours.keys.sorted() }
    /// Byzantine nodes that deviate from the protocol: all but `compromised` (and
    /// `keep-presignatures`) ones, which act honestly (the adversary only reads their state) and
    /// count as honest for the oracles.
    public var deviating: [Int] { ByzantineBehaviour.deviating(behaviours) }
    public var endpoints: Int { nodes + clientCount + (epochs == nil ? 0 : 1) }

    /// Every client group, the scenario's own first (named `main`).
    public var clientGroups: [ClientGroup] { [ClientGroup(name: "main", settings: clients, workloads: workloads)] + extraClientGroups }
    /// Clients over all groups.
    public var clientCount: Int { clients.count + extraClientGroups.reduce(0) { $0 + $1.settings.count } }
    /// Requests over all groups' workloads.
    public var requestCount: Int { clientGroups.reduce(0) { $0 + $1.workloads.reduce(0) { $0 + $1.count } } }
    /// Whether any group has a workload entry.
    public var hasWorkload: Bool { clientGroups.contains { !$0.workloads.isEmpty } }
}

/// A proof of misbehaviour as reports show it: who, what (a stable code), the evidence, and
/// who proved it.
public struct AccusationRecord: Sendable, Equatable {
    public let node: Int
    /// The protocol whose evidence it is (`dkg`, `frost-lit`, ...).
    public let protocolName: String
    /// `protocol/code`, e.g. `dkg/invalid-share`.
    public let code: String
    public let evidence: String
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
    /// Every proof of misbehaviour, by node then code.
    public let accusations: [AccusationRecord]
    /// Per node: when it entered each DKG phase.
    public let dkgPhases: [[(phase: DKGParticipant.Phase, at: SimInstant)]]
    /// Epoch transitions and kicks as the staking contract saw them (empty without epochs).
    public var transitions: [TransitionRecord] = []
    public var kicks: [KickRecord] = []
    /// Epochs whose sharing the adversary held a threshold of (safety.key_exposed's list).
    public var exposedEpochs: [Epoch] = []
    /// PKP keys the adversary computed from ECDSA signatures (compressed, hex).
    public var exposedECDSAKeys: [String] = []
    /// Per node: how many presignatures it led, at each change (empty without a pool).
    public var presignPoolDepth: [[(at: SimInstant, depth: Int)]] = []
    /// Content clients opened, by request (decryptions.jsonl).
    public var decryptions: [Decryption] = []
    /// Signed JWTs clients received, by request (jwts.jsonl).
    public var jwts: [SignedJWT] = []
    /// What the run reached (only with `NetworkSpecification.coverage`).
    public var coverage: [CoverageKey: Int] = [:]

    public var pointMultiplications: Int { operationTotals[CryptoOperation.pointMultiply.rawValue] }
    public func metric(_ name: String) -> MetricValue? { metrics.first { $0.name == name }?.value }

    /// Every roster member's public verification share, in roster order (computed here, off the nodes' clocks).
    public func verificationShares() -> [Point]? {
        guard let agreedResult else { return nil }
        let meter = CostMeter()
        return agreedResult.roster.members.compactMap { agreedResult.verificationShare(of: $0, meter: meter) }
    }
}

/// Progress of a long run: simulated time reached, events so far, and the time limit.
public typealias RunProgress = (_ now: SimInstant, _ events: UInt64, _ stop: SimInstant) -> Void

/// What the engine hosts: a node or a client (both classes, mutated in place).
public enum LitEndpoint: SimulatedProcess {
    case node(LitNode)
    case client(LitClient)
    case chain(StakingChain)

    public mutating func start(_ context: inout ProcessContext<LitMessage>) {
        switch self {
        case let .node(node): node.start(&context)
        case let .client(client): client.start(&context)
        case let .chain(chain): chain.start(&context)
        }
    }

    public mutating func receive(_ message: LitMessage, from sender: Int, _ context: inout ProcessContext<LitMessage>) {
        switch self {
        case let .node(node): node.receive(message, from: sender, &context)
        case let .client(client): client.receive(message, from: sender, &context)
        case let .chain(chain): chain.receive(message, from: sender, &context)
        }
    }

    public mutating func timerFired(_ timer: TimerID, _ context: inout ProcessContext<LitMessage>) {
        switch self {
        case let .node(node): node.timerFired(timer, &context)
        case let .client(client): client.timerFired(timer, &context)
        case let .chain(chain): chain.timerFired(timer, &context)
        }
    }

    public mutating func crash() {
        if case let .node(node) = self { node.crash() }
    }

    /// A restarted node keeps its key and answers new requests; it does not rejoin a DKG.
    public mutating func restart(_ context: inout ProcessContext<LitMessage>) {}

    public var node: LitNode? {
        if case let .node(node) = self { return node }
        return nil
    }

    public var client: LitClient? {
        if case let .client(client) = self { return client }
        return nil
    }

    public var chain: StakingChain? {
        if case let .chain(chain) = self { return chain }
        return nil
    }
}

/// Builds the network of a specification and runs it: genesis DKG, then the clients' workload.
/// `progress` is called every 20,000 events (never from another thread). `services`
/// and `oracles` are what every run has unless a caller (a test adding a protocol) says more.
public func runNetwork(_ specification: NetworkSpecification, services registrations: [ServiceRegistration] = ServiceRegistration.all(),
                       oracles: [any Oracle] = standardOracles(), progress: RunProgress? = nil) -> RunReport {
    let n = specification.nodes
    let threshold = specification.thresholdValue
    let tree = RandomTree(rootSeed: specification.seed)
    let setupMeter = CostMeter()
    let identities = (0..<n).map { node -> NodeIdentity in
        var stream = tree.stream(.identity, node)
        return NodeIdentity(secret: .randomNonZero(using: &stream), meter: setupMeter)
    }
    let clientIdentities = (0..<specification.clientCount).map { client -> NodeIdentity in
        var stream = tree.stream(.clientIdentity, client)
        return NodeIdentity(secret: .randomNonZero(using: &stream), meter: setupMeter)
    }
    let directory = IdentityDirectory(keys: identities.map(\.publicKey), clientKeys: clientIdentities.map(\.publicKey))
    let layout = EndpointLayout(nodes: n, clients: specification.clientCount, hasChain: specification.epochs != nil)
    let roster = specification.genesisRoster
    // One memo per run: the nodes of this run share the host's work, no other run sees it.
    let memo = specification.sharesCryptoWork ? CryptoMemo() : nil
    let dkg = DKGConfiguration(session: DKGConfiguration.genesisSession(roster: roster), roster: roster, threshold: threshold,
                               directory: directory, roundTimeout: specification.roundTimeout.duration, agreement: specification.dkgAgreement)
    // Lit's further ECDSA root keys: a genesis DKG each, beside the network key's.
    let roots = (1..<max(1, specification.rootKeys)).map { index in
        let key = KeyID(UInt32(index))
        return DKGConfiguration(session: DKGConfiguration.genesisSession(roster: roster, key: key), roster: roster, threshold: threshold,
                                directory: directory, roundTimeout: specification.roundTimeout.duration, key: key, agreement: specification.dkgAgreement)
    }
    let costs = CryptoCostModel(table: specification.costTable)
    let byzantine = Set(specification.deviating.map(NodeID.init))
    let chains = specification.access.map { SimulatedChains($0, nodes: n, stop: specification.stop, random: tree) }
    let feeds = specification.actions.isEmpty ? nil
        : ExternalFeeds(specification.externalSources, stop: specification.stop, chains: chains, random: tree)
    let facts = RunFacts(specification: specification, threshold: threshold, directory: directory, byzantine: byzantine, chains: chains)
    let observer = RunObserver(facts: facts, oracles: oracles, stopOnViolation: specification.stopOnViolation)
    let wire = specification.wireEncoded ? ServiceRegistration.wireRegistry(registrations) : nil
    var endpoints = (0..<n).map { index -> LitEndpoint in
        let node = NodeID(index)
        let behaviour = specification.behaviours[index]
        let setup = NodeSetup(node: node, specification: specification, dkg: dkg, roots: roots, behaviour: behaviour)
        let randomness = RandomBox(tree.stream(.node, index))
        let context = ServiceContext(me: node, identity: identities[index], directory: directory, meter: CostMeter(),
                                     random: randomness.serviceRandom, keys: KeyStore(keepPrevious: specification.epochs?.keepPrevious ?? 2),
                                     memo: memo)
        context.chains = chains.map { NodeChainView(chains: $0, node: index) }
        context.external = feeds.map { NodeExternalView(feeds: $0, node: index, random: tree) }
        // `equivocate` (Twins): an honest copy with the node's identity, its own randomness and
        // key store; its work is the node's (one meter).
        let twin = behaviour?.actions.first { $0.verb == .equivocate }.map { action in
            let twinRandomness = RandomBox(tree.stream(.twin, index))
            let twinContext = ServiceContext(me: node, identity: identities[index], directory: directory, meter: context.meter,
                                             random: twinRandomness.serviceRandom, keys: KeyStore(keepPrevious: specification.epochs?.keepPrevious ?? 2),
                                             memo: memo)
            twinContext.chains = chains.map { NodeChainView(chains: $0, node: index) }
            twinContext.external = feeds.map { NodeExternalView(feeds: $0, node: index, random: RandomTree(rootSeed: tree.seed(.twin, index))) }
            let honest = NodeSetup(node: node, specification: specification, dkg: dkg, roots: roots, behaviour: nil)
            return NodeTwin(context: twinContext, randomness: twinRandomness, services: registrations.compactMap { $0.make(honest) }, action: action)
        }
        return .node(LitNode(id: node, behaviour: behaviour, layout: layout, context: context, randomness: randomness,
                             services: registrations.compactMap { $0.make(setup) }, costs: costs, observer: observer, wire: wire, twin: twin))
    }
    // Client ids run on from group to group, and so do request numbers.
    var firstClient = 0, firstRequest = 0
    for group in specification.clientGroups {
        for member in 0..<group.settings.count {
            let client = firstClient + member
            var order = tree.stream(.client, client)
            let endpoint = n + client
            // Cheapest first: expected one-way latency, ties in a random order of this client's own.
            let rank = (0..<n).map { _ in order.next() }
            let latency = (0..<n).map { expectedLatency(specification.network, from: endpoint, to: $0) }
            let preference = (0..<n).sorted { latency[$0] != latency[$1] ? latency[$0] < latency[$1] : (rank[$0], $0) < (rank[$1], $1) }
            endpoints.append(.client(LitClient(id: ClientID(client), layout: layout, threshold: threshold, specification: specification,
                                               group: group, member: member, firstRequest: firstRequest, preference: preference,
                                               expectedLatency: latency, costs: costs, directory: directory,
                                               identity: clientIdentities[client], observer: observer, wire: wire, random: order, memo: memo)))
        }
        firstClient += group.settings.count
        firstRequest += group.workloads.reduce(0) { $0 + $1.count }
    }
    if let epochs = specification.epochs {
        endpoints.append(.chain(StakingChain(layout: layout, specification: specification, epochs: epochs, wire: wire)))
    }
    let settings = (0..<specification.endpoints).map { EndpointSettings(cpuFactorPermille: specification.cpuFactorsPermille[$0] ?? 1000) }
    var simulator = Simulator(processes: endpoints, network: specification.network, faults: specification.faults,
                              settings: settings, randomTree: tree, trace: TraceRecorder(retention: specification.trace, digestFunction: SwiftCryptoSHA256()))
    let stop = SimInstant(nanoseconds: specification.stop.nanoseconds)
    var stopReason: StopReason
    repeat {
        // Run in slices so a caller can show progress; the slicing changes nothing simulated.
        let slice = min(specification.maxEvents, simulator.counters.events + 20_000)
        stopReason = simulator.run(until: stop, maxEvents: slice)
        progress?(simulator.now, simulator.counters.events, stop)
    } while stopReason == .eventLimit && simulator.counters.events < specification.maxEvents
    return assess(simulator, specification: specification, threshold: threshold, stopReason: stopReason, observer: observer)
}

func expectedLatency(_ network: NetworkModel, from: Int, to: Int) -> Int64 {
    switch network.latency {
    case let .distribution(distribution): distribution.mean.nanoseconds
    case let .regions(regions): regions.oneWay[regions.regionOfEndpoint[from]][regions.regionOfEndpoint[to]].nanoseconds
    }
}
