import ThresholdCrypto

/// Proofs of signing misbehaviour a client can show anyone, checked against the public
/// parameters (the epoch's roster and group commitment), never against values the evidence
/// names itself.
public enum SigningEvidence: Evidence, Equatable {
    /// Two validly signed commitments by one signer for one attempt, differing in nonces or key.
    case equivocation(SignedCommitment, SignedCommitment)
    /// A signed share that fails RFC 9591's share check (§5.4) over the commitment list and
    /// client-signed request it names (both bound into the share's signed body).
    case invalidShare(SignatureShareMessage, request: SignRequest, commitments: [SignedCommitment])
    /// A signed share message quoting, at `index`, a commitment its signer never signed: an
    /// honest signer quotes only commitments whose signatures it checked.
    case forgedQuote(SignatureShareMessage, index: Int)
    /// A signed commitment under an identifier that is not its signer's in the roster, for
    /// another key than the epoch's, or with an identity point.
    case misboundCommitment(SignedCommitment)

    public static let protocolName = LitFlow.protocolName

    public var code: String {
        switch self {
        case .equivocation: "equivocation"
        case .invalidShare: "invalid-signature-share"
        case .forgedQuote: "forged-quote"
        case .misboundCommitment: "misbound-commitment"
        }
    }

    public var culprit: NodeID {
        switch self {
        case let .equivocation(a, _): a.signer
        case let .invalidShare(share, _, _): share.signer
        case let .forgedQuote(share, _): share.signer
        case let .misboundCommitment(commitment): commitment.signer
        }
    }

    var epoch: Epoch {
        switch self {
        case let .equivocation(a, _): a.id.session.epoch
        case let .invalidShare(share, _, _), let .forgedQuote(share, _): share.id.session.epoch
        case let .misboundCommitment(commitment): commitment.id.session.epoch
        }
    }

    public var description: String {
        switch self {
        case let .equivocation(a, _): "two signed commitments for \(a.id)"
        case let .invalidShare(share, _, _): "signature share for \(share.id) fails its check"
        case let .forgedQuote(share, index): "share message for \(share.id) quotes an unsigned commitment (entry \(index))"
        case let .misboundCommitment(commitment): "commitment for \(commitment.id) under a wrong identifier or key"
        }
    }

    public func verify(_ parameters: PublicParameters, meter: CostMeter) -> Bool {
        let directory = parameters.directory
        guard let roster = parameters.roster(epoch), roster.contains(culprit) else { return false }
        switch self {
        case let .equivocation(a, b):
            return a.id == b.id && a.signer == b.signer && (a.commitment != b.commitment || a.keyHash != b.keyHash)
                && a.hasValidSignature(directory, meter: meter) && b.hasValidSignature(directory, meter: meter)
        case let .invalidShare(share, request, commitments):
            guard let groupCommitment = parameters.groupCommitment(epoch), let identifier = roster.identifier(of: share.signer),
                  share.id == request.id, share.hasValidSignature(directory, meter: meter), request.hasValidSignature(directory, meter: meter),
                  share.requestDigest == request.header(meter: meter).digest(meter: meter),
                  share.listDigest == SignatureShareMessage.listDigest(commitments, meter: meter),
                  commitments.contains(where: { $0.signer == share.signer }),
                  commitments.allSatisfy({ $0.id == share.id && $0.hasValidSignature(directory, meter: meter) })
            else { return false }
            let verification = groupCommitment.evaluate(at: identifier.scalar, meter: meter)
            // A list no package can be made from proves nothing about the share.
            guard let verifies = Self.shareVerifies(share.share, identifier: identifier, verification: verification, commitments: commitments,
                                                    message: request.message, scheme: request.scheme, groupCommitment: groupCommitment,
                                                    roster: roster, meter: meter) else { return false }
            return !verifies
        case let .forgedQuote(share, index):
            guard share.commitments.indices.contains(index), share.hasValidSignature(directory, meter: meter) else { return false }
            let quoted = share.commitments[index]
            return quoted.id != share.id || !quoted.hasValidSignature(directory, meter: meter)
        case let .misboundCommitment(commitment):
            guard let groupCommitment = parameters.groupCommitment(epoch), commitment.hasValidSignature(directory, meter: meter) else { return false }
            return commitment.keyHash != SignedCommitment.keyHash(groupCommitment.publicKey, meter: meter)
                || roster.identifier(of: commitment.signer)?.scalar != commitment.commitment.identifier
                || commitment.commitment.hiding.isIdentity || commitment.commitment.binding.isIdentity
        }
    }

    /// RFC 9591 §5.4 verify_signature_share over the list; nil when no package can be built.
    public static func shareVerifies(_ share: Scalar, identifier: Identifier, verification: Point, commitments: [SignedCommitment],
                                     message: [UInt8], scheme: SigningScheme, groupCommitment: VSSCommitment, roster: Roster,
                                     meter: CostMeter) -> Bool? {
        let key = groupCommitment.publicKey
        switch scheme {
        case .frostSecp256k1:
            guard let package = try? FROST<FROSTSecp256k1>.signingPackage(groupKey: key, commitments: commitments.map(\.commitment), message: message,
                                                                          minimumParticipants: groupCommitment.threshold,
                                                                          maximumParticipants: roster.identifierBound, meter: meter) else { return nil }
            return FROST<FROSTSecp256k1>.verifyShare(identifier: identifier.scalar, verificationShare: verification, share: share,
                                                     package: package, meter: meter)
        case .frostTaproot:
            guard let package = try? FROST<FROSTTaproot>.signingPackage(groupKey: key, commitments: commitments.map(\.commitment), message: message,
                                                                        minimumParticipants: groupCommitment.threshold,
                                                                        maximumParticipants: roster.identifierBound, meter: meter) else { return nil }
            return FROST<FROSTTaproot>.verifyShare(identifier: identifier.scalar, verificationShare: verification, share: share,
                                                   package: package, meter: meter)
        }
    }
}
