import ThresholdCrypto

/// How signers and the client exchange FROST's two rounds. Each flow is its own protocol (its
/// own name in signatures, its own tag on the wire, its own service) over one FROST core.
public protocol SigningFlowKind: Sendable {
    static var protocolName: ProtocolName { get }
}

/// Lit's: signers exchange commitments, then each sends its share to the client.
public enum LitFlow: SigningFlowKind {
    public static let protocolName = ProtocolName("frost-lit", tag: 0x53)  // "S"
}

/// RFC 9591 §5: the client collects commitments, sends the signing package, collects shares.
public enum CoordinatorFlow: SigningFlowKind {
    public static let protocolName = ProtocolName("frost-coordinator", tag: 0x43)  // "C"
}


/// A client's request to sign a 32-byte message, signed by the client (its session's
/// initiator): no node can open, reopen or claim a session in a client's name. In the lit flow
/// it goes to each chosen signer; in the coordinator flow to every node, asking only for a
/// commitment.
public struct SignRequest: Sendable, Equatable {
    public static let kind: UInt8 = 1
    public let id: AttemptID
    public let message: [UInt8]
    public let scheme: SigningScheme
    /// The signer set (lit flow); empty in the coordinator flow's first round.
    public let signers: [NodeID]
    /// How long a signer may wait for its co-signers before it refuses, in milliseconds.
    public let waitMilliseconds: UInt32
    /// The client's BIP-340 signature over the domain-separated header (DESIGN.md §4).
    public var signature: [UInt8]

    public init(id: AttemptID, message: [UInt8], scheme: SigningScheme, signers: [NodeID], waitMilliseconds: UInt32, signature: [UInt8] = []) {
        precondition(signers.count <= Int(UInt16.max), "signer list too long to encode")
        self.id = id
        self.message = message
        self.scheme = scheme
        self.signers = signers
        self.waitMilliseconds = waitMilliseconds
        self.signature = signature
    }

    /// Everything but the session and signature.
    public var body: [UInt8] {
        var writer = ByteWriter()
        writer.append(id.attempt)
        writer.append(bytes: message)
        writer.append(UInt8(SigningScheme.allCases.firstIndex(of: scheme)!))
        writer.append(waitMilliseconds)
        writer.append(UInt16(signers.count))
        for signer in signers { writer.append(node: signer.value) }
        return writer.bytes
    }

    public func header(meter: CostMeter) -> SignedHeader {
        SignedHeader(protocolName: id.session.protocolName, kind: Self.kind, session: id.session, sender: .client(id.client),
                     bodyHash: Hashing.sha256(body, meter: meter))
    }

    public func signed(by client: NodeIdentity, meter: CostMeter) -> SignRequest {
        var copy = self
        copy.signature = client.sign(digest: header(meter: meter).digest(meter: meter), meter: meter)
        return copy
    }

    /// Whether the client the session names signed exactly this request.
    public func hasValidSignature(_ directory: IdentityDirectory, meter: CostMeter, memo: CryptoMemo? = nil) -> Bool {
        SignedStatement(header: header(meter: meter), signature: signature).isValid(directory, meter: meter, memo: memo)
    }

    var wireSize: Int { AttemptID.wireSize + 32 + 1 + 4 + 2 + WireSize.node * signers.count + WireSize.signature }
}

/// A signer's nonce commitment for one attempt, signed with its identity key, bound to the
/// group key it signs for (its hash) and, through the session, to the epoch.
public struct SignedCommitment: Sendable, Hashable, SignedMessage {
    public static let kind: UInt8 = 2

    /// Everything but the signature, in one immutable box: a commitment is copied into every
    /// co-signer's inbox and session and every share that quotes it (t² copies per attempt),
    /// and a copy then retains one reference instead of one per field.
    final class Contents: Sendable {
        let id: AttemptID
        let signer: NodeID
        let keyHash: [UInt8]
        let commitment: FROSTCommitment
        let body: [UInt8]
        let keptHeader: KeptHeader
        /// The signed encoding but the signature: co-signers quote the commitment in their
        /// shares, and each hashes the whole list into its list digest.
        let unsignedEncoding: [UInt8]

        init(id: AttemptID, signer: NodeID, keyHash: [UInt8], commitment: FROSTCommitment) {
            self.id = id
            self.signer = signer
            self.keyHash = keyHash
            self.commitment = commitment
            var writer = ByteWriter()
            writer.append(id.attempt)
            writer.append(bytes: keyHash)
            writer.append(bytes: commitment.encoded)
            body = writer.bytes
            keptHeader = KeptHeader(kind: SignedCommitment.kind, session: id.session, sender: signer, body: body)
            unsignedEncoding = SignedCommitment.encoding(session: id.session, sender: signer, body: body, signature: [])
        }
    }

    let contents: Contents
    public var signature: [UInt8]

    public var id: AttemptID { contents.id }
    public var signer: NodeID { contents.signer }
    /// SHA-256 of the group key's compressed encoding.
    public var keyHash: [UInt8] { contents.keyHash }
    public var commitment: FROSTCommitment { contents.commitment }
    /// The canonical encoding of everything but the session, sender and signature.
    public var body: [UInt8] { contents.body }
    /// Every co-signer and the client check each commitment: its header is worked out once.
    public var keptHeader: KeptHeader? { contents.keptHeader }
    public var signedEncoding: [UInt8] { contents.unsignedEncoding + signature }

    public init(id: AttemptID, signer: NodeID, keyHash: [UInt8], commitment: FROSTCommitment, signature: [UInt8] = []) {
        precondition(keyHash.count == 32, "key hash is 32 bytes")
        contents = Contents(id: id, signer: signer, keyHash: keyHash, commitment: commitment)
        self.signature = signature
    }

    // `body` and `keptHeader` follow from the other fields.
    public static func == (a: SignedCommitment, b: SignedCommitment) -> Bool {
        guard a.contents !== b.contents else { return a.signature == b.signature }
        return a.id == b.id && a.signer == b.signer && a.keyHash == b.keyHash && a.commitment == b.commitment && a.signature == b.signature
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(signer)
        hasher.combine(keyHash)
        hasher.combine(commitment)
        hasher.combine(signature)
    }

    /// The key hash commitments for `key` carry.
    public static func keyHash(_ key: Point, meter: CostMeter) -> [UInt8] {
        Hashing.sha256((try? key.compressed()) ?? [], meter: meter)
    }

    public var session: SessionID { id.session }
    public var sender: NodeID { signer }

    static let bodySize = 4 + WireSize.digest + FROSTCommitment.encodedSize
    /// Kind, session, signer, body, signature: as sent, and as quoted in other messages.
    public static let quotedSize = envelopeSize + bodySize
}

/// The coordinator flow's second round: the commitments the client chose.
public struct SigningPackageMessage: Sendable, Equatable {
    public let id: AttemptID
    public let message: [UInt8]
    public let scheme: SigningScheme
    public let commitments: [SignedCommitment]

    public init(id: AttemptID, message: [UInt8], scheme: SigningScheme, commitments: [SignedCommitment]) {
        precondition(commitments.count <= Int(UInt16.max), "package too long to encode")
        self.id = id
        self.message = message
        self.scheme = scheme
        self.commitments = commitments
    }

    var wireSize: Int { AttemptID.wireSize + 32 + 1 + 2 + SignedCommitment.quotedSize * commitments.count }
}

/// A signature share for the client, signed, bound to the client-signed request (its header
/// digest, hence the message) and to the commitment list it was computed over (its digest),
/// with that list quoted in the lit flow so the client can build the same package and prove
/// equivocation. A third party can thus re-check a bad share against exactly what it signed.
public struct SignatureShareMessage: Sendable, Equatable, SignedMessage {
    public static let kind: UInt8 = 4
    public let id: AttemptID
    public let signer: NodeID
    public let requestDigest: [UInt8]
    public let listDigest: [UInt8]
    public let share: Scalar
    public let commitments: [SignedCommitment]
    public var signature: [UInt8]

    public init(id: AttemptID, signer: NodeID, requestDigest: [UInt8], listDigest: [UInt8], share: Scalar, commitments: [SignedCommitment],
                signature: [UInt8] = []) {
        precondition(commitments.count <= Int(UInt16.max), "commitment list too long to encode")
        precondition(requestDigest.count == 32 && listDigest.count == 32, "digests are 32 bytes")
        self.id = id
        self.signer = signer
        self.requestDigest = requestDigest
        self.listDigest = listDigest
        self.share = share
        self.commitments = commitments
        self.signature = signature
    }

    /// The digest a share names for the list it was computed over.
    public static func listDigest(_ list: [SignedCommitment], meter: CostMeter) -> [UInt8] {
        Hashing.sha256(parts: list.map(\.signedEncoding), meter: meter)
    }

    public var session: SessionID { id.session }
    public var sender: NodeID { signer }

    /// The share and the whole of every commitment it was computed over (their contents, not
    /// only their signatures, are what the share's signature covers).
    public var body: [UInt8] {
        var writer = ByteWriter()
        writer.append(id.attempt)
        writer.append(bytes: requestDigest)
        writer.append(bytes: listDigest)
        writer.append(share)
        writer.append(UInt16(commitments.count))
        for commitment in commitments { writer.append(bytes: commitment.signedEncoding) }
        return writer.bytes
    }

    var bodySize: Int { 4 + 2 * WireSize.digest + WireSize.scalar + 2 + SignedCommitment.quotedSize * commitments.count }
}

/// A node declining an attempt, with a stable reason code.
public struct SignRefusal: Sendable, Equatable {
    public enum Reason: String, Sendable, CaseIterable {
        /// The node holds no share of the key (no DKG finished, or its share is inconsistent).
        case noKey = "no-key"
        /// A co-signer's commitment did not arrive in time (lit flow).
        case missingCommitments = "missing-commitments"
        /// This attempt was already answered.
        case alreadySigned = "already-signed"
        /// The request does not name this node, or names a node twice or out of range.
        case notASigner = "not-a-signer"
        /// The signing package is malformed or does not match the request.
        case invalidPackage = "invalid-package"
        /// The node holds no share of the request's epoch it may use: the epoch is neither its
        /// current nor the one before (a stale or unknown epoch).
        case wrongEpoch = "wrong-epoch"
    }

    public let id: AttemptID
    public let signer: NodeID
    public let reason: Reason
    /// Co-signers whose commitments never came (for `missingCommitments`).
    public let missing: [NodeID]

    public init(id: AttemptID, signer: NodeID, reason: Reason, missing: [NodeID]) {
        precondition(missing.count <= Int(UInt16.max), "missing list too long to encode")
        self.id = id
        self.signer = signer
        self.reason = reason
        self.missing = missing
    }

    var wireSize: Int { AttemptID.wireSize + WireSize.node + 1 + 2 + WireSize.node * missing.count }
}

/// The messages of one signing flow. Both flows share the vocabulary; each is its own wire
/// type (its tag) and service.
public enum SigningMessage<Flow: SigningFlowKind>: Sendable, Equatable, WireMessage {
    case request(SignRequest)
    case commitment(SignedCommitment)
    case package(SigningPackageMessage)
    case share(SignatureShareMessage)
    case refusal(SignRefusal)

    public static var protocolName: ProtocolName { Flow.protocolName }

    enum Kind: UInt8 { case request = 1, commitment = 2, package = 3, share = 4, refusal = 5 }

    public var attempt: AttemptID {
        switch self {
        case let .request(m): m.id
        case let .commitment(m): m.id
        case let .package(m): m.id
        case let .share(m): m.id
        case let .refusal(m): m.id
        }
    }

    public var wireSize: Int {
        switch self {
        case let .request(m): 2 + m.wireSize
        case .commitment: 1 + SignedCommitment.quotedSize
        case let .package(m): 2 + m.wireSize
        case let .share(m): 1 + SignatureShareMessage.envelopeSize + m.bodySize
        case let .refusal(m): 2 + m.wireSize
        }
    }

    /// Every kind `traceKind` names (what generic adversaries and coverage refer to).
    public static var traceKinds: [StaticString] { ["sign.request", "sign.commitment", "sign.package", "sign.share", "sign.refusal"] }

    public var traceKind: StaticString {
        switch self {
        case .request: "sign.request"
        case .commitment: "sign.commitment"
        case .package: "sign.package"
        case .share: "sign.share"
        case .refusal: "sign.refusal"
        }
    }

    public var clientAttempt: (request: Int, attempt: Int)? {
        let id = switch self {
        case let .request(m): m.id
        case let .commitment(m): m.id
        case let .package(m): m.id
        case let .share(m): m.id
        case let .refusal(m): m.id
        }
        return (Int(clamping: id.request), Int(id.attempt))
    }

    public var traceFingerprint: UInt64 {
        switch self {
        case let .request(m): Self.fingerprint(m.message)
        case let .commitment(m): Self.fingerprint(m.signature)
        case let .package(m): Self.fingerprint(m.commitments.first?.signature ?? [])
        case let .share(m): Self.fingerprint(m.signature)
        case let .refusal(m): UInt64(m.signer.value) << 8 | UInt64(m.missing.count)
        }
    }

    public func encode(_ writer: inout ByteWriter) {
        switch self {
        case let .request(m):
            writer.append(Kind.request.rawValue)
            m.id.session.write(&writer)
            writer.append(bytes: m.body)
            writer.append(bytes: m.signature)
        case let .commitment(m):
            writer.append(bytes: m.signedEncoding)
        case let .package(m):
            writer.append(Kind.package.rawValue)
            m.id.write(&writer)
            writer.append(bytes: m.message)
            writer.append(UInt8(SigningScheme.allCases.firstIndex(of: m.scheme)!))
            writer.append(UInt16(m.commitments.count))
            for commitment in m.commitments { writer.append(bytes: commitment.signedEncoding) }
        case let .share(m):
            writer.append(bytes: m.signedEncoding)
        case let .refusal(m):
            writer.append(Kind.refusal.rawValue)
            m.id.write(&writer)
            writer.append(node: m.signer.value)
            writer.append(UInt8(SignRefusal.Reason.allCases.firstIndex(of: m.reason)!))
            writer.append(UInt16(m.missing.count))
            for node in m.missing { writer.append(node: node.value) }
        }
    }

    public static func decode(_ reader: inout ByteReader) throws(WireError) -> Self {
        let raw = try reader.byte()
        guard let kind = Kind(rawValue: raw) else { throw .unknownKind(raw) }
        switch kind {
        case .request:
            let id = try AttemptID.read(&reader, protocolName: Flow.protocolName)
            let message = try reader.array(32)
            let scheme = try choice(SigningScheme.allCases, try reader.byte(), "signing scheme")
            let wait = try reader.uint32()
            let count = try reader.count("signers", itemSize: WireSize.node, limit: 4096)
            var signers = [NodeID]()
            for _ in 0..<count { signers.append(NodeID(try reader.uint16())) }
            return .request(SignRequest(id: id, message: message, scheme: scheme, signers: signers, waitMilliseconds: wait,
                                        signature: try reader.array(64)))
        case .commitment:
            return .commitment(try commitmentAfterKind(&reader))
        case .package:
            let id = try AttemptID.read(&reader, protocolName: Flow.protocolName)
            let message = try reader.array(32)
            let scheme = try choice(SigningScheme.allCases, try reader.byte(), "signing scheme")
            let count = try reader.count("commitments", itemSize: SignedCommitment.quotedSize, limit: 4096)
            var commitments = [SignedCommitment]()
            for _ in 0..<count { commitments.append(try quotedCommitment(&reader)) }
            return .package(SigningPackageMessage(id: id, message: message, scheme: scheme, commitments: commitments))
        case .share:
            let session = try SessionID.read(&reader, expected: Flow.protocolName)
            guard session.initiator.client != nil else { throw .invalidValue("signing session started by a node") }
            let signer = NodeID(try reader.uint16())
            let id = AttemptID(session: session, attempt: try reader.uint32())
            let requestDigest = try reader.array(32)
            let listDigest = try reader.array(32)
            let share = try reader.scalar()
            let count = try reader.count("commitments", itemSize: SignedCommitment.quotedSize, limit: 4096)
            var commitments = [SignedCommitment]()
            for _ in 0..<count { commitments.append(try quotedCommitment(&reader)) }
            return .share(SignatureShareMessage(id: id, signer: signer, requestDigest: requestDigest, listDigest: listDigest, share: share,
                                                commitments: commitments, signature: try reader.array(64)))
        case .refusal:
            let id = try AttemptID.read(&reader, protocolName: Flow.protocolName)
            let signer = NodeID(try reader.uint16())
            let reason = try choice(SignRefusal.Reason.allCases, try reader.byte(), "refusal reason")
            let count = try reader.count("missing signers", itemSize: WireSize.node, limit: 4096)
            var missing = [NodeID]()
            for _ in 0..<count { missing.append(NodeID(try reader.uint16())) }
            return .refusal(SignRefusal(id: id, signer: signer, reason: reason, missing: missing))
        }
    }

    static func choice<T>(_ cases: [T], _ raw: UInt8, _ what: String) throws(WireError) -> T {
        guard Int(raw) < cases.count else { throw .invalidValue(what) }
        return cases[Int(raw)]
    }

    /// A commitment's signed encoding after its kind byte: session, signer, body, signature.
    static func commitmentAfterKind(_ reader: inout ByteReader) throws(WireError) -> SignedCommitment {
        let session = try SessionID.read(&reader, expected: Flow.protocolName)
        guard session.initiator.client != nil else { throw .invalidValue("signing session started by a node") }
        let signer = NodeID(try reader.uint16())
        let id = AttemptID(session: session, attempt: try reader.uint32())
        let keyHash = try reader.array(32)
        let commitment = FROSTCommitment(identifier: try reader.scalar(), hiding: try reader.point(), binding: try reader.point())
        return SignedCommitment(id: id, signer: signer, keyHash: keyHash, commitment: commitment, signature: try reader.array(64))
    }

    static func quotedCommitment(_ reader: inout ByteReader) throws(WireError) -> SignedCommitment {
        guard try reader.byte() == SignedCommitment.kind else { throw .invalidValue("quoted commitment kind") }
        return try commitmentAfterKind(&reader)
    }
}

/// A signing message without its flow, for code that handles both flows alike (the client).
public enum SigningPayload: Sendable, Equatable {
    case request(SignRequest)
    case commitment(SignedCommitment)
    case package(SigningPackageMessage)
    case share(SignatureShareMessage)
    case refusal(SignRefusal)
}

extension SigningMessage {
    public var payload: SigningPayload {
        switch self {
        case let .request(m): .request(m)
        case let .commitment(m): .commitment(m)
        case let .package(m): .package(m)
        case let .share(m): .share(m)
        case let .refusal(m): .refusal(m)
        }
    }

    public init(_ payload: SigningPayload) {
        switch payload {
        case let .request(m): self = .request(m)
        case let .commitment(m): self = .commitment(m)
        case let .package(m): self = .package(m)
        case let .share(m): self = .share(m)
        case let .refusal(m): self = .refusal(m)
        }
    }
}
