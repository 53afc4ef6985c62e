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

    func hasValidSignature(_ directory: IdentityDirectory, meter: CostMeter) -> Bool {
        switch self {
        case let .complaints(m): m.hasValidSignature(directory, meter: meter)
        case let .justification(m): m.hasValidSignature(directory, meter: meter)
        }
    }
}

/// Proofs of DKG misbehaviour, each re-checkable by anyone from the signed messages it
/// carries and the session's public parameters (roster, threshold).
public enum DKGEvidence: Evidence, Equatable {
    /// A round-1 broadcast whose proof of knowledge does not verify.
    case invalidProof(DKGCommitments, identifier: Identifier)
    /// A round-1 broadcast with more or fewer coefficients than the threshold.
    case wrongCommitmentLength(DKGCommitments, threshold: Int)
    /// Two signed round-1 headers of one session and sender over different bodies.
    case equivocation(SignedStatement, SignedStatement)
    /// The dealer's signed share, failing against the signed commitments it names, at the
    /// receiver's identifier.
    case invalidShare(DKGShare, DKGCommitments, receiverIdentifier: Identifier)
    /// The dealer's signed share naming another round-1 body than its signed round-1 header.
    case inconsistentShare(DKGShare, SignedStatement)
    /// An echo list, signed by its sender, with an entry no honest node echoes: not a valid
    /// round-1 header of this session (a relabelled or foreign signature, say).
    case forgedEcho(DKGEchoes, index: Int)
    /// A signed complaint about a share that was never signed by its dealer, or that is fine.
    case falseComplaint(DKGClaim, quoted: DKGShare, DKGCommitments, complainerIdentifier: Identifier)
    /// A signed justification whose share for the complainer is there but invalid.
    case invalidJustification(DKGJustification, complainer: NodeID, DKGCommitments, complainerIdentifier: Identifier)
    /// Two signed agreement votes of one session and sender for different digests.
    case doubleVote(DKGAgreement, DKGAgreement)

    public static let protocolName = dkgProtocol

    public var code: String {
        switch self {
        case .invalidProof: "invalid-proof"
        case .wrongCommitmentLength: "wrong-commitment-length"
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
        case let .invalidProof(commitments, _), let .wrongCommitmentLength(commitments, _): commitments.sender
        case let .equivocation(first, _): first.header.sender.node ?? NodeID(0)
        case let .invalidShare(share, _, _), let .inconsistentShare(share, _): share.sender
        case let .forgedEcho(list, _): list.sender
        case let .falseComplaint(claim, _, _, _): claim.sender
        case let .invalidJustification(justification, _, _, _): justification.sender
        case let .doubleVote(first, _): first.sender
        }
    }

    public var description: String {
        switch self {
        case let .invalidProof(c, _): "round-1 proof of knowledge fails (\(c.session))"
        case let .wrongCommitmentLength(c, threshold): "\(c.commitment.threshold) commitments where the threshold is \(threshold) (\(c.session))"
        case let .equivocation(a, b):
            "two signed round-1 broadcasts, bodies \(Array(a.header.bodyHash.prefix(4)).hexString)… and \(Array(b.header.bodyHash.prefix(4)).hexString)… (\(a.header.session))"
        case let .invalidShare(share, _, _): "signed share for \(share.receiver) fails against the dealer's commitments"
        case let .inconsistentShare(share, _): "signed share for \(share.receiver) names another round-1 broadcast than the dealer's"
        case let .forgedEcho(_, index): "echo \(index) is not a valid round-1 header of the session"
        case let .falseComplaint(_, quoted, _, _): "complained about \(quoted.sender)'s share, which is signed and valid (or unsigned)"
        case let .invalidJustification(_, complainer, _, _): "justification for \(complainer) fails"
        case let .doubleVote(a, b):
            "voted \(Array(a.digest.prefix(4)).hexString)… and \(Array(b.digest.prefix(4)).hexString)… (\(a.session))"
        }
    }

    public func verify(_ directory: IdentityDirectory, meter: CostMeter) -> Bool {
        switch self {
        case let .invalidProof(commitments, identifier):
            return commitments.hasValidSignature(directory, meter: meter)
                && !commitments.proof.verify(publicKey: commitments.commitment.publicKey,
                                             context: DKGParticipant.proofContext(session: commitments.session, identifier: identifier),
                                             meter: meter)
        case let .wrongCommitmentLength(commitments, threshold):
            return commitments.hasValidSignature(directory, meter: meter) && commitments.commitment.threshold != threshold
        case let .equivocation(a, b):
            return a.header.protocolName == dkgProtocol && a.header.kind == DKGCommitments.kind
                && a.header.kind == b.header.kind && a.header.session == b.header.session && a.header.sender == b.header.sender
                && a.header.bodyHash != b.header.bodyHash
                && a.isValid(directory, meter: meter) && b.isValid(directory, meter: meter)
        case let .invalidShare(share, commitments, identifier):
            return Self.sameDealing(share, commitments, meter: meter) && share.hasValidSignature(directory, meter: meter)
                && commitments.hasValidSignature(directory, meter: meter)
                && !VSS.verify(share: share.share, at: identifier.scalar, against: commitments.commitment, meter: meter)
        case let .inconsistentShare(share, header):
            return Self.isRoundOneHeader(header, of: share.sender, in: share.session) && share.commitmentHash != header.header.bodyHash
                && share.hasValidSignature(directory, meter: meter) && header.isValid(directory, meter: meter)
        case let .forgedEcho(list, index):
            guard list.echoes.indices.contains(index), list.hasValidSignature(directory, meter: meter) else { return false }
            let echo = list.echoes[index]
            guard let dealer = echo.header.sender.node else { return true }
            return !Self.isRoundOneHeader(echo, of: dealer, in: list.session) || !echo.isValid(directory, meter: meter)
        case let .falseComplaint(claim, quoted, commitments, identifier):
            guard let kind = claim.complaints.first(where: { $0.quotes(quoted) }), quoted.receiver == claim.sender,
                  quoted.session == commitments.session, quoted.sender == commitments.sender,
                  claim.hasValidSignature(directory, meter: meter) else { return false }
            // A complaint around a share its dealer never signed is false whatever it says.
            if !quoted.hasValidSignature(directory, meter: meter) { return true }
            if case let .inconsistentShare(_, header) = kind {
                // False when the quoted header is not the dealer's valid round-1 header, or
                // names the very body the share names.
                return !Self.isRoundOneHeader(header, of: quoted.sender, in: quoted.session) || !header.isValid(directory, meter: meter)
                    || header.header.bodyHash == quoted.commitmentHash
            }
            guard commitments.hasValidSignature(directory, meter: meter), Self.sameDealing(quoted, commitments, meter: meter) else { return false }
            return VSS.verify(share: quoted.share, at: identifier.scalar, against: commitments.commitment, meter: meter)
        case let .invalidJustification(justification, complainer, commitments, identifier):
            guard justification.hasValidSignature(directory, meter: meter), commitments.sender == justification.sender,
                  commitments.session == justification.session, commitments.hasValidSignature(directory, meter: meter),
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
