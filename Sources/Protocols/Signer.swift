import ThresholdCrypto

/// A node's share of the group key, from its finished DKG.
public struct SignerKey: Sendable {
    public let identifier: Scalar
    /// Secret. Never printed or traced.
    public let secretShare: Scalar
    public let groupCommitment: VSSCommitment

    public init(identifier: Scalar, secretShare: Scalar, groupCommitment: VSSCommitment) {
        self.identifier = identifier
        self.secretShare = secretShare
        self.groupCommitment = groupCommitment
    }

    public var groupKey: Point { groupCommitment.publicKey }
}

public enum SignerAction: Sendable {
    case send(SigningMessage, to: Int)
    /// Fires `timerFired(id)` after the duration.
    case setTimer(SigningRequestID, after: Duration)
    case note(String)
}

/// The node side of threshold signing, both flows (sans-IO).
///
/// Lit flow: on a request naming this node, commit (fresh single-use nonces), send the signed
/// commitment to the co-signers and the client, wait for every co-signer's commitment (or the
/// round timeout), then sign and send the share to the client. Coordinator flow: answer a
/// request with a commitment; answer the client's package with a share.
///
/// Nonces live only in their attempt's session and are taken out when used: a node never signs
/// twice with one pair of nonces, and never with nonces it did not generate for that attempt.
public struct Signer: Sendable {
    struct Session {
        let request: SignRequest
        let client: Int
        var nonces: FROSTNonces?
        /// Co-signers' signed commitments, by signer (lit flow).
        var commitments: [Int: SignedCommitment] = [:]
        var signed = false
    }

    public let me: Int
    let identity: NodeIdentity
    let identityKeys: [[UInt8]]
    let roundTimeout: Duration
    let memo: CryptoMemo?
    public private(set) var key: SignerKey?
    var sessions: [SigningRequestID: Session] = [:]
    /// Co-signers' commitments that arrived before the client's request did (latencies differ),
    /// kept for the request; the oldest are dropped beyond `earlyLimit` attempts.
    var early: [SigningRequestID: [(SignedCommitment, Int)]] = [:]
    var earlyOrder: [SigningRequestID] = []
    static let earlyLimit = 4096
    public private(set) var sharesSigned = 0

    public init(me: Int, identity: NodeIdentity, identityKeys: [[UInt8]], roundTimeout: Duration, memo: CryptoMemo? = nil) {
        self.memo = memo
        self.me = me
        self.identity = identity
        self.identityKeys = identityKeys
        self.roundTimeout = roundTimeout
    }

    public mutating func install(_ key: SignerKey) { self.key = key }

    /// The volatile signing state is lost in a crash; the key (durable) is kept.
    public mutating func crash() {
        sessions = [:]
        early = [:]
        earlyOrder = []
    }

    public mutating func handleRequest<R: RandomNumberGenerator>(
        _ request: SignRequest, from client: Int, using rng: inout R, meter: CostMeter
    ) -> [SignerAction] {
        guard let key else { return [refuse(request.id, .noKey, to: client)] }
        // A repeat of a live attempt is refused; nonces live and die with their session, so a
        // repeat after the session ended gets fresh ones, never a reused pair.
        guard sessions[request.id] == nil else {
            return [refuse(request.id, .alreadySigned, to: client)]
        }
        switch request.flow {
        case .lit:
            guard request.signers.contains(me), Set(request.signers).count == request.signers.count,
                  request.signers.allSatisfy({ $0 >= 0 && $0 < identityKeys.count }) else {
                return [refuse(request.id, .notASigner, to: client)]
            }
        case .coordinator:
            break
        }
        let nonces = commit(key: key, scheme: request.scheme, using: &rng, meter: meter)
        let signed = SignedCommitment(id: request.id, signer: me, commitment: nonces.commitment, signature: []).signed(by: identity, meter: meter)
        var session = Session(request: request, client: client, nonces: nonces)
        var actions = [SignerAction]()
        let wait = min(roundTimeout, .milliseconds(Int64(request.waitMilliseconds)))
        switch request.flow {
        case .lit:
            session.commitments[me] = signed
            for peer in request.signers where peer != me { actions.append(.send(.commitment(signed), to: peer)) }
            // The client learns who committed, so that after a timeout it knows whom to drop.
            actions.append(.send(.commitment(signed), to: client))
        case .coordinator:
            actions.append(.send(.commitment(signed), to: client))
        }
        actions.append(.setTimer(request.id, after: wait))
        sessions[request.id] = session
        for (commitment, sender) in early.removeValue(forKey: request.id) ?? [] {
            actions += handleCommitment(commitment, from: sender, meter: meter)
        }
        actions += signIfReady(request.id, meter: meter)
        return actions
    }

    func commit<R: RandomNumberGenerator>(key: SignerKey, scheme: SigningScheme, using rng: inout R, meter: CostMeter) -> FROSTNonces {
        switch scheme {
        case .frostSecp256k1: FROST<FROSTSecp256k1>.commit(identifier: key.identifier, secretShare: key.secretShare, using: &rng, meter: meter)
        case .frostTaproot: FROST<FROSTTaproot>.commit(identifier: key.identifier, secretShare: key.secretShare, using: &rng, meter: meter)
        }
    }

    /// A co-signer's commitment (lit flow). Wrong attempt, wrong signer or a bad signature: dropped.
    public mutating func handleCommitment(_ commitment: SignedCommitment, from sender: Int, meter: CostMeter) -> [SignerAction] {
        guard var session = sessions[commitment.id] else {
            keepEarly(commitment, from: sender)
            return []
        }
        guard session.request.flow == .lit, !session.signed else { return [] }
        guard commitment.signer == sender, session.request.signers.contains(sender), session.commitments[sender] == nil,
              commitment.commitment.identifier == Scalar(UInt64(sender + 1)),
              commitment.hasValidSignature(keys: identityKeys, meter: meter, memo: memo)
        else { return [.note("sign: dropped a commitment for \(commitment.id) from \(sender)")] }
        session.commitments[sender] = commitment
        sessions[commitment.id] = session
        return signIfReady(commitment.id, meter: meter)
    }

    mutating func keepEarly(_ commitment: SignedCommitment, from sender: Int) {
        var kept = early[commitment.id] ?? []
        if kept.isEmpty {
            earlyOrder.append(commitment.id)
            if earlyOrder.count > Self.earlyLimit { early[earlyOrder.removeFirst()] = nil }
        }
        // At most one per co-signer is ever useful; more is a flood from a Byzantine peer.
        guard kept.count < identityKeys.count else { return }
        kept.append((commitment, sender))
        early[commitment.id] = kept
    }

    mutating func signIfReady(_ id: SigningRequestID, meter: CostMeter) -> [SignerAction] {
        guard let session = sessions[id], session.request.flow == .lit,
              session.request.signers.allSatisfy({ session.commitments[$0] != nil }) else { return [] }
        let list = session.request.signers.sorted().map { session.commitments[$0]! }
        return sign(id, commitments: list, meter: meter)
    }

    /// The client's signing package (coordinator flow).
    public mutating func handlePackage(_ package: SigningPackageMessage, from client: Int, meter: CostMeter) -> [SignerAction] {
        guard let session = sessions[package.id], session.client == client, session.request.flow == .coordinator, !session.signed else {
            return [refuse(package.id, .invalidPackage, to: client)]
        }
        let signers = package.commitments.map(\.signer)
        guard package.message == session.request.message, package.scheme == session.request.scheme,
              Set(signers).count == signers.count, signers.contains(me),
              package.commitments.allSatisfy({ $0.id == package.id && $0.signer >= 0 && $0.signer < identityKeys.count
                  && $0.commitment.identifier == Scalar(UInt64($0.signer + 1)) })
        else { return [refuse(package.id, .invalidPackage, to: client)] }
        return sign(package.id, commitments: package.commitments.sorted { $0.signer < $1.signer }, meter: meter)
    }

    mutating func sign(_ id: SigningRequestID, commitments: [SignedCommitment], meter: CostMeter) -> [SignerAction] {
        guard var session = sessions[id], let key, let nonces = session.nonces.take() else { return [] }
        session.signed = true
        sessions[id] = session
        guard commitments.first(where: { $0.signer == me })?.commitment == nonces.commitment else {
            return [refuse(id, .invalidPackage, to: session.client)]
        }
        let request = session.request
        let share: Scalar
        do {
            switch request.scheme {
            case .frostSecp256k1:
                let package = try signingPackage(FROST<FROSTSecp256k1>.self, memo: memo?.secp256k1Packages, key: key, request: request,
                                                 commitments: commitments, meter: meter)
                share = try FROST<FROSTSecp256k1>.sign(identifier: key.identifier, secretShare: key.secretShare, nonces: nonces,
                                                       package: package, meter: meter)
            case .frostTaproot:
                let package = try signingPackage(FROST<FROSTTaproot>.self, memo: memo?.taprootPackages, key: key, request: request,
                                                 commitments: commitments, meter: meter)
                share = try FROST<FROSTTaproot>.sign(identifier: key.identifier, secretShare: key.secretShare, nonces: nonces,
                                                     package: package, meter: meter)
            }
        } catch {
            return [refuse(id, .invalidPackage, to: session.client), .note("sign: \(id) not signed: \(error)")]
        }
        sharesSigned += 1
        let message = SignatureShareMessage(id: id, signer: me, share: share,
                                            commitments: request.flow == .lit ? commitments : [], signature: [])
        return [.send(.share(message.signed(by: identity, meter: meter)), to: session.client)]
    }

    /// Every signer of an attempt derives the same package from the same list; the memo lets the
    /// host compute it once (each signer's meter still pays for it).
    func signingPackage<Suite: FROSTCiphersuite>(
        _ frost: FROST<Suite>.Type, memo: MeteredMemo<[[UInt8]], FROST<Suite>.SigningPackage?>?, key: SignerKey, request: SignRequest,
        commitments: [SignedCommitment], meter: CostMeter
    ) throws(FROSTError) -> FROST<Suite>.SigningPackage {
        let derive = { (local: CostMeter) in
            try? FROST<Suite>.signingPackage(groupKey: key.groupKey, commitments: commitments.map(\.commitment), message: request.message, meter: local)
        }
        let key = [request.message, (try? key.groupKey.compressed()) ?? []] + commitments.map(\.signedBytes)
        guard let package = memo.map({ $0.value(for: key, meter: meter, compute: derive) }) ?? derive(meter) else {
            throw .identityGroupCommitment
        }
        return package
    }

    /// The round timeout of an attempt: give up waiting for co-signers and tell the client.
    public mutating func timerFired(_ id: SigningRequestID) -> [SignerAction] {
        guard let session = sessions.removeValue(forKey: id) else { return [] }
        guard !session.signed, session.request.flow == .lit else { return [] }
        let missing = session.request.signers.filter { session.commitments[$0] == nil }.sorted()
        return [.send(.refusal(SignRefusal(id: id, signer: me, reason: .missingCommitments, missing: missing)), to: session.client)]
    }

    func refuse(_ id: SigningRequestID, _ reason: SignRefusal.Reason, to client: Int) -> SignerAction {
        .send(.refusal(SignRefusal(id: id, signer: me, reason: reason, missing: [])), to: client)
    }
}
