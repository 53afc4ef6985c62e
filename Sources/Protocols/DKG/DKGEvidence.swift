import ThresholdCrypto

/// A signed message in which a participant complains: its round-4 complaints, or the late
/// complaints of its round-5 message.
public enum DKGClaim: Sendable, Equatable {
    case complaints(DKGComplaints)
    case justification(DKGJustification)

    public var sender: NodeID {
        switch self {
        case let .complaints(m): m.sender
        case let .justification(m): m.sender
        }
    }

    public var complaints: [DKGComplaint] {
        switch self {
        case let .complaints(m): m.complaints
        case let .justification(m): m.lateComplaints
        }
    }

    public var session: SessionID {
        switch self {
        case let .complaints(m): m.session
        case let .justification(m): m.session
        }
    }

    func hasValidSignature(_ directory: IdentityDirectory, meter: CostMeter) -> Bool {
        switch self {
        case let .complaints(m): m.hasValidSignature(directory, meter: meter)
        case let .justification(m): m.hasValidSignature(directory, meter: meter)
        }
    }
}

/// Proofs of DKG misbehaviour, each re-checkable by anyone from the signed messages it
/// carries and the public parameters (the session's roster and threshold); nothing an accuser
/// could choose, such as an identifier or a threshold, is taken from the evidence.
public enum DKGEvidence: Evidence, Equatable {
    /// A round-1 broadcast whose proof of knowledge does not verify.
    case invalidProof(DKGCommitments)
    /// A round-1 broadcast with more or fewer coefficients than the threshold.
    case wrongCommitmentLength(DKGCommitments)
    /// A round-1 broadcast whose constant commitment is not what the session's dealing fixes
    /// (a transition that would change the group key; the identity in a fresh DKG).
    case wrongConstant(DKGCommitments)
    /// Two signed round-1 headers of one session and dealer over different bodies.
    case equivocation(SignedStatement, SignedStatement)
    /// The dealer's signed share, failing against the signed commitments it names, at its
    /// receiver's identifier.
    case invalidShare(DKGShare, DKGCommitments)
    /// The dealer's signed share naming another round-1 body than its signed round-1 header.
    case inconsistentShare(DKGShare, SignedStatement)
    /// An echo list, signed by its sender, with an entry no honest node echoes: not a valid
    /// round-1 header of this session (a relabelled or foreign signature, say).
    case forgedEcho(DKGEchoes, index: Int)
    /// The complaint at `index` of a signed claim, about a share that was never signed by its
    /// dealer, or that is fine.
    case falseComplaint(DKGClaim, index: Int, DKGCommitments)
    /// A signed justification whose share for the complainer is there but invalid.
    case invalidJustification(DKGJustification, complainer: NodeID, DKGCommitments)
    /// Two signed agreement votes of one session and sender for different digests.
    case doubleVote(DKGAgreement, DKGAgreement)

    public static let protocolName = dkgProtocol

    public var code: String {
        switch self {
        case .invalidProof: "invalid-proof"
        case .wrongCommitmentLength: "wrong-commitment-length"
        case .wrongConstant: "wrong-constant"
        case .equivocation: "equivocation"
        case .invalidShare: "invalid-share"
        case .inconsistentShare: "inconsistent-share"
        case .forgedEcho: "forged-echo"
        case .falseComplaint: "false-complaint"
        case .invalidJustification: "invalid-justification"
        case .doubleVote: "double-vote"
        }
    }

    public var culprit: NodeID {
        switch self {
        case let .invalidProof(commitments), let .wrongCommitmentLength(commitments), let .wrongConstant(commitments): commitments.sender
        case let .equivocation(first, _): first.header.sender.node ?? NodeID(0)
        case let .invalidShare(share, _), let .inconsistentShare(share, _): share.sender
        case let .forgedEcho(list, _): list.sender
        case let .falseComplaint(claim, _, _): claim.sender
        case let .invalidJustification(justification, _, _): justification.sender
        case let .doubleVote(first, _): first.sender
        }
    }

    /// The session the evidence is about (its epoch names the roster).
    var session: SessionID {
        switch self {
        case let .invalidProof(c), let .wrongCommitmentLength(c), let .wrongConstant(c): c.session
        case let .equivocation(a, _): a.header.session
        case let .invalidShare(share, _), let .inconsistentShare(share, _): share.session
        case let .forgedEcho(list, _): list.session
        case let .falseComplaint(claim, _, _): claim.session
        case let .invalidJustification(justification, _, _): justification.session
        case let .doubleVote(a, _): a.session
        }
    }

    public var description: String {
        switch self {
        case let .invalidProof(c): "round-1 proof of knowledge fails (\(c.session))"
        case let .wrongCommitmentLength(c): "\(c.commitment.threshold) commitments where the threshold differs (\(c.session))"
        case let .wrongConstant(c): "round-1 constant commitment is not the one the dealing fixes (\(c.session))"
        case let .equivocation(a, b):
            "two signed round-1 broadcasts, bodies \(Array(a.header.bodyHash.prefix(4)).hexString)… and \(Array(b.header.bodyHash.prefix(4)).hexString)… (\(a.header.session))"
        case let .invalidShare(share, _): "signed share for \(share.receiver) fails against the dealer's commitments"
        case let .inconsistentShare(share, _): "signed share for \(share.receiver) names another round-1 broadcast than the dealer's"
        case let .forgedEcho(_, index): "echo \(index) is not a valid round-1 header of the session"
        case let .falseComplaint(claim, index, _): "complaint \(index) is about a share that is signed and valid (or unsigned) (\(claim.session))"
        case let .invalidJustification(_, complainer, _): "justification for \(complainer) fails"
        case let .doubleVote(a, b):
            "voted \(Array(a.digest.prefix(4)).hexString)… and \(Array(b.digest.prefix(4)).hexString)… (\(a.session))"
        }
    }

    public func verify(_ parameters: PublicParameters, meter: CostMeter) -> Bool {
        let directory = parameters.directory
        // A transition's roster and threshold are its lock's; the genesis DKG's, epoch 0's.
        let lock = parameters.transition(session)
        guard session.protocolName == dkgProtocol, let roster = lock?.next ?? parameters.roster(session.epoch),
              let threshold = lock?.threshold ?? parameters.threshold(session.epoch), roster.contains(culprit) else { return false }
        switch self {
        case let .invalidProof(commitments):
            guard let dealing = DKGDealing.of(commitments.session, parameters) else { return false }
            let key = dealing.proofKey(of: commitments.sender, in: roster, commitments.commitment, meter: meter)
            return commitments.hasValidSignature(directory, meter: meter)
                && !(key.map { commitments.proof.verify(publicKey: $0,
                                                        context: DKGParticipant.proofContext(session: commitments.session,
                                                                                              identifier: roster.identifier(of: commitments.sender)!),
                                                        meter: meter) } ?? false)
        case let .wrongConstant(commitments):
            guard let dealing = DKGDealing.of(commitments.session, parameters), commitments.hasValidSignature(directory, meter: meter) else { return false }
            guard let required = dealing.requiredConstant(of: commitments.sender, meter: meter) else { return commitments.commitment.publicKey.isIdentity }
            return commitments.commitment.publicKey != required
        case let .wrongCommitmentLength(commitments):
            return commitments.hasValidSignature(directory, meter: meter) && commitments.commitment.threshold != threshold
        case let .equivocation(a, b):
            return Self.isRoundOneHeader(a, of: culprit, in: a.header.session) && Self.isRoundOneHeader(b, of: culprit, in: a.header.session)
                && a.header.bodyHash != b.header.bodyHash
                && a.isValid(directory, meter: meter) && b.isValid(directory, meter: meter)
        case let .invalidShare(share, commitments):
            guard let identifier = roster.identifier(of: share.receiver) else { return false }
            return Self.sameDealing(share, commitments, meter: meter) && share.hasValidSignature(directory, meter: meter)
                && commitments.hasValidSignature(directory, meter: meter)
                && !VSS.verify(share: share.share, at: identifier.scalar, against: commitments.commitment, meter: meter)
        case let .inconsistentShare(share, header):
            return Self.isRoundOneHeader(header, of: share.sender, in: share.session) && share.commitmentHash != header.header.bodyHash
                && share.hasValidSignature(directory, meter: meter) && header.isValid(directory, meter: meter)
        case let .forgedEcho(list, index):
            guard list.echoes.indices.contains(index), list.hasValidSignature(directory, meter: meter) else { return false }
            let echo = list.echoes[index]
            guard let dealer = echo.header.sender.node, roster.contains(dealer) else { return true }
            return !Self.isRoundOneHeader(echo, of: dealer, in: list.session) || !echo.isValid(directory, meter: meter)
        case let .falseComplaint(claim, index, commitments):
            guard claim.complaints.indices.contains(index), let identifier = roster.identifier(of: claim.sender),
                  claim.hasValidSignature(directory, meter: meter) else { return false }
            let complaint = claim.complaints[index]
            let quoted: DKGShare
            switch complaint {
            case let .invalidShare(share), let .inconsistentShare(share, _): quoted = share
            case .missingShare: return false
            }
            guard quoted.receiver == claim.sender, quoted.session == claim.session, quoted.sender == commitments.sender,
                  commitments.session == claim.session else { return false }
            // A complaint around a share its dealer never signed is false whatever it says.
            if !quoted.hasValidSignature(directory, meter: meter) { return true }
            if case let .inconsistentShare(_, header) = complaint {
                // False when the quoted header is not the dealer's valid round-1 header, or
                // names the very body the share names.
                return !Self.isRoundOneHeader(header, of: quoted.sender, in: quoted.session) || !header.isValid(directory, meter: meter)
                    || header.header.bodyHash == quoted.commitmentHash
            }
            guard commitments.hasValidSignature(directory, meter: meter), Self.sameDealing(quoted, commitments, meter: meter) else { return false }
            return VSS.verify(share: quoted.share, at: identifier.scalar, against: commitments.commitment, meter: meter)
        case let .invalidJustification(justification, complainer, commitments):
            guard let identifier = roster.identifier(of: complainer), justification.hasValidSignature(directory, meter: meter),
                  commitments.sender == justification.sender, commitments.session == justification.session,
                  commitments.hasValidSignature(directory, meter: meter),
                  let share = justification.shares.first(where: { $0.receiver == complainer }) else { return false }
            return !(share.sender == justification.sender && Self.sameDealing(share, commitments, meter: meter)
                && share.hasValidSignature(directory, meter: meter)
                && VSS.verify(share: share.share, at: identifier.scalar, against: commitments.commitment, meter: meter))
        case let .doubleVote(a, b):
            return a.session == b.session && a.sender == b.sender && a.digest != b.digest
                && a.hasValidSignature(directory, meter: meter) && b.hasValidSignature(directory, meter: meter)
        }
    }

    /// Whether a statement is a round-1 header of `dealer` in `session` (signature not checked).
    static func isRoundOneHeader(_ statement: SignedStatement, of dealer: NodeID, in session: SessionID) -> Bool {
        statement.header.protocolName == dkgProtocol && statement.header.kind == DKGCommitments.kind
            && statement.header.session == session && statement.header.sender == .node(dealer)
    }

    /// Whether the share names exactly this round-1 broadcast of its dealer.
    static func sameDealing(_ share: DKGShare, _ commitments: DKGCommitments, meter: CostMeter) -> Bool {
        share.sender == commitments.sender && share.session == commitments.session
            && share.commitmentHash == Hashing.sha256(commitments.body, meter: meter)
    }
}
