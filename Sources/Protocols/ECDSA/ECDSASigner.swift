import ThresholdCrypto

public enum ECDSASignerOutput: Sendable, Equatable {
    /// This node sent its signature share for the attempt. It knew k' = ω⁻¹ + δ, the
    /// signature's nonce (every presigner does in Lit's variant, §1.10): the run's key-exposure
    /// ledger reads it from a compromised node's output (never traced or written).
    case signed(AttemptID, nonce: Scalar)
    case aborted(AttemptID, ECDSARefusalReason)
}

/// A node's side of Lit's ECDSA with a real-time presignature per request (Lit's behaviour with
/// the presignature pool disabled, `max_presign_count = 0`): the request's signers run DamFast's
/// three rounds among themselves — every one of them must take part, t = |signers| — then each
/// derives its share of the PKP key and sends the client one scalar. Lit's checks and aborts
/// (§1.4): a failed check or a missing peer ends the attempt with a refusal, nobody is blamed.
/// With one root key (the network's DKG key) every PKP key is that key, as Lit's deriver does
/// with one root.
public struct ECDSASigner: NodeService {
    public typealias Message = ECDSAMessage
    public typealias Timer = AttemptID
    public typealias Output = ECDSASignerOutput

    struct Session {
        let request: ECDSARequest
        let key: KeyShare
        let parameters: DamFast.Parameters
        let ids: [Scalar]
        let me: Int
        let dealing: DamFast.Dealing
        let commitments: DamFast.Commitments
        var round1: [NodeID: PresignRound1] = [:]
        var mine: DamFast.Shares?
        var bigR: Point?
        /// Each signer's round 2 (R as it sent it, W_j, w_j), this node's included.
        var round2: [NodeID: (bigR: Point, bigW: Point, w: Scalar)] = [:]
        var omega: Scalar?
        var round3: [NodeID: Scalar] = [:]

        var others: [NodeID] { request.signers.filter { $0 != request.signers[me] } }
    }

    let roundTimeout: Duration
    var sessions: [AttemptID: Session] = [:]
    /// Attempts answered or under way: a request is handled once, ever.
    var handled: Set<AttemptID> = []
    /// Round messages that came before the client's request, by attempt (bounded).
    var early: [AttemptID: [(ECDSAMessage, NodeID)]] = [:]
    var earlyOrder: [AttemptID] = []
    static let earlyLimit = 1_000

    public init(roundTimeout: Duration) {
        self.roundTimeout = roundTimeout
    }

    public mutating func crash() {
        sessions = [:]
        early = [:]
        earlyOrder = []
    }

    public mutating func receive(_ message: ECDSAMessage, from sender: EndpointID, _ context: ServiceContext) -> [Effect] {
        switch message {
        case let .request(request):
            guard sender == .client(request.id.client) else { return [.note("ecdsa: dropped a request for another client from \(sender)")] }
            return start(request, context)
        case .round1, .round2, .round3:
            guard let node = sender.node else { return [] }
            guard sessions[message.id] != nil else {
                // Before this node has the request: keep it for when it comes (never after).
                guard !handled.contains(message.id) else { return [] }
                if early[message.id] == nil {
                    earlyOrder.append(message.id)
                    if earlyOrder.count > Self.earlyLimit { early[earlyOrder.removeFirst()] = nil }
                }
                if (early[message.id]?.count ?? 0) < 3 * context.directory.count { early[message.id, default: []].append((message, node)) }
                return []
            }
            return handle(message, from: node, context)
        case .share, .refusal:
            return [.note("ecdsa: ignored a message meant for a client from \(sender)")]
        }
    }

    static func refuse(_ id: AttemptID, _ reason: ECDSARefusalReason, missing: [NodeID] = []) -> Effect {
        .send(.refusal(id: id, reason: reason, missing: missing), to: .client(id.client))
    }

    mutating func start(_ request: ECDSARequest, _ context: ServiceContext) -> [Effect] {
        guard handled.insert(request.id).inserted else { return [.note("ecdsa: ignored a repeat of \(request.id)")] }
        guard let key = context.keys.usable(.group, epoch: request.id.session.epoch) else { return [Self.refuse(request.id, .noKey)] }
        let signers = request.signers
        guard let me = signers.firstIndex(of: context.me), Set(signers).count == signers.count, signers.count >= key.threshold,
              signers.allSatisfy(key.roster.contains), request.digest.count == 32, request.nonce.count == 8,
              let parameters = DamFast.Parameters(participants: signers.count, threshold: signers.count) else {
            return [Self.refuse(request.id, .notASigner)]
        }
        var rng = context.random
        let dealing = DamFast.Dealing.random(parameters, using: &rng)
        let commitments = dealing.commitments(meter: context.meter)
        let ids = signers.map { key.roster.identifier(of: $0)!.scalar }
        sessions[request.id] = Session(request: request, key: key, parameters: parameters, ids: ids, me: me, dealing: dealing, commitments: commitments)
        var effects: [Effect] = signers.enumerated().filter { $0.offset != me }.map { index, signer in
            .send(.round1(PresignRound1(id: request.id, commitments: commitments, shares: dealing.shares(at: ids[index]))), to: .node(signer))
        }
        // The presignature must be done within the request's wait (or the node's round
        // timeout, if shorter); then the node refuses, naming who it still waits for.
        effects.append(.setTimer(request.id, after: min(roundTimeout, .milliseconds(Int64(request.waitMilliseconds)))))
        for (message, node) in early.removeValue(forKey: request.id) ?? [] { effects += handle(message, from: node, context) }
        effects += advance(request.id, context)
        return effects
    }

    /// A round message from a signer of the attempt: kept once per sender and round.
    mutating func handle(_ message: ECDSAMessage, from node: NodeID, _ context: ServiceContext) -> [Effect] {
        guard var session = sessions[message.id], session.others.contains(node) else { return [] }
        switch message {
        case let .round1(payload):
            guard session.round1[node] == nil else { return [] }
            guard payload.commitments.accepts(payload.shares, at: session.ids[session.me], session.parameters, meter: context.meter) else {
                // The dealer sent this node its shares directly: it alone is at fault (named, though
                // not provably to a third party).
                return abort(message.id, .presignCheckFailed, missing: [node], note: "round-1 shares from \(node) fail their commitments")
            }
            session.round1[node] = payload
        case let .round2(_, bigR, bigW, w):
            guard session.round2[node] == nil else { return [] }
            // Every participant must have the same R (§1.3, receive round 2; checked in
            // `advance` for one that came before this node knew R).
            if let mine = session.bigR, mine != bigR { return abort(message.id, .presignCheckFailed, note: "\(node) has another R") }
            session.round2[node] = (bigR, bigW, w)
        case let .round3(_, omega):
            guard session.round3[node] == nil else { return [] }
            session.round3[node] = omega
        default:
            return []
        }
        sessions[message.id] = session
        return advance(message.id, context)
    }

    /// Runs every round whose inputs are complete.
    mutating func advance(_ id: AttemptID, _ context: ServiceContext) -> [Effect] {
        let meter = context.meter
        var effects = [Effect]()
        guard var session = sessions[id] else { return [] }
        let others = session.others
        if session.mine == nil, others.allSatisfy({ session.round1[$0] != nil }) {
            // Round 2: summed shares, R from every dealer's K commitment, W_j and w_j.
            let received = others.map { session.round1[$0]! }
            let mine = DamFast.Shares.sum([session.dealing.shares(at: session.ids[session.me])] + received.map(\.shares))
            let bigR = Point.sum([session.commitments.values[0].publicKey] + received.map { $0.commitments.values[0].publicKey }, meter: meter)
            guard !bigR.isIdentity else { return abort(id, .presignCheckFailed, note: "R is the identity") }
            if let other = others.first(where: { session.round2[$0].map { $0.bigR != bigR } ?? false }) {
                return abort(id, .presignCheckFailed, note: "\(other) has another R")
            }
            session.mine = mine
            session.bigR = bigR
            let (bigW, w) = DamFast.round2(mine, r: bigR, meter: meter)
            session.round2[session.request.signers[session.me]] = (bigR, bigW, w)
            for node in others { effects.append(.send(.round2(id: id, bigR: bigR, bigW: bigW, w: w), to: .node(node))) }
        }
        if let mine = session.mine, session.omega == nil, session.request.signers.allSatisfy({ session.round2[$0] != nil }) {
            let order = session.request.signers
            do {
                let omega = try DamFast.round3(mine, ids: session.ids, bigWs: order.map { session.round2[$0]!.bigW }, ws: order.map { session.round2[$0]!.w },
                                               meter: meter)
                session.omega = omega
                session.round3[order[session.me]] = omega
                for node in others { effects.append(.send(.round3(id: id, omega: omega), to: .node(node))) }
            } catch {
                sessions[id] = session
                return effects + abort(id, .presignCheckFailed, note: "w·G ≠ W")
            }
        }
        if let bigR = session.bigR, session.omega != nil, session.request.signers.allSatisfy({ session.round3[$0] != nil }) {
            let order = session.request.signers
            do {
                let omega = try DamFast.round4(ids: session.ids, omegas: order.map { session.round3[$0]! }, r: bigR, meter: meter)
                let presignature = DamFast.PreSignature(id: session.ids[session.me], threshold: session.parameters.threshold, bigR: bigR, kInverse: omega,
                                                        d: session.mine!.d, e: session.mine!.e)
                // One root key: the PKP key (and each share of it) is the network key's.
                let keyShare = LitHD.deriveSecret([session.key.secretShare], tweak: LitHD.tweak(keyID: session.request.keyID, meter: meter))
                let delta = DamFast.rerandomizer(session.request.nonce, meter: meter)
                let (share, bigRPrime) = try DamFast.signatureShare(presignature, keyShare: keyShare, signers: session.ids,
                                                                    digest: session.request.digest, delta: delta, meter: meter)
                // Single use: the presignature is gone with the session.
                sessions[id] = nil
                let nonce = (omega.inverse(meter: meter) ?? .zero) + delta
                return effects + [.send(.share(id: id, share: share, bigR: bigRPrime), to: .client(id.client)), .output(.signed(id, nonce: nonce)),
                                  .cancelTimer(id)]
            } catch {
                sessions[id] = session
                return effects + abort(id, .presignCheckFailed, note: "ω·R ≠ G")
            }
        }
        sessions[id] = session
        return effects
    }

    mutating func abort(_ id: AttemptID, _ reason: ECDSARefusalReason, missing: [NodeID] = [], note: String) -> [Effect] {
        sessions[id] = nil
        return [Self.refuse(id, reason, missing: missing), .output(.aborted(id, reason)), .cancelTimer(id), .note("ecdsa: \(id) aborted: \(note)")]
    }

    /// The round timeout: the attempt ends, naming the signers whose message of the current
    /// round did not come (Lit waits for all of them).
    public mutating func timerFired(_ id: AttemptID, _ context: ServiceContext) -> [Effect] {
        guard let session = sessions[id] else { return [] }
        let missing: [NodeID] = if session.mine == nil {
            session.others.filter { session.round1[$0] == nil }
        } else if session.omega == nil {
            session.others.filter { session.round2[$0] == nil }
        } else {
            session.others.filter { session.round3[$0] == nil }
        }
        return abort(id, .presignTimeout, missing: missing, note: "timed out waiting for \(missing.map(\.value))")
    }
}
