import ThresholdCrypto

/// A node of the network: its place on the staking contract, stable across epochs. Not the
/// scalar its key share is evaluated at (that is its `Identifier`, assigned per epoch by the
/// key's roster) and not its index in the engine (that is its `EndpointID`).
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: Int

    /// - Precondition: 0 ≤ value ≤ 65535 (two bytes on the wire; scenarios allow at most 1000).
    public init(_ value: Int) {
        precondition(value >= 0 && value <= Int(UInt16.max), "node id \(value) does not fit two bytes")
        self.value = value
    }

    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
    public var description: String { "node \(value)" }
}

/// A client (an SDK instance), numbered from 0.
public struct ClientID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: Int

    /// - Precondition: 0 ≤ value < 2³² (four bytes on the wire).
    public init(_ value: Int) {
        precondition(value >= 0 && value <= Int(UInt32.max), "client id \(value) does not fit four bytes")
        self.value = value
    }

    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
    public var description: String { "client \(value)" }
    /// The client's address on the simulated chains (what `:userAddress` stands for; scenario
    /// chain events name it `client-N`).
    public var address: String { "client-\(value)" }
}

/// Whoever sends or receives a message: a node or a client. The engine numbers endpoints
/// itself; LitNetwork's `EndpointLayout` is the one place that maps between the two.
public enum EndpointID: Hashable, Comparable, Sendable, CustomStringConvertible {
    case node(NodeID)
    case client(ClientID)
    /// The staking contract's chain (epochs): one per network, trusted as a blockchain is.
    case chain

    public var node: NodeID? {
        if case let .node(node) = self { return node }
        return nil
    }

    public var client: ClientID? {
        if case let .client(client) = self { return client }
        return nil
    }

    public var description: String {
        switch self {
        case let .node(node): node.description
        case let .client(client): client.description
        case .chain: "chain"
        }
    }

    /// Nodes, then clients, then the chain.
    var order: (Int, Int) {
        switch self {
        case let .node(node): (0, node.value)
        case let .client(client): (1, client.value)
        case .chain: (2, 0)
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.order < b.order }

    func write(_ writer: inout ByteWriter) {
        switch self {
        case let .node(node):
            writer.append(0 as UInt8)
            writer.append(UInt32(node.value))
        case let .client(client):
            writer.append(1 as UInt8)
            writer.append(UInt32(client.value))
        case .chain:
            writer.append(2 as UInt8)
            writer.append(0 as UInt32)
        }
    }

    static func read(_ reader: inout ByteReader) throws(WireError) -> EndpointID {
        let kind = try reader.byte()
        let value = try reader.uint32()
        switch kind {
        case 0:
            guard value <= UInt32(UInt16.max) else { throw .invalidValue("node id \(value)") }
            return .node(NodeID(Int(value)))
        case 1: return .client(ClientID(Int(value)))
        case 2 where value == 0: return .chain
        default: throw .invalidValue("endpoint kind \(kind)")
        }
    }

    static let wireSize = 5
}

/// A key epoch: 0 at genesis, one more at every refresh or reshare.
public struct Epoch: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: UInt64
    public init(_ value: UInt64) { self.value = value }
    public static let genesis = Epoch(0)
    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
    public var description: String { "epoch \(value)" }
}

/// The nonzero scalar a participant's share is evaluated at. Only a `Roster` makes one for a
/// node, so the mapping from nodes to identifiers lives in one function.
public struct Identifier: Hashable, Sendable, CustomStringConvertible {
    public let scalar: Scalar

    /// - Throws: `RosterError.zeroIdentifier` for zero (remote input is validated, never trusted).
    public init(_ scalar: Scalar) throws(RosterError) {
        guard !scalar.isZero else { throw .zeroIdentifier }
        self.scalar = scalar
    }

    /// A node's identifier in every roster it is in, by the network's scheme. Stable across
    /// epochs, as Lit's peer ids are, so a node that stays keeps its evaluation point and
    /// resharing's Lagrange weights run over the identifiers of the old set.
    init(node: NodeID, scheme: IdentifierScheme) {
        switch scheme {
        case .sequential:
            scalar = Scalar(UInt64(node.value) + 1)
        case .lit:
            // Lit's: SHA-512 of the 32-byte big-endian PeerId (here the node's id + 1), mod q.
            var peerID = [UInt8](repeating: 0, count: 30)
            peerID += [UInt8((node.value + 1) >> 8), UInt8((node.value + 1) & 0xFF)]
            scalar = LitHD.identifier(peerID: peerID)
        }
    }

    public var description: String { scalar.hexString }
}

public enum RosterError: Error, Equatable, Sendable, CustomStringConvertible {
    case zeroIdentifier
    case notAMember(NodeID)
    case duplicateMember(NodeID)

    public var description: String {
        switch self {
        case .zeroIdentifier: "identifiers must be nonzero"
        case let .notAMember(node): "\(node) is not in the roster"
        case let .duplicateMember(node): "\(node) is listed twice"
        }
    }
}

/// How a network turns its nodes into Shamir x-coordinates (`network.identifiers`).
public enum IdentifierScheme: String, Sendable, CaseIterable {
    /// RFC 9591's 1..n: a node's id + 1.
    case sequential
    /// Lit's: SHA-512 of the node's PeerId, mod q (LIT-ECDSA-EPOCHS.md §1.2) — pseudo-random
    /// field elements, as Lit's nodes evaluate their shares at.
    case lit
}

/// The participants of one key in one epoch, in order, and the scheme that gives each its
/// identifier (the same in every epoch a node is in); a reshare to another set makes another
/// roster.
public struct Roster: Hashable, Sendable {
    public let epoch: Epoch
    public let members: [NodeID]
    public let scheme: IdentifierScheme
    /// Each member's identifier, computed once (Lit's are hashes).
    private let identifiers: [Identifier]

    /// `scheme` has no default: every roster of a run must use the run's.
    public init(epoch: Epoch, members: [NodeID], scheme: IdentifierScheme) {
        precondition(Set(members).count == members.count, "roster members are distinct")
        precondition(members == members.sorted(), "roster members are in ascending order")
        self.epoch = epoch
        self.members = members
        self.scheme = scheme
        identifiers = members.map { Identifier(node: $0, scheme: scheme) }
    }

    /// Nodes 0..<count at genesis.
    public static func genesis(count: Int, scheme: IdentifierScheme = .sequential) -> Roster {
        Roster(epoch: .genesis, members: (0..<count).map(NodeID.init), scheme: scheme)
    }

    /// Another epoch's roster under the same scheme.
    public func next(epoch: Epoch, members: [NodeID]) -> Roster { Roster(epoch: epoch, members: members, scheme: scheme) }

    public var count: Int { members.count }

    /// Where `node` stands in the roster (the index into per-participant arrays).
    /// - Complexity: O(log n).
    public func position(of node: NodeID) -> Int? {
        var low = 0, high = members.count
        while low < high {
            let middle = (low + high) / 2
            if members[middle] < node { low = middle + 1 } else { high = middle }
        }
        return low < members.count && members[low] == node ? low : nil
    }

    public func contains(_ node: NodeID) -> Bool { position(of: node) != nil }

    /// The one mapping from a member to the scalar its share is evaluated at (by the scheme,
    /// the same in every epoch's roster).
    public func identifier(of node: NodeID) -> Identifier? {
        position(of: node).map { identifiers[$0] }
    }

    /// The largest identifier of the roster with sequential identifiers: RFC 9591's
    /// MAX_PARTICIPANTS bound (members' identifiers are their ids + 1, so after members leave it
    /// exceeds the count); nil for hashed identifiers, which have no such bound.
    public var identifierBound: Int? { scheme == .sequential ? (members.last?.value ?? -1) + 1 : nil }

    /// The identifier of the member at `position`.
    public func identifier(at position: Int) -> Identifier {
        precondition(members.indices.contains(position), "roster position out of range")
        return identifiers[position]
    }

    /// The member whose identifier this is, if any.
    public func member(with identifier: Identifier) -> NodeID? {
        identifiers.firstIndex(of: identifier).map { members[$0] }
    }

    /// The identifier `node` has under this roster's scheme, member or not (a dealer of an
    /// earlier epoch's sharing).
    public func identifier(ofAny node: NodeID) -> Identifier { Identifier(node: node, scheme: scheme) }
}

/// A protocol's name and its tag on the wire. Names are what signatures are separated by;
/// tags are what the wire registry dispatches on.
public struct ProtocolName: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let tag: UInt8

    public init(_ name: String, tag: UInt8) {
        precondition(!name.isEmpty && name.utf8.count < 256, "protocol names are 1–255 bytes")
        self.name = name
        self.tag = tag
    }

    public var description: String { name }
}

/// One run of one protocol: which protocol, for which key epoch, started by whom, and the
/// initiator's counter (a client's request number, a DKG's attempt number).
public struct SessionID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let protocolName: ProtocolName
    public let epoch: Epoch
    public let initiator: EndpointID
    public let counter: UInt64

    public init(protocolName: ProtocolName, epoch: Epoch, initiator: EndpointID, counter: UInt64) {
        self.protocolName = protocolName
        self.epoch = epoch
        self.initiator = initiator
        self.counter = counter
    }

    public static func < (a: Self, b: Self) -> Bool {
        (a.protocolName.tag, a.epoch, a.initiator, a.counter) < (b.protocolName.tag, b.epoch, b.initiator, b.counter)
    }

    public var description: String { "\(protocolName)/\(epoch.value)/\(initiator)/\(counter)" }

    public func write(_ writer: inout ByteWriter) {
        writer.append(protocolName.tag)
        writer.append(epoch.value)
        initiator.write(&writer)
        writer.append(counter)
    }

    /// Reads a session of the protocol `expected` (another protocol's session is invalid here).
    public static func read(_ reader: inout ByteReader, expected: ProtocolName) throws(WireError) -> SessionID {
        let tag = try reader.byte()
        guard tag == expected.tag else { throw .invalidValue("session of protocol tag \(tag) in a \(expected) message") }
        return SessionID(protocolName: expected, epoch: Epoch(try reader.uint64()), initiator: try EndpointID.read(&reader),
                         counter: try reader.uint64())
    }

    public static let wireSize = 1 + 8 + EndpointID.wireSize + 8
}

/// One attempt of one client request: the request's session (flow, epoch, client, request
/// number) and the attempt number. Timers are keyed by it as it is; nothing is packed.
public struct AttemptID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let session: SessionID
    public let attempt: UInt32

    public init(session: SessionID, attempt: UInt32) {
        precondition(session.initiator.client != nil, "signing sessions are started by clients")
        self.session = session
        self.attempt = attempt
    }

    public var client: ClientID { session.initiator.client! }
    public var request: UInt64 { session.counter }

    public static func < (a: Self, b: Self) -> Bool { (a.session, a.attempt) < (b.session, b.attempt) }
    public var description: String { "c\(client.value)/r\(request)/a\(attempt)" }

    public func write(_ writer: inout ByteWriter) {
        session.write(&writer)
        writer.append(attempt)
    }

    public static func read(_ reader: inout ByteReader, protocolName: ProtocolName) throws(WireError) -> AttemptID {
        let session = try SessionID.read(&reader, expected: protocolName)
        guard session.initiator.client != nil else { throw .invalidValue("signing session started by a node") }
        return AttemptID(session: session, attempt: try reader.uint32())
    }

    public static let wireSize = SessionID.wireSize + 4
}
