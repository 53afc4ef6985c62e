import Protocols
import Simulation
import ThresholdCrypto

/// `sign` with FROST, either flow: the client half of the signing services.
struct FROSTSignKind: RequestKind {
    struct Attempt {
        let id: AttemptID
        let message: [UInt8]
        /// The signed request (a third party checks a bad share against it).
        let request: SignRequest
        /// The nodes asked: only their answers count.
        let asked: Set<Int>
        /// The epoch's key and roster the attempt runs under (the client may move on meanwhile).
        let commitment: VSSCommitment
        let roster: Roster
        /// The final set (lit: asked up front; coordinator: the first `threshold` to commit).
        var signers: [Int]
        var commitments: [Int: SignedCommitment] = [:]
        /// Signers in the order their commitments arrived ("the first to answer").
        var arrivalOrder: [Int] = []
        var shares: [Int: SignatureShareMessage] = [:]
    }

    let op = "sign"
    let scheme: SigningScheme
    let flow: SigningFlow
    /// How long signers may wait for co-signers (`clients.cosigner_wait`), in milliseconds.
    let signerWait: UInt32
    var attempts: [Int: Attempt] = [:]
    /// Verification shares by epoch and node (each epoch's commitment gives its own).
    var verificationShares: [Epoch: [Int: Point]] = [:]
    var keyHash: [UInt8]?

    init(scheme: SigningScheme, flow: SigningFlow, cosignerWait: SimDuration) {
        self.scheme = scheme
        self.flow = flow
        signerWait = UInt32(clamping: cosignerWait.nanoseconds / 1_000_000)
    }

    func wrap(_ payload: SigningPayload) -> any WireMessage {
        switch flow {
        case .lit: SigningMessage<LitFlow>(payload)
        case .coordinator: SigningMessage<CoordinatorFlow>(payload)
        }
    }

    func payload(_ message: any WireMessage) -> SigningPayload? {
        switch flow {
        case .lit: (message as? SigningMessage<LitFlow>)?.payload
        case .coordinator: (message as? SigningMessage<CoordinatorFlow>)?.payload
        }
    }

    var protocolName: ProtocolName { flow == .lit ? LitFlow.protocolName : CoordinatorFlow.protocolName }

    func attempt(of message: any WireMessage) -> AttemptID? {
        switch payload(message) {
        case let .commitment(m)?: m.id
        case let .share(m)?: m.id
        case let .refusal(m)?: m.id
        default: nil
        }
    }

    mutating func keyChanged() {
        // Old epochs' verification shares serve only attempts still under way.
        if let newest = verificationShares.keys.max() { verificationShares = verificationShares.filter { $0.key == newest } }
    }

    mutating func begin(_ id: AttemptID, message: [UInt8], candidates: [Int], threshold: Int, _ io: inout ClientIO) -> [Int] {
        let commitment = io.groupCommitment!, roster = io.roster!
        switch flow {
        case .lit:
            let signers = Array(candidates.prefix(threshold)).sorted()
            let request = SignRequest(id: id, message: message, scheme: scheme, signers: signers.map(NodeID.init), waitMilliseconds: signerWait)
                .signed(by: io.identity, meter: io.meter)
            attempts[Int(id.request)] = Attempt(id: id, message: message, request: request, asked: Set(signers), commitment: commitment,
                                                roster: roster, signers: signers)
            for signer in signers { io.send(wrap(.request(request)), to: signer) }
            return signers
        case .coordinator:
            let request = SignRequest(id: id, message: message, scheme: scheme, signers: [], waitMilliseconds: signerWait)
                .signed(by: io.identity, meter: io.meter)
            attempts[Int(id.request)] = Attempt(id: id, message: message, request: request, asked: Set(candidates), commitment: commitment,
                                                roster: roster, signers: [])
            for node in candidates.sorted() { io.send(wrap(.request(request)), to: node) }
            return []
        }
    }

    mutating func receive(_ message: any WireMessage, from node: Int, request: Int, _ io: inout ClientIO) -> AttemptAnswer? {
        // Only the nodes this attempt asked have a say in it.
        guard var attempt = attempts[request], attempt.asked.contains(node), let payload = payload(message) else { return nil }
        defer { attempts[request] = attempt }
        switch payload {
        case let .commitment(commitment):
            let roster = attempt.roster
            guard commitment.signer.value == node, commitment.id == attempt.id, attempt.commitments[node] == nil,
                  let keyHash = expectedKeyHash(io),
                  commitment.hasValidSignature(io.directory, meter: io.meter) else { return nil }
            // A signed commitment under another's identifier or for another key is proof; it is
            // never used (the coordinator flow builds its package from the others).
            guard roster.identifier(of: commitment.signer)?.scalar == commitment.commitment.identifier, commitment.keyHash == keyHash,
                  !commitment.commitment.hiding.isIdentity, !commitment.commitment.binding.isIdentity else {
                io.blame(SigningEvidence.misboundCommitment(commitment))
                return flow == .lit ? .refused(node: node, forItself: true, missing: [], reason: "misbound-commitment") : nil
            }
            attempt.commitments[node] = commitment
            attempt.arrivalOrder.append(node)
            // Coordinator flow: the first `threshold` commitments make the signing package.
            if flow == .coordinator, attempt.signers.isEmpty, attempt.commitments.count >= attempt.commitment.threshold {
                let signers = Array(attempt.arrivalOrder.prefix(attempt.commitment.threshold)).sorted()
                attempt.signers = signers
                let package = SigningPackageMessage(id: attempt.id, message: attempt.message, scheme: scheme,
                                                    commitments: signers.map { attempt.commitments[$0]! })
                for signer in signers { io.send(wrap(.package(package)), to: signer) }
                return .finalSet(signers, acknowledged: node)
            }
            return .acknowledged(node: node)
        case let .share(share):
            guard share.signer.value == node, attempt.signers.contains(node), attempt.shares[node] == nil else { return nil }
            attempt.shares[node] = share
            return .answered(node: node)
        case let .refusal(refusal):
            guard refusal.signer.value == node else { return nil }
            return .refused(node: node, forItself: refusal.reason != .missingCommitments, missing: refusal.missing.map(\.value),
                            reason: refusal.reason.rawValue)
        case .request, .package:
            return nil
        }
    }

    mutating func end(request: Int) { attempts[request] = nil }

    /// The hash commitments for the handshake's key carry.
    mutating func expectedKeyHash(_ io: ClientIO) -> [UInt8]? {
        if let keyHash { return keyHash }
        guard let key = io.groupCommitment?.publicKey else { return nil }
        keyHash = SignedCommitment.keyHash(key, meter: io.meter)
        return keyHash
    }

    mutating func finish(request: Int, message: [UInt8], signers: [Int], _ io: inout ClientIO) -> AttemptOutcome {
        guard let attempt = attempts[request] else { return .failure(ClientFailure(.invalidSignature), invalid: true) }
        let groupCommitment = attempt.commitment, roster = attempt.roster
        let shares = signers.map { attempt.shares[$0]! }
        // The commitment list: the client's own copies, each checked when it arrived
        // (coordinator: the package it sent; lit: what each signer sent it directly).
        var own = attempt.commitments
        if flow == .lit {
            // A signer whose commitment did not reach the client: the first validly signed,
            // well-bound copy a share quotes.
            for share in shares {
                for quoted in share.commitments where own[quoted.signer.value] == nil && signers.contains(quoted.signer.value) {
                    if quoted.id == attempt.id, quoted.keyHash == expectedKeyHash(io), roster.identifier(of: quoted.signer)?.scalar == quoted.commitment.identifier,
                       !quoted.commitment.hiding.isIdentity, !quoted.commitment.binding.isIdentity,
                       quoted.hasValidSignature(io.directory, meter: io.meter) {
                        own[quoted.signer.value] = quoted
                    }
                }
            }
        }
        guard signers.allSatisfy({ own[$0] != nil }) else { return .failure(ClientFailure(.wrongSignerSet), invalid: false) }
        let list = signers.map { own[$0]! }
        var consistent = shares.map { _ in true }
        if flow == .lit {
            // Every share's list against the client's, by content: an entry that differs is a
            // forged quote (its signature fails) or a second commitment its signer signed.
            var provable = false
            for (position, share) in shares.enumerated() {
                guard share.commitments.map(\.signer) == list.map(\.signer) else {
                    consistent[position] = false
                    continue
                }
                for (index, quoted) in share.commitments.enumerated() where quoted != list[index] {
                    if quoted.id == list[index].id, quoted.keyHash == list[index].keyHash, quoted.commitment == list[index].commitment { continue }
                    consistent[position] = false
                    if quoted.id != attempt.id || !quoted.hasValidSignature(io.directory, meter: io.meter) {
                        if share.hasValidSignature(io.directory, meter: io.meter) {
                            io.blame(SigningEvidence.forgedQuote(share, index: index))
                            provable = true
                        }
                    } else {
                        io.blame(SigningEvidence.equivocation(list[index], quoted))
                        provable = true
                    }
                }
            }
            if provable, consistent.contains(false) {
                return .failure(ClientFailure(.equivocation, nodes: zip(signers, consistent).filter { !$0.1 }.map(\.0)), invalid: true)
            }
        }
        guard !consistent.contains(false) else {
            // Lists that differ with no proof of who made them differ: nobody can be judged.
            return .failure(ClientFailure(.inconsistentCommitments), invalid: false)
        }
        let (bytes, culprits) = switch scheme {
        case .frostSecp256k1: aggregate(FROST<FROSTSecp256k1>.self, attempt: attempt, list: list, shares: shares, message: message, groupCommitment, roster, &io)
        case .frostTaproot: aggregate(FROST<FROSTTaproot>.self, attempt: attempt, list: list, shares: shares, message: message, groupCommitment, roster, &io)
        }
        guard let bytes else { return .failure(ClientFailure(.invalidSignature, nodes: culprits), invalid: true) }
        return .success(signature: bytes)
    }

    mutating func aggregate<Suite: FROSTCiphersuite>(
        _ frost: FROST<Suite>.Type, attempt: Attempt, list: [SignedCommitment], shares: [SignatureShareMessage], message: [UInt8],
        _ groupCommitment: VSSCommitment, _ roster: Roster, _ io: inout ClientIO
    ) -> (signature: [UInt8]?, culprits: [Int]) {
        guard let (package, signature) = Self.combined(frost, shares: shares.map(\.share), list: list, message: message, groupCommitment, roster,
                                                       meter: io.meter, memo: io.memo)
        else { return (nil, []) }
        // Lit's SDK checks only the combined signature; shares are checked only when it fails.
        if let signature { return (signature, []) }
        var culprits = [Int]()
        for share in shares {
            guard let identifier = roster.identifier(of: share.signer) else { continue }
            if !FROST<Suite>.verifyShare(identifier: identifier.scalar, verificationShare: verificationShare(of: share.signer, groupCommitment, roster, io),
                                         share: share.share, package: package, meter: io.meter),
               share.hasValidSignature(io.directory, meter: io.meter) {
                io.blame(SigningEvidence.invalidShare(share, request: attempt.request, commitments: list))
                culprits.append(share.signer.value)
            }
        }
        return (nil, culprits)
    }

    /// The signing package of `list` and the aggregate of `shares` over it, serialised if it
    /// verifies under the group key (nil: a bad share, or a list that makes no package).
    /// With the run's memo, a package its signers derived already is not derived again (the
    /// meter is charged for it all the same; the list's digest, which names it, is the host's).
    static func combined<Suite: FROSTCiphersuite>(
        _ frost: FROST<Suite>.Type, shares: [Scalar], list: [SignedCommitment], message: [UInt8], _ groupCommitment: VSSCommitment, _ roster: Roster,
        meter: CostMeter, memo: CryptoMemo?
    ) -> (package: FROST<Suite>.SigningPackage, signature: [UInt8]?)? {
        let listDigest = memo == nil ? [] : SignatureShareMessage.listDigest(list, meter: CostMeter())
        guard let package = FROSTCore.signingPackage(frost, memo: memo, groupKey: groupCommitment.publicKey, threshold: groupCommitment.threshold,
                                                     identifierBound: roster.identifierBound, message: message, commitments: list,
                                                     listDigest: listDigest, meter: meter) else { return nil }
        let signature = FROST<Suite>.aggregate(shares: shares, package: package)
        return (package, FROST<Suite>.verify(signature, groupKey: groupCommitment.publicKey, message: message, meter: meter) ? Suite.serialize(signature) : nil)
    }

    mutating func verificationShare(of node: NodeID, _ groupCommitment: VSSCommitment, _ roster: Roster, _ io: ClientIO) -> Point {
        if let cached = verificationShares[roster.epoch]?[node.value] { return cached }
        let share = groupCommitment.evaluate(at: roster.identifier(of: node)!.scalar, meter: io.meter)
        verificationShares[roster.epoch, default: [:]][node.value] = share
        return share
    }
}
