import Protocols
import ThresholdCrypto

enum BeaconOutput: Sendable, Equatable {
    /// This node's own value, at the moment it reveals it (the oracle's ground truth).
    case revealed([UInt8])
    /// The beacon and whose reveals it is made of.
    case beacon(value: [UInt8], contributors: [NodeID])
}

enum BeaconTimer: Hashable, Sendable { case commits, reveals }

/// One participant: commit, wait for every commitment (or the timeout), reveal, wait for the
/// reveals of everyone who committed (or the timeout), output.
struct BeaconService: NodeService {
    typealias Message = BeaconMessage
    typealias Timer = BeaconTimer
    typealias Output = BeaconOutput

    let roster: Roster
    let session: SessionID
    let timeout: Duration
    var value: [UInt8] = []
    var commits: [NodeID: [UInt8]] = [:]
    var reveals: [NodeID: [UInt8]] = [:]
    var revealed = false
    var finished = false

    init(roster: Roster, timeout: Duration) {
        self.roster = roster
        session = SessionID(protocolName: beaconProtocol, epoch: roster.epoch, initiator: .node(roster.members[0]), counter: 0)
        self.timeout = timeout
    }

    static func digest(_ value: [UInt8], _ node: NodeID, meter: CostMeter) -> [UInt8] {
        Hashing.sha256(value, [UInt8(node.value >> 8), UInt8(node.value & 0xff)], meter: meter)
    }

    var others: [NodeID] { roster.members }

    mutating func start(_ context: ServiceContext) -> [Effect] {
        var rng = context.random
        value = (0..<4).flatMap { _ in withUnsafeBytes(of: rng.next()) { Array($0) } }
        let commit = BeaconCommit(session: session, sender: context.me, digest: Self.digest(value, context.me, meter: context.meter))
            .signed(by: context.identity, meter: context.meter)
        commits[context.me] = commit.digest
        return [.broadcast(.commit(commit), to: others), .setTimer(.commits, after: timeout)]
    }

    mutating func receive(_ message: BeaconMessage, from sender: EndpointID, _ context: ServiceContext) -> [Effect] {
        switch message {
        case let .commit(commit):
            guard sender == .node(commit.sender), commit.session == session, roster.contains(commit.sender), !revealed,
                  commits[commit.sender] == nil, commit.hasValidSignature(context.directory, meter: context.meter) else { return [] }
            commits[commit.sender] = commit.digest
            return commits.count == roster.count ? reveal(context) : []
        case let .reveal(reveal):
            guard sender == .node(reveal.sender), reveal.session == session, let digest = commits[reveal.sender],
                  reveals[reveal.sender] == nil, Self.digest(reveal.value, reveal.sender, meter: context.meter) == digest,
                  reveal.hasValidSignature(context.directory, meter: context.meter) else { return [] }
            reveals[reveal.sender] = reveal.value
            return revealed && reveals.count == commits.count ? finish() : []
        }
    }

    mutating func timerFired(_ timer: BeaconTimer, _ context: ServiceContext) -> [Effect] {
        switch timer {
        case .commits: reveal(context)
        case .reveals: finish()
        }
    }

    mutating func reveal(_ context: ServiceContext) -> [Effect] {
        guard !revealed else { return [] }
        revealed = true
        let message = BeaconReveal(session: session, sender: context.me, value: value).signed(by: context.identity, meter: context.meter)
        reveals[context.me] = value
        var effects: [Effect] = [.output(.revealed(value)), .cancelTimer(.commits), .broadcast(.reveal(message), to: others),
                                 .setTimer(.reveals, after: timeout)]
        if reveals.count == commits.count { effects += finish() }
        return effects
    }

    mutating func finish() -> [Effect] {
        guard !finished else { return [] }
        finished = true
        let contributors = reveals.keys.sorted()
        var beacon = [UInt8](repeating: 0, count: 32)
        for node in contributors { for index in beacon.indices { beacon[index] ^= reveals[node]![index] } }
        return [.cancelTimer(.reveals), .output(.beacon(value: beacon, contributors: contributors))]
    }

    mutating func crash() { finished = true }
}
