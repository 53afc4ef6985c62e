import Protocols
import Simulation
import ThresholdCrypto

/// When a workload starts issuing requests.
public enum WorkloadStart: Hashable, Sendable {
    /// As soon as the client's handshake has learnt the network's key.
    case afterDKG
    /// At this time, or when the key is known if later.
    case at(SimDuration)
}

/// A signing workload shared by all clients: its request j goes to client j mod clients.
/// A scenario may list several (phases, bursts); their requests are numbered one after another.
/// What a workload entry's requests do.
public enum RequestOp: Hashable, Sendable {
    /// FROST, with the scenario's scheme and flow.
    case sign
    /// Lit's ECDSA under `keys` PKP keys (a real-time presignature per request).
    case signECDSA(keys: Int)
    /// Threshold decryption of content the client encrypted to the network key under
    /// `conditions` (nil: none).
    case decrypt(conditions: AccessCondition?)
    /// A Lit Action: the program of that name (`NetworkSpecification.actions`).
    case action(program: String)
    /// A JWT signed by the network (ES256K) attesting that `conditions` hold for the client.
    case jwt(conditions: AccessCondition)

    /// The access conditions a decryption or a JWT is under (nil: none, or another op).
    public var accessConditions: AccessCondition? {
        switch self {
        case let .decrypt(conditions): conditions
        case let .jwt(conditions): conditions
        case .sign, .signECDSA, .action: nil
        }
    }

    /// The name in scenarios and requests.csv.
    public var name: String {
        switch self {
        case .sign: "sign"
        case .signECDSA: "sign-ecdsa"
        case .decrypt: "decrypt"
        case .jwt: "jwt"
        case .action: "action"
        }
    }
}

public struct WorkloadSpecification: Hashable, Sendable {
    public var count: Int
    public var op: RequestOp = .sign
    /// Requests per second over all clients as a ratio (Poisson arrivals); nil is a closed
    /// loop: each client sends its next request when the previous one ends.
    public var rate: (numerator: Int64, denominator: Int64)?
    public var start: WorkloadStart

    public init(count: Int, rate: (numerator: Int64, denominator: Int64)? = nil, start: WorkloadStart = .afterDKG) {
        self.count = count
        self.rate = rate
        self.start = start
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.count == b.count && a.op == b.op && a.start == b.start && a.rate?.numerator == b.rate?.numerator && a.rate?.denominator == b.rate?.denominator
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        hasher.combine(op)
        hasher.combine(start)
        hasher.combine(rate?.numerator)
        hasher.combine(rate?.denominator)
    }
}

/// One client request as reported in requests.csv and signatures.jsonl.
public struct RequestRecord: Sendable {
    /// `denied`: the nodes found the access conditions false (a decryption).
    public enum Outcome: String, Sendable { case success, failed, denied, unfinished }
    public let client: Int
    /// The client's group (`main` unless the scenario has `clients.groups`).
    public let group: String
    /// The workload entry's op (`sign`, `sign-ecdsa`).
    public var op = "sign"
    public let index: Int
    public let message: [UInt8]
    public let start: SimInstant
    public var end: SimInstant?
    public var outcome: Outcome
    public var attempts: Int
    public var signers: [Int]
    /// Serialised as the scheme specifies (65 bytes RFC 9591, 64 bytes BIP-340).
    public var signature: [UInt8]?
    /// Why the last failed attempt failed (for a failed request: why it failed).
    public var failure: ClientFailure?
    /// Every attempt, in order (attempts.csv).
    public var attemptLog: [AttemptRecord] = []
    /// A Lit Action's: what each signer of its last combined attempt answered, and the response
    /// the client picked (the most common; actions.jsonl).
    public var actionAnswers: [ActionAnswer] = []
    public var response: String?
    /// The JWTs its `jwt` steps made (compact JWS, ES256K under the action's PKP).
    public var actionJWTs: [String] = []

    public var latency: SimDuration? { end.map { $0 - start } }

    /// Ends the attempt under way, if one is.
    mutating func closeAttempt(_ outcome: AttemptOutcomeRecord, at time: SimInstant) {
        guard let last = attemptLog.indices.last, attemptLog[last].outcome == nil else { return }
        attemptLog[last].outcome = outcome
        attemptLog[last].end = time
    }
}

/// What one node answered a Lit Action's attempt: its response, or the error that stopped it,
/// and the digest of each of its signing steps.
public struct ActionAnswer: Sendable, Equatable {
    public let node: Int
    public let response: String?
    public let error: String?
    public let digests: [[UInt8]]
    /// Per digest: the scheme it was signed in ("ecdsa", "frost-secp256k1", "frost-taproot").
    public var schemes: [String] = []
}

/// One attempt of one request, as attempts.csv lists it.
public struct AttemptRecord: Sendable {
    public let number: Int
    /// The key epoch the attempt ran in.
    public let epoch: Epoch
    public let start: SimInstant
    public var end: SimInstant?
    /// The nodes whose answers completed (or were to complete) the attempt.
    public var nodes: [Int]
    /// nil while it runs or when the run ended first; else success or the failure.
    public var outcome: AttemptOutcomeRecord?
}

public enum AttemptOutcomeRecord: Sendable, Equatable, CustomStringConvertible {
    case success
    case failed(ClientFailure)

    /// `success`, or the failure's code.
    public var code: String {
        switch self {
        case .success: "success"
        case let .failed(failure): failure.code.rawValue
        }
    }

    public var description: String {
        switch self {
        case .success: "success"
        case let .failed(failure): failure.description
        }
    }
}

/// Why a client's attempt or request failed: a stable code and the nodes concerned.
public struct ClientFailure: Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        /// No answer from every signer before the attempt's timeout.
        case timeout
        /// Signers refused (the nodes named; each refusal's own reason is in the trace).
        case refused
        /// A signer equivocated its commitments (proven).
        case equivocation
        /// Signers computed their shares over different commitment lists.
        case inconsistentCommitments = "inconsistent-commitments"
        /// The signers' commitment list is not the signer set asked for.
        case wrongSignerSet = "wrong-signer-set"
        /// The combined signature did not verify (the culprits, if provable, are blamed).
        case invalidSignature = "invalid-signature"
        /// Fewer than `threshold` nodes were left to ask.
        case tooFewNodes = "too-few-nodes"
        /// So many nodes found the access conditions false that no threshold could answer.
        case denied
        /// An action's nodes computed different messages: no digest got a threshold of shares.
        case diverged
    }

    public let code: Code
    public let nodes: [Int]
    /// Each node's own reason, where it gave one (a refusal's code), parallel to `nodes`.
    public let reasons: [String]

    public init(_ code: Code, nodes: [Int] = [], reasons: [String] = []) {
        precondition(reasons.isEmpty || reasons.count == nodes.count, "one reason per node")
        self.code = code
        self.nodes = nodes
        self.reasons = reasons
    }

    /// `timeout(4)`, `refused(4:no-key;5:missing-commitments)`, `invalid-signature`.
    public var description: String {
        guard !nodes.isEmpty else { return code.rawValue }
        let items = reasons.isEmpty ? nodes.map(String.init) : zip(nodes, reasons).map { "\($0):\($1)" }
        return "\(code.rawValue)(\(items.joined(separator: ";")))"
    }
}

/// A signature a client accepted, as signatures.jsonl lists it.
public struct AcceptedSignature: Sendable {
    /// FROST's scheme, or ECDSA (with its recovery id; the signature is then r ‖ s).
    public enum Kind: Sendable, Equatable {
        case frost(SigningScheme)
        case ecdsa(recoveryID: UInt8)

        public var name: String {
            switch self {
            case let .frost(scheme): scheme.rawValue
            case .ecdsa: "ecdsa"
            }
        }
    }

    public let request: Int
    public let kind: Kind
    /// Compressed (FROST secp256k1 and ECDSA) or x-only (BIP-340).
    public let publicKey: [UInt8]
    public let message: [UInt8]
    public let signature: [UInt8]
    public let signers: [Int]
    /// ECDSA: the key id the PKP (or JWT) key derives from.
    public var keyID: [UInt8] = []
    /// Made by a Lit Action's signing step (the message is the digest its nodes computed).
    public var fromAction = false
}

/// A client's timers: typed keys (the client keeps the table; nothing is packed into ids).
enum ClientTimer: Hashable {
    case arrival(stream: Int)
    case closedLoop(stream: Int)
    case attemptTimeout(request: Int, attempt: Int)
    case retry(request: Int)
    /// Ask every node for its key again (after the chain announced an epoch).
    case rehandshake
}

/// A client as Lit's SDK behaves: handshake with every node, then requests to a signer set of
/// `threshold` nodes (the cheapest: lowest expected latency, ties in a per-client random
/// order), a timeout per attempt, retries with a backoff of 1 s × attempt, and a new signer set
/// each time that leaves out nodes that failed or were caught with a bad share. This is the
/// request lifecycle every request kind shares; what an attempt sends and how answers combine
/// is the kind's (`RequestKind`).
public final class LitClient {
    /// What the lifecycle knows of an attempt, whatever the kind.
    struct Attempt {
        var number: Int
        /// The nodes whose final answers complete the attempt (empty until the kind chooses).
        var signers: [Int]
        var finalSetChosen: Bool
        /// Every node the attempt went to (`threshold` + the over-request).
        var asked: [Int] = []
        /// Its id (naming the epoch it runs in); nil for a void attempt.
        var id: AttemptID?
        /// Nodes that took part in a first round (they are alive and willing).
        var acknowledged: Set<Int> = []
        /// The kind has enough answers (`signers`) and combines them, whatever others said.
        var enough = false
        var answered: Set<Int> = []
        var refused: Set<Int> = []
        /// Nodes that refused for a reason of their own, not a missing peer.
        var selfRefused: Set<Int> = []
        /// Each refusing node's reason code.
        var refusalReasons: [Int: String] = [:]
        /// How many refusing nodes named each node missing.
        var namedMissingBy: [Int: Int] = [:]
        /// Whom each refusing node named.
        var namedBy: [Int: [Int]] = [:]

        static func void(_ number: Int) -> Attempt { Attempt(number: number, signers: [], finalSetChosen: true) }
    }

    /// This client's part of one workload entry.
    struct Stream {
        let workload: WorkloadSpecification
        /// The global index of the entry's first request.
        let base: Int
        /// The next request of the entry this client sends (index, index + clients, ...).
        var next: Int
        var ownsMore: Bool { next < workload.count }
    }

    struct Request {
        var record: RequestRecord
        var attempt: Attempt
        let stream: Int
        /// Index into `kinds`: the request's op.
        let kind: Int
        /// Left out of later attempts of this request (failed or blamed).
        var excluded: Set<Int> = []
        /// Refused for themselves (no key): they stay out even when exclusions are reset.
        var unwilling: Set<Int> = []
        /// Failed attempts by kind: they draw on separate retry budgets, as in Lit's SDK.
        var networkFailures = 0
        var invalidShareFailures = 0
        /// Nodes that refused with the kind's denial reason (the conditions are false for them).
        var deniedBy: Set<Int> = []
        /// Those of them that sit out the next attempt (apart from `excluded`: no strike).
        var sittingOut: Set<Int> = []
    }

    public let id: ClientID
    public var index: Int { id.value }
    let layout: EndpointLayout
    let clientCount: Int
    let nodes: Int
    /// The current epoch's threshold (genesis: the scenario's; later: as the chain announced).
    var threshold: Int
    let timeout: SimDuration
    let retries: Int
    let invalidShareRetries: Int
    var streams: [Stream]
    let preference: [Int]
    let seedBytes: [UInt8]
    let costs: CryptoCostModel
    let directory: IdentityDirectory
    /// This client's key: it signs its requests (nodes check them against the directory).
    let identity: NodeIdentity
    let observer: RunObserver
    /// Messages sent by kind (the explorer's coverage).
    var kindsSent: KindCounter
    let wire: WireRegistry?
    let meter = CostMeter()
    /// The run's memo, shared with the nodes: work they did already is charged, not redone.
    let memo: CryptoMemo?
    var random: RandomStream
    /// The request kinds this client serves, by `RequestOp` (see `kindIndex`).
    var kinds: [any RequestKind]
    let signingProtocol: ProtocolName
    var timers: [TimerID: ClientTimer] = [:]
    var nextTimer: TimerID = 1

    public private(set) var groupCommitment: VSSCommitment?
    /// The roster of the key the handshake agreed on (identifiers come from it).
    var roster: Roster?
    public private(set) var keyKnownAt: SimInstant?
    var handshakeVotes: [(commitment: VSSCommitment, roster: Roster, roots: [Point], nodes: Set<Int>)] = []
    /// Every ECDSA root key, the group key first (trusted with it).
    var rootKeys: [Point] = []
    /// Epochs the chain announced, with their roster, threshold and key.
    var announced: [EpochAdvance] = []
    /// How long this client keeps using its epoch after the chain announced a new one
    /// (`clients.stale_epoch_for`; Lit's v7 SDK: about 45 s).
    let staleEpochFor: SimDuration
    var requests: [Int: Request] = [:]
    public private(set) var records: [RequestRecord] = []
    var blamed: Set<Int> = []
    /// Times each node held up an attempt of this client; the fewer, the sooner it is asked.
    public private(set) var strikes: [Int]
    /// How often each pair of nodes disputed an attempt (one refused naming the other, who
    /// answered): a pair that keeps disputing is struck, both of them.
    var disputes: [[Int]: Int] = [:]
    let selection: NodeSelection
    let cooldown: SimDuration
    let overRequest: OverRequest
    /// The client group this client belongs to (requests.csv's `group`).
    public let groupName: String
    /// Until when each node is left out of this client's requests (cooldown).
    var coolingUntil: [Int: SimInstant] = [:]
    /// Nodes that answered the handshake: they hold a share of the key (with a cooldown, the
    /// others are not asked).
    var handshaken: Set<Int> = []
    /// Per node, the expected one-way latency, and the observed answer times (fastest-observed).
    var expectedLatency: [Int64]
    var observed: [Int: (total: Int64, count: Int64)] = [:]
    /// When each open attempt's request went out, for the observed answer times.
    var attemptStarted: [Int: SimInstant] = [:]
    public private(set) var operationTotals = Array(repeating: 0, count: CryptoOperation.allCases.count)
    /// Messages from the network that did not decode (wire: encoded).
    public private(set) var undecodableMessages = 0

    /// - Parameters:
    ///   - member: this client's place in its group; `firstRequest` the number of the group's first request.
    ///   - preference: the nodes, cheapest first (ties in this client's own random order).
    ///   - expectedLatency: each node's expected one-way latency from this client, in ns.
    init(id: ClientID, layout: EndpointLayout, threshold: Int, specification: NetworkSpecification, group: ClientGroup, member: Int,
         firstRequest: Int, preference: [Int], expectedLatency: [Int64],
         costs: CryptoCostModel, directory: IdentityDirectory, identity: NodeIdentity, observer: RunObserver, wire: WireRegistry?,
         random: RandomStream, memo: CryptoMemo?) {
        self.memo = memo
        self.expectedLatency = expectedLatency
        self.id = id
        self.identity = identity
        self.layout = layout
        let settings = group.settings
        groupName = group.name
        clientCount = settings.count
        nodes = specification.nodes
        self.threshold = threshold
        timeout = settings.timeout
        retries = settings.retries
        invalidShareRetries = settings.invalidShareRetries
        var base = firstRequest
        streams = group.workloads.map { workload in
            defer { base += workload.count }
            return Stream(workload: workload, base: base, next: member)
        }
        strikes = Array(repeating: 0, count: specification.nodes)
        self.preference = preference
        self.costs = costs
        self.directory = directory
        self.observer = observer
        kindsSent = KindCounter(specification)
        self.wire = wire
        self.random = random
        // Each workload entry's requests (by global number) and op.
        let entries = streams.map { (requests: $0.base..<$0.base + $0.workload.count, op: $0.workload.op) }
        let ecdsaKeys = group.workloads.compactMap { if case let .signECDSA(keys) = $0.op { keys } else { nil } }.max() ?? 1
        kinds = [FROSTSignKind(scheme: specification.scheme, flow: specification.flow, cosignerWait: settings.effectiveCosignerWait),
                 ECDSASignKind(keys: ecdsaKeys, cosignerWait: settings.effectiveCosignerWait, variant: specification.ecdsaVariant),
                 DecryptKind(conditions: entries.filter { $0.op.name == "decrypt" }.map { ($0.requests, $0.op.accessConditions) },
                             costs: specification.decryptionCosts),
                 JWTKind(ecdsa: ECDSASignKind(keys: 1, cosignerWait: settings.effectiveCosignerWait, variant: specification.ecdsaVariant),
                         conditions: entries.filter { $0.op.name == "jwt" }.compactMap { entry in entry.op.accessConditions.map { (entry.requests, $0) } }),
                 ActionKind(programs: entries.compactMap { entry in
                     guard case let .action(name) = entry.op, let program = specification.actions.first(where: { $0.name == name }) else { return nil }
                     return (entry.requests, program, specification.actionSecrets[name] ?? [])
                 }, cosignerWait: settings.effectiveCosignerWait, variant: specification.ecdsaVariant)]
        selection = settings.selection
        cooldown = settings.cooldown
        overRequest = settings.effectiveOverRequest(specification.flow)
        staleEpochFor = settings.staleEpochFor
        signingProtocol = specification.flow == .lit ? LitFlow.protocolName : CoordinatorFlow.protocolName
        seedBytes = (0..<8).map { UInt8(truncatingIfNeeded: specification.seed >> (56 - 8 * UInt64($0))) }
    }

    func chargeWork(_ context: inout ProcessContext<LitMessage>) {
        context.charge(costs.charge(meter, into: &operationTotals))
    }

    static func kindIndex(_ op: RequestOp) -> Int {
        switch op {
        case .sign: 0
        case .signECDSA: 1
        case .decrypt: 2
        case .jwt: 3
        case .action: 4
        }
    }

    /// Runs `body` with a kind and an IO view of this client, then takes the context back.
    func withKind<T>(_ index: Int, _ context: inout ProcessContext<LitMessage>, _ body: (inout any RequestKind, inout ClientIO) -> T) -> T {
        var io = ClientIO(client: self, engine: context)
        var kind = kinds[index]
        let result = body(&kind, &io)
        kinds[index] = kind
        context = io.engine
        return result
    }

    // MARK: Sending and timers

    func send(_ message: any WireMessage, to node: Int, _ context: inout ProcessContext<LitMessage>) {
        kindsSent.count(message)
        let typed = LitMessage.typed(message)
        context.send(wire == nil ? typed : typed.encoded, to: layout.index(of: .node(NodeID(node))))
    }

    func setTimer(_ timer: ClientTimer, after delay: SimDuration, _ context: inout ProcessContext<LitMessage>) {
        let id = nextTimer
        nextTimer += 1
        timers[id] = timer
        context.setTimer(id, after: delay)
    }

    func attemptID(_ request: Int, _ attempt: Int, kind: Int) -> AttemptID {
        precondition(attempt >= 0 && attempt <= Int(UInt32.max), "attempt number out of range")
        let session = SessionID(protocolName: kinds[kind].protocolName, epoch: roster?.epoch ?? .genesis, initiator: .client(id), counter: UInt64(request))
        return AttemptID(session: session, attempt: UInt32(attempt))
    }

    /// The open request an attempt id names, if it is this client's current attempt of it.
    func currentRequest(_ attempt: AttemptID) -> Int? {
        let request = Int(clamping: attempt.request)
        guard let open = requests[request], open.attempt.id == attempt else { return nil }
        return request
    }

    // MARK: Inputs

    func start(_ context: inout ProcessContext<LitMessage>) {
        for node in 0..<nodes { send(HandshakeMessage.request, to: node, &context) }
    }

    func receive(_ message: LitMessage, from sender: Int, _ context: inout ProcessContext<LitMessage>) {
        defer { chargeWork(&context) }
        guard sender >= 0, sender < nodes || layout.endpoint(at: sender) == .chain else { return }
        let typed: any WireMessage
        switch message {
        case let .typed(inner):
            typed = inner
        case let .wire(bytes, _, _):
            do {
                typed = try (wire ?? ServiceRegistration.wireRegistry()).decode(bytes, meter: meter)
            } catch {
                undecodableMessages += 1
                context.output("dropped an undecodable message from \(sender): \(error)")
                return
            }
        }
        if case let .response(response)? = typed as? HandshakeMessage {
            handleHandshake(response, from: sender, &context)
            return
        }
        if case let .advanced(advance)? = typed as? StakingMessage {
            // Only the chain announces epochs (senders are authentic in the simulation).
            guard layout.endpoint(at: sender) == .chain else { return }
            announced.append(advance)
            setTimer(.rehandshake, after: staleEpochFor, &context)
            return
        }
        // The request's own kind reads the answer (two kinds may share a protocol: jwt and sign-ecdsa).
        // (An action's ECDSA shares name the action's attempt only through the action kind.)
        guard let (attempt, requestIndex) = kinds.lazy.compactMap({ kind in kind.attempt(of: typed).flatMap { id in self.currentRequest(id).map { (id, $0) } } }).first,
              let index = requests[requestIndex]?.kind, kinds[index].attempt(of: typed) == attempt else { return }
        let answer = withKind(index, &context) { kind, io in kind.receive(typed, from: sender, request: requestIndex, &io) }
        guard let answer, var request = requests[requestIndex] else { return }
        switch answer {
        case let .acknowledged(node):
            request.attempt.acknowledged.insert(node)
        case let .finalSet(signers, node):
            request.attempt.acknowledged.insert(node)
            request.attempt.signers = signers
            request.attempt.finalSetChosen = true
            request.record.signers = signers
            if !request.record.attemptLog.isEmpty { request.record.attemptLog[request.record.attemptLog.count - 1].nodes = signers }
        case let .answered(node):
            request.attempt.answered.insert(node)
            if let started = attemptStarted[requestIndex] {
                let sample = (context.now - started).nanoseconds
                let sum = observed[node] ?? (0, 0)
                observed[node] = (sum.total + sample, sum.count + 1)
            }
        case let .refused(node, forItself, missing, reason):
            // One refusal per node counts (a duplicate, or a liar refusing again, names nobody
            // twice), and only from a node the attempt asked.
            guard request.attempt.asked.contains(node), request.attempt.refused.insert(node).inserted else { return }
            request.attempt.refusalReasons[node] = reason
            if forItself { request.attempt.selfRefused.insert(node) }
            let named = Set(missing).filter { $0 >= 0 && $0 < nodes && $0 != node }.sorted()
            for peer in named { request.attempt.namedMissingBy[peer, default: 0] += 1 }
            request.attempt.namedBy[node] = named
        case let .combine(signers, node):
            request.attempt.acknowledged.insert(node)
            request.attempt.answered.formUnion(signers)
            request.attempt.signers = signers
            request.attempt.finalSetChosen = true
            request.attempt.enough = true
            request.record.signers = signers
            if !request.record.attemptLog.isEmpty { request.record.attemptLog[request.record.attemptLog.count - 1].nodes = signers }
        }
        requests[requestIndex] = request
        settleIfAllAnswered(requestIndex, &context)
    }

    func timerFired(_ timer: TimerID, _ context: inout ProcessContext<LitMessage>) {
        defer { chargeWork(&context) }
        guard let kind = timers.removeValue(forKey: timer) else { return }
        switch kind {
        case let .arrival(stream), let .closedLoop(stream):
            issueNext(stream: stream, &context)
        case let .attemptTimeout(requestIndex, attempt):
            if let request = requests[requestIndex], request.attempt.number == attempt {
                // Before the final set is chosen, the asked nodes that never took part held it up.
                let attempt = request.attempt
                let silent = attempt.finalSetChosen
                    ? attempt.signers.filter { !attempt.answered.contains($0) && !attempt.refused.contains($0) }
                    : attempt.asked.filter { !attempt.acknowledged.contains($0) && !attempt.refused.contains($0) }
                failAttempt(requestIndex, reason: ClientFailure(.timeout, nodes: silent), &context)
            }
        case let .retry(requestIndex):
            beginAttempt(requestIndex, &context)
        case .rehandshake:
            for node in 0..<nodes { send(HandshakeMessage.request, to: node, &context) }
        }
    }

    /// Whether refusing peers name `node` as the one they never heard from (or whose message
    /// failed its check): more than f of them, so Byzantine reporters alone cannot push an honest
    /// node out, and most of the refusers (under a partition each side names the other; the
    /// larger side wins).
    func namedOut(_ node: Int, in attempt: Attempt) -> Bool {
        // Even one whose answer came: it reached the client, not (say) its peers.
        let count = attempt.namedMissingBy[node] ?? 0
        let reporters = attempt.refused.filter { $0 != node }.count
        return count > (nodes - 1) / 3 && 2 * count > reporters
    }

    /// Once every node of the final set has answered (or refused) — or the only ones still
    /// silent are named out by their peers, so waiting for them cannot help: combine, or fail
    /// the attempt.
    func settleIfAllAnswered(_ requestIndex: Int, _ context: inout ProcessContext<LitMessage>) {
        guard let request = requests[requestIndex] else { return }
        let attempt = request.attempt
        if let denial = kinds[request.kind].denialReason, !kinds[request.kind].asksEveryNode, attempt.id != nil,
           attempt.refused.contains(where: { attempt.refusalReasons[$0] == denial }),
           attempt.signers.allSatisfy({ attempt.refused.contains($0) || attempt.acknowledged.contains($0) || attempt.answered.contains($0) }) {
            // Every signer must answer: once each has given its verdict (yes, or no), one that
            // said no ends the attempt now (its peers would wait for it, then name it).
            let refused = attempt.refused.sorted()
            failAttempt(requestIndex, reason: ClientFailure(.refused, nodes: refused, reasons: refused.map { attempt.refusalReasons[$0] ?? "" }), &context)
            return
        }
        if kinds[request.kind].asksEveryNode, !attempt.finalSetChosen, attempt.id != nil {
            // Asked everyone: settled early once too many refused for the rest to suffice.
            // (failAttempt decides between a denial and a retry.)
            let needed = kinds[request.kind].signersNeeded(threshold: threshold)
            guard attempt.asked.count - attempt.refused.count < needed else { return }
            let refused = attempt.refused.sorted()
            failAttempt(requestIndex, reason: ClientFailure(.refused, nodes: refused, reasons: refused.map { attempt.refusalReasons[$0] ?? "" }), &context)
            return
        }
        let outstanding = attempt.signers.filter { !attempt.answered.contains($0) && !attempt.refused.contains($0) }
        guard !attempt.signers.isEmpty, outstanding.allSatisfy({ namedOut($0, in: attempt) }) else { return }
        guard attempt.refused.isEmpty || attempt.enough else {
            let refused = attempt.refused.sorted()
            failAttempt(requestIndex, reason: ClientFailure(.refused, nodes: refused, reasons: refused.map { attempt.refusalReasons[$0] ?? "" }),
                        &context)
            return
        }
        let outcome = withKind(request.kind, &context) { kind, io in kind.finish(request: requestIndex, message: request.record.message, signers: attempt.signers, &io) }
        // The answer is known once combined and checked: that work counts in the request's time.
        chargeWork(&context)
        switch outcome {
        case let .success(signature):
            requests[requestIndex]?.record.signature = signature
            accept(requestIndex, signature: signature, signers: attempt.signers, &context)
            complete(requestIndex, outcome: .success, failure: nil, &context)
        case let .failure(reason, invalid):
            failAttempt(requestIndex, reason: reason, invalid: invalid, &context)
        case let .conclusive(reason):
            requests[requestIndex]?.record.closeAttempt(.failed(reason), at: context.effectTime)
            complete(requestIndex, outcome: .failed, failure: reason, &context)
        }
    }

    func accept(_ requestIndex: Int, signature: [UInt8], signers: [Int], _ context: inout ProcessContext<LitMessage>) {
        guard let request = requests[requestIndex], kinds[request.kind].producesSignatures, let key = groupCommitment?.publicKey else { return }
        let kind: AcceptedSignature.Kind
        var bytes = signature
        var signingKey = key
        var keyID: [UInt8] = []
        if let frost = kinds[request.kind] as? FROSTSignKind {
            kind = .frost(frost.scheme)
        } else {
            // ECDSA: r ‖ s ‖ v (v = 27 + recovery id) from the kind; r ‖ s and the id recorded,
            // under the PKP key it derived.
            kind = .ecdsa(recoveryID: signature[64] - 27)
            bytes = Array(signature.prefix(64))
            let ecdsa = kinds[request.kind] as? ECDSASignKind
            signingKey = ecdsa?.publicKey(of: requestIndex) ?? key
            keyID = ecdsa?.keyID(of: requestIndex) ?? []
        }
        let publicKey = kind == .frost(.frostTaproot) ? ((try? signingKey.xOnly()) ?? []) : ((try? signingKey.compressed()) ?? [])
        var accepted = AcceptedSignature(request: requestIndex, kind: kind, publicKey: publicKey, message: request.record.message,
                                         signature: bytes, signers: signers)
        accepted.keyID = keyID
        observer.accepted(accepted, at: context.effectTime, event: context.event, &context)
    }

    // MARK: Handshake and workload

    /// A node's key report. The genesis key is trusted once a threshold of nodes report the
    /// same one; a later epoch's once its threshold of nodes report exactly what the chain
    /// announced for it. The client moves to the newest epoch it can trust.
    func handleHandshake(_ response: HandshakeResponse, from node: Int, _ context: inout ProcessContext<LitMessage>) {
        guard response.node.value == node, response.roster.contains(response.node) else { return }
        handshaken.insert(node)
        guard response.epoch > (roster?.epoch ?? Epoch(0)) || roster == nil else { return }
        if let slot = handshakeVotes.firstIndex(where: {
            $0.commitment == response.groupCommitment && $0.roster == response.roster && $0.roots == response.rootKeys
        }) {
            handshakeVotes[slot].nodes.insert(node)
        } else {
            handshakeVotes.append((response.groupCommitment, response.roster, response.rootKeys, [node]))
        }
        let trusted = handshakeVotes.filter { vote in
            if vote.roster.epoch == .genesis { return vote.nodes.count >= threshold }
            guard let announcement = announced.last(where: { $0.epoch == vote.roster.epoch }) else { return false }
            return announcement.groupCommitment == vote.commitment && announcement.roster == vote.roster
                && announcement.rootCommitments.map(\.publicKey) == vote.roots && vote.nodes.count >= announcement.threshold
        }
        guard let agreed = trusted.max(by: { $0.roster.epoch < $1.roster.epoch }), agreed.roster.epoch > (roster?.epoch ?? Epoch(0)) || roster == nil
        else { return }
        let first = roster == nil
        groupCommitment = agreed.commitment
        rootKeys = [agreed.commitment.publicKey] + agreed.roots
        roster = agreed.roster
        threshold = agreed.commitment.threshold
        handshakeVotes.removeAll { $0.roster.epoch <= agreed.roster.epoch }
        guard first else {
            // A new epoch: its verification shares differ, and nodes left out for its sake may serve again.
            context.output("client \(index) moved to \(agreed.roster.epoch)")
            for index in kinds.indices { kinds[index].keyChanged() }
            for request in requests.keys.sorted() {
                requests[request]?.excluded = []
                requests[request]?.unwilling = []
            }
            return
        }
        keyKnownAt = context.now
        context.output("client \(index) learnt the group key")
        for (number, stream) in streams.enumerated() where stream.ownsMore {
            var first = SimDuration.zero
            if case let .at(time) = stream.workload.start, time.nanoseconds > context.now.nanoseconds {
                first = SimDuration(nanoseconds: time.nanoseconds - context.now.nanoseconds)
            }
            if stream.workload.rate != nil { first = first + interArrival(stream.workload) }
            setTimer(.arrival(stream: number), after: first, &context)
        }
    }

    /// Exponential gap with mean clients / rate seconds (this client's share of the Poisson stream).
    func interArrival(_ workload: WorkloadSpecification) -> SimDuration {
        guard let rate = workload.rate else { return .zero }
        let meanNanoseconds = Int64(clientCount) * 1_000_000_000 * rate.denominator / max(1, rate.numerator)
        return LatencyDistribution.exponential(mean: SimDuration(nanoseconds: meanNanoseconds), minimum: .zero).sample(using: &random)
    }

    func issueNext(stream number: Int, _ context: inout ProcessContext<LitMessage>) {
        guard streams.indices.contains(number), streams[number].ownsMore else { return }
        let requestIndex = streams[number].base + streams[number].next
        streams[number].next += clientCount
        let message = Hashing.sha256(Array("litsim-request".utf8), seedBytes, Array("\(requestIndex)".utf8), meter: meter)
        var record = RequestRecord(client: index, group: groupName, index: requestIndex, message: message, start: context.now, end: nil,
                                   outcome: .unfinished, attempts: 0, signers: [])
        record.op = streams[number].workload.op.name
        requests[requestIndex] = Request(record: record, attempt: .void(0), stream: number, kind: Self.kindIndex(streams[number].workload.op))
        beginAttempt(requestIndex, &context)
        let stream = streams[number]
        if stream.workload.rate != nil, stream.ownsMore {
            setTimer(.arrival(stream: number), after: interArrival(stream.workload), &context)
        }
    }

    // MARK: Attempts

    func beginAttempt(_ requestIndex: Int, _ context: inout ProcessContext<LitMessage>) {
        guard var request = requests[requestIndex] else { return }
        let number = request.attempt.number + 1
        // Nodes that held up fewer attempts first; the selection's order among equals.
        let base = selectionOrder()
        let ordered = base.enumerated().sorted { (strikes[$0.element], $0.offset) < (strikes[$1.element], $1.offset) }.map(\.element)
        let now = context.now
        // With a cooldown, nodes that never answered the handshake (no key) are not asked either.
        let cool = { (node: Int) in
            self.cooldown == .zero || (self.handshaken.contains(node) && (self.coolingUntil[node] ?? .zero) <= now)
        }
        // Only members of the epoch's roster hold shares to sign with.
        let members = ordered.filter { roster?.contains(NodeID($0)) ?? true }
        var available = members.filter { !request.excluded.contains($0) && !request.sittingOut.contains($0) && !blamed.contains($0) && cool($0) }
        // The kind's signers for this threshold (the paper's ECDSA needs 2t − 1).
        let needed = kinds[request.kind].signersNeeded(threshold: threshold)
        if available.count < needed {
            // Give nodes that only timed out (or are cooling down) another chance; proven
            // liars and nodes without a key stay out.
            request.excluded = request.unwilling
            request.sittingOut = []
            available = members.filter { !blamed.contains($0) && !request.unwilling.contains($0) }
        }
        guard available.count >= needed else {
            requests[requestIndex] = request
            complete(requestIndex, outcome: .failed, failure: ClientFailure(.tooFewNodes), &context)
            return
        }
        request.record.attempts = number
        let id = attemptID(requestIndex, number, kind: request.kind)
        let message = request.record.message
        let asked = switch overRequest {
        case _ where kinds[request.kind].asksEveryNode, .all: available
        case let .extra(extra): Array(available.prefix(needed + extra))
        }
        let signers = withKind(request.kind, &context) { kind, io in kind.begin(id, message: message, candidates: asked, threshold: threshold, &io) }
        request.attempt = Attempt(number: number, signers: signers, finalSetChosen: !signers.isEmpty, asked: asked, id: id)
        request.record.attemptLog.append(AttemptRecord(number: number, epoch: id.session.epoch, start: context.now, nodes: signers))
        attemptStarted[requestIndex] = context.now
        if !signers.isEmpty { request.record.signers = signers }
        requests[requestIndex] = request
        setTimer(.attemptTimeout(request: requestIndex, attempt: number), after: timeout, &context)
    }

    /// The nodes in `clients.selection`'s order.
    func selectionOrder() -> [Int] {
        switch selection {
        case .cheapest:
            return preference
        case .random:
            var order = preference
            // Fisher–Yates with this client's own stream (deterministic per seed).
            for index in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(index, Int(random.next(below: UInt64(index + 1))))
            }
            return order
        case .fastestObserved:
            // A node not yet observed counts as a round trip of its expected latency.
            let estimate = { (node: Int) -> Int64 in
                guard let sum = self.observed[node], sum.count > 0 else { return 2 * self.expectedLatency[node] }
                return sum.total / sum.count
            }
            return preference.enumerated().sorted { (estimate($0.element), $0.offset) < (estimate($1.element), $1.offset) }.map(\.element)
        }
    }

    func blame(_ evidence: any Evidence, _ context: inout ProcessContext<LitMessage>) {
        let node = evidence.culprit.value
        guard !blamed.contains(node) else { return }
        blamed.insert(node)
        observer.accusation(Accusation(evidence), by: .client(id), at: context.effectTime, event: context.event, &context)
    }

    func failAttempt(_ requestIndex: Int, reason: ClientFailure, invalid: Bool = false, _ context: inout ProcessContext<LitMessage>) {
        guard var request = requests[requestIndex] else { return }
        let attempt = request.attempt
        kinds[request.kind].end(request: requestIndex)
        // Leave out whoever held the attempt up: the nodes that never took part in the first
        // round (the others were waiting for them), else those that sent no final answer; and
        // anyone a refusing peer reported missing. Before a final set was chosen, every node
        // asked that never took part held it up.
        let asked = attempt.finalSetChosen ? attempt.signers : attempt.asked
        // (A node whose final answer came took part, whether or not the kind has a first round.)
        let silent = asked.filter { !attempt.acknowledged.contains($0) && !attempt.answered.contains($0) && !attempt.refused.contains($0) }
        // An attempt nodes said no to was ended by the conditions, not held up by anyone.
        let denial = kinds[request.kind].denialReason
        let saidNo = denial != nil && attempt.refused.contains { attempt.refusalReasons[$0] == denial }
        let culprits = saidNo ? [] : silent.isEmpty ? asked.filter { !attempt.answered.contains($0) && !attempt.refused.contains($0) } : silent
        for signer in culprits { request.excluded.insert(signer) }
        // A node that refused for itself (no key, not a signer, already signed) is no use for
        // this request either.
        for signer in attempt.selfRefused.sorted() {
            request.excluded.insert(signer)
            request.unwilling.insert(signer)
        }
        // Refusers when every other signer answered: either the refuser lies or a peer it
        // names withheld from it alone (or a message between them was lost) — the client cannot
        // tell which, so both sides of each dispute are left out of this request. No strike the
        // first time (a liar could push an honest node down the order); a pair that disputes
        // again is struck, both of them, so requests stop choosing the pair.
        var disputed = Set<Int>()
        if !attempt.refused.isEmpty, !attempt.answered.isEmpty,
           attempt.signers.allSatisfy({ attempt.refused.contains($0) || attempt.answered.contains($0) }) {
            // (A refuser that names nobody disputes nobody: its check failed on something it
            // cannot pin on a peer.)
            for node in attempt.refused.sorted() where !attempt.selfRefused.contains(node) && !(attempt.namedBy[node] ?? []).isEmpty {
                disputed.insert(node)
                for peer in attempt.namedBy[node] ?? [] {
                    disputed.insert(peer)
                    let pair = [min(node, peer), max(node, peer)]
                    disputes[pair, default: 0] += 1
                    if disputes[pair]! >= 2 { for member in pair where strikes.indices.contains(member) { strikes[member] += 1 } }
                }
            }
        }
        // A node its refusing peers name is the one to drop (not one that said no: its peers
        // waited for an answer it had given the client).
        for node in attempt.signers where namedOut(node, in: attempt) && (denial == nil || attempt.refusalReasons[node] != denial) {
            request.excluded.insert(node)
        }
        for node in request.excluded.sorted() where strikes.indices.contains(node) { strikes[node] += 1 }
        request.excluded.formUnion(disputed)
        if cooldown > .zero {
            for node in (culprits + attempt.selfRefused.sorted()) { coolingUntil[node] = context.effectTime + cooldown }
        }
        if invalid { request.invalidShareFailures += 1 } else { request.networkFailures += 1 }
        if let denial {
            // Once more nodes of the roster said no than it can spare, no threshold will say
            // yes (whatever else failed). Those that said no sit out this request's next
            // attempt — no strike, no cooldown: their views move on.
            let deniers = attempt.refused.filter { attempt.refusalReasons[$0] == denial }
            request.deniedBy.formUnion(deniers)
            request.sittingOut.formUnion(deniers)
            // (Counted against the current roster: an epoch may have changed since.)
            let members = roster?.members ?? (0..<nodes).map(NodeID.init)
            request.deniedBy = request.deniedBy.filter { members.contains(NodeID($0)) }
            if !request.deniedBy.isEmpty, request.deniedBy.count > members.count - kinds[request.kind].signersNeeded(threshold: threshold) {
                requests[requestIndex] = request
                let deniers = request.deniedBy.sorted()
                deny(requestIndex, ClientFailure(.denied, nodes: deniers, reasons: deniers.map { _ in denial }), &context)
                return
            }
        }
        request.record.failure = reason
        request.record.closeAttempt(.failed(reason), at: context.effectTime)
        // Void this attempt: late answers for it change nothing.
        request.attempt = .void(attempt.number)
        requests[requestIndex] = request
        guard request.networkFailures <= retries, request.invalidShareFailures <= invalidShareRetries else {
            complete(requestIndex, outcome: .failed, failure: reason, &context)
            return
        }
        // Backoff of 1 s × attempt (Lit SDK).
        setTimer(.retry(request: requestIndex), after: .seconds(Int64(attempt.number)), &context)
    }

    /// The nodes said no: the request ends without retries.
    func deny(_ requestIndex: Int, _ failure: ClientFailure, _ context: inout ProcessContext<LitMessage>) {
        requests[requestIndex]?.record.closeAttempt(.failed(failure), at: context.effectTime)
        complete(requestIndex, outcome: .denied, failure: failure, &context)
    }

    func released(_ release: any AccessRelease, _ context: inout ProcessContext<LitMessage>) {
        guard let request = requests[release.request] else { return }
        observer.released(release, attemptStart: attemptStarted[release.request] ?? request.record.start,
                          at: context.effectTime, event: context.event, &context)
    }

    func complete(_ requestIndex: Int, outcome: RequestRecord.Outcome, failure: ClientFailure?, _ context: inout ProcessContext<LitMessage>) {
        guard var request = requests.removeValue(forKey: requestIndex) else { return }
        kinds[request.kind].end(request: requestIndex)
        if outcome == .success { request.record.closeAttempt(.success, at: context.effectTime) }
        request.record.outcome = outcome
        request.record.end = context.effectTime
        request.record.failure = outcome == .success ? nil : failure
        records.append(request.record)
        let stream = streams[request.stream]
        if stream.workload.rate == nil, stream.ownsMore { setTimer(.closedLoop(stream: request.stream), after: .zero, &context) }
    }

    /// Requests still open when the run ended.
    public var unfinished: [RequestRecord] { requests.keys.sorted().map { requests[$0]!.record } }
}
