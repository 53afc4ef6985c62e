import ThresholdCrypto

/// The DKG's rounds, as numbered on the wire.
public enum DKGRound: UInt8, Sendable, CaseIterable {
    case commitments = 1
    case shares = 2
    case complaints = 3
    case justifications = 4
    case agreement = 5
}

let dkgTag: UInt8 = 0x44  // "D"
let dkgSignatureDomain = "LitSim-v1-DKG"

private func header(_ round: DKGRound, session: [UInt8], sender: Int) -> ByteWriter {
    var writer = ByteWriter()
    writer.append(dkgTag)
    writer.append(round.rawValue)
    writer.append(bytes: session)
    writer.append(node: sender)
    return writer
}

/// Round 1, broadcast: Feldman commitments to the dealer's polynomial and a proof of
/// knowledge of its constant term, bound to the session and the dealer's identifier
/// (FROST KeyGen round 1 steps 1–4, Komlo–Goldberg).
public struct DKGCommitments: Sendable, Equatable, IdentitySigned {
    public static let signatureDomain = dkgSignatureDomain
    public let session: [UInt8]
    public let sender: Int
    public let commitment: VSSCommitment
    public let proof: SchnorrProof
    public var signature: [UInt8]

    public var signedBytes: [UInt8] {
        var writer = header(.commitments, session: session, sender: sender)
        writer.append(UInt16(truncatingIfNeeded: commitment.threshold))
        for point in commitment.coefficients { writer.append(point) }
        writer.append(proof.commitment)
        writer.append(proof.response)
        return writer.bytes
    }

    public var wireSize: Int {
        WireSize.header + 2 + WireSize.point * commitment.threshold + SchnorrProof.encodedSize + WireSize.signature
    }
}

/// Round 2, private to `receiver`: the dealer's polynomial evaluated at the receiver's
/// identifier. Signed, so a receiver can prove a bad share to everyone.
public struct DKGShare: Sendable, Equatable, IdentitySigned {
    public static let signatureDomain = dkgSignatureDomain
    public let session: [UInt8]
    public let sender: Int
    public let receiver: Int
    public let share: Scalar
    public var signature: [UInt8]

    public var signedBytes: [UInt8] {
        var writer = header(.shares, session: session, sender: sender)
        writer.append(node: receiver)
        writer.append(share)
        return writer.bytes
    }

    public static let wireSize = WireSize.header + WireSize.node + WireSize.scalar + WireSize.signature
    public var wireSize: Int { Self.wireSize }
}

/// One complaint against a dealer.
public enum DKGComplaint: Sendable, Equatable {
    /// The dealer's own signed share, which fails against its commitments: proof for anyone.
    case invalidShare(DKGShare)
    /// No share arrived before the timeout: the dealer must answer with a justification.
    case missingShare(dealer: Int)

    var wireSize: Int {
        switch self {
        case .invalidShare: 1 + DKGShare.wireSize
        case .missingShare: 1 + WireSize.node
        }
    }
}

/// What a node saw of one dealer's round-1 broadcast: its digest and the dealer's signature
/// on it. Two valid signatures on different digests prove the dealer equivocated.
public struct DKGEcho: Sendable, Equatable {
    public let dealer: Int
    public let digest: [UInt8]
    public let signature: [UInt8]

    static let wireSize = WireSize.node + WireSize.digest + WireSize.signature
}

/// Round 3, broadcast by every participant (even with nothing to complain about, so that the
/// others know the round is over): its complaints and its echo of every round-1 broadcast.
public struct DKGComplaints: Sendable, Equatable, IdentitySigned {
    public static let signatureDomain = dkgSignatureDomain
    public let session: [UInt8]
    public let sender: Int
    public let complaints: [DKGComplaint]
    public let echoes: [DKGEcho]
    public var signature: [UInt8]

    public var signedBytes: [UInt8] {
        var writer = header(.complaints, session: session, sender: sender)
        writer.append(UInt16(truncatingIfNeeded: complaints.count))
        for complaint in complaints {
            switch complaint {
            case let .invalidShare(share):
                writer.append(1 as UInt8)
                writer.append(bytes: share.signedBytes)
                writer.append(bytes: share.signature)
            case let .missingShare(dealer):
                writer.append(2 as UInt8)
                writer.append(node: dealer)
            }
        }
        writer.append(UInt16(truncatingIfNeeded: echoes.count))
        for echo in echoes {
            writer.append(node: echo.dealer)
            writer.append(bytes: echo.digest)
            writer.append(bytes: echo.signature)
        }
        return writer.bytes
    }

    public var wireSize: Int {
        WireSize.header + 2 + complaints.reduce(0) { $0 + $1.wireSize } + 2 + DKGEcho.wireSize * echoes.count
            + WireSize.signature
    }
}

/// Round 4, broadcast by a dealer that drew missing-share complaints: the signed shares it
/// sent to the complainers, now public, to be checked against its commitments.
public struct DKGJustification: Sendable, Equatable, IdentitySigned {
    public static let signatureDomain = dkgSignatureDomain
    public let session: [UInt8]
    public let sender: Int
    public let shares: [DKGShare]
    public var signature: [UInt8]

    public var signedBytes: [UInt8] {
        var writer = header(.justifications, session: session, sender: sender)
        writer.append(UInt16(truncatingIfNeeded: shares.count))
        for share in shares {
            writer.append(bytes: share.signedBytes)
            writer.append(bytes: share.signature)
        }
        return writer.bytes
    }

    public var wireSize: Int { WireSize.header + 2 + DKGShare.wireSize * shares.count + WireSize.signature }
}

/// Round 5, broadcast: the digest of what this node decided (qualified set, every qualified
/// dealer's round-1 digest, hence the group key). A node finishes when a threshold agree.
public struct DKGAgreement: Sendable, Equatable, IdentitySigned {
    public static let signatureDomain = dkgSignatureDomain
    public let session: [UInt8]
    public let sender: Int
    public let digest: [UInt8]
    public var signature: [UInt8]

    public var signedBytes: [UInt8] {
        var writer = header(.agreement, session: session, sender: sender)
        writer.append(bytes: digest)
        return writer.bytes
    }

    public static let wireSize = WireSize.header + WireSize.digest + WireSize.signature
    public var wireSize: Int { Self.wireSize }
}

public enum DKGMessage: Sendable, Equatable {
    case commitments(DKGCommitments)
    case share(DKGShare)
    case complaints(DKGComplaints)
    case justification(DKGJustification)
    case agreement(DKGAgreement)

    /// The message inside, for what every kind has.
    public var payload: any IdentitySigned {
        switch self {
        case let .commitments(m): m
        case let .share(m): m
        case let .complaints(m): m
        case let .justification(m): m
        case let .agreement(m): m
        }
    }

    public var sender: Int { payload.sender }
    public var signedBytes: [UInt8] { payload.signedBytes }
    public var signature: [UInt8] { payload.signature }

    public var session: [UInt8] {
        switch self {
        case let .commitments(m): m.session
        case let .share(m): m.session
        case let .complaints(m): m.session
        case let .justification(m): m.session
        case let .agreement(m): m.session
        }
    }

    public var wireSize: Int {
        switch self {
        case let .commitments(m): m.wireSize
        case let .share(m): m.wireSize
        case let .complaints(m): m.wireSize
        case let .justification(m): m.wireSize
        case let .agreement(m): m.wireSize
        }
    }

    public var round: DKGRound {
        switch self {
        case .commitments: .commitments
        case .share: .shares
        case .complaints: .complaints
        case .justification: .justifications
        case .agreement: .agreement
        }
    }
}
