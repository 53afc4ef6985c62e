import ThresholdCrypto

/// What a signing service tells its host.
public enum SignerOutput: Sendable, Equatable {
    /// This node released a signature share for the attempt (once per attempt, with nonces
    /// used for nothing else).
    case signed(AttemptID)
}

/// The FROST core both flows share: fresh single-use nonces for an attempt, and the share
/// over a commitment list. Nonces live only in their attempt's session and are taken out when
/// used: a node never signs twice with one pair, nor with nonces it did not make for that attempt.
public enum FROSTCore {
    static func commit(_ key: KeyShare, scheme: SigningScheme, _ context: ServiceContext) -> FROSTNonces {
        var rng = context.random
        return switch scheme {
        case .frostSecp256k1: FROST<FROSTSecp256k1>.commit(identifier: key.identifier.scalar, secretShare: key.secretShare, using: &rng, meter: context.meter)
        case .frostTaproot: FROST<FROSTTaproot>.commit(identifier: key.identifier.scalar, secretShare: key.secretShare, using: &rng, meter: context.meter)
        }
    }

    /// Whether a commitment is for this attempt and key, under its signer's identifier, with no
    /// identity point (RFC 9591 §5.2: such a list cannot make a package).
    static func isBound(_ commitment: SignedCommitment, id: AttemptID, key: KeyShare, keyHash: [UInt8]) -> Bool {
        commitment.id == id && commitment.keyHash == keyHash && key.roster.identifier(of: commitment.signer)?.scalar == commitment.commitment.identifier
            && !commitment.commitment.hiding.isIdentity && !commitment.commitment.binding.isIdentity
    }

    /// Whether every commitment in the list is bound to this attempt and key, from a distinct
    /// signer of the key's roster (RFC 9591 §5.2 input validation).
    static func validList(_ list: [SignedCommitment], id: AttemptID, key: KeyShare, keyHash: [UInt8]) -> Bool {
        let signers = list.map(\.signer)
        return Set(signers).count == signers.count && list.allSatisfy { isBound($0, id: id, key: key, keyHash: keyHash) }
    }

    /// A request the session's client signed, for an attempt this node never committed to
    /// (a duplicate delivered late, or a replay, must not yield a second commitment).
    static func admissible(_ request: SignRequest, committed: Set<AttemptID>, _ context: ServiceContext) -> Bool {
        !committed.contains(request.id) && request.hasValidSignature(context.directory, meter: context.meter, memo: context.memo)
    }

    /// The share over `commitments`, with the list's digest (`SignatureShareMessage.listDigest`),
    /// which the share message names and which names the list in the package memo. The node pays
    /// for hashing the list only when it signs (as when the digest was computed after the share).
    static func share(_ key: KeyShare, scheme: SigningScheme, nonces: FROSTNonces, message: [UInt8], commitments: [SignedCommitment],
                      _ context: ServiceContext) throws(FROSTError) -> (share: Scalar, listDigest: [UInt8]) {
        let hashing = CostMeter()
        let listDigest = SignatureShareMessage.listDigest(commitments, meter: hashing)
        let share = try share(key, scheme: scheme, nonces: nonces, message: message, commitments: commitments, listDigest: listDigest, context)
        context.meter.add(counts: hashing.snapshot)
        return (share, listDigest)
    }

    static func share(_ key: KeyShare, scheme: SigningScheme, nonces: FROSTNonces, message: [UInt8], commitments: [SignedCommitment],
                      listDigest: [UInt8], _ context: ServiceContext) throws(FROSTError) -> Scalar {
        switch scheme {
        case .frostSecp256k1:
            return try FROST<FROSTSecp256k1>.sign(identifier: key.identifier.scalar, secretShare: key.secretShare, nonces: nonces,
                                                  package: try package(FROST<FROSTSecp256k1>.self, key: key, message: message, commitments: commitments,
                                                                       listDigest: listDigest, context),
                                                  meter: context.meter)
        case .frostTaproot:
            return try FROST<FROSTTaproot>.sign(identifier: key.identifier.scalar, secretShare: key.secretShare, nonces: nonces,
                                                package: try package(FROST<FROSTTaproot>.self, key: key, message: message, commitments: commitments,
                                                                     listDigest: listDigest, context),
                                                meter: context.meter)
        }
    }

    static func package<Suite: FROSTCiphersuite>(
        _ frost: FROST<Suite>.Type, key: KeyShare, message: [UInt8], commitments: [SignedCommitment], listDigest: [UInt8], _ context: ServiceContext
    ) throws(FROSTError) -> FROST<Suite>.SigningPackage {
        guard let package = signingPackage(frost, memo: context.memo, groupKey: key.groupKey, threshold: key.threshold,
                                           identifierBound: key.roster.identifierBound, message: message, commitments: commitments,
                                           listDigest: listDigest, meter: context.meter)
        else { throw .identityGroupCommitment }
        return package
    }

    /// Every signer of an attempt, and its client, derive the same package from the same list;
    /// the memo lets the host compute it once (each one's meter still pays for it). Its key
    /// names everything the package depends on: the message, the group key, the list (by its
    /// digest, over every commitment's signed encoding) and the participant bounds.
    /// nil: the list makes no package (too short or long, or R is the identity).
    public static func signingPackage<Suite: FROSTCiphersuite>(
        _ frost: FROST<Suite>.Type, memo: CryptoMemo?, groupKey: Point, threshold: Int, identifierBound: Int?, message: [UInt8],
        commitments: [SignedCommitment], listDigest: [UInt8], meter: CostMeter
    ) -> FROST<Suite>.SigningPackage? {
        let derive = { (local: CostMeter) in
            try? FROST<Suite>.signingPackage(groupKey: groupKey, commitments: commitments.map(\.commitment), message: message,
                                             minimumParticipants: threshold, maximumParticipants: identifierBound, meter: local)
        }
        guard let packages = memo?.packages(Suite.self) else { return derive(meter) }
        var bounds = ByteWriter()
        bounds.append(UInt64(threshold))
        bounds.append(UInt64(bitPattern: Int64(identifierBound ?? -1)))
        return packages.value(for: [message, (try? groupKey.compressed()) ?? [], listDigest, bounds.bytes], meter: meter, compute: derive)
    }

    /// The share a request is answered with: of the request's epoch, if this node may use it
    /// (its current epoch or the one before: requests in flight across a switch).
    static func key(for id: AttemptID, _ context: ServiceContext) -> KeyShare? {
        context.keys.usable(.group, epoch: id.session.epoch)
    }

    static func refuse<F>(_ id: AttemptID, _ reason: SignRefusal.Reason, missing: [NodeID] = [], _ context: ServiceContext)
        -> ServiceEffect<SigningMessage<F>, AttemptID, SignerOutput> {
        .send(.refusal(SignRefusal(id: id, signer: context.me, reason: reason, missing: missing)), to: .client(id.client))
    }
}

/// A signing flow's node side: a service whose messages are that flow's and whose timers are
/// attempts (adversaries of either flow are written once against this).
public protocol SigningFlowService: NodeService where Message == SigningMessage<Flow>, Timer == AttemptID, Output == SignerOutput {
    associatedtype Flow: SigningFlowKind
}

/// Lit's flow, node side: on a request naming this node, commit, send the signed commitment to
/// the co-signers and the client, wait for every co-signer's commitment (or the wait the
/// client asked for, at most the round timeout), then sign and send the share to the client.
public struct LitFlowSigner: SigningFlowService {
    public typealias Flow = LitFlow
    public typealias Message = SigningMessage<LitFlow>
    public typealias Timer = AttemptID
    public typealias Output = SignerOutput

    struct Session {
        let request: SignRequest
        let key: KeyShare
        let keyHash: [UInt8]
        /// The client-signed request's header digest, which the share names.
        let requestDigest: [UInt8]
        var nonces: FROSTNonces?
        /// Co-signers' signed commitments, by signer.
        var commitments: [NodeID: SignedCommitment] = [:]
        var signed = false
        /// Kept only under the planted bug: the nonces it signed with, and repeats of the
        /// request not yet answered.
        var spentNonces: FROSTNonces?
        var repeats = 0
    }

    let roundTimeout: Duration
    var sessions: [AttemptID: Session] = [:]
    /// Every attempt this node ever committed to: never a second commitment for one of them.
    var committed: Set<AttemptID> = []
    /// Co-signers' commitments that arrived before the client's request did (latencies differ),
    /// kept for the request: at most 4096 attempts, a co-signer opening at most 256 of them (it
    /// takes 16 colluding flooders to fill it) and keeping one commitment in each.
    var early = LitFlowSigner.earlyBuffer()
    /// Delegated signatures this node's action will not sign (its run ended first), kept until a
    /// co-signer's commitment shows a peer started one (see `joinWithoutSigning`).
    /// (Bounded: a Byzantine client's requests that end at once leave up to 16 each.)
    var declined = BoundedMap<AttemptID, SignRequest>(limit: 16_384)

    /// TESTING ONLY (`testing.planted_bug: frost-nonce-reuse`): the explorer's tests need a bug
    /// to find. With it a repeat of a request this node signed is signed again with the same nonces.
    let plantedNonceReuse: Bool

    public init(roundTimeout: Duration, plantedNonceReuse: Bool = false) {
        self.roundTimeout = roundTimeout
        self.plantedNonceReuse = plantedNonceReuse
    }

    /// Sessions and early commitments are volatile; the attempts committed to are remembered
    /// (a restarted node must not commit twice for one attempt either).
    public mutating func crash() {
        sessions = [:]
        early = Self.earlyBuffer()
        declined.removeAll()
    }

    public mutating func receive(_ message: Message, from sender: EndpointID, _ context: ServiceContext) -> [Effect] {
        switch message {
        case let .request(request):
            guard sender == .client(request.id.client) else { return [.note("sign: dropped a request for another client from \(sender)")] }
            return handleRequest(request, context)
        case let .commitment(commitment):
            guard sender == .node(commitment.signer) else { return [] }
            return handleCommitment(commitment, context)
        case .package, .share, .refusal:
            return [.note("sign: ignored a message not meant for a lit-flow signer from \(sender)")]
        }
    }

    mutating func handleRequest(_ request: SignRequest, _ context: ServiceContext) -> [Effect] {
        guard let key = FROSTCore.key(for: request.id, context) else {
                return [FROSTCore.refuse(request.id, context.keys.current() == nil ? .noKey : .wrongEpoch, context)]
            }
        // A repeat of an attempt, live or ended (a network duplicate, say), is ignored: one
        // commitment per attempt, ever, and no refusal that would fail the live attempt.
        guard !committed.contains(request.id) else {
            if plantedNonceReuse, var session = sessions[request.id] {
                // The planted bug: the repeat is signed too, with the same nonces (now, or
                // right after the first signature).
                session.repeats += 1
                sessions[request.id] = session
                return session.signed ? resignRepeat(request.id, context) : []
            }
            return [.note("sign: ignored a repeat of \(request.id)")]
        }
        guard FROSTCore.admissible(request, committed: committed, context) else {
            return [.note("sign: dropped a request for \(request.id) its client did not sign")]
        }
        return open(request, key: key, context)
    }

    /// A signature this node's action asks for (its `sign` step): a request like a client's over
    /// the digest *this* node computed, under its own attempt id, not signed by the client (the
    /// client never saw the digest). A declined one is joined only when a co-signer starts it.
    public mutating func delegated(_ signature: DelegatedSignature, _ context: ServiceContext) -> [Effect] {
        // A declined one names the signer, not a scheme (it is never signed).
        guard let scheme = signature.declined && signature.scheme == DelegatedSignature.frost ? .frostSecp256k1 : SigningScheme(rawValue: signature.scheme)
        else { return [] }
        let id = signature.attempt(in: LitFlow.protocolName)
        guard !committed.contains(id) else { return [] }
        // (A declined one's digest is never signed: any 32 bytes stand in.)
        let request = SignRequest(id: id, message: signature.declined ? Array(repeating: 0, count: 32) : signature.digest, scheme: scheme,
                                  signers: signature.signers, waitMilliseconds: signature.waitMilliseconds)
        if signature.declined {
            declined[id] = request
            return early.holds(id) ? joinWithoutSigning(id, context) : []
        }
        guard let key = FROSTCore.key(for: id, context) else {
            return [FROSTCore.refuse(id, context.keys.current() == nil ? .noKey : .wrongEpoch, context)]
        }
        return open(request, key: key, context)
    }

    /// Commits for a declined request (its co-signers then sign and do not name this node
    /// missing: a Byzantine peer that stalled its action would otherwise get it struck), then
    /// signs nothing.
    mutating func joinWithoutSigning(_ id: AttemptID, _ context: ServiceContext) -> [Effect] {
        guard let request = declined.removeValue(forKey: id), let key = FROSTCore.key(for: id, context) else { return [] }
        return [.note("sign: \(id) declined by this node's action: committing without signing")] + open(request, key: key, signs: false, context)
    }

    /// Commits to a request's attempt, once ever, and sends the commitment to the co-signers and
    /// the client; signs once every co-signer's commitment is in (unless it `signs` nothing).
    mutating func open(_ request: SignRequest, key: KeyShare, signs: Bool = true, _ context: ServiceContext) -> [Effect] {
        guard request.signers.contains(context.me), Set(request.signers).count == request.signers.count,
              request.signers.count >= key.threshold, request.signers.allSatisfy(key.roster.contains) else {
            return [FROSTCore.refuse(request.id, .notASigner, context)]
        }
        committed.insert(request.id)
        let nonces = FROSTCore.commit(key, scheme: request.scheme, context)
        let keyHash = SignedCommitment.keyHash(key.groupKey, meter: context.meter)
        let signed = SignedCommitment(id: request.id, signer: context.me, keyHash: keyHash, commitment: nonces.commitment)
            .signed(by: context.identity, meter: context.meter)
        var session = Session(request: request, key: key, keyHash: keyHash,
                              requestDigest: request.header(meter: context.meter).digest(meter: context.meter), nonces: nonces)
        session.commitments.reserveCapacity(request.signers.count)
        session.commitments[context.me] = signed
        if !signs {
            // Its nonces are forgotten now: nothing ever signs with them.
            session.nonces = nil
            session.signed = true
        }
        var effects: [Effect] = [.broadcast(.commitment(signed), to: request.signers)]
        // The client learns who committed, so that after a timeout it knows whom to drop.
        effects.append(.send(.commitment(signed), to: .client(request.id.client)))
        effects.append(.setTimer(request.id, after: min(roundTimeout, .milliseconds(Int64(request.waitMilliseconds)))))
        sessions[request.id] = session
        for (commitment, _) in early.take(request.id) { effects += handleCommitment(commitment, context) }
        effects += signIfReady(request.id, context)
        return effects
    }

    /// A co-signer's commitment. Wrong attempt, wrong signer or a bad signature: dropped.
    mutating func handleCommitment(_ commitment: SignedCommitment, _ context: ServiceContext) -> [Effect] {
        guard let index = sessions.index(forKey: commitment.id) else {
            // Only for an attempt still to come: nothing would ever take one for an attempt
            // this node committed to already (and a late peer would use up its quota).
            guard !committed.contains(commitment.id) else { return [] }
            keepEarly(commitment, context)
            // A co-signer started a signature this node's action declined: it commits after all.
            return declined[commitment.id] == nil ? [] : joinWithoutSigning(commitment.id, context)
        }
        // The session in place, never copied: a copy would copy its t commitments for every one
        // added (O(t²) per signer per attempt), and its key share for every one checked.
        guard Self.add(commitment, to: &sessions.values[index], context) else {
            return [.note("sign: dropped a commitment for \(commitment.id) from \(commitment.signer)")]
        }
        return signIfReady(commitment.id, context)
    }

    /// Whether an unsigned session holds every signer's commitment (they are kept only from
    /// distinct signers of the request, so a full count means all). `inout` only so that the
    /// caller passes the session in place.
    static func isComplete(_ session: inout Session) -> Bool {
        !session.signed && session.commitments.count == session.request.signers.count
    }

    /// Adds a co-signer's commitment to its live session if it belongs there: from a signer of
    /// the request not heard yet, bound to the attempt and key, signed by it.
    static func add(_ commitment: SignedCommitment, to session: inout Session, _ context: ServiceContext) -> Bool {
        let sender = commitment.signer
        guard !session.signed && session.request.signers.contains(sender) && session.commitments[sender] == nil
            && FROSTCore.isBound(commitment, id: commitment.id, key: session.key, keyHash: session.keyHash)
            && commitment.hasValidSignature(context.directory, meter: context.meter, memo: context.memo) else { return false }
        session.commitments[sender] = commitment
        return true
    }

    mutating func keepEarly(_ commitment: SignedCommitment, _ context: ServiceContext) {
        // (Its sender is its signer: see `receive`.)
        early.keep(commitment, for: commitment.id, from: commitment.signer, perRun: context.directory.count, perSenderInRun: 1)
    }

    static func earlyBuffer() -> EarlyMessages<AttemptID, SignedCommitment> { EarlyMessages(limit: 4096, perSender: 256) }

    mutating func signIfReady(_ id: AttemptID, _ context: ServiceContext) -> [Effect] {
        // Checked in place (a copy of the session per commitment costs more than the check).
        guard let index = sessions.index(forKey: id), Self.isComplete(&sessions.values[index]) else { return [] }
        guard let nonces = sessions[id]!.nonces.take() else { return [] }
        sessions[id]!.signed = true
        if plantedNonceReuse { sessions[id]!.spentNonces = nonces }
        let session = sessions[id]!
        let list = session.request.signers.sorted().map { session.commitments[$0]! }
        let share: Scalar, listDigest: [UInt8]
        do {
            (share, listDigest) = try FROSTCore.share(session.key, scheme: session.request.scheme, nonces: nonces, message: session.request.message,
                                                      commitments: list, context)
        } catch {
            return [FROSTCore.refuse(id, .invalidPackage, context), .note("sign: \(id) not signed: \(error)")]
        }
        let message = SignatureShareMessage(id: id, signer: context.me, requestDigest: session.requestDigest,
                                            listDigest: listDigest, share: share, commitments: list)
            .signed(by: context.identity, meter: context.meter)
        // Nothing reads a signed session's commitments (the share quotes them), except the planted
        // bug signing again: at n = 100 they were 3.8 MB per request held until the wait ended.
        if !plantedNonceReuse { sessions[id]!.commitments = [:] }
        let effects: [Effect] = [.output(.signed(id)), .send(.share(message), to: .client(id.client))]
        return effects + resignRepeat(id, context)
    }

    /// The planted bug at work: a pending repeat of a signed request is signed again with the
    /// spent nonces.
    mutating func resignRepeat(_ id: AttemptID, _ context: ServiceContext) -> [Effect] {
        guard plantedNonceReuse, var session = sessions[id], session.signed, session.repeats > 0, let spent = session.spentNonces else { return [] }
        session.repeats -= 1
        session.signed = false
        session.nonces = spent
        sessions[id] = session
        return signIfReady(id, context)
    }

    /// The attempt's wait is over: give up waiting for co-signers and tell the client who is missing.
    public mutating func timerFired(_ id: AttemptID, _ context: ServiceContext) -> [Effect] {
        guard let session = sessions.removeValue(forKey: id), !session.signed else { return [] }
        let missing = session.request.signers.filter { session.commitments[$0] == nil }.sorted()
        return [FROSTCore.refuse(id, .missingCommitments, missing: missing, context)]
    }
}

/// RFC 9591 §5's flow, node side: answer a request with a commitment; answer the client's
/// package with a share.
public struct CoordinatorFlowSigner: SigningFlowService {
    public typealias Flow = CoordinatorFlow
    public typealias Message = SigningMessage<CoordinatorFlow>
    public typealias Timer = AttemptID
    public typealias Output = SignerOutput

    struct Session {
        let request: SignRequest
        let key: KeyShare
        let keyHash: [UInt8]
        let requestDigest: [UInt8]
        var nonces: FROSTNonces?
    }

    let roundTimeout: Duration
    var sessions: [AttemptID: Session] = [:]
    /// Every attempt this node ever committed to: never a second commitment for one of them.
    var committed: Set<AttemptID> = []

    public init(roundTimeout: Duration) { self.roundTimeout = roundTimeout }

    public mutating func crash() { sessions = [:] }

    public mutating func receive(_ message: Message, from sender: EndpointID, _ context: ServiceContext) -> [Effect] {
        switch message {
        case let .request(request):
            guard sender == .client(request.id.client) else { return [.note("sign: dropped a request for another client from \(sender)")] }
            guard let key = FROSTCore.key(for: request.id, context) else {
                return [FROSTCore.refuse(request.id, context.keys.current() == nil ? .noKey : .wrongEpoch, context)]
            }
            guard !committed.contains(request.id) else { return [.note("sign: ignored a repeat of \(request.id)")] }
            guard FROSTCore.admissible(request, committed: committed, context) else {
                return [.note("sign: dropped a request for \(request.id) its client did not sign")]
            }
            committed.insert(request.id)
            let nonces = FROSTCore.commit(key, scheme: request.scheme, context)
            let keyHash = SignedCommitment.keyHash(key.groupKey, meter: context.meter)
            let signed = SignedCommitment(id: request.id, signer: context.me, keyHash: keyHash, commitment: nonces.commitment)
                .signed(by: context.identity, meter: context.meter)
            sessions[request.id] = Session(request: request, key: key, keyHash: keyHash,
                                           requestDigest: request.header(meter: context.meter).digest(meter: context.meter), nonces: nonces)
            // The session is forgotten after the wait the client asked for (at most the round
            // timeout): the client has given up on the attempt by then.
            return [.send(.commitment(signed), to: sender),
                    .setTimer(request.id, after: min(roundTimeout, .milliseconds(Int64(request.waitMilliseconds))))]
        case let .package(package):
            guard sender == .client(package.id.client) else { return [] }
            return handlePackage(package, context)
        case .commitment, .share, .refusal:
            return [.note("sign: ignored a message not meant for a coordinator-flow signer from \(sender)")]
        }
    }

    mutating func handlePackage(_ package: SigningPackageMessage, _ context: ServiceContext) -> [Effect] {
        guard var session = sessions[package.id] else { return [FROSTCore.refuse(package.id, .invalidPackage, context)] }
        // A repeat of a package already answered (a network duplicate) is ignored.
        guard let nonces = session.nonces else { return [.note("sign: ignored a repeat of the package for \(package.id)")] }
        let list = package.commitments.sorted { $0.signer < $1.signer }
        guard package.message == session.request.message, package.scheme == session.request.scheme,
              list.count >= session.key.threshold, FROSTCore.validList(list, id: package.id, key: session.key, keyHash: session.keyHash),
              list.first(where: { $0.signer == context.me })?.commitment == nonces.commitment
        else { return [FROSTCore.refuse(package.id, .invalidPackage, context)] }
        session.nonces = nil
        sessions[package.id] = session
        do {
            let (share, listDigest) = try FROSTCore.share(session.key, scheme: session.request.scheme, nonces: nonces, message: session.request.message,
                                                          commitments: list, context)
            let message = SignatureShareMessage(id: package.id, signer: context.me, requestDigest: session.requestDigest,
                                                listDigest: listDigest, share: share, commitments: [])
                .signed(by: context.identity, meter: context.meter)
            return [.output(.signed(package.id)), .send(.share(message), to: .client(package.id.client))]
        } catch {
            return [FROSTCore.refuse(package.id, .invalidPackage, context), .note("sign: \(package.id) not signed: \(error)")]
        }
    }

    public mutating func timerFired(_ id: AttemptID, _ context: ServiceContext) -> [Effect] {
        sessions[id] = nil
        return []
    }
}
