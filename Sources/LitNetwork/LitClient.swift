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
public struct WorkloadSpecification: Hashable, Sendable {
    public var count: Int
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
        a.count == b.count && a.start == b.start && a.rate?.numerator == b.rate?.numerator && a.rate?.denominator == b.rate?.denominator
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        hasher.combine(start)
        hasher.combine(rate?.numerator)
        hasher.combine(rate?.denominator)
    }
}

/// One client request as reported in requests.csv and signatures.jsonl.
public struct RequestRecord: Sendable {
    public enum Outcome: String, Sendable { case success, failed, unfinished }
    public let client: Int
    public let index: Int
    public let message: [UInt8]
    public let start: SimInstant
    public var end: SimInstant?
    public var outcome: Outcome
    public var attempts: Int
    public var signers: [Int]
    /// Serialised as the scheme specifies (65 bytes RFC 9591, 64 bytes BIP-340).
    public var signature: [UInt8]?
    public var failure: String?

    public var latency: SimDuration? { end.map { $0 - start } }
}

/// Misbehaviour a client proved from signed messages.
public struct ClientBlame: Sendable, Hashable {
    public enum Reason: String, Sendable { case invalidSignatureShare = "invalid-signature-share", equivocation = "equivocation" }
    public let node: Int
    public let reason: Reason
}

/// A client as Lit's SDK behaves: handshake with every node, then requests to a signer set of
/// `threshold` nodes (the cheapest: lowest expected latency, ties in a per-client random
/// order), a timeout per attempt, retries with a backoff of 1 s × attempt, and a new signer set
/// each time that leaves out nodes that failed or were caught with a bad share.
public final class LitClient {
    struct Attempt {
        var number: Int
        var signers: [Int]
        var commitments: [Int: SignedCommitment] = [:]
        /// Signers in the order their commitments arrived ("the first to answer").
        var arrivalOrder: [Int] = []
        var shares: [Int: SignatureShareMessage] = [:]
        var refused: Set<Int> = []
        /// Signers that refused for a reason of their own, not a missing co-signer.
        var selfRefused: Set<Int> = []
        /// How many refusing signers named each node missing.
        var namedMissingBy: [Int: Int] = [:]
        var packageSent = false
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
        /// Left out of later attempts of this request (failed or blamed).
        var excluded: Set<Int> = []
        /// Refused for themselves (no key): they stay out even when exclusions are reset.
        var unwilling: Set<Int> = []
        /// Failed attempts by kind: they draw on separate retry budgets, as in Lit's SDK.
        var networkFailures = 0
        var invalidShareFailures = 0
    }

    enum FailureKind { case network, invalidShares }

    public let endpoint: Int
    public let index: Int
    let clientCount: Int
    let nodes: Int
    let threshold: Int
    let scheme: SigningScheme
    let flow: SigningFlow
    let timeout: SimDuration
    let retries: Int
    let invalidShareRetries: Int
    var streams: [Stream]
    let preference: [Int]
    let seedBytes: [UInt8]
    let costs: CryptoCostModel
    let identityKeys: [[UInt8]]
    let meter = CostMeter()
    var random: RandomStream

    public private(set) var groupCommitment: VSSCommitment?
    public private(set) var keyKnownAt: SimInstant?
    var handshakeVotes: [(commitment: VSSCommitment, nodes: Set<Int>)] = []
    var requests: [Int: Request] = [:]
    public private(set) var records: [RequestRecord] = []
    public private(set) var blames: [ClientBlame] = []
    var blamed: Set<Int> = []
    /// Times each node held up an attempt of this client; the fewer, the sooner it is asked.
    public private(set) var strikes: [Int]
    var verificationShares: [Int: Point] = [:]
    public private(set) var operationTotals = Array(repeating: 0, count: CryptoOperation.allCases.count)
    /// Messages from the network that did not decode (wire: encoded).
    public internal(set) var undecodableMessages = 0
    var encodesWire = false

    func chargeWork(_ context: inout ProcessContext<LitMessage>) {
        context.charge(costs.charge(meter, into: &operationTotals))
    }

    init(endpoint: Int, index: Int, clientCount: Int, nodes: Int, threshold: Int, scheme: SigningScheme, flow: SigningFlow,
         timeout: SimDuration, retries: Int, invalidShareRetries: Int, workloads: [WorkloadSpecification], preference: [Int], seed: UInt64,
         costs: CryptoCostModel, identityKeys: [[UInt8]], random: RandomStream) {
        self.endpoint = endpoint
        self.index = index
        self.clientCount = clientCount
        self.nodes = nodes
        self.threshold = threshold
        self.scheme = scheme
        self.flow = flow
        self.timeout = timeout
        self.retries = retries
        self.invalidShareRetries = invalidShareRetries
        var base = 0
        streams = workloads.map { workload in
            defer { base += workload.count }
            return Stream(workload: workload, base: base, next: index)
        }
        strikes = Array(repeating: 0, count: nodes)
        self.preference = preference
        self.costs = costs
        self.identityKeys = identityKeys
        self.random = random
        seedBytes = (0..<8).map { UInt8(truncatingIfNeeded: seed >> (56 - 8 * UInt64($0))) }
    }


    func start(_ context: inout ProcessContext<LitMessage>) {
        for node in 0..<nodes { context.send(.signing(.handshakeRequest), to: node) }
    }

    func receive(_ message: LitMessage, from sender: Int, _ context: inout ProcessContext<LitMessage>) {
        guard case let .signing(inner) = message, sender >= 0, sender < nodes else { return }
        switch inner {
        case let .handshakeResponse(response):
            handleHandshake(response, from: sender, &context)
        case let .commitment(commitment):
            guard commitment.signer == sender, var request = requests[commitment.id.request],
                  request.attempt.number == commitment.id.attempt, commitment.id.client == index,
                  request.attempt.commitments[sender] == nil else { return }
            request.attempt.commitments[sender] = commitment
            request.attempt.arrivalOrder.append(sender)
            requests[commitment.id.request] = request
            if flow == .coordinator { sendPackageIfReady(commitment.id.request, &context) }
        case let .share(share):
            guard share.signer == sender, var request = requests[share.id.request], request.attempt.number == share.id.attempt,
                  share.id.client == index, request.attempt.signers.contains(sender), request.attempt.shares[sender] == nil else { return }
            request.attempt.shares[sender] = share
            requests[share.id.request] = request
            settleIfAllAnswered(share.id.request, &context)
        case let .refusal(refusal):
            guard refusal.signer == sender, var request = requests[refusal.id.request], request.attempt.number == refusal.id.attempt,
                  refusal.id.client == index else { return }
            request.attempt.refused.insert(sender)
            if refusal.reason != .missingCommitments { request.attempt.selfRefused.insert(sender) }
            for node in Set(refusal.missing) where node >= 0 && node < nodes {
                request.attempt.namedMissingBy[node, default: 0] += 1
            }
            requests[refusal.id.request] = request
            settleIfAllAnswered(refusal.id.request, &context)
        case .handshakeRequest, .request, .package:
            break
        }
        context.charge(costs.charge(meter, into: &operationTotals))
    }

    func timerFired(_ timer: TimerID, _ context: inout ProcessContext<LitMessage>) {
        let (kind, payload) = TimerKind.split(timer)
        switch kind {
        case .arrival, .closedLoop:
            issueNext(stream: Int(payload), &context)
        case .attemptTimeout:
            let id = SigningRequestID(timerPayload: payload)
            if let request = requests[id.request], request.attempt.number == id.attempt {
                failAttempt(id.request, reason: "timed out after \(timeout)", &context)
            }
        case .retry:
            beginAttempt(Int(payload), &context)
        default:
            break
        }
        context.charge(costs.charge(meter, into: &operationTotals))
    }

    /// Once every signer has answered (a share or a refusal): aggregate, or fail the attempt.
    func settleIfAllAnswered(_ requestIndex: Int, _ context: inout ProcessContext<LitMessage>) {
        guard let attempt = requests[requestIndex]?.attempt, !attempt.signers.isEmpty,
              attempt.signers.allSatisfy({ attempt.shares[$0] != nil || attempt.refused.contains($0) }) else { return }
        if attempt.refused.isEmpty {
            finishAttempt(requestIndex, &context)
        } else {
            failAttempt(requestIndex, reason: "signers \(attempt.refused.sorted()) refused", &context)
        }
    }

    // MARK: Handshake and workload

    func handleHandshake(_ response: HandshakeResponse, from node: Int, _ context: inout ProcessContext<LitMessage>) {
        guard groupCommitment == nil, response.node == node else { return }
        if let slot = handshakeVotes.firstIndex(where: { $0.commitment == response.groupCommitment }) {
            handshakeVotes[slot].nodes.insert(node)
        } else {
            handshakeVotes.append((response.groupCommitment, [node]))
        }
        // The key is trusted once a threshold of nodes report the same one.
        guard let agreed = handshakeVotes.first(where: { $0.nodes.count >= threshold }) else { return }
        groupCommitment = agreed.commitment
        keyKnownAt = context.now
        context.output("client \(index) learnt the group key")
        for (number, stream) in streams.enumerated() where stream.ownsMore {
            var first = SimDuration.zero
            if case let .at(time) = stream.workload.start, time.nanoseconds > context.now.nanoseconds {
                first = SimDuration(nanoseconds: time.nanoseconds - context.now.nanoseconds)
            }
            if stream.workload.rate != nil { first = first + interArrival(stream.workload) }
            context.setTimer(TimerKind.arrival.id(UInt64(number)), after: first)
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
        let record = RequestRecord(client: index, index: requestIndex, message: message, start: context.now, end: nil,
                                   outcome: .unfinished, attempts: 0, signers: [])
        requests[requestIndex] = Request(record: record, attempt: Attempt(number: 0, signers: []), stream: number)
        beginAttempt(requestIndex, &context)
        let stream = streams[number]
        if stream.workload.rate != nil, stream.ownsMore {
            context.setTimer(TimerKind.arrival.id(UInt64(number)), after: interArrival(stream.workload))
        }
    }

    // MARK: Attempts

    func beginAttempt(_ requestIndex: Int, _ context: inout ProcessContext<LitMessage>) {
        guard var request = requests[requestIndex] else { return }
        let number = request.attempt.number + 1
        // Nodes that held up fewer attempts first; the cheapest order among equals.
        let ordered = preference.enumerated().sorted { (strikes[$0.element], $0.offset) < (strikes[$1.element], $1.offset) }.map(\.element)
        var available = ordered.filter { !request.excluded.contains($0) && !blamed.contains($0) }
        if available.count < threshold {
            // Give nodes that only timed out another chance; proven liars and nodes without a
            // key stay out.
            request.excluded = request.unwilling
            available = ordered.filter { !blamed.contains($0) && !request.unwilling.contains($0) }
        }
        guard available.count >= threshold else {
            requests[requestIndex] = request
            complete(requestIndex, outcome: .failed, failure: "fewer than \(threshold) nodes left to ask", &context)
            return
        }
        let id = SigningRequestID(client: index, request: requestIndex, attempt: number)
        request.record.attempts = number
        switch flow {
        case .lit:
            let signers = Array(available.prefix(threshold)).sorted()
            request.attempt = Attempt(number: number, signers: signers)
            request.record.signers = signers
            let message = SignRequest(id: id, message: request.record.message, scheme: scheme, flow: .lit, signers: signers,
                                      waitMilliseconds: signerWait)
            for signer in signers { context.send(.signing(.request(message)), to: signer) }
        case .coordinator:
            request.attempt = Attempt(number: number, signers: [])
            let message = SignRequest(id: id, message: request.record.message, scheme: scheme, flow: .coordinator, signers: [],
                                      waitMilliseconds: signerWait)
            for node in available.sorted() { context.send(.signing(.request(message)), to: node) }
        }
        requests[requestIndex] = request
        context.setTimer(TimerKind.attemptTimeout.id(id.timerPayload), after: timeout)
    }

    /// Signers wait at most three quarters of the client's timeout for their co-signers.
    var signerWait: UInt32 { UInt32(clamping: timeout.nanoseconds / 1_000_000 * 3 / 4) }

    /// Coordinator flow: the first `threshold` commitments make the signing package.
    func sendPackageIfReady(_ requestIndex: Int, _ context: inout ProcessContext<LitMessage>) {
        guard var request = requests[requestIndex], !request.attempt.packageSent, request.attempt.commitments.count >= threshold else { return }
        let signers = Array(request.attempt.arrivalOrder.prefix(threshold)).sorted()
        request.attempt.signers = signers
        request.attempt.packageSent = true
        request.record.signers = signers
        let id = SigningRequestID(client: index, request: requestIndex, attempt: request.attempt.number)
        let package = SigningPackageMessage(id: id, message: request.record.message, scheme: scheme,
                                            commitments: signers.map { request.attempt.commitments[$0]! })
        for signer in signers { context.send(.signing(.package(package)), to: signer) }
        requests[requestIndex] = request
    }

    /// All shares are in: aggregate, check the signature; on failure find and prove the culprit.
    func finishAttempt(_ requestIndex: Int, _ context: inout ProcessContext<LitMessage>) {
        guard let request = requests[requestIndex], let groupCommitment else { return }
        let attempt = request.attempt
        let shares = attempt.signers.map { attempt.shares[$0]! }
        // The commitment list: the client's own (coordinator) or the one the signers used (lit).
        var list: [SignedCommitment]
        if flow == .coordinator {
            list = attempt.signers.map { attempt.commitments[$0]! }
        } else {
            list = shares[0].commitments
            if let culprit = equivocator(in: shares, direct: attempt.commitments) {
                blame(culprit, .equivocation, &context)
                failAttempt(requestIndex, reason: "signer \(culprit) equivocated its commitments", kind: .invalidShares, &context)
                return
            }
            // Shares over different commitment lists cannot be judged against one package:
            // blaming on them could accuse an honest signer, so the attempt just fails.
            let lists = Set(shares.map { $0.commitments.map(\.signature) })
            if lists.count > 1 {
                failAttempt(requestIndex, reason: "signers used different commitment lists", &context)
                return
            }
        }
        guard list.map(\.signer) == attempt.signers else {
            failAttempt(requestIndex, reason: "signers used a different signer set", &context)
            return
        }
        let bytes: [UInt8]?
        switch scheme {
        case .frostSecp256k1: bytes = aggregate(FROST<FROSTSecp256k1>.self, list: list, shares: shares, key: groupCommitment.publicKey, message: request.record.message, &context)
        case .frostTaproot: bytes = aggregate(FROST<FROSTTaproot>.self, list: list, shares: shares, key: groupCommitment.publicKey, message: request.record.message, &context)
        }
        if let bytes {
            requests[requestIndex]?.record.signature = bytes
            complete(requestIndex, outcome: .success, failure: nil, &context)
        } else {
            failAttempt(requestIndex, reason: "signature did not verify", kind: .invalidShares, &context)
        }
    }

    /// A signer whose commitment differs between two validly signed versions.
    func equivocator(in shares: [SignatureShareMessage], direct: [Int: SignedCommitment]) -> Int? {
        var seen = direct
        for share in shares {
            for commitment in share.commitments {
                guard let earlier = seen[commitment.signer] else {
                    seen[commitment.signer] = commitment
                    continue
                }
                guard earlier != commitment, commitment.signer >= 0, commitment.signer < nodes else { continue }
                if earlier.id == commitment.id, earlier.hasValidSignature(keys: identityKeys, meter: meter),
                   commitment.hasValidSignature(keys: identityKeys, meter: meter) {
                    return commitment.signer
                }
            }
        }
        return nil
    }

    func aggregate<Suite: FROSTCiphersuite>(
        _ frost: FROST<Suite>.Type, list: [SignedCommitment], shares: [SignatureShareMessage], key: Point, message: [UInt8],
        _ context: inout ProcessContext<LitMessage>
    ) -> [UInt8]? {
        guard let package = try? FROST<Suite>.signingPackage(groupKey: key, commitments: list.map(\.commitment), message: message, meter: meter)
        else { return nil }
        let signature = FROST<Suite>.aggregate(shares: shares.map(\.share), package: package)
        // Lit's SDK checks only the combined signature; shares are checked only when it fails.
        if FROST<Suite>.verify(signature, groupKey: key, message: message, meter: meter) { return Suite.serialize(signature) }
        for share in shares {
            let verification = verificationShare(of: share.signer)
            if !FROST<Suite>.verifyShare(identifier: Scalar(UInt64(share.signer + 1)), verificationShare: verification,
                                         share: share.share, package: package, meter: meter),
               share.hasValidSignature(keys: identityKeys, meter: meter) {
                blame(share.signer, .invalidSignatureShare, &context)
            }
        }
        return nil
    }

    func verificationShare(of node: Int) -> Point {
        if let cached = verificationShares[node] { return cached }
        let share = groupCommitment!.evaluate(at: Scalar(UInt64(node + 1)), meter: meter)
        verificationShares[node] = share
        return share
    }

    func blame(_ node: Int, _ reason: ClientBlame.Reason, _ context: inout ProcessContext<LitMessage>) {
        guard !blamed.contains(node) else { return }
        blamed.insert(node)
        blames.append(ClientBlame(node: node, reason: reason))
        context.output("client \(index) proved node \(node) sent \(reason.rawValue)")
    }

    func failAttempt(_ requestIndex: Int, reason: String, kind: FailureKind = .network, _ context: inout ProcessContext<LitMessage>) {
        guard var request = requests[requestIndex] else { return }
        let attempt = request.attempt
        // Leave out whoever held the attempt up: in the lit flow the signers that never committed
        // (the others were waiting for them), else those that sent no share; and anyone a
        // co-signer reported missing.
        let asked = flow == .lit ? attempt.signers : (attempt.packageSent ? attempt.signers : [])
        let silent = asked.filter { attempt.commitments[$0] == nil && !attempt.refused.contains($0) }
        let culprits = silent.isEmpty ? asked.filter { attempt.shares[$0] == nil && !attempt.refused.contains($0) } : silent
        for signer in culprits { request.excluded.insert(signer) }
        // A signer that refused for itself (no key, not a signer, already signed) is no use
        // for this request either.
        for signer in attempt.selfRefused {
            request.excluded.insert(signer)
            request.unwilling.insert(signer)
        }
        // A node most refusing co-signers say they never heard from is the one to drop (under
        // a partition each side names the other; the larger side wins).
        for (node, count) in attempt.namedMissingBy.sorted(by: { $0.key < $1.key }) where attempt.signers.contains(node) {
            let reporters = attempt.refused.filter { $0 != node }.count
            if reporters > 0, 2 * count > reporters { request.excluded.insert(node) }
        }
        for node in request.excluded where strikes.indices.contains(node) { strikes[node] += 1 }
        switch kind {
        case .network: request.networkFailures += 1
        case .invalidShares: request.invalidShareFailures += 1
        }
        request.record.failure = reason
        // Void this attempt: with no signers and the package marked sent, late messages for it
        // change nothing.
        request.attempt = Attempt(number: attempt.number, signers: [], packageSent: true)
        requests[requestIndex] = request
        guard request.networkFailures <= retries, request.invalidShareFailures <= invalidShareRetries else {
            complete(requestIndex, outcome: .failed, failure: reason, &context)
            return
        }
        // Backoff of 1 s × attempt (Lit SDK).
        context.setTimer(TimerKind.retry.id(UInt64(requestIndex)), after: .seconds(Int64(attempt.number)))
    }

    func complete(_ requestIndex: Int, outcome: RequestRecord.Outcome, failure: String?, _ context: inout ProcessContext<LitMessage>) {
        guard var request = requests.removeValue(forKey: requestIndex) else { return }
        request.record.outcome = outcome
        request.record.end = context.effectTime
        if outcome == .success { request.record.failure = nil } else { request.record.failure = failure }
        records.append(request.record)
        let stream = streams[request.stream]
        if stream.workload.rate == nil, stream.ownsMore { context.setTimer(TimerKind.closedLoop.id(UInt64(request.stream)), after: .zero) }
    }

    /// Requests still open when the run ended.
    public var unfinished: [RequestRecord] { requests.keys.sorted().map { requests[$0]!.record } }
}
