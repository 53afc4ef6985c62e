import ThresholdCrypto

/// Proofs of DKG misbehaviour, each re-checkable by anyone from the signed messages it
/// carries and the session's public parameters (roster, threshold).
public enum DKGEvidence: Evidence, Equatable {
    /// A round-1 broadcast whose proof of knowledge does not verify.
    case invalidProof(DKGCommitments, identifier: Identifier)
    /// A round-1 broadcast with more or fewer coefficients than the threshold.
    case wrongCommitmentLength(DKGCommitments, threshold: Int)
    /// Two signed round-1 headers of one session and sender over different bodies.
    case equivocation(SignedStatement, SignedStatement)
    /// The dealer's signed share, failing against its signed commitments at the receiver's identifier.
    case invalidShare(DKGShare, DKGCommitments, receiverIdentifier: Identifier)
    /// A signed complaint that quotes a share which verifies (or which the dealer never signed).
    case falseComplaint(DKGComplaints, quoted: DKGShare, DKGCommitments, complainerIdentifier: Identifier)
    /// A signed justification whose share for the complainer is missing a valid signature or fails.
    case invalidJustification(DKGJustification, complainer: NodeID, DKGCommitments, complainerIdentifier: Identifier)

    public static let protocolName = dkgProtocol

    public var code: String {
        switch self {
        case .invalidProof: "invalid-proof"
        case .wrongCommitmentLength: "wrong-commitment-length"
        case .equivocation: "equivocation"
        case .invalidShare: "invalid-share"
        case .falseComplaint: "false-complaint"
        case .invalidJustification: "invalid-justification"
        }
    }

    public var culprit: NodeID {
        switch self {
        case let .invalidProof(commitments, _), let .wrongCommitmentLength(commitments, _): commitments.sender
        case let .equivocation(first, _): first.header.sender
        case let .invalidShare(share, _, _): share.sender
        case let .falseComplaint(complaints, _, _, _): complaints.sender
        case let .invalidJustification(justification, _, _, _): justification.sender
        }
    }

    public var description: String {
        switch self {
        case let .invalidProof(c, _): "round-1 proof of knowledge fails (\(c.session))"
        case let .wrongCommitmentLength(c, threshold): "\(c.commitment.threshold) commitments where the threshold is \(threshold) (\(c.session))"
        case let .equivocation(a, b):
            "two signed round-1 broadcasts, bodies \(Array(a.header.bodyHash.prefix(4)).hexString)… and \(Array(b.header.bodyHash.prefix(4)).hexString)… (\(a.header.session))"
        case let .invalidShare(share, _, _): "signed share for \(share.receiver) fails against the dealer's commitments"
        case let .falseComplaint(_, quoted, _, _): "complained that \(quoted.sender)'s share was bad; it verifies"
        case let .invalidJustification(_, complainer, _, _): "justification for \(complainer) is missing or fails"
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
            return Self.sameDealing(share, commitments) && share.hasValidSignature(directory, meter: meter)
                && commitments.hasValidSignature(directory, meter: meter)
                && !VSS.verify(share: share.share, at: identifier.scalar, against: commitments.commitment, meter: meter)
        case let .falseComplaint(complaints, quoted, commitments, identifier):
            guard complaints.complaints.contains(.invalidShare(quoted)), quoted.receiver == complaints.sender,
                  quoted.session == complaints.session, complaints.hasValidSignature(directory, meter: meter) else { return false }
            // Either the quoted share was never signed by its dealer, or it verifies.
            if !quoted.hasValidSignature(directory, meter: meter) { return true }
            return Self.sameDealing(quoted, commitments) && commitments.hasValidSignature(directory, meter: meter)
                && VSS.verify(share: quoted.share, at: identifier.scalar, against: commitments.commitment, meter: meter)
        case let .invalidJustification(justification, complainer, commitments, identifier):
            guard justification.hasValidSignature(directory, meter: meter), commitments.sender == justification.sender,
                  commitments.session == justification.session, commitments.hasValidSignature(directory, meter: meter) else { return false }
            guard let share = justification.shares.first(where: { $0.receiver == complainer }) else { return true }
            return !(Self.sameDealing(share, commitments) && share.hasValidSignature(directory, meter: meter)
                && VSS.verify(share: share.share, at: identifier.scalar, against: commitments.commitment, meter: meter))
        }
    }

    static func sameDealing(_ share: DKGShare, _ commitments: DKGCommitments) -> Bool {
        share.sender == commitments.sender && share.session == commitments.session
    }
}
