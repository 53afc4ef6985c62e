import ThresholdCrypto

/// What every service may need to know of epochs (the staking contract's decisions as a node
/// learns them); the staking protocol itself lives in Protocols/Epochs.

/// A transition the contract locked: the next epoch's roster and threshold, which attempt this
/// is, and the epoch before (its roster and group commitment: what old members' dealings are
/// checked against, and what a newcomer cannot know otherwise).
public struct EpochLock: Sendable, Equatable {
    public let next: Roster
    public let threshold: Int
    public let attempt: UInt32
    public let previous: Roster
    public let previousCommitment: VSSCommitment
    /// The previous epoch's commitments of the further root keys (keys 1, 2, …): each is
    /// refreshed or reshared beside the network key.
    public let previousRoots: [VSSCommitment]

    public init(next: Roster, threshold: Int, attempt: UInt32, previous: Roster, previousCommitment: VSSCommitment,
                previousRoots: [VSSCommitment] = []) {
        self.previousRoots = previousRoots
        self.next = next
        self.threshold = threshold
        self.attempt = attempt
        self.previous = previous
        self.previousCommitment = previousCommitment
    }

    public var epoch: Epoch { next.epoch }

    /// Whether a DKG session is this lock's transition (started by the chain, this attempt).
    public func isTransition(_ session: SessionID?) -> Bool {
        session.map { $0.epoch == epoch && $0.initiator == .chain && UInt32(truncatingIfNeeded: $0.counter) == attempt } ?? false
    }
}

/// The network moved to `roster`'s epoch, whose key is `groupCommitment`.
public struct EpochAdvance: Sendable, Equatable {
    public let roster: Roster
    public let threshold: Int
    public let groupCommitment: VSSCommitment
    /// The further root keys' commitments (keys 1, 2, …).
    public let rootCommitments: [VSSCommitment]

    public init(roster: Roster, threshold: Int, groupCommitment: VSSCommitment, rootCommitments: [VSSCommitment] = []) {
        self.rootCommitments = rootCommitments
        self.roster = roster
        self.threshold = threshold
        self.groupCommitment = groupCommitment
    }

    public var epoch: Epoch { roster.epoch }
}

/// The node's view of the staking contract, shared by its services: the transition the chain
/// locked last (the DKG service runs it) and the last advance it announced.
public final class EpochBook {
    public var lock: EpochLock?
    public var advance: EpochAdvance?
    public init() {}

    /// The newest epoch this node knows the network reached (0 before any advance).
    public var reached: Epoch { advance?.epoch ?? .genesis }

    /// The lock still to run: a transition to an epoch beyond the one reached.
    public var pendingLock: EpochLock? {
        guard let lock, lock.epoch > reached else { return nil }
        return lock
    }
}

/// An output that changes what a node's other services should do (a key installed, a
/// transition locked, an epoch advanced): the host then tells every service (`keysChanged`).
public protocol ChangesNodeState {
    var changesNodeState: Bool { get }
}

extension ByteWriter {
    /// Epoch, identifier scheme, member count, members.
    public mutating func append(roster: Roster) {
        append(roster.epoch.value)
        append(UInt8(IdentifierScheme.allCases.firstIndex(of: roster.scheme)!))
        append(UInt16(roster.count))
        for member in roster.members { append(node: member.value) }
    }

    /// Coefficient count, then the points.
    public mutating func append(commitment: VSSCommitment) {
        append(UInt16(commitment.threshold))
        for point in commitment.coefficients { append(point) }
    }

    /// A count (one byte), then each commitment.
    public mutating func append(commitments: [VSSCommitment]) {
        append(UInt8(commitments.count))
        for commitment in commitments { append(commitment: commitment) }
    }
}

extension ByteReader {
    /// A roster as `append(roster:)` wrote it: members ascending, distinct, at least one.
    public mutating func roster() throws(WireError) -> Roster {
        let epoch = Epoch(try uint64())
        let schemeIndex = Int(try byte())
        guard IdentifierScheme.allCases.indices.contains(schemeIndex) else { throw .invalidValue("identifier scheme") }
        let count = try self.count("roster members", itemSize: WireSize.node, limit: 4096)
        var members = [NodeID]()
        for _ in 0..<count { members.append(NodeID(try uint16())) }
        guard !members.isEmpty, members == members.sorted(), Set(members).count == members.count else { throw .invalidValue("roster") }
        return Roster(epoch: epoch, members: members, scheme: IdentifierScheme.allCases[schemeIndex])
    }

    /// A commitment as `append(commitment:)` wrote it (no identity points, at least one).
    public mutating func commitment() throws(WireError) -> VSSCommitment {
        let count = try self.count("commitment points", itemSize: WireSize.point, limit: 4096)
        var points = [Point]()
        for _ in 0..<count { points.append(try point()) }
        guard !points.isEmpty else { throw .invalidValue("empty commitment") }
        return VSSCommitment(coefficients: points)
    }

    /// Commitments as `append(commitments:)` wrote them.
    public mutating func commitments() throws(WireError) -> [VSSCommitment] {
        var list: [VSSCommitment] = []
        for _ in 0..<Int(try byte()) { list.append(try commitment()) }
        return list
    }
}
