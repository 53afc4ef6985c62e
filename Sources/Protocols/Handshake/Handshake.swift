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

    public init(node: NodeID, roster: Roster, groupCommitment: VSSCommitment) {
        self.node = node
        self.roster = roster
        self.groupCommitment = groupCommitment
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
        case let .response(m): 2 + WireSize.node + 8 + 1 + 2 + WireSize.node * m.roster.count + 2 + WireSize.point * m.groupCommitment.threshold
        }
    }

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
        }
    }

    public static func decode(_ reader: inout ByteReader) throws(WireError) -> HandshakeMessage {
        switch try reader.byte() {
        case 1:
            return .request
        case 2:
            let node = NodeID(try reader.uint16())
            let roster = try reader.roster()
            return .response(HandshakeResponse(node: node, roster: roster, groupCommitment: try reader.commitment()))
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

    public init() {}

    public mutating func receive(_ message: HandshakeMessage, from sender: EndpointID, _ context: ServiceContext) -> [Effect] {
        guard case .request = message, let client = sender.client else { return [] }
        guard let key = context.keys.current() else {
            pending.append(client)
            return []
        }
        return [.send(.response(Self.response(key, context)), to: sender)]
    }

    public mutating func keysChanged(_ context: ServiceContext) -> [Effect] {
        guard let key = context.keys.current() else { return [] }
        defer { pending = [] }
        return pending.map { .send(.response(Self.response(key, context)), to: .client($0)) }
    }

    public mutating func timerFired(_ timer: Never, _ context: ServiceContext) -> [Effect] {}

    public mutating func crash() { pending = [] }

    static func response(_ key: KeyShare, _ context: ServiceContext) -> HandshakeResponse {
        HandshakeResponse(node: context.me, roster: key.roster, groupCommitment: key.groupCommitment)
    }
}
