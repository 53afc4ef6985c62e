import ThresholdCrypto

public enum ECDSASignerOutput: Sendable, Equatable {
    /// This node sent its signature share for the attempt, made with `presign`. It knew
    /// k' = ω⁻¹ + δ, the signature's nonce (every presigner does in Lit's variant, §1.10): the
    /// run's key-exposure ledger reads it from a compromised node's output (never traced or
    /// written).
    case signed(AttemptID, nonce: NonceKnowledge, presign: PresignID)
    case aborted(AttemptID, ECDSARefusalReason)
    /// As the request's leader, this node handed out a pool presignature (or had none: a miss).
    case led(AttemptID, hit: Bool)
    /// A generation this node started stored a presignature, or failed.
    case generated(SessionID)
    case generationFailed(SessionID, ECDSARefusalReason)
    /// How many presignatures this node leads, whenever that changes.
    case poolDepth(Int)
}

/// What a signer knew of a signature's nonce k' (for the key-exposure ledger only).
public enum NonceKnowledge: Sendable, Equatable {
    /// Lit's variant: k' = ω⁻¹ + δ, in the clear.
    case nonce(Scalar)
    /// The paper's: this signer's share of k'⁻¹ at its identifier (a threshold of them give k').
    case inverseShare(id: Scalar, Scalar)
}

/// The signer's timers: a request's presignature or leader's word, a pool generation, and
/// the pause before a failed generation is retried.
public enum ECDSATimer: Hashable, Sendable {
    case request(AttemptID)
    /// A JWT request's conditions at the node's RPC.
    case conditions(AttemptID)
    case generation(SessionID)
    case refill
}

/// A pool presignature share as a validator keeps it (on disk, in Lit: a crash keeps it).
struct PooledPresignature {
    let presignature: DamFast.PreSignature
    let group: [NodeID]
    let epoch: Epoch
}

/// A node's side of Lit's ECDSA. A request names its signers (t = |signers|, every one must
/// answer). Without a pool they run DamFast's three rounds among themselves for a real-time
/// presignature; with one (`PresignPool`), the request's leader — fixed by the request, §1.9 —
/// hands out a presignature it leads, or, having none, tells the others to presign in real
/// time. Each signer then derives its share of the PKP key and sends the client one scalar.
/// Lit's checks and aborts (§1.4): a failed check or a missing peer ends the attempt with a
/// refusal; nobody is accused (a refusal names the peers a signer waited for, or one whose
/// share failed its commitments, for the client's routing only). Presignatures are single use: a share is deleted as it signs.
/// With one root key (the network's DKG key) every PKP key is that key, as Lit's deriver does
/// with one root.
public struct ECDSASigner: NodeService {
    public typealias Message = ECDSAMessage
    public typealias Timer = ECDSATimer
    public typealias Output = ECDSASignerOutput

    struct RequestSession {
        let request: ECDSARequest
        let key: KeyShare
        /// This node's shares of every root key, the network key's first (secret).
        var rootShares: [Scalar] = []
        /// With a pool: the signer whose word decides between a pool and a real-time
        /// presignature, and whether that word is still awaited.
        var leader: NodeID?
        var awaitedLeader: NodeID?
        /// The pool presignature the leader chose, while this node's part of its generation is
        /// still under way (the leader may finish a generation before a peer does).
        var awaitedPresignature: SessionID?
        var run: PresignRun?
    }

    let roundTimeout: Duration
    let pool: PresignPool
    var requests: [AttemptID: RequestSession] = [:]
    /// Requests and generations answered or under way: each is handled once, ever.
    var handled: Set<PresignID> = []
    /// Messages that came before their request or generation (bounded).
    var early = ECDSASigner.earlyBuffer()

    /// Pool generations under way (this node's and its peers').
    var generations: [SessionID: PresignRun] = [:]
    /// Pool presignature shares this node holds, of every generation it took part in.
    var stored: [SessionID: PooledPresignature] = [:]
    /// The presignatures this node leads, oldest first (in memory, as Lit's list).
    var led: [SessionID] = []
    var nextGeneration: UInt64 = 0
    /// Between reaching `min` and `max`: generating.
    var refilling = false
    var retryPending = false
    var failuresInARow = 0
    /// The epoch the pool is for (presignatures of another epoch are dropped).
    var poolEpoch: Epoch?

    public let variant: DamFast.Variant
    /// Signs JWTs whatever their conditions say (`ignore-conditions`, while in force).
    let ignoreConditions: Bool
    /// JWT requests waiting for the node's RPC (not yet handled: their peers' early rounds wait).
    var evaluating: [AttemptID: ECDSARequest] = [:]
    /// Delegated signatures this node's action will not sign (its run ended first), kept until a
    /// peer starts one: the node then presigns without signing, so its peers are not left
    /// waiting for it and do not name it missing (a Byzantine peer that stalled its action would
    /// otherwise get it struck). Not joined unless a peer starts (nobody presigns for nothing).
    /// (Bounded: a Byzantine client's requests that end at once leave up to 16 each.)
    var declined = BoundedMap<AttemptID, ECDSARequest>(limit: 16_384)
    /// Requests this node presigns for without signing (see `declined`).
    var presignOnly: Set<AttemptID> = []

    /// Root keys PKP keys derive from (`protocol.root_keys`; key 0 is the network key).
    let rootKeys: Int

    public init(roundTimeout: Duration, pool: PresignPool = .disabled, variant: DamFast.Variant = .lit, ignoreConditions: Bool = false,
                rootKeys: Int = 1) {
        self.rootKeys = max(1, rootKeys)
        self.ignoreConditions = ignoreConditions
        self.variant = variant
        self.roundTimeout = roundTimeout
        self.pool = pool
    }

    public mutating func crash() {
        requests = [:]
        declined.removeAll()
        presignOnly = []
        early = ECDSASigner.earlyBuffer()
        generations = [:]
        led = []
        refilling = false
        retryPending = false
        evaluating = [:]
    }

    public mutating func keysChanged(_ context: ServiceContext) -> [Effect] {
        guard pool.enabled, let epoch = context.keys.activeEpoch, epoch != poolEpoch else { return [] }
        // A new epoch: presignatures (and generations) of another are dropped.
        poolEpoch = epoch
        var effects: [Effect] = generations.keys.filter { $0.epoch != epoch }.sorted().map { .cancelTimer(.generation($0)) }
        generations = generations.filter { $0.key.epoch == epoch }
        // Shares of the epoch before stay while requests for it are still answered (a peer
        // may lead one a little longer); only this epoch's are led and generated.
        stored = stored.filter { context.keys.usable(epoch: $0.value.epoch) != nil }
        led.removeAll { $0.epoch != epoch }
        refilling = false
        effects.append(.output(.poolDepth(led.count)))
        return effects + refill(context) + joinWaiting(context)
    }

    public mutating func receive(_ message: ECDSAMessage, from sender: EndpointID, _ context: ServiceContext) -> [Effect] {
        switch message {
        case let .request(request):
            guard sender == .client(request.id.client) else { return [.note("ecdsa: dropped a request for another client from \(sender)")] }
            guard let jwt = request.jwt else { return startUnlessJWTKey(request, context) }
            return evaluate(request, jwt, context)
        case let .leader(id, presign):
            guard let node = sender.node else { return [] }
            guard let session = requests[id] else { return keepEarly(message, for: .request(id), from: node, context) }
            guard session.awaitedLeader == node else { return [] }
            return leaderChose(id, presign, context)
        case let .round1(payload):
            guard let node = sender.node else { return [] }
            return round(message, of: payload.id, from: node, context)
        case let .round2(id, _, _, _), let .round3(id, _):
            guard let node = sender.node else { return [] }
            return round(message, of: id, from: node, context)
        case .share, .refusal, .conditionsHeld:
            return [.note("ecdsa: ignored a message meant for a client from \(sender)")]
        }
    }

    /// A signature another of this node's services asks for on a client's behalf (an action's
    /// signing step): a request like a client's, under its own attempt id.
    public mutating func delegated(_ signature: DelegatedSignature, _ context: ServiceContext) -> [Effect] {
        guard signature.scheme == DelegatedSignature.ecdsa else { return [] }
        // (A declined one's digest is never signed: any 32 bytes stand in.)
        let request = ECDSARequest(id: signature.attempt(in: ecdsaProtocol), digest: signature.declined ? Array(repeating: 0, count: 32) : signature.digest,
                                   keyID: signature.keyID, signers: signature.signers, nonce: signature.nonce,
                                   waitMilliseconds: signature.waitMilliseconds, delegated: true)
        if signature.declined {
            guard !handled.contains(.request(request.id)) else { return [] }
            declined[request.id] = request
            return early.holds(.request(request.id)) ? joinWithoutSigning(request.id, context) : []
        }
        return startUnlessJWTKey(request, context)
    }

    /// A request that is not a JWT's: the JWT key signs JWTs only (with their checks), nothing else.
    mutating func startUnlessJWTKey(_ request: ECDSARequest, _ context: ServiceContext) -> [Effect] {
        guard request.keyID != JWTClaims.keyID else { return handled.contains(.request(request.id)) ? [] : refuseBeforeStart(request.id, .wrongJWT) }
        return start(request, context)
    }

    /// Keeps a message that came before its request or generation, for when that comes
    /// (never after it was handled).
    mutating func keepEarly(_ message: ECDSAMessage, for id: PresignID, from node: NodeID, _ context: ServiceContext) -> [Effect] {
        guard !handled.contains(id) else { return [] }
        // No group is larger than the directory: a round 1 with longer commitments is no
        // honest one (and would be costly to keep).
        if case let .round1(payload) = message, payload.commitments.values.contains(where: { $0.coefficients.count > context.directory.count }) {
            return []
        }
        early.keep(message, for: id, from: node, perRun: 3 * context.directory.count)
        // A peer started a request this node declined: it takes part after all, without signing.
        if let attempt = id.attempt, declined[attempt] != nil { return joinWithoutSigning(attempt, context) }
        return []
    }

    /// Presigns for a declined request (a pool presignature the leader chose is used up as
    /// usual), then signs nothing: see `declined`.
    mutating func joinWithoutSigning(_ id: AttemptID, _ context: ServiceContext) -> [Effect] {
        guard let request = declined.removeValue(forKey: id) else { return [] }
        presignOnly.insert(id)
        return [.note("ecdsa: \(id) declined by this node's action: presigning without signing")] + start(request, context)
    }

    mutating func replayEarly(_ id: PresignID, _ context: ServiceContext) -> [Effect] {
        early.take(id).flatMap { message, node in receive(message, from: .node(node), context) }
    }

    static func refuse(_ id: AttemptID, _ reason: ECDSARefusalReason, missing: [NodeID] = []) -> Effect {
        .send(.refusal(id: id, reason: reason, missing: missing), to: .client(id.client))
    }

    // MARK: Requests

    /// A JWT request: the digest must be the token's, then the node's RPC evaluates the
    /// conditions (taking its latency) before the node takes part.
    mutating func evaluate(_ request: ECDSARequest, _ jwt: JWTClaims, _ context: ServiceContext) -> [Effect] {
        let id = request.id
        guard !handled.contains(.request(id)), evaluating[id] == nil else { return [.note("ecdsa: ignored a repeat of \(id)")] }
        guard request.keyID == JWTClaims.keyID, request.digest == jwt.digest(user: id.client.address, meter: context.meter) else {
            return refuseBeforeStart(id, .wrongJWT)
        }
        guard let rpc = context.chains else { return refuseBeforeStart(id, .conditionsFalse) }
        evaluating[id] = request
        return [.setTimer(.conditions(id), after: rpc.latency)]
    }

    mutating func conditionsEvaluated(_ id: AttemptID, _ context: ServiceContext) -> [Effect] {
        guard let request = evaluating.removeValue(forKey: id), let jwt = request.jwt else { return [] }
        let held = context.chains?.holds(jwt.conditions, for: id.client.address) ?? false
        guard held || (ignoreConditions && context.byzantineActive) else {
            return [.output(.aborted(id, .conditionsFalse))] + refuseBeforeStart(id, .conditionsFalse)
        }
        return [.send(.conditionsHeld(id: id), to: .client(id.client))] + start(request, context)
    }

    /// Refuses a request that never started: handled for good, and the peers' messages kept
    /// for it meanwhile are let go (they would hold the peers' early-message budget forever).
    mutating func refuseBeforeStart(_ id: AttemptID, _ reason: ECDSARefusalReason) -> [Effect] {
        handled.insert(.request(id))
        _ = early.take(.request(id))
        return [Self.refuse(id, reason)]
    }

    mutating func start(_ request: ECDSARequest, _ context: ServiceContext) -> [Effect] {
        guard handled.insert(.request(request.id)).inserted else { return [.note("ecdsa: ignored a repeat of \(request.id)")] }
        guard let key = context.keys.usable(.group, epoch: request.id.session.epoch) else { return refuseBeforeStart(request.id, .noKey) }
        let signers = request.signers
        // Lit's variant signs with t or more; the paper's with exactly 2t − 1.
        let enough = variant == .paper ? signers.count == 2 * key.threshold - 1 : signers.count >= key.threshold
        guard signers.contains(context.me), Set(signers).count == signers.count, enough,
              signers.allSatisfy(key.roster.contains), request.digest.count == 32, request.nonce.count == 8,
              DamFast.Parameters.of(variant, participants: signers.count, threshold: realTimeThreshold(signers.count, key)) != nil else {
            return refuseBeforeStart(request.id, .notASigner)
        }
        // Every root's share of the same epoch (the roots are made and re-keyed together).
        let roots = (0..<rootKeys).map { context.keys.usable(KeyID(UInt32($0)), epoch: key.epoch)?.secretShare }
        guard roots.allSatisfy({ $0 != nil }) else { return refuseBeforeStart(request.id, .noKey) }
        var session = RequestSession(request: request, key: key, rootShares: roots.compactMap { $0 })
        // The presignature must be done within the request's wait (or the node's round
        // timeout, if shorter); then the node refuses, naming who it still waits for.
        var effects: [Effect] = [.setTimer(.request(request.id), after: min(roundTimeout, .milliseconds(Int64(request.waitMilliseconds))))]
        guard pool.enabled else {
            requests[request.id] = session
            return effects + presignInRealTime(request.id, context)
        }
        let leader = Self.leader(of: request, meter: context.meter)
        session.leader = leader
        if leader != context.me {
            session.awaitedLeader = leader
            requests[request.id] = session
            return effects + replayEarly(.request(request.id), context)
        }
        requests[request.id] = session
        // This node leads the request: the oldest presignature it leads that fits the signers.
        let others = signers.filter { $0 != context.me }
        let fits = led.firstIndex { tag in
            guard let pooled = stored[tag] else { return false }
            return pooled.epoch == key.roster.epoch && pooled.presignature.signers == signers.count && Set(signers).isSubset(of: pooled.group)
        }
        guard let index = fits else {
            effects += [.output(.led(request.id, hit: false)), .broadcast(.leader(id: request.id, presign: nil), to: others)]
            return effects + presignInRealTime(request.id, context) + refill(context)
        }
        let tag = led.remove(at: index)
        effects += [.output(.poolDepth(led.count)), .output(.led(request.id, hit: true)), .broadcast(.leader(id: request.id, presign: tag), to: others)]
        return effects + signWithPool(request.id, tag, context) + refill(context)
    }

    /// Lit's request leader: hash(message ‖ request id) mod |signers| (`leader_for_active_peers`);
    /// a delegated one (an action's signing step) hashes the request id alone (its signers'
    /// messages may differ).
    static func leader(of request: ECDSARequest, meter: CostMeter) -> NodeID {
        var writer = ByteWriter()
        if !request.delegated { writer.append(bytes: request.digest) }
        request.id.write(&writer)
        let hash = Hashing.sha256(writer.bytes, meter: meter)
        let value = hash.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return request.signers[Int(value % UInt64(request.signers.count))]
    }

    /// A non-leader hears the leader's choice: sign with that pool presignature, or presign now.
    mutating func leaderChose(_ id: AttemptID, _ presign: SessionID?, _ context: ServiceContext) -> [Effect] {
        guard var session = requests[id], let leader = session.awaitedLeader else { return [] }
        session.awaitedLeader = nil
        requests[id] = session
        guard let presign else { return presignInRealTime(id, context) }
        // An honest leader hands out only presignatures it leads, of the request's epoch.
        guard presign.initiator == .node(leader), presign.epoch == session.request.id.session.epoch else {
            return abort(id, .presignUnknown, missing: [leader], note: "\(leader) chose \(PresignID.pool(presign)), which it does not lead")
        }
        if stored[presign] == nil, generations[presign] != nil || !handled.contains(.pool(presign)) {
            session.awaitedPresignature = presign
            requests[id] = session
            return []
        }
        return signWithChosen(id, presign, leader: leader, context)
    }

    mutating func signWithChosen(_ id: AttemptID, _ presign: SessionID, leader: NodeID, _ context: ServiceContext) -> [Effect] {
        guard let session = requests[id] else { return [] }
        let signers = session.request.signers
        guard let pooled = stored[presign], pooled.epoch == session.key.roster.epoch, pooled.presignature.signers == signers.count,
              Set(signers).isSubset(of: pooled.group) else {
            // Not provably the leader's fault: this node's part of the generation may have
            // failed (a lost message, a crash) where the leader's succeeded.
            return abort(id, .presignUnknown, note: "\(leader) chose \(PresignID.pool(presign)), which this node cannot sign with")
        }
        return signWithPool(id, presign, context)
    }

    mutating func presignInRealTime(_ id: AttemptID, _ context: ServiceContext) -> [Effect] {
        guard var session = requests[id],
              var run = PresignRun(id: .request(id), variant: variant, participants: session.request.signers, roster: session.key.roster,
                                   threshold: realTimeThreshold(session.request.signers.count, session.key), me: context.me, context) else { return [] }
        let (sends, outcome) = run.begin(context)
        session.run = run
        requests[id] = session
        return sends.map { .send($0.0, to: .node($0.1)) } + settle(id, outcome, context) + replayEarly(.request(id), context)
    }

    /// A real-time presignature's threshold: Lit's is the signers' count (all of them sign);
    /// the paper's the key's.
    func realTimeThreshold(_ signers: Int, _ key: KeyShare) -> Int { variant == .paper ? key.threshold : signers }

    mutating func signWithPool(_ id: AttemptID, _ tag: SessionID, _ context: ServiceContext) -> [Effect] {
        // Single use: the share is deleted as it signs.
        guard let pooled = stored.removeValue(forKey: tag) else { return [] }
        return sign(id, with: pooled.presignature, from: .pool(tag), context)
    }

    /// The real-time presignature's progress: sign once done, refuse if it failed.
    mutating func settle(_ id: AttemptID, _ outcome: PresignRun.Outcome, _ context: ServiceContext) -> [Effect] {
        switch outcome {
        case .pending: return []
        case let .done(presignature): return sign(id, with: presignature, from: .request(id), context)
        case let .failed(reason, named, note): return abort(id, reason, missing: named, note: note)
        }
    }

    mutating func sign(_ id: AttemptID, with presignature: DamFast.PreSignature, from presign: PresignID, _ context: ServiceContext) -> [Effect] {
        guard let session = requests.removeValue(forKey: id) else { return [] }
        _ = early.take(.request(id))
        let meter = context.meter
        let request = session.request
        if presignOnly.remove(id) != nil {
            // Presigned, signs nothing (the presignature is spent all the same).
            return [.cancelTimer(.request(id)), .note("ecdsa: \(id) presigned without signing")]
        }
        let ids = request.signers.compactMap { session.key.roster.identifier(of: $0)?.scalar }
        // The PKP key's share: Σ d^ℓ · (share of root ℓ), with d from the key id (with one root,
        // the network key's share). The JWT key is its key id's PKP key plus a public tweak.
        var keyShare = LitHD.deriveSecret(session.rootShares, tweak: LitHD.tweak(keyID: request.keyID, meter: meter))
        if request.jwt != nil { keyShare = keyShare + JWTClaims.keyTweak(meter: meter) }
        let delta = DamFast.rerandomizer(request.nonce, meter: meter)
        guard let (share, bigRPrime) = try? DamFast.signatureShare(presignature, keyShare: keyShare, signers: ids, digest: request.digest,
                                                                  delta: delta, meter: meter) else {
            return abort(id, .presignCheckFailed, note: "the presignature does not fit the signers")
        }
        // What this signer knows of the nonce: k' itself in Lit's variant, its share of k'⁻¹ in
        // the paper's.
        let nonce: NonceKnowledge = switch presignature.variant {
        case .lit: .nonce((presignature.kInverse.inverse(meter: meter) ?? .zero) + delta)
        case .paper: .inverseShare(id: presignature.id, (delta.inverse(meter: meter) ?? .zero) * presignature.kInverse)
        }
        return [.send(.share(id: id, share: share, bigR: bigRPrime), to: .client(id.client)), .output(.signed(id, nonce: nonce, presign: presign)),
                .cancelTimer(.request(id))]
    }

    mutating func abort(_ id: AttemptID, _ reason: ECDSARefusalReason, missing: [NodeID] = [], note: String) -> [Effect] {
        requests[id] = nil
        _ = early.take(.request(id))
        return [Self.refuse(id, reason, missing: missing), .output(.aborted(id, reason)), .cancelTimer(.request(id)), .note("ecdsa: \(id) aborted: \(note)")]
    }

    // MARK: Presigning rounds

    mutating func round(_ message: ECDSAMessage, of id: PresignID, from node: NodeID, _ context: ServiceContext) -> [Effect] {
        switch id {
        case let .request(attempt):
            guard var session = requests[attempt] else { return keepEarly(message, for: id, from: node, context) }
            guard var run = session.run else {
                // The request is here but its presignature not started (the leader's word is
                // on its way): kept for when it starts.
                early.keep(message, for: id, from: node, perRun: 3 * session.request.signers.count)
                return []
            }
            let (sends, outcome) = run.receive(message, from: node, context)
            session.run = run
            requests[attempt] = session
            return sends.map { .send($0.0, to: .node($0.1)) } + settle(attempt, outcome, context)
        case let .pool(tag):
            if generations[tag] == nil {
                // A peer's generation starts here with its initiator's round 1 — once this node
                // is in the generation's epoch and fewer than `concurrency` of that initiator's
                // are under way here (it may have finished one before this node did); until
                // then it waits with the early messages. One of a past epoch is dropped.
                guard pool.enabled, !handled.contains(id) else { return [] }
                if let active = context.keys.activeEpoch, tag.epoch < active {
                    handled.insert(id)
                    return []
                }
                guard case .round1 = message, tag.initiator == .node(node), canJoin(tag, context) else {
                    return keepEarly(message, for: id, from: node, context)
                }
                return join(tag, first: message, context)
            }
            var run = generations[tag]!
            let (sends, outcome) = run.receive(message, from: node, context)
            generations[tag] = run
            return sends.map { .send($0.0, to: .node($0.1)) } + generationSettled(tag, outcome, context)
        }
    }

    // MARK: The pool

    /// Starts generations while the pool is being refilled: from `min` (or less) up to `max`,
    /// at most `concurrency` at once.
    mutating func refill(_ context: ServiceContext) -> [Effect] {
        guard pool.enabled, !retryPending, let key = context.keys.current(.group), key.roster.contains(context.me) else { return [] }
        var effects = [Effect]()
        let mine = generations.keys.filter { $0.initiator == .node(context.me) }.count
        if led.count <= pool.min { refilling = true }
        var running = mine
        while refilling, running < pool.concurrency, led.count + running < pool.max {
            let tag = SessionID(protocolName: ecdsaProtocol, epoch: key.roster.epoch, initiator: .node(context.me), counter: nextGeneration)
            nextGeneration += 1
            handled.insert(.pool(tag))
            guard var run = PresignRun(id: .pool(tag), variant: variant, participants: key.roster.members, roster: key.roster, threshold: key.threshold, me: context.me,
                                       context) else { return effects }
            let (sends, outcome) = run.begin(context)
            generations[tag] = run
            running += 1
            effects += [.setTimer(.generation(tag), after: roundTimeout)] + sends.map { .send($0.0, to: .node($0.1)) }
            effects += generationSettled(tag, outcome, context)
        }
        if led.count + running >= pool.max { refilling = false }
        return effects
    }

    /// Whether this node can take part in a peer's generation now: it is in the generation's
    /// epoch and has fewer than `concurrency` of that initiator's under way.
    func canJoin(_ tag: SessionID, _ context: ServiceContext) -> Bool {
        context.keys.current(.group)?.roster.epoch == tag.epoch && generations.keys.filter({ $0.initiator == tag.initiator }).count < pool.concurrency
    }

    static func earlyBuffer() -> EarlyMessages<PresignID, ECDSAMessage> { EarlyMessages(limit: 1_000, perSender: 64) }

    /// Pool generations with a message kept, oldest first, whose first message from their
    /// initiator is a round 1 (a generation this node may join).
    func waitingGenerations() -> [SessionID] {
        early.order.compactMap { id in
            guard case let .pool(tag) = id, let initiator = tag.initiator.node,
                  early.kept(id).contains(where: { if case .round1 = $0.0 { $0.1 == initiator } else { false } }) else { return nil }
            return tag
        }
    }

    /// Joins the generations that waited (for a slot, or for this node's epoch switch) and now can.
    mutating func joinWaiting(_ context: ServiceContext) -> [Effect] {
        var effects = [Effect]()
        for tag in waitingGenerations() where canJoin(tag, context) && !handled.contains(.pool(tag)) {
            var messages = early.take(.pool(tag))
            guard let first = messages.firstIndex(where: { if case .round1 = $0.0 { $0.1 == tag.initiator.node } else { false } }) else { continue }
            let round1 = messages.remove(at: first).0
            effects += join(tag, first: round1, context)
            effects += messages.flatMap { message, node in receive(message, from: .node(node), context) }
        }
        return effects
    }

    /// Takes part in a peer's generation: the epoch's validators all do, each initiator with at
    /// most `concurrency` under way (more wait, bounded, with the early messages).
    mutating func join(_ tag: SessionID, first: ECDSAMessage, _ context: ServiceContext) -> [Effect] {
        guard pool.enabled, let initiator = tag.initiator.node, handled.insert(.pool(tag)).inserted else { return [] }
        guard let key = context.keys.current(.group), key.roster.epoch == tag.epoch, key.roster.contains(initiator),
              var run = PresignRun(id: .pool(tag), variant: variant, participants: key.roster.members, roster: key.roster, threshold: key.threshold, me: context.me,
                                   context) else {
            return [.note("ecdsa: did not join \(PresignID.pool(tag))")]
        }
        var (sends, outcome) = run.begin(context)
        generations[tag] = run
        var effects: [Effect] = [.setTimer(.generation(tag), after: roundTimeout)] + sends.map { .send($0.0, to: .node($0.1)) }
        effects += generationSettled(tag, outcome, context)
        guard var joined = generations[tag], let initiatorNode = tag.initiator.node else { return effects }
        (sends, outcome) = joined.receive(first, from: initiatorNode, context)
        generations[tag] = joined
        effects += sends.map { .send($0.0, to: .node($0.1)) } + generationSettled(tag, outcome, context)
        return effects + replayEarly(.pool(tag), context)
    }

    /// The requests waiting for this node's part of generation `tag`, with their leaders.
    func awaiting(_ tag: SessionID) -> [(AttemptID, NodeID)] {
        requests.filter { $0.value.awaitedPresignature == tag }.keys.sorted().compactMap { id in requests[id]!.leader.map { (id, $0) } }
    }

    mutating func generationSettled(_ tag: SessionID, _ outcome: PresignRun.Outcome, _ context: ServiceContext) -> [Effect] {
        let effects = generationEnded(tag, outcome, context)
        // A slot for this initiator may be free: join its generations that were waiting.
        guard generations[tag] == nil, tag.initiator != .node(context.me) else { return effects }
        return effects + joinWaiting(context)
    }

    mutating func generationEnded(_ tag: SessionID, _ outcome: PresignRun.Outcome, _ context: ServiceContext) -> [Effect] {
        let mine = tag.initiator == .node(context.me)
        switch outcome {
        case .pending:
            return []
        case let .done(presignature):
            guard let run = generations.removeValue(forKey: tag) else { return [] }
            stored[tag] = PooledPresignature(presignature: presignature, group: run.participants, epoch: tag.epoch)
            forgetOldShares(of: tag.initiator)
            let signing = awaiting(tag).flatMap { id, leader in signWithChosen(id, tag, leader: leader, context) }
            guard mine else { return [.cancelTimer(.generation(tag))] + signing }
            led.append(tag)
            failuresInARow = 0
            return [.cancelTimer(.generation(tag)), .output(.generated(tag)), .output(.poolDepth(led.count))] + signing + refill(context)
        case let .failed(reason, _, note):
            guard generations.removeValue(forKey: tag) != nil else { return [] }
            var effects: [Effect] = [.cancelTimer(.generation(tag)), .note("ecdsa: \(PresignID.pool(tag)) failed: \(note)")]
            for (id, _) in awaiting(tag) { effects += abort(id, .presignUnknown, note: "\(PresignID.pool(tag)), chosen by the leader, failed here") }
            guard mine else { return effects }
            // Retried after a pause that doubles while generations keep failing (up to 32 round
            // timeouts), so a validator that is down or lying does not keep the node busy.
            retryPending = true
            failuresInARow += 1
            let pause = roundTimeout * (1 << Swift.min(failuresInARow - 1, 5))
            return effects + [.output(.generationFailed(tag, reason)), .setTimer(.refill, after: pause)]
        }
    }

    /// Shares of presignatures handed out to other signers are never deleted here (Lit tells
    /// only the signers): beyond what an initiator can still lead (2·max + concurrency of its
    /// newest), the oldest are forgotten.
    mutating func forgetOldShares(of initiator: EndpointID) {
        let mine = stored.keys.filter { $0.initiator == initiator }
        let keep = 2 * pool.max + pool.concurrency
        guard mine.count > keep else { return }
        for tag in mine.sorted().prefix(mine.count - keep) { stored[tag] = nil }
    }

    public mutating func timerFired(_ timer: ECDSATimer, _ context: ServiceContext) -> [Effect] {
        switch timer {
        case let .conditions(id):
            return conditionsEvaluated(id, context)
        case let .request(id):
            // The round timeout: the attempt ends, naming the signers whose message of the
            // current round did not come (Lit waits for all of them), or the silent leader.
            guard let session = requests[id] else { return [] }
            if let leader = session.awaitedLeader { return abort(id, .presignTimeout, missing: [leader], note: "no word from leader \(leader)") }
            if let tag = session.awaitedPresignature {
                let missing = generations[tag]?.missing ?? []
                return abort(id, .presignTimeout, missing: missing, note: "\(PresignID.pool(tag)) still waits for \(missing.map(\.value))")
            }
            let missing = session.run?.missing ?? []
            return abort(id, .presignTimeout, missing: missing, note: "timed out waiting for \(missing.map(\.value))")
        case let .generation(tag):
            guard let run = generations[tag] else { return [] }
            return generationSettled(tag, .failed(.presignTimeout, named: run.missing, note: "timed out waiting for \(run.missing.map(\.value))"), context)
        case .refill:
            retryPending = false
            return refill(context)
        }
    }
}
