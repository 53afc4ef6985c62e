import ThresholdCrypto

/// The genesis DKG (PedPoP with complaints, justifications and agreement).
public let dkgProtocol = ProtocolName("dkg", tag: 0x44)  // "D"

/// The DKG's rounds; their raw values are the message kinds on the wire and in signatures.
public enum DKGRound: UInt8, Sendable, CaseIterable {
    case commitments = 1
    case shares = 2
    case complaints = 3
    case justifications = 4
    case agreement = 5
}

/// Round 1, broadcast: Feldman commitments to the dealer's polynomial and a proof of
/// knowledge of its constant term, bound to the session and the dealer's identifier
/// (FROST KeyGen round 1 steps 1–4, Komlo–Goldberg).
public struct DKGCommitments: Sendable, Equatable, SignedMessage {
    public static let kind = DKGRound.commitments.rawValue
    public let session: SessionID
    public let sender: NodeID
    public let commitment: VSSCommitment
    public let proof: SchnorrProof
    public var signature: [UInt8]

    public init(session: SessionID, sender: NodeID, commitment: VSSCommitment, proof: SchnorrProof, signature: [UInt8] = []) {
        self.session = session
        self.sender = sender
        self.commitment = commitment
        self.proof = proof
        self.signature = signature
    }

    public var body: [UInt8] {
        var writer = ByteWriter()
        writer.append(UInt16(commitment.threshold))
        for point in commitment.coefficients { writer.append(point) }
        writer.append(proof.commitment)
        writer.append(proof.response)
        return writer.bytes
    }

    public var bodySize: Int { 2 + WireSize.point * commitment.threshold + SchnorrProof.encodedSize }
}

/// Round 2, private to `receiver`: the dealer's polynomial evaluated at the receiver's
/// identifier. Signed, so a receiver can prove a bad share to everyone.
public struct DKGShare: Sendable, Equatable, SignedMessage {
    public static let kind = DKGRound.shares.rawValue
    public let session: SessionID
    public let sender: NodeID
    public let receiver: NodeID
    /// Secret until the dealer publishes it in a justification. Never printed.
    public let share: Scalar
    public var signature: [UInt8]

    public init(session: SessionID, sender: NodeID, receiver: NodeID, share: Scalar, signature: [UInt8] = []) {
        self.session = session
        self.sender = sender
        self.receiver = receiver
        self.share = share
        self.signature = signature
    }

    public var body: [UInt8] {
        var writer = ByteWriter()
        writer.append(node: receiver.value)
        writer.append(share)
        return writer.bytes
    }

    public static let bodySize = WireSize.node + WireSize.scalar
    /// A share quoted inside another message: its whole signed encoding.
    public static let quotedSize = envelopeSize + bodySize
}

/// One complaint against a dealer.
public enum DKGComplaint: Sendable, Equatable {
    /// The dealer's own signed share, which fails against its commitments: proof for anyone.
    case invalidShare(DKGShare)
    /// No share arrived before the timeout: the dealer must answer with a justification.
    case missingShare(dealer: NodeID)

    public var dealer: NodeID {
        switch self {
        case let .invalidShare(share): share.sender
        case let .missingShare(dealer): dealer
        }
    }

    var wireSize: Int {
        switch self {
        case .invalidShare: 1 + DKGShare.quotedSize
        case .missingShare: 1 + WireSize.node
        }
    }
}

/// Round 3, broadcast by every participant (even with nothing to complain about, so that the
/// others know the round is over): its complaints, and its echo of every round-1 broadcast it
/// received — the dealer's signed header, which names protocol, kind, session and sender, so
/// an echo can only ever stand for a round-1 broadcast of this session.
public struct DKGComplaints: Sendable, Equatable, SignedMessage {
    public static let kind = DKGRound.complaints.rawValue
    /// More than any honest participant can send (one per dealer); a longer list is rejected
    /// on decoding, and in the state machine, before anything is checked.
    public static let maximumEntries = Int(UInt16.max)
    public let session: SessionID
    public let sender: NodeID
    public let complaints: [DKGComplaint]
    public let echoes: [SignedStatement]
    public var signature: [UInt8]

    public init(session: SessionID, sender: NodeID, complaints: [DKGComplaint], echoes: [SignedStatement], signature: [UInt8] = []) {
        precondition(complaints.count <= Self.maximumEntries && echoes.count <= Self.maximumEntries, "complaint list too long to encode")
        self.session = session
        self.sender = sender
        self.complaints = complaints
        self.echoes = echoes
        self.signature = signature
    }

    public var body: [UInt8] {
        var writer = ByteWriter()
        writer.append(UInt16(complaints.count))
        for complaint in complaints {
            switch complaint {
            case let .invalidShare(share):
                writer.append(1 as UInt8)
                writer.append(bytes: share.signedEncoding)
            case let .missingShare(dealer):
                writer.append(2 as UInt8)
                writer.append(node: dealer.value)
            }
        }
        writer.append(UInt16(echoes.count))
        for echo in echoes { echo.write(&writer) }
        return writer.bytes
    }

    public var bodySize: Int { 2 + complaints.reduce(0) { $0 + $1.wireSize } + 2 + SignedStatement.wireSize * echoes.count }
}

/// Round 4, broadcast by a dealer that drew missing-share complaints: the signed shares it
/// sent to the complainers, now public, to be checked against its commitments.
public struct DKGJustification: Sendable, Equatable, SignedMessage {
    public static let kind = DKGRound.justifications.rawValue
    public let session: SessionID
    public let sender: NodeID
    public let shares: [DKGShare]
    public var signature: [UInt8]

    public init(session: SessionID, sender: NodeID, shares: [DKGShare], signature: [UInt8] = []) {
        precondition(shares.count <= Int(UInt16.max), "justification too long to encode")
        self.session = session
        self.sender = sender
        self.shares = shares
        self.signature = signature
    }

    public var body: [UInt8] {
        var writer = ByteWriter()
        writer.append(UInt16(shares.count))
        for share in shares { writer.append(bytes: share.signedEncoding) }
        return writer.bytes
    }

    public var bodySize: Int { 2 + DKGShare.quotedSize * shares.count }
}

/// Round 5, broadcast: the digest of what this node decided (qualified set, every qualified
/// dealer's round-1 header, hence the group key). A node finishes when a threshold agree.
public struct DKGAgreement: Sendable, Equatable, SignedMessage {
    public static let kind = DKGRound.agreement.rawValue
    public let session: SessionID
    public let sender: NodeID
    public let digest: [UInt8]
    public var signature: [UInt8]

    public init(session: SessionID, sender: NodeID, digest: [UInt8], signature: [UInt8] = []) {
        self.session = session
        self.sender = sender
        self.digest = digest
        self.signature = signature
    }

    public var body: [UInt8] { digest }
    public static let bodySize = WireSize.digest
}

public enum DKGMessage: Sendable, Equatable, WireMessage {
    case commitments(DKGCommitments)
    case share(DKGShare)
    case complaints(DKGComplaints)
    case justification(DKGJustification)
    case agreement(DKGAgreement)

    public static let protocolName = dkgProtocol

    /// The message inside, for what every kind has.
    public var payload: any SignedMessage {
        switch self {
        case let .commitments(m): m
        case let .share(m): m
        case let .complaints(m): m
        case let .justification(m): m
        case let .agreement(m): m
        }
    }

    public var sender: NodeID { payload.sender }
    public var session: SessionID { payload.session }
    public var signature: [UInt8] { payload.signature }

    public var round: DKGRound {
        switch self {
        case .commitments: .commitments
        case .share: .shares
        case .complaints: .complaints
        case .justification: .justifications
        case .agreement: .agreement
        }
    }

    /// The same message signed by `identity`.
    public func signed(by identity: NodeIdentity, meter: CostMeter) -> DKGMessage {
        switch self {
        case let .commitments(m): .commitments(m.signed(by: identity, meter: meter))
        case let .share(m): .share(m.signed(by: identity, meter: meter))
        case let .complaints(m): .complaints(m.signed(by: identity, meter: meter))
        case let .justification(m): .justification(m.signed(by: identity, meter: meter))
        case let .agreement(m): .agreement(m.signed(by: identity, meter: meter))
        }
    }

    // MARK: Wire

    public var wireSize: Int {
        let body = switch self {
        case let .commitments(m): m.bodySize
        case .share: DKGShare.bodySize
        case let .complaints(m): m.bodySize
        case let .justification(m): m.bodySize
        case .agreement: DKGAgreement.bodySize
        }
        return 1 + DKGCommitments.envelopeSize + body
    }

    public var traceKind: StaticString {
        switch self {
        case .commitments: "dkg.commitments"
        case .share: "dkg.share"
        case .complaints: "dkg.complaints"
        case .justification: "dkg.justification"
        case .agreement: "dkg.agreement"
        }
    }

    public var traceFingerprint: UInt64 { Self.fingerprint(signature) }

    public func encode(_ writer: inout ByteWriter) { writer.append(bytes: payload.signedEncoding) }

    public static func decode(_ reader: inout ByteReader) throws(WireError) -> DKGMessage {
        let kind = try reader.byte()
        guard let round = DKGRound(rawValue: kind) else { throw .unknownKind(kind) }
        let session = try SessionID.read(&reader, expected: dkgProtocol)
        let sender = NodeID(try reader.uint16())
        switch round {
        case .commitments:
            let count = try reader.count("commitment points", itemSize: WireSize.point, limit: 4096)
            var points = [Point]()
            for _ in 0..<count { points.append(try reader.point()) }
            let proof = SchnorrProof(commitment: try reader.point(), response: try reader.scalar())
            return .commitments(DKGCommitments(session: session, sender: sender, commitment: VSSCommitment(coefficients: points),
                                               proof: proof, signature: try reader.array(64)))
        case .shares:
            return .share(DKGShare(session: session, sender: sender, receiver: NodeID(try reader.uint16()), share: try reader.scalar(),
                                   signature: try reader.array(64)))
        case .complaints:
            let count = try reader.count("complaints", itemSize: 3, limit: DKGComplaints.maximumEntries)
            var complaints = [DKGComplaint]()
            for _ in 0..<count {
                switch try reader.byte() {
                case 1: complaints.append(.invalidShare(try quotedShare(&reader)))
                case 2: complaints.append(.missingShare(dealer: NodeID(try reader.uint16())))
                case let kind: throw .unknownKind(kind)
                }
            }
            let echoCount = try reader.count("echoes", itemSize: SignedStatement.wireSize, limit: DKGComplaints.maximumEntries)
            var echoes = [SignedStatement]()
            for _ in 0..<echoCount { echoes.append(try SignedStatement.read(&reader, protocolName: dkgProtocol)) }
            return .complaints(DKGComplaints(session: session, sender: sender, complaints: complaints, echoes: echoes,
                                             signature: try reader.array(64)))
        case .justifications:
            let count = try reader.count("justified shares", itemSize: DKGShare.quotedSize, limit: 4096)
            var shares = [DKGShare]()
            for _ in 0..<count { shares.append(try quotedShare(&reader)) }
            return .justification(DKGJustification(session: session, sender: sender, shares: shares, signature: try reader.array(64)))
        case .agreement:
            return .agreement(DKGAgreement(session: session, sender: sender, digest: try reader.array(32), signature: try reader.array(64)))
        }
    }

    /// A share quoted inside a complaint or justification: its whole signed encoding.
    static func quotedShare(_ reader: inout ByteReader) throws(WireError) -> DKGShare {
        guard try reader.byte() == DKGShare.kind else { throw .invalidValue("quoted share kind") }
        let session = try SessionID.read(&reader, expected: dkgProtocol)
        let sender = NodeID(try reader.uint16())
        return DKGShare(session: session, sender: sender, receiver: NodeID(try reader.uint16()), share: try reader.scalar(),
                        signature: try reader.array(64))
    }
}
