import ThresholdCrypto

/// What every participant of one DKG session agrees on beforehand (from the staking
/// contract: the validator set, their identity keys, the threshold).
public struct DKGConfiguration: Sendable {
    /// 32 bytes naming this run (epoch and realm); bound into every proof and signature.
    public let session: [UInt8]
    public let participants: Int
    /// Shares needed to reconstruct: the polynomials have `threshold` coefficients.
    public let threshold: Int
    /// BIP-340 x-only identity keys, by node.
    public let identityKeys: [[UInt8]]
    public let roundTimeout: Duration
    /// Shared by the participants of one simulated run so each check is computed once.
    public let memo: CryptoMemo?

    public init(session: [UInt8], participants: Int, threshold: Int, identityKeys: [[UInt8]], roundTimeout: Duration, memo: CryptoMemo? = nil) {
        self.memo = memo
        precondition(session.count == 32, "session id is 32 bytes")
        precondition(threshold >= 1 && threshold <= participants, "1 ≤ threshold ≤ participants")
        precondition(identityKeys.count == participants, "one identity key per participant")
        self.session = session
        self.participants = participants
        self.threshold = threshold
        self.identityKeys = identityKeys
        self.roundTimeout = roundTimeout
    }

    /// The nonzero scalar node `node`'s share is evaluated at: node id + 1.
    public func identifier(of node: Int) -> Scalar { Scalar(UInt64(node + 1)) }
}

/// Misbehaviour a participant can prove to anyone from signed messages.
public enum DKGBlameReason: String, Sendable, Comparable {
    case invalidProof = "invalid-proof"
    case wrongCommitmentLength = "wrong-commitment-length"
    case invalidShare = "invalid-share"
    case equivocation = "equivocation"
    case falseComplaint = "false-complaint"
    case invalidJustification = "invalid-justification"

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

public struct DKGAccusation: Sendable, Hashable, Comparable {
    public let node: Int
    public let reason: DKGBlameReason

    public static func < (a: Self, b: Self) -> Bool { (a.node, a.reason) < (b.node, b.reason) }
}

/// A finished DKG as one node sees it.
public struct DKGResult: Sendable {
    public let groupPublicKey: Point
    /// Dealers whose polynomials make up the key, ascending.
    public let qualified: [Int]
    /// Σ of the qualified dealers' commitments: every verification share derives from it.
    public let groupCommitment: VSSCommitment
    /// This node's share of the group secret. Never printed, never traced.
    public let secretShare: Scalar
    /// False when the shares this node kept do not add up to its verification share (only
    /// possible when colluding dealers cancelled each other's errors and one was dropped).
    public let shareIsConsistent: Bool
    public let transcriptDigest: [UInt8]
    /// Nodes this node proved misbehaved.
    public let accused: [DKGAccusation]
    /// Nodes that missed a round this node waited for (not accused: could be the network).
    public let unresponsive: [Int]
    public let threshold: Int

    /// Node `node`'s public verification share: the group commitment evaluated at its identifier.
    /// - Complexity: threshold − 1 point multiplications.
    public func verificationShare(of node: Int, meter: CostMeter) -> Point {
        groupCommitment.evaluate(at: Scalar(UInt64(node + 1)), meter: meter)
    }
}

public enum DKGFailure: Sendable, Equatable, CustomStringConvertible {
    /// Fewer than `threshold` dealers qualified.
    case tooFewQualified(Int)
    /// The agreement round timed out with fewer than `threshold` matching digests.
    case noAgreement(matching: Int)

    public var description: String {
        switch self {
        case let .tooFewQualified(count): "only \(count) dealers qualified"
        case let .noAgreement(matching): "agreement timed out with \(matching) matching digests"
        }
    }
}

public enum DKGAction: Sendable {
    /// To every other participant.
    case broadcast(DKGMessage)
    case send(DKGMessage, to: Int)
    case setTimer(DKGRound, after: Duration)
    case output(DKGResult)
    case abort(DKGFailure)
    /// Something worth a line in the trace (no secrets).
    case note(String)
}

/// One participant of the PedPoP DKG with complaints, justifications and agreement.
///
/// Rounds: (1) broadcast commitments and a proof of knowledge; (2) send each peer its share;
/// (3) broadcast complaints (bad shares with the dealer's signed share as evidence, missing
/// shares) and an echo of every round-1 digest; (4) dealers answer missing-share complaints
/// with the signed shares, now public; (5) broadcast the transcript digest and finish when a
/// threshold of participants agree. Each round waits for the peers it expects until the round
/// timeout. A sans-IO state machine: inputs in, actions out.
public struct DKGParticipant: Sendable {
    public enum Phase: Sendable, Equatable {
        case idle, commitments, shares, complaints, justifications, agreement, finished, failed
    }

    public let configuration: DKGConfiguration
    public let me: Int
    let identity: NodeIdentity
    public private(set) var phase = Phase.idle

    var polynomial: Polynomial?
    var commitments: [DKGCommitments?]
    var commitmentDigests: [[UInt8]?]
    var shares: [DKGShare?]
    var complaintMessages: [DKGComplaints?]
    var justifications: [DKGJustification?]
    var agreements: [DKGAgreement?]
    var passedRoundOne: [Bool]
    var disqualified: [Bool]
    var accusations: [DKGAccusation] = []
    var unresponsive: [Bool]
    /// (dealer, complainer) pairs waiting for a justification.
    var openComplaints: [(dealer: Int, complainer: Int)] = []
    var agreementDigest: [UInt8]?
    var pendingResult: DKGResult?

    public init(configuration: DKGConfiguration, me: Int, identity: NodeIdentity) {
        precondition(me >= 0 && me < configuration.participants, "participant index out of range")
        self.configuration = configuration
        self.me = me
        self.identity = identity
        let n = configuration.participants
        commitments = Array(repeating: nil, count: n)
        commitmentDigests = Array(repeating: nil, count: n)
        shares = Array(repeating: nil, count: n)
        complaintMessages = Array(repeating: nil, count: n)
        justifications = Array(repeating: nil, count: n)
        agreements = Array(repeating: nil, count: n)
        passedRoundOne = Array(repeating: false, count: n)
        disqualified = Array(repeating: false, count: n)
        unresponsive = Array(repeating: false, count: n)
    }

    var n: Int { configuration.participants }
    var threshold: Int { configuration.threshold }
    var session: [UInt8] { configuration.session }

    /// The context a dealer's proof of knowledge is bound to: session and identifier.
    public static func proofContext(session: [UInt8], identifier: Scalar) -> [UInt8] {
        Array("LitSim-v1-DKG-pok".utf8) + session + identifier.bytes
    }

    // MARK: Inputs

    /// Round 1: draw the polynomial, commit, prove, broadcast.
    public mutating func start<R: RandomNumberGenerator>(using rng: inout R, meter: CostMeter) -> [DKGAction] {
        guard phase == .idle else { return [] }
        let secret = Scalar.randomNonZero(using: &rng)
        let polynomial = Polynomial.random(constant: secret, threshold: threshold, using: &rng)
        self.polynomial = polynomial
        let commitment = polynomial.commitment(meter: meter)
        let proof = SchnorrProof.prove(
            secret: secret, publicKey: commitment.publicKey,
            context: Self.proofContext(session: session, identifier: configuration.identifier(of: me)), using: &rng, meter: meter)
        let message = sign(.commitments(DKGCommitments(session: session, sender: me, commitment: commitment, proof: proof, signature: [])), meter: meter)
        guard case let .commitments(signed) = message else { return [] }
        commitments[me] = signed
        commitmentDigests[me] = signed.digest(meter: meter)
        phase = .commitments
        var actions: [DKGAction] = [.broadcast(message), .setTimer(.commitments, after: configuration.roundTimeout)]
        actions += advance(meter: meter)
        return actions
    }

    /// A message from another participant. Anything malformed, unsigned or out of place is
    /// dropped with a note; nothing here traps on remote input.
    public mutating func receive(_ message: DKGMessage, from sender: Int, meter: CostMeter) -> [DKGAction] {
        guard phase != .finished, phase != .failed, phase != .idle else { return [] }
        guard sender >= 0, sender < n, sender != me, message.sender == sender else {
            return [.note("dkg: dropped a message claiming sender \(message.sender) from \(sender)")]
        }
        guard message.session == session else {
            return [.note("dkg: dropped a message for another session from \(sender)")]
        }
        let digest = NodeIdentity.digest(message.signedBytes, domain: dkgSignatureDomain, meter: meter)
        guard NodeIdentity.verify(message.signature, digest: digest, publicKey: configuration.identityKeys[sender], meter: meter,
                                  memo: configuration.memo) else {
            return [.note("dkg: dropped a message with a bad signature from \(sender)")]
        }
        var actions = [DKGAction]()
        switch message {
        case let .commitments(package):
            if let existing = commitments[sender] {
                if existing != package, !disqualified[sender] {
                    // Two differently signed round-1 broadcasts: equivocation, proven.
                    disqualify(sender, .equivocation, &actions)
                }
                return actions
            }
            commitments[sender] = package
            commitmentDigests[sender] = digest
        case let .share(share):
            guard share.receiver == me else { return [.note("dkg: share from \(sender) addressed to \(share.receiver)")] }
            if shares[sender] == nil { shares[sender] = share }
        case let .complaints(complaints):
            if complaintMessages[sender] == nil { complaintMessages[sender] = complaints }
        case let .justification(justification):
            if justifications[sender] == nil { justifications[sender] = justification }
        case let .agreement(agreement):
            if agreements[sender] == nil { agreements[sender] = agreement }
        }
        actions += advance(meter: meter)
        return actions
    }

    /// A round's timeout: stop waiting and go on with what arrived.
    public mutating func timerFired(_ round: DKGRound, meter: CostMeter) -> [DKGAction] {
        var actions = [DKGAction]()
        switch (round, phase) {
        case (.commitments, .commitments): completeCommitments(&actions, meter: meter)
        case (.shares, .shares): completeShares(&actions, meter: meter)
        case (.complaints, .complaints): completeComplaints(&actions, meter: meter)
        case (.justifications, .justifications): completeJustifications(&actions, meter: meter)
        case (.agreement, .agreement):
            phase = .failed
            actions.append(.abort(.noAgreement(matching: matchingAgreements)))
        default: return []
        }
        actions += advance(meter: meter)
        return actions
    }

    // MARK: Rounds

    /// Runs every round whose inputs are complete.
    mutating func advance(meter: CostMeter) -> [DKGAction] {
        var actions = [DKGAction]()
        while true {
            let before = phase
            switch phase {
            case .commitments where commitments.allSatisfy({ $0 != nil }):
                completeCommitments(&actions, meter: meter)
            case .shares where participants.allSatisfy({ shares[$0] != nil || !passedRoundOne[$0] }):
                completeShares(&actions, meter: meter)
            case .complaints where participants.allSatisfy({ complaintMessages[$0] != nil }):
                completeComplaints(&actions, meter: meter)
            case .justifications where openComplaints.allSatisfy({ justifications[$0.dealer] != nil }):
                completeJustifications(&actions, meter: meter)
            case .agreement where matchingAgreements >= threshold:
                phase = .finished
                actions.append(.output(pendingResult!))
            default:
                break
            }
            if phase == before { return actions }
        }
    }

    /// Everyone who broadcast round 1 (this node included): the peers later rounds wait for.
    var participants: [Int] { (0..<n).filter { commitments[$0] != nil } }

    var matchingAgreements: Int {
        guard let agreementDigest else { return 0 }
        return agreements.filter { $0?.digest == agreementDigest }.count
    }

    mutating func completeCommitments(_ actions: inout [DKGAction], meter: CostMeter) {
        for dealer in 0..<n {
            guard let package = commitments[dealer] else {
                markUnresponsive(dealer, in: "commitments", &actions)
                continue
            }
            if dealer == me || disqualified[dealer] {
                passedRoundOne[dealer] = !disqualified[dealer]
                continue
            }
            if package.commitment.threshold != threshold {
                // More coefficients than the threshold would raise it: rejected, and provable.
                disqualify(dealer, .wrongCommitmentLength, &actions)
            } else if !verifyProof(package, dealer: dealer, meter: meter) {
                disqualify(dealer, .invalidProof, &actions)
            } else {
                passedRoundOne[dealer] = true
            }
        }
        // Round 2: a share for every other node, whether or not it was heard in round 1.
        let polynomial = polynomial!
        shares[me] = DKGShare(session: session, sender: me, receiver: me,
                              share: polynomial.evaluate(at: configuration.identifier(of: me)), signature: [])
        for receiver in 0..<n where receiver != me {
            let share = DKGShare(session: session, sender: me, receiver: receiver,
                                 share: polynomial.evaluate(at: configuration.identifier(of: receiver)), signature: [])
            actions.append(.send(sign(.share(share), meter: meter), to: receiver))
        }
        phase = .shares
        actions.append(.setTimer(.shares, after: configuration.roundTimeout))
    }

    mutating func completeShares(_ actions: inout [DKGAction], meter: CostMeter) {
        var complaints = [DKGComplaint]()
        var received = [VSS.DealtShare<Int>]()
        for dealer in 0..<n where passedRoundOne[dealer] && dealer != me {
            if let share = shares[dealer] {
                received.append(VSS.DealtShare(dealer: dealer, share: share.share, commitment: commitments[dealer]!.commitment))
            } else {
                markUnresponsive(dealer, in: "shares", &actions)
                complaints.append(.missingShare(dealer: dealer))
            }
        }
        // One aggregated check; per-dealer checks only when it fails, to name the culprits.
        for culprit in VSS.verifyBatch(received, at: configuration.identifier(of: me), meter: meter) {
            complaints.append(.invalidShare(shares[culprit]!))
        }
        complaints.sort { complaintDealer($0) < complaintDealer($1) }
        let echoes = (0..<n).compactMap { dealer -> DKGEcho? in
            guard let package = commitments[dealer], let digest = commitmentDigests[dealer] else { return nil }
            return DKGEcho(dealer: dealer, digest: digest, signature: package.signature)
        }
        let message = sign(.complaints(DKGComplaints(session: session, sender: me, complaints: complaints, echoes: echoes, signature: [])), meter: meter)
        if case let .complaints(mine) = message { complaintMessages[me] = mine }
        if !complaints.isEmpty { actions.append(.note("dkg: complaints against \(complaints.map { complaintDealer($0) })")) }
        actions.append(.broadcast(message))
        phase = .complaints
        actions.append(.setTimer(.complaints, after: configuration.roundTimeout))
    }

    func complaintDealer(_ complaint: DKGComplaint) -> Int {
        switch complaint {
        case let .invalidShare(share): share.sender
        case let .missingShare(dealer): dealer
        }
    }

    mutating func completeComplaints(_ actions: inout [DKGAction], meter: CostMeter) {
        for complainer in participants {
            guard let message = complaintMessages[complainer] else {
                markUnresponsive(complainer, in: "complaints", &actions)
                continue
            }
            if complainer != me { checkEchoes(message.echoes, &actions, meter: meter) }
            for complaint in message.complaints {
                switch complaint {
                case let .invalidShare(evidence):
                    judgeInvalidShareComplaint(evidence, from: complainer, &actions, meter: meter)
                case let .missingShare(dealer):
                    guard dealer >= 0, dealer < n, passedRoundOne[dealer], !disqualified[dealer], dealer != complainer else { continue }
                    openComplaints.append((dealer, complainer))
                }
            }
        }
        openComplaints.removeAll { disqualified[$0.dealer] }
        guard !openComplaints.isEmpty else {
            finalize(&actions, meter: meter)
            return
        }
        let mine = openComplaints.filter { $0.dealer == me }.map(\.complainer)
        if !mine.isEmpty {
            let polynomial = polynomial!
            let published = mine.map { receiver in
                let share = DKGShare(session: session, sender: me, receiver: receiver,
                                     share: polynomial.evaluate(at: configuration.identifier(of: receiver)), signature: [])
                guard case let .share(signed) = sign(.share(share), meter: meter) else { fatalError("sign keeps the case") }
                return signed
            }
            let message = sign(.justification(DKGJustification(session: session, sender: me, shares: published, signature: [])), meter: meter)
            if case let .justification(own) = message { justifications[me] = own }
            actions.append(.broadcast(message))
        }
        phase = .justifications
        actions.append(.setTimer(.justifications, after: configuration.roundTimeout))
    }

    func verifyProof(_ package: DKGCommitments, dealer: Int, meter: CostMeter) -> Bool {
        let context = Self.proofContext(session: session, identifier: configuration.identifier(of: dealer))
        let check = { (local: CostMeter) in package.proof.verify(publicKey: package.commitment.publicKey, context: context, meter: local) }
        guard let memo = configuration.memo else { return check(meter) }
        return memo.proofs.value(for: [package.signature, package.signedBytes], meter: meter, compute: check)
    }

    /// A complaint that carries the dealer's signed share: the share decides who lied.
    mutating func judgeInvalidShareComplaint(_ evidence: DKGShare, from complainer: Int, _ actions: inout [DKGAction], meter: CostMeter) {
        let dealer = evidence.sender
        guard dealer >= 0, dealer < n, evidence.receiver == complainer, evidence.session == session,
              evidence.hasValidSignature(keys: configuration.identityKeys, meter: meter, memo: configuration.memo)
        else {
            // The complainer signed a complaint around a share the dealer never signed.
            disqualify(complainer, .falseComplaint, &actions, exclude: false)
            return
        }
        guard passedRoundOne[dealer], let package = commitments[dealer] else { return }
        if VSS.verify(share: evidence.share, at: configuration.identifier(of: complainer), against: package.commitment, meter: meter) {
            disqualify(complainer, .falseComplaint, &actions, exclude: false)
        } else {
            disqualify(dealer, .invalidShare, &actions)
        }
    }

    /// Another node's view of the round-1 broadcasts: a validly signed digest that differs
    /// from ours proves the dealer signed two different broadcasts.
    mutating func checkEchoes(_ echoes: [DKGEcho], _ actions: inout [DKGAction], meter: CostMeter) {
        for echo in echoes {
            guard echo.dealer >= 0, echo.dealer < n, echo.dealer != me, !disqualified[echo.dealer],
                  let ours = commitmentDigests[echo.dealer], ours != echo.digest,
                  NodeIdentity.verify(echo.signature, digest: echo.digest, publicKey: configuration.identityKeys[echo.dealer], meter: meter,
                                      memo: configuration.memo)
            else { continue }
            disqualify(echo.dealer, .equivocation, &actions)
        }
    }

    mutating func completeJustifications(_ actions: inout [DKGAction], meter: CostMeter) {
        for (dealer, complainer) in openComplaints where !disqualified[dealer] {
            guard let justification = justifications[dealer] else {
                // Unanswered: excluded, but not accused (the dealer may simply be cut off).
                disqualified[dealer] = true
                markUnresponsive(dealer, in: "justifications", &actions)
                continue
            }
            guard let share = justification.shares.first(where: { $0.receiver == complainer }),
                  share.sender == dealer, share.session == session,
                  share.hasValidSignature(keys: configuration.identityKeys, meter: meter, memo: configuration.memo),
                  VSS.verify(share: share.share, at: configuration.identifier(of: complainer),
                             against: commitments[dealer]!.commitment, meter: meter)
            else {
                disqualify(dealer, .invalidJustification, &actions)
                continue
            }
            if complainer == me { shares[dealer] = share }
        }
        finalize(&actions, meter: meter)
    }

    mutating func finalize(_ actions: inout [DKGAction], meter: CostMeter) {
        let qualified = (0..<n).filter { passedRoundOne[$0] && !disqualified[$0] && shares[$0] != nil }
        guard qualified.count >= threshold else {
            phase = .failed
            actions.append(.abort(.tooFewQualified(qualified.count)))
            return
        }
        var secretShare = Scalar.zero
        for dealer in qualified { secretShare += shares[dealer]!.share }
        let groupCommitment = VSSCommitment.sum(qualified.map { commitments[$0]!.commitment }, meter: meter)
        let myIdentifier = configuration.identifier(of: me)
        // The batch check covered the dealers heard in round 2; the key uses `qualified`, so
        // check the share this node keeps against its verification share once more.
        let consistent = Point.base(secretShare, meter: meter) == groupCommitment.evaluate(at: myIdentifier, meter: meter)
        if !consistent {
            let culprits = qualified.filter {
                !VSS.verify(share: shares[$0]!.share, at: myIdentifier, against: commitments[$0]!.commitment, meter: meter)
            }
            actions.append(.note("dkg: kept shares from \(culprits) do not match their commitments"))
        }
        var transcript = ByteWriter()
        transcript.append(bytes: session)
        transcript.append(UInt16(truncatingIfNeeded: qualified.count))
        for dealer in qualified {
            transcript.append(node: dealer)
            transcript.append(bytes: commitmentDigests[dealer]!)
        }
        let digest = Hashing.sha256(Array("LitSim-v1-DKG-transcript".utf8), transcript.bytes, meter: meter)
        agreementDigest = digest
        pendingResult = DKGResult(
            groupPublicKey: groupCommitment.publicKey, qualified: qualified, groupCommitment: groupCommitment,
            secretShare: secretShare, shareIsConsistent: consistent, transcriptDigest: digest,
            accused: accusations.sorted(), unresponsive: (0..<n).filter { unresponsive[$0] }, threshold: threshold)
        let message = sign(.agreement(DKGAgreement(session: session, sender: me, digest: digest, signature: [])), meter: meter)
        if case let .agreement(own) = message { agreements[me] = own }
        actions.append(.broadcast(message))
        phase = .agreement
        actions.append(.setTimer(.agreement, after: configuration.roundTimeout))
    }

    // MARK: Helpers

    mutating func disqualify(_ node: Int, _ reason: DKGBlameReason, _ actions: inout [DKGAction], exclude: Bool = true) {
        if exclude { disqualified[node] = true }
        let accusation = DKGAccusation(node: node, reason: reason)
        guard !accusations.contains(accusation) else { return }
        accusations.append(accusation)
        actions.append(.note("dkg: node \(node) proven \(reason.rawValue)"))
    }

    mutating func markUnresponsive(_ node: Int, in round: String, _ actions: inout [DKGAction]) {
        guard !unresponsive[node] else { return }
        unresponsive[node] = true
        actions.append(.note("dkg: non-participation complaint against \(node) in \(round)"))
    }

    /// The message with this node's signature.
    func sign(_ message: DKGMessage, meter: CostMeter) -> DKGMessage {
        message.signed(by: identity, meter: meter)
    }
}

extension DKGMessage {
    /// The same message signed by `identity` (used by honest nodes and, with altered
    /// contents, by Byzantine ones: a node signs whatever it chooses to send).
    public func signed(by identity: NodeIdentity, meter: CostMeter) -> DKGMessage {
        switch self {
        case let .commitments(m): .commitments(m.signed(by: identity, meter: meter))
        case let .share(m): .share(m.signed(by: identity, meter: meter))
        case let .complaints(m): .complaints(m.signed(by: identity, meter: meter))
        case let .justification(m): .justification(m.signed(by: identity, meter: meter))
        case let .agreement(m): .agreement(m.signed(by: identity, meter: meter))
        }
    }
}
