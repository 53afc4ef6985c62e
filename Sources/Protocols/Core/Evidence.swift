import ThresholdCrypto

/// What a third party knows without trusting any accuser: the identity keys, and per key epoch
/// the roster, the threshold and (once a DKG finished) the group commitment — the staking
/// contract's public record. Evidence is checked against these, never against parameters the
/// evidence itself names.
public struct PublicParameters: Sendable {
    public let directory: IdentityDirectory
    let rosters: [Epoch: (roster: Roster, threshold: Int)]
    let groupCommitments: [Epoch: VSSCommitment]
    /// Each transition DKG session's lock (its rosters and the commitment it carries over):
    /// attempts at one epoch may differ, so evidence is judged per session.
    let transitions: [SessionID: EpochLock]

    public init(directory: IdentityDirectory, rosters: [Epoch: (roster: Roster, threshold: Int)], groupCommitments: [Epoch: VSSCommitment] = [:],
                transitions: [SessionID: EpochLock] = [:]) {
        self.directory = directory
        self.rosters = rosters
        self.groupCommitments = groupCommitments
        self.transitions = transitions
    }

    /// The lock a transition session runs, if it is one.
    public func transition(_ session: SessionID) -> EpochLock? { transitions[session] }

    /// The same, with a transition session's lock known.
    public func with(transition lock: EpochLock, session: SessionID) -> PublicParameters {
        var known = transitions
        known[session] = lock
        return PublicParameters(directory: directory, rosters: rosters, groupCommitments: groupCommitments, transitions: known)
    }

    public func roster(_ epoch: Epoch) -> Roster? { rosters[epoch]?.roster }
    public func threshold(_ epoch: Epoch) -> Int? { rosters[epoch]?.threshold }
    public func groupCommitment(_ epoch: Epoch) -> VSSCommitment? { groupCommitments[epoch] }

    /// The same, with the group commitment of `epoch` known.
    public func with(groupCommitment: VSSCommitment, of epoch: Epoch) -> PublicParameters {
        var commitments = groupCommitments
        commitments[epoch] = groupCommitment
        return PublicParameters(directory: directory, rosters: rosters, groupCommitments: commitments, transitions: transitions)
    }

    /// The same, with a roster (and its threshold) known for its epoch.
    public func with(roster: Roster, threshold: Int) -> PublicParameters {
        var known = rosters
        known[roster.epoch] = (roster, threshold)
        return PublicParameters(directory: directory, rosters: known, groupCommitments: groupCommitments, transitions: transitions)
    }
}

/// A proof that a node misbehaved, carrying the signed material that shows it, so any third
/// party can re-check it without trusting whoever made the accusation. One type per protocol.
public protocol Evidence: Sendable, CustomStringConvertible {
    static var protocolName: ProtocolName { get }
    /// A stable code for the kind of misbehaviour ("invalid-share", "equivocation", ...).
    var code: String { get }
    /// The node the evidence is against.
    var culprit: NodeID { get }
    /// Re-checks the proof from what it carries and the public parameters alone.
    func verify(_ parameters: PublicParameters, meter: CostMeter) -> Bool
}

/// A node accused, and why.
public struct Accusation: Sendable, CustomStringConvertible {
    public let evidence: any Evidence

    public init(_ evidence: any Evidence) { self.evidence = evidence }

    public var node: NodeID { evidence.culprit }
    /// `protocol/code`, e.g. `dkg/invalid-share`: stable, for reports and metrics.
    public var code: String { "\(type(of: evidence).protocolName.name)/\(evidence.code)" }
    public var description: String { "\(node): \(code): \(evidence)" }
}
