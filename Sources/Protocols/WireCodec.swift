import ThresholdCrypto

/// Why bytes from the network were rejected. Every decoder returns one of these for bad
/// input; none traps.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated(needed: Int, available: Int)
    case trailingBytes(Int)
    case unknownTag(UInt8)
    case unknownKind(UInt8)
    case invalidPoint(CryptoError)
    case invalidScalar(CryptoError)
    case countTooLarge(what: String, count: Int)
    case invalidValue(String)

    public var description: String {
        switch self {
        case let .truncated(needed, available): "message truncated: needed \(needed) more bytes, \(available) left"
        case let .trailingBytes(count): "\(count) unexpected bytes after the message"
        case let .unknownTag(tag): "unknown protocol tag 0x\(String(tag, radix: 16))"
        case let .unknownKind(kind): "unknown message kind \(kind)"
        case let .invalidPoint(error): "invalid point: \(error)"
        case let .invalidScalar(error): "invalid scalar: \(error)"
        case let .countTooLarge(what, count): "\(count) \(what) is more than any valid message holds"
        case let .invalidValue(what): "invalid \(what)"
        }
    }
}

/// Reads the encodings ByteWriter writes, validating as it goes.
public struct ByteReader {
    let bytes: [UInt8]
    var offset = 0
    let meter: CostMeter

    public init(_ bytes: [UInt8], meter: CostMeter) {
        self.bytes = bytes
        self.meter = meter
    }

    mutating func take(_ count: Int) throws(WireError) -> ArraySlice<UInt8> {
        guard count >= 0, bytes.count - offset >= count else { throw .truncated(needed: count, available: bytes.count - offset) }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func byte() throws(WireError) -> UInt8 { try take(1).first! }

    mutating func uint16() throws(WireError) -> Int {
        let two = try take(2)
        return Int(two[two.startIndex]) << 8 | Int(two[two.startIndex + 1])
    }

    mutating func uint32() throws(WireError) -> UInt32 {
        try take(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func array(_ count: Int) throws(WireError) -> [UInt8] { Array(try take(count)) }

    mutating func point() throws(WireError) -> Point {
        let encoded = try take(33)
        do {
            return try Point(compressed: encoded, meter: meter)
        } catch {
            throw .invalidPoint(error)
        }
    }

    mutating func scalar() throws(WireError) -> Scalar {
        let encoded = try take(32)
        do {
            return try Scalar(bytes: encoded)
        } catch {
            throw .invalidScalar(error)
        }
    }

    /// A count of items of at least `itemSize` bytes each: it cannot exceed what is left.
    mutating func count(_ what: String, itemSize: Int, limit: Int) throws(WireError) -> Int {
        let value = try uint16()
        guard value <= limit, value * itemSize <= bytes.count - offset else { throw .countTooLarge(what: what, count: value) }
        return value
    }

    func finish() throws(WireError) {
        guard offset == bytes.count else { throw .trailingBytes(bytes.count - offset) }
    }
}

// MARK: - DKG

extension DKGMessage {
    /// The bytes on the wire: what is signed, then the signature.
    public func encoded() -> [UInt8] { signedBytes + signature }

    /// Decodes and validates a DKG message (the signature is checked by the protocol, which
    /// knows the keys).
    public static func decode(_ reader: inout ByteReader) throws(WireError) -> DKGMessage {
        guard let round = DKGRound(rawValue: try reader.byte()) else { throw .unknownKind(reader.bytes[reader.offset - 1]) }
        let session = try reader.array(32)
        let sender = try reader.uint16()
        switch round {
        case .commitments:
            let count = try reader.count("commitment points", itemSize: 33, limit: 4096)
            var points = [Point]()
            for _ in 0..<count { points.append(try reader.point()) }
            let proof = SchnorrProof(commitment: try reader.point(), response: try reader.scalar())
            return .commitments(DKGCommitments(session: session, sender: sender, commitment: VSSCommitment(coefficients: points),
                                               proof: proof, signature: try reader.array(64)))
        case .shares:
            return .share(try decodeShareBody(&reader, session: session, sender: sender))
        case .complaints:
            let count = try reader.count("complaints", itemSize: 3, limit: 4096)
            var complaints = [DKGComplaint]()
            for _ in 0..<count {
                switch try reader.byte() {
                case 1: complaints.append(.invalidShare(try decodeEmbeddedShare(&reader)))
                case 2: complaints.append(.missingShare(dealer: try reader.uint16()))
                case let kind: throw .unknownKind(kind)
                }
            }
            let echoCount = try reader.count("echoes", itemSize: DKGEcho.wireSize, limit: 4096)
            var echoes = [DKGEcho]()
            for _ in 0..<echoCount {
                echoes.append(DKGEcho(dealer: try reader.uint16(), digest: try reader.array(32), signature: try reader.array(64)))
            }
            return .complaints(DKGComplaints(session: session, sender: sender, complaints: complaints, echoes: echoes, signature: try reader.array(64)))
        case .justifications:
            let count = try reader.count("justified shares", itemSize: DKGShare.wireSize, limit: 4096)
            var shares = [DKGShare]()
            for _ in 0..<count { shares.append(try decodeEmbeddedShare(&reader)) }
            return .justification(DKGJustification(session: session, sender: sender, shares: shares, signature: try reader.array(64)))
        case .agreement:
            return .agreement(DKGAgreement(session: session, sender: sender, digest: try reader.array(32), signature: try reader.array(64)))
        }
    }

    static func decodeShareBody(_ reader: inout ByteReader, session: [UInt8], sender: Int) throws(WireError) -> DKGShare {
        DKGShare(session: session, sender: sender, receiver: try reader.uint16(), share: try reader.scalar(), signature: try reader.array(64))
    }

    /// A share quoted inside a complaint or justification: its full encoding.
    static func decodeEmbeddedShare(_ reader: inout ByteReader) throws(WireError) -> DKGShare {
        guard try reader.byte() == dkgTag else { throw .invalidValue("quoted share tag") }
        guard try reader.byte() == DKGRound.shares.rawValue else { throw .invalidValue("quoted share round") }
        let session = try reader.array(32)
        let sender = try reader.uint16()
        return try decodeShareBody(&reader, session: session, sender: sender)
    }
}

// MARK: - Signing

extension SigningMessage {
    enum Kind: UInt8 { case commitment = 1, share, request, package, refusal, handshakeRequest, handshakeResponse }

    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        switch self {
        case let .commitment(m):
            return m.signedBytes + m.signature
        case let .share(m):
            writer.append(signingTag)
            writer.append(Kind.share.rawValue)
            m.id.write(&writer)
            writer.append(node: m.signer)
            writer.append(m.share)
            writer.append(UInt16(truncatingIfNeeded: m.commitments.count))
            for commitment in m.commitments { writer.append(bytes: commitment.signedBytes + commitment.signature) }
            writer.append(bytes: m.signature)
        case let .request(m):
            writer.append(signingTag)
            writer.append(Kind.request.rawValue)
            m.id.write(&writer)
            writer.append(bytes: m.message)
            writer.append(UInt8(SigningScheme.allCases.firstIndex(of: m.scheme)!))
            writer.append(UInt8(SigningFlow.allCases.firstIndex(of: m.flow)!))
            writer.append(UInt16(truncatingIfNeeded: m.signers.count))
            writer.append(m.waitMilliseconds)
            for signer in m.signers { writer.append(node: signer) }
        case let .package(m):
            writer.append(signingTag)
            writer.append(Kind.package.rawValue)
            m.id.write(&writer)
            writer.append(bytes: m.message)
            writer.append(UInt8(SigningScheme.allCases.firstIndex(of: m.scheme)!))
            writer.append(0 as UInt8)
            writer.append(UInt16(truncatingIfNeeded: m.commitments.count))
            for commitment in m.commitments { writer.append(bytes: commitment.signedBytes + commitment.signature) }
        case let .refusal(m):
            writer.append(signingTag)
            writer.append(Kind.refusal.rawValue)
            m.id.write(&writer)
            writer.append(node: m.signer)
            writer.append(UInt8(SignRefusal.Reason.allCases.firstIndex(of: m.reason)!))
            writer.append(UInt16(truncatingIfNeeded: m.missing.count))
            for node in m.missing { writer.append(node: node) }
        case .handshakeRequest:
            writer.append(signingTag)
            writer.append(Kind.handshakeRequest.rawValue)
        case let .handshakeResponse(m):
            writer.append(signingTag)
            writer.append(Kind.handshakeResponse.rawValue)
            writer.append(node: m.node)
            writer.append(UInt16(truncatingIfNeeded: m.groupCommitment.threshold))
            for point in m.groupCommitment.coefficients { writer.append(point) }
        }
        return writer.bytes
    }

    public static func decode(_ reader: inout ByteReader) throws(WireError) -> SigningMessage {
        guard let kind = Kind(rawValue: try reader.byte()) else { throw .unknownKind(reader.bytes[reader.offset - 1]) }
        switch kind {
        case .commitment:
            return .commitment(try decodeCommitmentBody(&reader))
        case .share:
            let id = try decodeID(&reader)
            let signer = try reader.uint16()
            let share = try reader.scalar()
            let count = try reader.count("commitments", itemSize: SignedCommitment.wireSize, limit: 4096)
            var commitments = [SignedCommitment]()
            for _ in 0..<count { commitments.append(try decodeEmbeddedCommitment(&reader)) }
            return .share(SignatureShareMessage(id: id, signer: signer, share: share, commitments: commitments, signature: try reader.array(64)))
        case .request:
            let id = try decodeID(&reader)
            let message = try reader.array(32)
            let scheme = try choice(SigningScheme.allCases, try reader.byte(), "signing scheme")
            let flow = try choice(SigningFlow.allCases, try reader.byte(), "signing flow")
            let count = try reader.uint16()
            let wait = try reader.uint32()
            guard count * 2 <= reader.bytes.count - reader.offset else { throw .countTooLarge(what: "signers", count: count) }
            var signers = [Int]()
            for _ in 0..<count { signers.append(try reader.uint16()) }
            return .request(SignRequest(id: id, message: message, scheme: scheme, flow: flow, signers: signers, waitMilliseconds: wait))
        case .package:
            let id = try decodeID(&reader)
            let message = try reader.array(32)
            let scheme = try choice(SigningScheme.allCases, try reader.byte(), "signing scheme")
            guard try reader.byte() == 0 else { throw .invalidValue("reserved byte") }
            let count = try reader.count("commitments", itemSize: SignedCommitment.wireSize, limit: 4096)
            var commitments = [SignedCommitment]()
            for _ in 0..<count { commitments.append(try decodeEmbeddedCommitment(&reader)) }
            return .package(SigningPackageMessage(id: id, message: message, scheme: scheme, commitments: commitments))
        case .refusal:
            let id = try decodeID(&reader)
            let signer = try reader.uint16()
            let reason = try choice(SignRefusal.Reason.allCases, try reader.byte(), "refusal reason")
            let count = try reader.count("missing signers", itemSize: 2, limit: 4096)
            var missing = [Int]()
            for _ in 0..<count { missing.append(try reader.uint16()) }
            return .refusal(SignRefusal(id: id, signer: signer, reason: reason, missing: missing))
        case .handshakeRequest:
            return .handshakeRequest
        case .handshakeResponse:
            let node = try reader.uint16()
            let count = try reader.count("key commitment points", itemSize: 33, limit: 4096)
            var points = [Point]()
            for _ in 0..<count { points.append(try reader.point()) }
            return .handshakeResponse(HandshakeResponse(node: node, groupCommitment: VSSCommitment(coefficients: points)))
        }
    }

    static func choice<T>(_ cases: [T], _ raw: UInt8, _ what: String) throws(WireError) -> T {
        guard Int(raw) < cases.count else { throw .invalidValue(what) }
        return cases[Int(raw)]
    }

    static func decodeID(_ reader: inout ByteReader) throws(WireError) -> SigningRequestID {
        let client = Int(try reader.uint32())
        let request = Int(try reader.uint32())
        return SigningRequestID(client: client, request: request, attempt: try reader.uint16())
    }

    static func decodeCommitmentBody(_ reader: inout ByteReader) throws(WireError) -> SignedCommitment {
        let id = try decodeID(&reader)
        let signer = try reader.uint16()
        let commitment = FROSTCommitment(identifier: try reader.scalar(), hiding: try reader.point(), binding: try reader.point())
        return SignedCommitment(id: id, signer: signer, commitment: commitment, signature: try reader.array(64))
    }

    static func decodeEmbeddedCommitment(_ reader: inout ByteReader) throws(WireError) -> SignedCommitment {
        guard try reader.byte() == signingTag, try reader.byte() == Kind.commitment.rawValue else { throw .invalidValue("quoted commitment tag") }
        return try decodeCommitmentBody(&reader)
    }
}

/// Decodes one message of either protocol, rejecting anything malformed or with bytes left over.
public enum ProtocolWire {
    public enum Message: Sendable, Equatable {
        case dkg(DKGMessage)
        case signing(SigningMessage)
    }

    public static func decode(_ bytes: [UInt8], meter: CostMeter) throws(WireError) -> Message {
        var reader = ByteReader(bytes, meter: meter)
        let message: Message
        switch try reader.byte() {
        case dkgTag: message = .dkg(try DKGMessage.decode(&reader))
        case signingTag: message = .signing(try SigningMessage.decode(&reader))
        case let tag: throw .unknownTag(tag)
        }
        try reader.finish()
        return message
    }
}
