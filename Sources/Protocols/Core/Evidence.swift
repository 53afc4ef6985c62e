import ThresholdCrypto

/// A proof that a node misbehaved, carrying the signed material that shows it, so any third
/// party can re-check it without trusting whoever made the accusation. One type per protocol.
public protocol Evidence: Sendable, CustomStringConvertible {
    static var protocolName: ProtocolName { get }
    /// A stable code for the kind of misbehaviour ("invalid-share", "equivocation", ...).
    var code: String { get }
    /// The node the evidence is against.
    var culprit: NodeID { get }
    /// Re-checks the proof from what it carries (signatures with the directory's keys).
    func verify(_ directory: IdentityDirectory, meter: CostMeter) -> Bool
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
