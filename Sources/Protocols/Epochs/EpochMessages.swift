import ThresholdCrypto

/// The staking contract and the nodes and clients that follow it (Lit's epochs,
/// ../shared/LIT-FACTS.md "Epochs" and "Staking and kicking"). The contract lives on a chain:
/// its messages come from the `.chain` endpoint and are trusted as chain state is; what nodes
/// send it is authenticated by the sender, as a transaction is by its account.
public let stakingProtocol = ProtocolName("staking", tag: 0x45)  // "E"

/// A node's signal that it holds its share of an epoch: which epoch and transition attempt
/// (genesis: epoch 0, attempt 0), its transcript digest and the group commitment (the contract
/// keeps the one it advances with).
public struct EpochReady: Sendable, Equatable {
    public let epoch: Epoch
    public let attempt: UInt32
    public let digest: [UInt8]
    public let groupCommitment: VSSCommitment
    /// The further root keys' commitments (keys 1, 2, …), made in the same transition.
    public let rootCommitments: [VSSCommitment]

    public init(epoch: Epoch, attempt: UInt32, digest: [UInt8], groupCommitment: VSSCommitment, rootCommitments: [VSSCommitment] = []) {
        self.rootCommitments = rootCommitments
        self.epoch = epoch
        self.attempt = attempt
        self.digest = digest
        self.groupCommitment = groupCommitment
    }
}

/// Why a node votes to kick a peer (LIT-FACTS.md "Staking and kicking").
public enum KickReason: UInt8, Sendable, Equatable, CaseIterable {
    /// Missed pings: 6 in 90 s.
    case unresponsive = 1
    /// Missed DKG rounds of a transition: 10 in 90 s.
    case nonParticipation = 2
}

public enum StakingMessage: Sendable, Equatable, WireMessage {
    /// Chain → nodes in the current and next sets: run the transition.
    case locked(EpochLock)
    /// Node → chain: finished the transition DKG.
    case ready(EpochReady)
    /// Chain → nodes and clients: the epoch advanced.
    case advanced(EpochAdvance)
    /// Chain → nodes: the attempt for `epoch` was abandoned (a new lock may follow).
    case aborted(epoch: Epoch, attempt: UInt32)
    /// Node → node: are you there? (kicking's liveness pings), and the answer.
    case ping(sequence: UInt64)
    case pong(sequence: UInt64)
    /// Node → chain: vote to kick `node` for `reason`.
    case kickVote(node: NodeID, reason: KickReason)

    public static let protocolName = stakingProtocol

    public var wireSize: Int { encoded.count }

    /// Every kind `traceKind` names (what generic adversaries and coverage refer to).
    public static var traceKinds: [StaticString] { ["epoch.locked", "epoch.ready", "epoch.advanced", "epoch.aborted", "epoch.ping", "epoch.pong", "epoch.kick-vote"] }

    public var traceKind: StaticString {
        switch self {
        case .locked: "epoch.locked"
        case .ready: "epoch.ready"
        case .advanced: "epoch.advanced"
        case .aborted: "epoch.aborted"
        case .ping: "epoch.ping"
        case .pong: "epoch.pong"
        case .kickVote: "epoch.kick-vote"
        }
    }

    public var traceFingerprint: UInt64 {
        switch self {
        case let .locked(m): m.epoch.value << 32 | UInt64(m.attempt)
        case let .ready(m): Self.fingerprint(m.digest)
        case let .advanced(m): m.epoch.value
        case let .aborted(epoch, attempt): epoch.value << 32 | UInt64(attempt)
        case let .ping(sequence), let .pong(sequence): sequence
        case let .kickVote(node, reason): UInt64(node.value) << 8 | UInt64(reason.rawValue)
        }
    }

    public func encode(_ writer: inout ByteWriter) {
        switch self {
        case let .locked(m):
            writer.append(1 as UInt8)
            writer.append(roster: m.next)
            writer.append(UInt16(m.threshold))
            writer.append(m.attempt)
            writer.append(roster: m.previous)
            writer.append(commitment: m.previousCommitment)
            writer.append(commitments: m.previousRoots)
        case let .ready(m):
            writer.append(2 as UInt8)
            writer.append(m.epoch.value)
            writer.append(m.attempt)
            writer.append(bytes: m.digest)
            writer.append(commitment: m.groupCommitment)
            writer.append(commitments: m.rootCommitments)
        case let .advanced(m):
            writer.append(3 as UInt8)
            writer.append(roster: m.roster)
            writer.append(UInt16(m.threshold))
            writer.append(commitment: m.groupCommitment)
            writer.append(commitments: m.rootCommitments)
        case let .aborted(epoch, attempt):
            writer.append(4 as UInt8)
            writer.append(epoch.value)
            writer.append(attempt)
        case let .ping(sequence):
            writer.append(5 as UInt8)
            writer.append(sequence)
        case let .pong(sequence):
            writer.append(6 as UInt8)
            writer.append(sequence)
        case let .kickVote(node, reason):
            writer.append(7 as UInt8)
            writer.append(node: node.value)
            writer.append(reason.rawValue)
        }
    }

    public static func decode(_ reader: inout ByteReader) throws(WireError) -> StakingMessage {
        switch try reader.byte() {
        case 1:
            let next = try reader.roster()
            let threshold = try reader.uint16()
            let attempt = try reader.uint32()
            let previous = try reader.roster()
            let commitment = try reader.commitment()
            let roots = try reader.commitments()
            guard threshold >= 1, threshold <= next.count, previous.epoch.value + 1 == next.epoch.value else {
                throw .invalidValue("epoch lock")
            }
            return .locked(EpochLock(next: next, threshold: threshold, attempt: attempt, previous: previous, previousCommitment: commitment,
                                     previousRoots: roots))
        case 2:
            let epoch = Epoch(try reader.uint64())
            let attempt = try reader.uint32()
            let digest = try reader.array(32)
            let commitment = try reader.commitment()
            return .ready(EpochReady(epoch: epoch, attempt: attempt, digest: digest, groupCommitment: commitment, rootCommitments: try reader.commitments()))
        case 3:
            let roster = try reader.roster()
            let threshold = try reader.uint16()
            guard threshold >= 1, threshold <= roster.count else { throw .invalidValue("epoch threshold") }
            let commitment = try reader.commitment()
            return .advanced(EpochAdvance(roster: roster, threshold: threshold, groupCommitment: commitment, rootCommitments: try reader.commitments()))
        case 4:
            return .aborted(epoch: Epoch(try reader.uint64()), attempt: try reader.uint32())
        case 5:
            return .ping(sequence: try reader.uint64())
        case 6:
            return .pong(sequence: try reader.uint64())
        case 7:
            let node = NodeID(try reader.uint16())
            guard let reason = KickReason(rawValue: try reader.byte()) else { throw .invalidValue("kick reason") }
            return .kickVote(node: node, reason: reason)
        case let kind:
            throw .unknownKind(kind)
        }
    }
}
