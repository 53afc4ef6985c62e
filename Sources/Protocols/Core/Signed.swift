import ThresholdCrypto

/// The identity keys of the network's nodes (BIP-340 x-only, as registered on the staking
/// contract) and of its clients (the key a client's session signatures are checked with).
public struct IdentityDirectory: Sendable {
    let keys: [[UInt8]]
    let clientKeys: [[UInt8]]

    public init(keys: [[UInt8]], clientKeys: [[UInt8]] = []) {
        self.keys = keys
        self.clientKeys = clientKeys
    }

    public func key(of node: NodeID) -> [UInt8]? { keys.indices.contains(node.value) ? keys[node.value] : nil }

    public func key(of endpoint: EndpointID) -> [UInt8]? {
        switch endpoint {
        case let .node(node): key(of: node)
        case let .client(client): clientKeys.indices.contains(client.value) ? clientKeys[client.value] : nil
        // The chain signs nothing: its messages are trusted by where they come from.
        case .chain: nil
        }
    }

    public var count: Int { keys.count }
}

/// What a signature covers, rebuilt by the verifier from typed fields:
/// `"LitSim/v2" ‖ protocol ‖ message kind ‖ session ‖ epoch ‖ sender ‖ SHA-256(body)`.
/// Because every field is part of the signed bytes, a signature on one kind of message, in one
/// session and epoch, by one sender, verifies as nothing else (DESIGN.md §4).
public struct SignedHeader: Hashable, Sendable, CustomStringConvertible {
    public static let domain = Array("LitSim/v2".utf8)

    public let protocolName: ProtocolName
    /// The message kind within the protocol (its own numbering).
    public let kind: UInt8
    public let session: SessionID
    /// Who signed: a node, or a client (for the requests it signs).
    public let sender: EndpointID
    /// SHA-256 of the message body's canonical encoding.
    public let bodyHash: [UInt8]
    /// `digest`'s value and its SHA-256 block count, when the message kept them (`KeptHeader`).
    /// Derived from the fields above, so neither equality nor hashing looks at it.
    private(set) var kept: (digest: [UInt8], blocks: Int)?

    public init(protocolName: ProtocolName, kind: UInt8, session: SessionID, sender: EndpointID, bodyHash: [UInt8]) {
        precondition(bodyHash.count == 32, "body hash is 32 bytes")
        self.protocolName = protocolName
        self.kind = kind
        self.session = session
        self.sender = sender
        self.bodyHash = bodyHash
        kept = nil
    }

    /// The header of a node's message: its protocol is its session's.
    init(kind: UInt8, session: SessionID, node: NodeID, bodyHash: [UInt8]) {
        self.init(protocolName: session.protocolName, kind: kind, session: session, sender: .node(node), bodyHash: bodyHash)
    }

    /// The same header with its digest computed now, once.
    func keepingDigest() -> SignedHeader {
        var copy = self
        let bytes = signedBytes
        copy.kept = (Hashing.sha256(bytes, meter: CostMeter()), Hashing.blockCount(length: bytes.count))
        return copy
    }

    public static func == (a: SignedHeader, b: SignedHeader) -> Bool {
        a.protocolName == b.protocolName && a.kind == b.kind && a.session == b.session && a.sender == b.sender && a.bodyHash == b.bodyHash
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(protocolName)
        hasher.combine(kind)
        hasher.combine(session)
        hasher.combine(sender)
        hasher.combine(bodyHash)
    }

    /// The bytes the signature is over (before hashing to the 32-byte BIP-340 message).
    public var signedBytes: [UInt8] {
        var writer = ByteWriter()
        writer.append(bytes: Self.domain)
        writer.append(UInt8(protocolName.name.utf8.count))
        writer.append(bytes: Array(protocolName.name.utf8))
        writer.append(kind)
        session.write(&writer)
        writer.append(session.epoch.value)
        sender.write(&writer)
        writer.append(bytes: bodyHash)
        return writer.bytes
    }

    /// SHA-256 of `signedBytes`. A kept digest is charged to `meter` as if hashed again.
    public func digest(meter: CostMeter) -> [UInt8] {
        guard let kept else { return Hashing.sha256(signedBytes, meter: meter) }
        meter.count(.hashBlock, times: kept.blocks)
        return kept.digest
    }

    public var description: String { "\(protocolName) kind \(kind) in \(session) by \(sender)" }

    func write(_ writer: inout ByteWriter) {
        writer.append(kind)
        session.write(&writer)
        sender.write(&writer)
        writer.append(bytes: bodyHash)
    }

    static func read(_ reader: inout ByteReader, protocolName: ProtocolName) throws(WireError) -> SignedHeader {
        let kind = try reader.byte()
        let session = try SessionID.read(&reader, expected: protocolName)
        let sender = try EndpointID.read(&reader)
        return SignedHeader(protocolName: protocolName, kind: kind, session: session, sender: sender, bodyHash: try reader.array(32))
    }

    static let wireSize = 1 + SessionID.wireSize + EndpointID.wireSize + WireSize.digest
}

/// A header and its signature, without the body: enough for anyone to check who signed what
/// (echoes and evidence carry these instead of whole messages).
public struct SignedStatement: Hashable, Sendable {
    public let header: SignedHeader
    public let signature: [UInt8]

    public init(header: SignedHeader, signature: [UInt8]) {
        self.header = header
        self.signature = signature
    }

    public func isValid(_ directory: IdentityDirectory, meter: CostMeter, memo: CryptoMemo? = nil) -> Bool {
        guard let key = directory.key(of: header.sender), signature.count == 64 else { return false }
        return NodeIdentity.verify(signature, digest: header.digest(meter: meter), publicKey: key, meter: meter, memo: memo)
    }

    public func write(_ writer: inout ByteWriter) {
        header.write(&writer)
        writer.append(bytes: signature)
    }

    public static func read(_ reader: inout ByteReader, protocolName: ProtocolName) throws(WireError) -> SignedStatement {
        SignedStatement(header: try SignedHeader.read(&reader, protocolName: protocolName), signature: try reader.array(64))
    }

    public static let wireSize = SignedHeader.wireSize + WireSize.signature
}

/// A message's header and digest, worked out once when the message is built, for a message
/// that many receivers check (a signer's commitment: every co-signer checks each one). Every
/// use still charges the caller's meter the hashing it stands for, so simulated time is what
/// hashing again would give; only the wall time goes.
public struct KeptHeader: Sendable {
    let header: SignedHeader
    let bodyBlocks: Int

    /// The header `SignedMessage.header(meter:)` gives a message of this kind, session, sender
    /// and body.
    public init(kind: UInt8, session: SessionID, sender: NodeID, body: [UInt8]) {
        header = SignedHeader(kind: kind, session: session, node: sender, bodyHash: Hashing.sha256(body, meter: CostMeter())).keepingDigest()
        bodyBlocks = Hashing.blockCount(length: body.count)
    }
}

/// A protocol message signed by its sending node. The conforming type says which kind it is
/// and how its body encodes, its session says which protocol; the header, digest and checks
/// come from here, so no message signs under a domain of its own choosing.
public protocol SignedMessage: Sendable {
    static var kind: UInt8 { get }
    var session: SessionID { get }
    var sender: NodeID { get }
    /// The canonical encoding of everything but the session, sender and signature.
    var body: [UInt8] { get }
    var signature: [UInt8] { get set }
    /// The header and digest worked out when the message was built, if it keeps them (nil:
    /// they are worked out on each use).
    var keptHeader: KeptHeader? { get }
    /// The whole message on the wire: kind, session, sender, body, signature.
    var signedEncoding: [UInt8] { get }
}

extension SignedMessage {
    public var keptHeader: KeptHeader? { nil }

    public func header(meter: CostMeter) -> SignedHeader {
        if let keptHeader {
            meter.count(.hashBlock, times: keptHeader.bodyBlocks)
            return keptHeader.header
        }
        return SignedHeader(kind: Self.kind, session: session, node: sender, bodyHash: Hashing.sha256(body, meter: meter))
    }

    public func statement(meter: CostMeter) -> SignedStatement { SignedStatement(header: header(meter: meter), signature: signature) }

    /// The 32-byte message the BIP-340 signature covers.
    public func digest(meter: CostMeter) -> [UInt8] { header(meter: meter).digest(meter: meter) }

    /// The same message signed by `identity` (honest nodes, and Byzantine ones signing what they choose).
    public func signed(by identity: NodeIdentity, meter: CostMeter) -> Self {
        var copy = self
        copy.signature = identity.sign(digest: digest(meter: meter), meter: meter)
        return copy
    }

    /// Whether the signature is the named sender's over exactly this message.
    public func hasValidSignature(_ directory: IdentityDirectory, meter: CostMeter, memo: CryptoMemo? = nil) -> Bool {
        statement(meter: meter).isValid(directory, meter: meter, memo: memo)
    }

    /// The whole message on the wire: header fields, body, signature.
    public var signedEncoding: [UInt8] { Self.encoding(session: session, sender: sender, body: body, signature: signature) }

    /// Kind, session, sender, body, then `signature` (empty: the encoding a signature is
    /// appended to).
    static func encoding(session: SessionID, sender: NodeID, body: [UInt8], signature: [UInt8]) -> [UInt8] {
        var writer = ByteWriter()
        writer.append(Self.kind)
        session.write(&writer)
        writer.append(node: sender.value)
        writer.append(bytes: body)
        writer.append(bytes: signature)
        return writer.bytes
    }

    /// Bytes of the fixed part around the body (kind, session, sender, signature).
    public static var envelopeSize: Int { 1 + SessionID.wireSize + WireSize.node + WireSize.signature }
}
