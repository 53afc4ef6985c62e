import ThresholdCrypto

/// Proofs of signing misbehaviour a client can show anyone.
public enum SigningEvidence: Evidence, Equatable {
    /// Two validly signed commitments by one signer for one attempt, with different nonces.
    case equivocation(SignedCommitment, SignedCommitment)
    /// A signed share that fails RFC 9591's share check (§5.4) over a commitment list every
    /// member of which is validly signed, for this message and group commitment.
    case invalidShare(SignatureShareMessage, commitments: [SignedCommitment], message: [UInt8], scheme: SigningScheme,
                      groupCommitment: VSSCommitment, roster: Roster)
    /// A signed share message quoting, at `index`, a commitment its signer never signed: an
    /// honest signer quotes only commitments whose signatures it checked.
    case forgedQuote(SignatureShareMessage, index: Int)
    /// A signed commitment under an identifier that is not its signer's in the key's roster,
    /// or for another key than the attempt's.
    case misboundCommitment(SignedCommitment, roster: Roster, keyHash: [UInt8])

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
        case let .invalidShare(share, _, _, _, _, _): share.signer
        case let .forgedQuote(share, _): share.signer
        case let .misboundCommitment(commitment, _, _): commitment.signer
        }
    }

    public var description: String {
        switch self {
        case let .equivocation(a, _): "two signed commitments for \(a.id)"
        case let .invalidShare(share, _, _, _, _, _): "signature share for \(share.id) fails its check"
        case let .forgedQuote(share, index): "share message for \(share.id) quotes an unsigned commitment (entry \(index))"
        case let .misboundCommitment(commitment, _, _): "commitment for \(commitment.id) under a wrong identifier or key"
        }
    }

    public func verify(_ directory: IdentityDirectory, meter: CostMeter) -> Bool {
        switch self {
        case let .equivocation(a, b):
            return a.id == b.id && a.signer == b.signer && a.commitment != b.commitment
                && a.hasValidSignature(directory, meter: meter) && b.hasValidSignature(directory, meter: meter)
        case let .invalidShare(share, commitments, message, scheme, groupCommitment, roster):
            guard share.hasValidSignature(directory, meter: meter),
                  commitments.allSatisfy({ $0.id == share.id && $0.hasValidSignature(directory, meter: meter) }),
                  let identifier = roster.identifier(of: share.signer) else { return false }
            let verification = groupCommitment.evaluate(at: identifier.scalar, meter: meter)
            return !Self.shareVerifies(share.share, identifier: identifier, verification: verification, commitments: commitments,
                                       message: message, scheme: scheme, groupKey: groupCommitment.publicKey, roster: roster, meter: meter)
        case let .forgedQuote(share, index):
            guard share.commitments.indices.contains(index), share.hasValidSignature(directory, meter: meter) else { return false }
            let quoted = share.commitments[index]
            return quoted.id != share.id || !quoted.hasValidSignature(directory, meter: meter)
        case let .misboundCommitment(commitment, roster, keyHash):
            return commitment.hasValidSignature(directory, meter: meter)
                && (commitment.keyHash != keyHash || roster.identifier(of: commitment.signer)?.scalar != commitment.commitment.identifier)
        }
    }

    /// RFC 9591 §5.4 verify_signature_share over the list (false if no package can be built).
    public static func shareVerifies(_ share: Scalar, identifier: Identifier, verification: Point, commitments: [SignedCommitment],
                                     message: [UInt8], scheme: SigningScheme, groupKey: Point, roster: Roster, meter: CostMeter) -> Bool {
        switch scheme {
        case .frostSecp256k1:
            guard let package = try? FROST<FROSTSecp256k1>.signingPackage(groupKey: groupKey, commitments: commitments.map(\.commitment),
                                                                          message: message, maximumParticipants: roster.count, meter: meter)
            else { return false }
            return FROST<FROSTSecp256k1>.verifyShare(identifier: identifier.scalar, verificationShare: verification, share: share,
                                                     package: package, meter: meter)
        case .frostTaproot:
            guard let package = try? FROST<FROSTTaproot>.signingPackage(groupKey: groupKey, commitments: commitments.map(\.commitment),
                                                                        message: message, maximumParticipants: roster.count, meter: meter)
            else { return false }
            return FROST<FROSTTaproot>.verifyShare(identifier: identifier.scalar, verificationShare: verification, share: share,
                                                   package: package, meter: meter)
        }
    }
}
