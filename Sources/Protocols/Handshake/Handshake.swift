import ThresholdCrypto

/// The SDK handshake: a client asks every node for the network's key material and trusts it
/// once a threshold of nodes report the same (Lit's SDK `handshake`).
public let handshakeProtocol = ProtocolName("handshake", tag: 0x48)  // "H"

/// What a node reports: its current key's epoch, roster and group commitment (whose first
/// point is the group key), or nothing yet.
public struct HandshakeResponse: Sendable, Equatable {
    public let node: NodeID
    public let roster: Roster
    public let groupCommitment: VSSCommitment
    /// The further ECDSA root keys (keys 1, 2, …; key 0 is the group key), which PKP keys
    /// derive from together with it.
    public let rootKeys: [Point]

    public init(node: NodeID, roster: Roster, groupCommitment: VSSCommitment, rootKeys: [Point] = []) {
        self.node = node
        self.roster = roster
        self.groupCommitment = groupCommitment
        self.rootKeys = rootKeys
    }

    public var epoch: Epoch { roster.epoch }
}

public enum HandshakeMessage: Sendable, Equatable, WireMessage {
    case request
    case response(HandshakeResponse)

    public static let protocolName = handshakeProtocol

    public var wireSize: Int {
        switch self {
        case .request: 2
        // The roster: epoch, identifier scheme, count, members.
        case let .response(m):
            2 + WireSize.node + 8 + 1 + 2 + WireSize.node * m.roster.count + 2 + WireSize.point * m.groupCommitment.threshold
                + 1 + WireSize.point * m.rootKeys.count
        }
    }

    /// Every kind `traceKind` names (what generic adversaries and coverage refer to).
    public static var traceKinds: [StaticString] { ["sdk.handshake", "sdk.handshake-response"] }

    public var traceKind: StaticString {
        switch self {
        case .request: "sdk.handshake"
        case .response: "sdk.handshake-response"
        }
    }

    public var traceFingerprint: UInt64 {
        switch self {
        case .request: 1
        case let .response(m): Self.fingerprint((try? m.groupCommitment.publicKey.compressed()) ?? [])
        }
    }

    public func encode(_ writer: inout ByteWriter) {
        switch self {
        case .request:
            writer.append(1 as UInt8)
        case let .response(m):
            writer.append(2 as UInt8)
            writer.append(node: m.node.value)
            writer.append(roster: m.roster)
            writer.append(commitment: m.groupCommitment)
            writer.append(UInt8(m.rootKeys.count))
            for key in m.rootKeys { writer.append(key) }
        }
    }

    public static func decode(_ reader: inout ByteReader) throws(WireError) -> HandshakeMessage {
        switch try reader.byte() {
        case 1:
            return .request
        case 2:
            let node = NodeID(try reader.uint16())
            let roster = try reader.roster()
            let commitment = try reader.commitment()
            var roots: [Point] = []
            for _ in 0..<Int(try reader.byte()) { roots.append(try reader.point()) }
            return .response(HandshakeResponse(node: node, roster: roster, groupCommitment: commitment, rootKeys: roots))
        case let kind:
            throw .unknownKind(kind)
        }
    }
}

/// The node side: answer with the current key, or as soon as there is one.
public struct HandshakeService: NodeService {
    public typealias Message = HandshakeMessage
    public typealias Timer = Never
    public typealias Output = Never

    var pending: [ClientID] = []
    /// Root keys the network has (`protocol.root_keys`): a node answers once it holds them all.
    let rootKeys: Int

    public init(rootKeys: Int = 1) { self.rootKeys = max(1, rootKeys) }

    public mutating func receive(_ message: HandshakeMessage, from sender: EndpointID, _ context: ServiceContext) -> [Effect] {
        guard case .request = message, let client = sender.client else { return [] }
        guard let response = response(context) else {
            pending.append(client)
            return []
        }
        return [.send(.response(response), to: sender)]
    }

    public mutating func keysChanged(_ context: ServiceContext) -> [Effect] {
        guard let response = response(context) else { return [] }
        defer { pending = [] }
        return pending.map { .send(.response(response), to: .client($0)) }
    }

    public mutating func timerFired(_ timer: Never, _ context: ServiceContext) -> [Effect] {}

    public mutating func crash() { pending = [] }

    /// The current key with every root key of its epoch, or nil while one is missing.
    func response(_ context: ServiceContext) -> HandshakeResponse? {
        guard let key = context.keys.current() else { return nil }
        let roots = (1..<rootKeys).map { context.keys.usable(KeyID(UInt32($0)), epoch: key.epoch)?.groupKey }
        guard roots.allSatisfy({ $0 != nil }) else { return nil }
        return HandshakeResponse(node: context.me, roster: key.roster, groupCommitment: key.groupCommitment, rootKeys: roots.compactMap { $0 })
    }
}
