import ThresholdCrypto

/// What every participant of one DKG session agrees on beforehand (from the staking
/// contract: the roster and its identity keys, the threshold).
public struct DKGConfiguration: Sendable {
    /// Names this run of the DKG; bound into every proof and signature.
    public let session: SessionID
    /// The participants, who deal and receive; identifiers come from it.
    public let roster: Roster
    /// Shares needed to reconstruct: the polynomials have `threshold` coefficients.
    public let threshold: Int
    public let directory: IdentityDirectory
    public let roundTimeout: Duration
    /// Which key the finished DKG installs in the node's key store.
    public let key: KeyID

    public init(session: SessionID, roster: Roster, threshold: Int, directory: IdentityDirectory, roundTimeout: Duration,
                key: KeyID = .group) {
        precondition(session.protocolName == dkgProtocol, "a DKG session")
        precondition(session.epoch == roster.epoch, "the session's epoch is the roster's")
        precondition(threshold >= 1 && threshold <= roster.count, "1 ≤ threshold ≤ participants")
        precondition(roster.members.allSatisfy { directory.key(of: $0) != nil }, "an identity key per participant")
        self.session = session
        self.roster = roster
        self.threshold = threshold
        self.directory = directory
        self.roundTimeout = roundTimeout
        self.key = key
    }

    /// The genesis session: epoch 0, started by the roster's first member, attempt 0.
    public static func genesisSession(roster: Roster, attempt: UInt64 = 0) -> SessionID {
        SessionID(protocolName: dkgProtocol, epoch: roster.epoch, initiator: .node(roster.members[0]), counter: attempt)
    }

    public var participants: Int { roster.count }
}

/// A finished DKG as one node sees it.
public struct DKGResult: Sendable {
    public let roster: Roster
    public let groupPublicKey: Point
    /// Dealers whose polynomials make up the key, ascending.
    public let qualified: [NodeID]
    /// Σ of the qualified dealers' commitments: every verification share derives from it.
    public let groupCommitment: VSSCommitment
    /// This node's share of the group secret. Never printed, never traced.
    public let secretShare: Scalar
    /// False when the shares this node kept do not add up to its verification share (only
    /// possible when colluding dealers cancelled each other's errors and one was dropped).
    public let shareIsConsistent: Bool
    public let transcriptDigest: [UInt8]
    /// Nodes this node proved misbehaved, with the proofs.
    public let accused: [Accusation]
    /// Nodes that missed a round this node waited for (not accused: could be the network).
    public let unresponsive: [NodeID]
    public let threshold: Int

    /// A node's public verification share: the group commitment evaluated at its identifier.
    /// - Complexity: threshold − 1 point multiplications.
    public func verificationShare(of node: NodeID, meter: CostMeter) -> Point? {
        roster.identifier(of: node).map { groupCommitment.evaluate(at: $0.scalar, meter: meter) }
    }
}

public enum DKGFailure: Sendable, Equatable, CustomStringConvertible {
    /// Fewer than `threshold` dealers qualified.
    case tooFewQualified(Int)
    /// The agreement round timed out with fewer than `threshold` matching digests.
    case noAgreement(matching: Int)

    /// A stable code for reports.
    public var code: String {
        switch self {
        case .tooFewQualified: "too-few-qualified"
        case .noAgreement: "no-agreement"
        }
    }

    public var description: String {
        switch self {
        case let .tooFewQualified(count): "only \(count) dealers qualified"
        case let .noAgreement(matching): "agreement timed out with \(matching) matching digests"
        }
    }
}

/// What the DKG tells its host.
public enum DKGOutcome: Sendable {
    /// The node entered a phase (for timelines).
    case phase(DKGParticipant.Phase)
    case finished(DKGResult)
    case failed(DKGFailure)
}

/// One participant of the PedPoP DKG with complaints, justifications and agreement.
///
/// Rounds: (1) broadcast commitments and a proof of knowledge; (2) send each peer its share;
/// (3) broadcast complaints (bad shares with the dealer's signed share as evidence, missing
/// shares) and an echo of every round-1 header; (4) dealers answer missing-share complaints
/// with the signed shares, now public; (5) broadcast the transcript digest and finish when a
/// threshold of participants agree. Each round waits for the peers it expects until the round
/// timeout. A sans-IO state machine (a `NodeService`): inputs in, effects out. A finished DKG
/// installs its key share in the node's key store.
public struct DKGParticipant: NodeService, Sendable {
    public typealias Message = DKGMessage
    public typealias Timer = DKGRound
    public typealias Output = DKGOutcome

    public enum Phase: String, Sendable, Equatable, CaseIterable {
        case idle, commitments, shares, complaints, justifications, agreement, finished, failed
    }

    public let configuration: DKGConfiguration
    public let me: NodeID
    /// This node's position in the roster: the index of its entries in the arrays below.
    let mine: Int
    public private(set) var phase = Phase.idle

    var polynomial: Polynomial?
    var commitments: [DKGCommitments?]
    var commitmentHeaders: [SignedStatement?]
    var shares: [DKGShare?]
    var complaintMessages: [DKGComplaints?]
    var justifications: [DKGJustification?]
    var agreements: [DKGAgreement?]
    var passedRoundOne: [Bool]
    var disqualified: [Bool]
    var accusations: [Accusation] = []
    var accusationKeys: Set<String> = []
    var unresponsive: [Bool]
    /// (dealer, complainer) positions waiting for a justification.
    var openComplaints: [(dealer: Int, complainer: Int)] = []
    var agreementDigest: [UInt8]?
    var pendingResult: DKGResult?

    public init(configuration: DKGConfiguration, me: NodeID) {
        guard let position = configuration.roster.position(of: me) else { preconditionFailure("\(me) is not a participant") }
        self.configuration = configuration
        self.me = me
        mine = position
        let n = configuration.participants
        commitments = Array(repeating: nil, count: n)
        commitmentHeaders = Array(repeating: nil, count: n)
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
    var session: SessionID { configuration.session }
    var roster: Roster { configuration.roster }
    func node(_ position: Int) -> NodeID { roster.members[position] }
    var others: [NodeID] { roster.members.filter { $0 != me } }

    /// The context a dealer's proof of knowledge is bound to: session and identifier.
    public static func proofContext(session: SessionID, identifier: Identifier) -> [UInt8] {
        var writer = ByteWriter()
        writer.append(bytes: Array("LitSim/v2 DKG proof of knowledge".utf8))
        session.write(&writer)
        writer.append(identifier.scalar)
        return writer.bytes
    }

    // MARK: Inputs

    /// Round 1: draw the polynomial, commit, prove, broadcast.
    public mutating func start(_ context: ServiceContext) -> [Effect] {
        guard phase == .idle else { return [] }
        let meter = context.meter
        var rng = context.random
        let secret = Scalar.randomNonZero(using: &rng)
        let polynomial = Polynomial.random(constant: secret, threshold: threshold, using: &rng)
        self.polynomial = polynomial
        let commitment = polynomial.commitment(meter: meter)
        let proof = SchnorrProof.prove(
            secret: secret, publicKey: commitment.publicKey,
            context: Self.proofContext(session: session, identifier: roster.identifier(at: mine)), using: &rng, meter: meter)
        let signed = DKGCommitments(session: session, sender: me, commitment: commitment, proof: proof).signed(by: context.identity, meter: meter)
        commitments[mine] = signed
        commitmentHeaders[mine] = signed.statement(meter: meter)
        var effects = enter(.commitments)
        effects += [.broadcast(.commitments(signed), to: others), .setTimer(.commitments, after: configuration.roundTimeout)]
        effects += advance(context)
        return effects
    }

    /// A message from another participant. Anything malformed, unsigned or out of place is
    /// dropped with a note; nothing here traps on remote input.
    public mutating func receive(_ message: DKGMessage, from sender: EndpointID, _ context: ServiceContext) -> [Effect] {
        guard phase != .finished, phase != .failed, phase != .idle else { return [] }
        let meter = context.meter
        guard sender == .node(message.sender), let from = roster.position(of: message.sender), from != mine else {
            return [.note("dkg: dropped a message claiming \(message.sender) from \(sender)")]
        }
        guard message.session == session else {
            return [.note("dkg: dropped a message for another session from \(sender)")]
        }
        if case let .complaints(list) = message, list.complaints.count > n || list.echoes.count > n {
            // One complaint and one echo per participant at most: longer lists cost every
            // receiver work for nothing (a flood), so they are dropped unread.
            return [.note("dkg: dropped an oversized complaints message from \(sender)")]
        }
        let statement = message.payload.statement(meter: meter)
        guard statement.isValid(configuration.directory, meter: meter, memo: context.memo) else {
            return [.note("dkg: dropped a message with a bad signature from \(sender)")]
        }
        var effects = [Effect]()
        switch message {
        case let .commitments(package):
            if let existing = commitmentHeaders[from] {
                if existing.header.bodyHash != statement.header.bodyHash, !disqualified[from] {
                    // Two differently signed round-1 broadcasts: equivocation, proven.
                    disqualify(from, .equivocation(existing, statement), &effects)
                }
                return effects
            }
            commitments[from] = package
            commitmentHeaders[from] = statement
        case let .share(share):
            guard share.receiver == me else { return [.note("dkg: share from \(sender) addressed to \(share.receiver)")] }
            if shares[from] == nil { shares[from] = share }
        case let .complaints(complaints):
            if complaintMessages[from] == nil { complaintMessages[from] = complaints }
        case let .justification(justification):
            if justifications[from] == nil { justifications[from] = justification }
        case let .agreement(agreement):
            if agreements[from] == nil { agreements[from] = agreement }
        }
        effects += advance(context)
        return effects
    }

    /// A round's timeout: stop waiting and go on with what arrived.
    public mutating func timerFired(_ round: DKGRound, _ context: ServiceContext) -> [Effect] {
        var effects = [Effect]()
        switch (round, phase) {
        case (.commitments, .commitments): completeCommitments(&effects, context)
        case (.shares, .shares): completeShares(&effects, context)
        case (.complaints, .complaints): completeComplaints(&effects, context)
        case (.justifications, .justifications): completeJustifications(&effects, context)
        case (.agreement, .agreement):
            effects += enter(.failed)
            effects.append(.output(.failed(.noAgreement(matching: matchingAgreements))))
        default: return []
        }
        effects += advance(context)
        return effects
    }

    // MARK: Rounds

    mutating func enter(_ next: Phase) -> [Effect] {
        phase = next
        return [.output(.phase(next))]
    }

    /// Runs every round whose inputs are complete.
    mutating func advance(_ context: ServiceContext) -> [Effect] {
        var effects = [Effect]()
        while true {
            let before = phase
            switch phase {
            case .commitments where commitments.allSatisfy({ $0 != nil }):
                completeCommitments(&effects, context)
            case .shares where participants.allSatisfy({ shares[$0] != nil || !passedRoundOne[$0] }):
                completeShares(&effects, context)
            case .complaints where participants.allSatisfy({ complaintMessages[$0] != nil }):
                completeComplaints(&effects, context)
            case .justifications where openComplaints.allSatisfy({ justifications[$0.dealer] != nil }):
                completeJustifications(&effects, context)
            case .agreement where matchingAgreements >= threshold:
                effects += finish(context)
            default:
                break
            }
            if phase == before { return effects }
        }
    }

    /// Everyone who broadcast round 1 (this node included): the peers later rounds wait for.
    var participants: [Int] { (0..<n).filter { commitments[$0] != nil } }

    var matchingAgreements: Int {
        guard let agreementDigest else { return 0 }
        return agreements.filter { $0?.digest == agreementDigest }.count
    }

    mutating func completeCommitments(_ effects: inout [Effect], _ context: ServiceContext) {
        let meter = context.meter
        for dealer in 0..<n {
            guard let package = commitments[dealer] else {
                markUnresponsive(dealer, in: "commitments", &effects)
                continue
            }
            if dealer == mine || disqualified[dealer] {
                passedRoundOne[dealer] = !disqualified[dealer]
                continue
            }
            if package.commitment.threshold != threshold {
                // More coefficients than the threshold would raise it: rejected, and provable.
                disqualify(dealer, .wrongCommitmentLength(package, threshold: threshold), &effects)
            } else if !verifyProof(package, dealer: dealer, context) {
                disqualify(dealer, .invalidProof(package, identifier: roster.identifier(at: dealer)), &effects)
            } else {
                passedRoundOne[dealer] = true
            }
        }
        // Round 2: a share for every other node, whether or not it was heard in round 1.
        let polynomial = polynomial!
        shares[mine] = DKGShare(session: session, sender: me, receiver: me, share: polynomial.evaluate(at: roster.identifier(at: mine).scalar))
        effects += enter(.shares)
        for receiver in 0..<n where receiver != mine {
            let share = DKGShare(session: session, sender: me, receiver: node(receiver),
                                 share: polynomial.evaluate(at: roster.identifier(at: receiver).scalar))
            effects.append(.send(.share(share.signed(by: context.identity, meter: meter)), to: .node(node(receiver))))
        }
        effects.append(.setTimer(.shares, after: configuration.roundTimeout))
    }

    mutating func completeShares(_ effects: inout [Effect], _ context: ServiceContext) {
        let meter = context.meter
        var complaints = [DKGComplaint]()
        var received = [VSS.DealtShare<Int>]()
        for dealer in 0..<n where passedRoundOne[dealer] && dealer != mine {
            if let share = shares[dealer] {
                received.append(VSS.DealtShare(dealer: dealer, share: share.share, commitment: commitments[dealer]!.commitment))
            } else {
                markUnresponsive(dealer, in: "shares", &effects)
                complaints.append(.missingShare(dealer: node(dealer)))
            }
        }
        // One aggregated check; per-dealer checks only when it fails, to name the culprits.
        for culprit in VSS.verifyBatch(received, at: roster.identifier(at: mine).scalar, meter: meter) {
            complaints.append(.invalidShare(shares[culprit]!))
        }
        complaints.sort { $0.dealer < $1.dealer }
        let echoes = (0..<n).compactMap { commitmentHeaders[$0] }
        let signed = DKGComplaints(session: session, sender: me, complaints: complaints, echoes: echoes).signed(by: context.identity, meter: meter)
        complaintMessages[mine] = signed
        if !complaints.isEmpty { effects.append(.note("dkg: complaints against \(complaints.map(\.dealer.value))")) }
        effects += enter(.complaints)
        effects.append(.broadcast(.complaints(signed), to: others))
        effects.append(.setTimer(.complaints, after: configuration.roundTimeout))
    }

    mutating func completeComplaints(_ effects: inout [Effect], _ context: ServiceContext) {
        let meter = context.meter
        for complainer in participants {
            guard let message = complaintMessages[complainer] else {
                markUnresponsive(complainer, in: "complaints", &effects)
                continue
            }
            if complainer != mine { checkEchoes(message.echoes, &effects, context) }
            for complaint in message.complaints {
                switch complaint {
                case let .invalidShare(evidence):
                    judgeInvalidShareComplaint(evidence, in: message, from: complainer, &effects, context)
                case let .missingShare(dealerID):
                    guard let dealer = roster.position(of: dealerID), passedRoundOne[dealer], !disqualified[dealer], dealer != complainer
                    else { continue }
                    openComplaints.append((dealer, complainer))
                }
            }
        }
        openComplaints.removeAll { disqualified[$0.dealer] }
        guard !openComplaints.isEmpty else {
            finalize(&effects, context)
            return
        }
        let mineToAnswer = openComplaints.filter { $0.dealer == mine }.map(\.complainer)
        if !mineToAnswer.isEmpty {
            let polynomial = polynomial!
            let published = mineToAnswer.map { receiver in
                DKGShare(session: session, sender: me, receiver: node(receiver),
                         share: polynomial.evaluate(at: roster.identifier(at: receiver).scalar)).signed(by: context.identity, meter: meter)
            }
            let signed = DKGJustification(session: session, sender: me, shares: published).signed(by: context.identity, meter: meter)
            justifications[mine] = signed
            effects.append(.broadcast(.justification(signed), to: others))
        }
        effects += enter(.justifications)
        effects.append(.setTimer(.justifications, after: configuration.roundTimeout))
    }

    func verifyProof(_ package: DKGCommitments, dealer: Int, _ context: ServiceContext) -> Bool {
        let proofContext = Self.proofContext(session: session, identifier: roster.identifier(at: dealer))
        let check = { (local: CostMeter) in package.proof.verify(publicKey: package.commitment.publicKey, context: proofContext, meter: local) }
        guard let memo = context.memo else { return check(context.meter) }
        return memo.proofs.value(for: [package.signature, package.body, proofContext], meter: context.meter, compute: check)
    }

    /// A complaint that carries the dealer's signed share: the share decides who lied.
    mutating func judgeInvalidShareComplaint(_ quoted: DKGShare, in message: DKGComplaints, from complainer: Int,
                                             _ effects: inout [Effect], _ context: ServiceContext) {
        let meter = context.meter
        guard let dealer = roster.position(of: quoted.sender), quoted.receiver == node(complainer), quoted.session == session,
              quoted.hasValidSignature(configuration.directory, meter: meter, memo: context.memo)
        else {
            // The complainer signed a complaint around a share the dealer never signed.
            if let dealerCommitments = roster.position(of: quoted.sender).flatMap({ commitments[$0] }) {
                disqualify(complainer, .falseComplaint(message, quoted: quoted, dealerCommitments,
                                                       complainerIdentifier: roster.identifier(at: complainer)), &effects, exclude: false)
            }
            return
        }
        guard passedRoundOne[dealer], let package = commitments[dealer] else { return }
        let identifier = roster.identifier(at: complainer)
        if VSS.verify(share: quoted.share, at: identifier.scalar, against: package.commitment, meter: meter) {
            disqualify(complainer, .falseComplaint(message, quoted: quoted, package, complainerIdentifier: identifier), &effects, exclude: false)
        } else {
            disqualify(dealer, .invalidShare(quoted, package, receiverIdentifier: identifier), &effects)
        }
    }

    /// Another node's view of the round-1 broadcasts: a validly signed round-1 header of this
    /// session from the same dealer over another body proves the dealer signed two broadcasts.
    /// The header names protocol, kind, session and sender, so a signature on any other
    /// message (a share, say) can never pass for a round-1 broadcast here.
    mutating func checkEchoes(_ echoes: [SignedStatement], _ effects: inout [Effect], _ context: ServiceContext) {
        for echo in echoes {
            let header = echo.header
            guard header.protocolName == dkgProtocol, header.kind == DKGCommitments.kind, header.session == session,
                  let dealer = roster.position(of: header.sender), dealer != mine, !disqualified[dealer],
                  let ours = commitmentHeaders[dealer], ours.header.bodyHash != header.bodyHash,
                  echo.isValid(configuration.directory, meter: context.meter, memo: context.memo)
            else { continue }
            disqualify(dealer, .equivocation(ours, echo), &effects)
        }
    }

    mutating func completeJustifications(_ effects: inout [Effect], _ context: ServiceContext) {
        let meter = context.meter
        for (dealer, complainer) in openComplaints where !disqualified[dealer] {
            guard let justification = justifications[dealer] else {
                // Unanswered: excluded, but not accused (the dealer may simply be cut off).
                disqualified[dealer] = true
                markUnresponsive(dealer, in: "justifications", &effects)
                continue
            }
            let identifier = roster.identifier(at: complainer)
            guard let share = justification.shares.first(where: { $0.receiver == node(complainer) }),
                  share.sender == node(dealer), share.session == session,
                  share.hasValidSignature(configuration.directory, meter: meter, memo: context.memo),
                  VSS.verify(share: share.share, at: identifier.scalar, against: commitments[dealer]!.commitment, meter: meter)
            else {
                disqualify(dealer, .invalidJustification(justification, complainer: node(complainer), commitments[dealer]!,
                                                         complainerIdentifier: identifier), &effects)
                continue
            }
            if complainer == mine { shares[dealer] = share }
        }
        finalize(&effects, context)
    }

    mutating func finalize(_ effects: inout [Effect], _ context: ServiceContext) {
        let meter = context.meter
        let qualified = (0..<n).filter { passedRoundOne[$0] && !disqualified[$0] && shares[$0] != nil }
        guard qualified.count >= threshold else {
            effects += enter(.failed)
            effects.append(.output(.failed(.tooFewQualified(qualified.count))))
            return
        }
        var secretShare = Scalar.zero
        for dealer in qualified { secretShare += shares[dealer]!.share }
        let groupCommitment = VSSCommitment.sum(qualified.map { commitments[$0]!.commitment }, meter: meter)
        let myIdentifier = roster.identifier(at: mine).scalar
        // The batch check covered the dealers heard in round 2; the key uses `qualified`, so
        // check the share this node keeps against its verification share once more.
        let consistent = Point.base(secretShare, meter: meter) == groupCommitment.evaluate(at: myIdentifier, meter: meter)
        if !consistent {
            let culprits = qualified.filter {
                !VSS.verify(share: shares[$0]!.share, at: myIdentifier, against: commitments[$0]!.commitment, meter: meter)
            }
            effects.append(.note("dkg: kept shares from \(culprits.map { node($0).value }) do not match their commitments"))
        }
        var transcript = ByteWriter()
        session.write(&transcript)
        transcript.append(UInt16(qualified.count))
        for dealer in qualified {
            transcript.append(node: node(dealer).value)
            transcript.append(bytes: commitmentHeaders[dealer]!.header.bodyHash)
        }
        let digest = Hashing.sha256(Array("LitSim/v2 DKG transcript".utf8), transcript.bytes, meter: meter)
        agreementDigest = digest
        pendingResult = DKGResult(
            roster: roster, groupPublicKey: groupCommitment.publicKey, qualified: qualified.map(node), groupCommitment: groupCommitment,
            secretShare: secretShare, shareIsConsistent: consistent, transcriptDigest: digest,
            accused: accusations, unresponsive: (0..<n).filter { unresponsive[$0] }.map(node), threshold: threshold)
        let signed = DKGAgreement(session: session, sender: me, digest: digest).signed(by: context.identity, meter: meter)
        agreements[mine] = signed
        effects.append(.broadcast(.agreement(signed), to: others))
        effects += enter(.agreement)
        effects.append(.setTimer(.agreement, after: configuration.roundTimeout))
    }

    /// A threshold agreed: output the result and keep the share, unless it is inconsistent (it
    /// would only make invalid signature shares and get this honest node blamed: it abstains).
    mutating func finish(_ context: ServiceContext) -> [Effect] {
        let result = pendingResult!
        var effects = enter(.finished)
        if result.shareIsConsistent {
            context.keys.install(KeyShare(key: configuration.key, roster: roster, identifier: roster.identifier(at: mine),
                                          secretShare: result.secretShare, groupCommitment: result.groupCommitment))
        } else {
            effects.append(.note("dkg: this node's share is inconsistent; it will not sign"))
        }
        effects.append(.output(.finished(result)))
        return effects
    }

    // MARK: Helpers

    mutating func disqualify(_ position: Int, _ evidence: DKGEvidence, _ effects: inout [Effect], exclude: Bool = true) {
        if exclude { disqualified[position] = true }
        let accusation = Accusation(evidence)
        guard accusationKeys.insert("\(position)|\(evidence.code)").inserted else { return }
        accusations.append(accusation)
        effects.append(.accuse(accusation))
    }

    mutating func markUnresponsive(_ position: Int, in round: String, _ effects: inout [Effect]) {
        guard !unresponsive[position] else { return }
        unresponsive[position] = true
        effects.append(.note("dkg: non-participation complaint against \(node(position).value) in \(round)"))
    }
}
