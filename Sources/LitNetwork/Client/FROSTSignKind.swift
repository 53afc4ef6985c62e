import Protocols
import Simulation
import ThresholdCrypto

/// `sign` with FROST, either flow: the client half of the signing services.
struct FROSTSignKind: RequestKind {
    struct Attempt {
        let id: AttemptID
        let message: [UInt8]
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
    /// How long signers may wait for co-signers (Lit's SDK: three quarters of its timeout).
    let signerWait: UInt32
    var attempts: [Int: Attempt] = [:]
    var verificationShares: [Int: Point] = [:]

    init(scheme: SigningScheme, flow: SigningFlow, timeout: SimDuration) {
        self.scheme = scheme
        self.flow = flow
        signerWait = UInt32(clamping: timeout.nanoseconds / 1_000_000 * 3 / 4)
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

    mutating func begin(_ id: AttemptID, message: [UInt8], candidates: [Int], threshold: Int, _ io: inout ClientIO) -> [Int] {
        switch flow {
        case .lit:
            let signers = Array(candidates.prefix(threshold)).sorted()
            attempts[Int(id.request)] = Attempt(id: id, message: message, signers: signers)
            let request = SignRequest(id: id, message: message, scheme: scheme, signers: signers.map(NodeID.init), waitMilliseconds: signerWait)
            for signer in signers { io.send(wrap(.request(request)), to: signer) }
            return signers
        case .coordinator:
            attempts[Int(id.request)] = Attempt(id: id, message: message, signers: [])
            let request = SignRequest(id: id, message: message, scheme: scheme, signers: [], waitMilliseconds: signerWait)
            for node in candidates.sorted() { io.send(wrap(.request(request)), to: node) }
            return []
        }
    }

    mutating func receive(_ message: any WireMessage, from node: Int, request: Int, _ io: inout ClientIO) -> AttemptAnswer? {
        guard var attempt = attempts[request], let payload = payload(message) else { return nil }
        defer { attempts[request] = attempt }
        switch payload {
        case let .commitment(commitment):
            guard commitment.signer.value == node, attempt.commitments[node] == nil else { return nil }
            attempt.commitments[node] = commitment
            attempt.arrivalOrder.append(node)
            // Coordinator flow: the first `threshold` commitments make the signing package.
            if flow == .coordinator, attempt.signers.isEmpty, let groupCommitment = io.groupCommitment,
               attempt.commitments.count >= groupCommitment.threshold {
                let signers = Array(attempt.arrivalOrder.prefix(groupCommitment.threshold)).sorted()
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
            return .refused(node: node, forItself: refusal.reason != .missingCommitments, missing: refusal.missing.map(\.value))
        case .request, .package:
            return nil
        }
    }

    mutating func end(request: Int) { attempts[request] = nil }

    mutating func finish(request: Int, message: [UInt8], signers: [Int], _ io: inout ClientIO) -> AttemptOutcome {
        guard let attempt = attempts[request], let groupCommitment = io.groupCommitment, let roster = io.roster else {
            return .failure(ClientFailure(.invalidSignature), invalid: true)
        }
        let shares = signers.map { attempt.shares[$0]! }
        // The commitment list: the client's own (coordinator) or the one the signers used (lit).
        let list: [SignedCommitment]
        if flow == .coordinator {
            list = signers.map { attempt.commitments[$0]! }
        } else {
            list = shares[0].commitments
            if let (first, second) = equivocation(in: shares, direct: attempt.commitments, io) {
                io.blame(SigningEvidence.equivocation(first, second))
                return .failure(ClientFailure(.equivocation, nodes: [first.signer.value]), invalid: true)
            }
            // Shares over different commitment lists cannot be judged against one package:
            // blaming on them could accuse an honest signer, so the attempt just fails.
            if Set(shares.map { $0.commitments.map(\.signedEncoding) }).count > 1 {
                return .failure(ClientFailure(.inconsistentCommitments), invalid: false)
            }
        }
        guard list.map(\.signer.value) == signers else { return .failure(ClientFailure(.wrongSignerSet), invalid: false) }
        let bytes: [UInt8]? = switch scheme {
        case .frostSecp256k1: aggregate(FROST<FROSTSecp256k1>.self, list: list, shares: shares, message: message, groupCommitment, roster, &io)
        case .frostTaproot: aggregate(FROST<FROSTTaproot>.self, list: list, shares: shares, message: message, groupCommitment, roster, &io)
        }
        guard let bytes else { return .failure(ClientFailure(.invalidSignature), invalid: true) }
        return .success(signature: bytes)
    }

    /// A signer whose commitment for this attempt differs between two validly signed versions.
    func equivocation(in shares: [SignatureShareMessage], direct: [Int: SignedCommitment], _ io: ClientIO) -> (SignedCommitment, SignedCommitment)? {
        var seen = direct
        for share in shares {
            for commitment in share.commitments {
                let signer = commitment.signer.value
                guard let earlier = seen[signer] else {
                    seen[signer] = commitment
                    continue
                }
                if earlier.id == commitment.id, earlier.commitment != commitment.commitment,
                   earlier.hasValidSignature(io.directory, meter: io.meter), commitment.hasValidSignature(io.directory, meter: io.meter) {
                    return (earlier, commitment)
                }
            }
        }
        return nil
    }

    mutating func aggregate<Suite: FROSTCiphersuite>(
        _ frost: FROST<Suite>.Type, list: [SignedCommitment], shares: [SignatureShareMessage], message: [UInt8],
        _ groupCommitment: VSSCommitment, _ roster: Roster, _ io: inout ClientIO
    ) -> [UInt8]? {
        let key = groupCommitment.publicKey
        guard let package = try? FROST<Suite>.signingPackage(groupKey: key, commitments: list.map(\.commitment), message: message, meter: io.meter)
        else { return nil }
        let signature = FROST<Suite>.aggregate(shares: shares.map(\.share), package: package)
        // Lit's SDK checks only the combined signature; shares are checked only when it fails.
        if FROST<Suite>.verify(signature, groupKey: key, message: message, meter: io.meter) { return Suite.serialize(signature) }
        for share in shares {
            guard let identifier = roster.identifier(of: share.signer) else { continue }
            if !FROST<Suite>.verifyShare(identifier: identifier.scalar, verificationShare: verificationShare(of: share.signer, groupCommitment, roster, io),
                                         share: share.share, package: package, meter: io.meter),
               share.hasValidSignature(io.directory, meter: io.meter) {
                io.blame(SigningEvidence.invalidShare(share, commitments: list, message: message, scheme: scheme,
                                                      groupCommitment: groupCommitment, roster: roster))
            }
        }
        return nil
    }

    mutating func verificationShare(of node: NodeID, _ groupCommitment: VSSCommitment, _ roster: Roster, _ io: ClientIO) -> Point {
        if let cached = verificationShares[node.value] { return cached }
        let share = groupCommitment.evaluate(at: roster.identifier(of: node)!.scalar, meter: io.meter)
        verificationShares[node.value] = share
        return share
    }
}
