import ThresholdCrypto

/// What the epoch service tells its host.
public enum EpochEvent: Sendable, ChangesNodeState {
    case locked(EpochLock)
    case advanced(EpochAdvance)
    case aborted(epoch: Epoch, attempt: UInt32)
    case votedToKick(NodeID, KickReason)

    public var changesNodeState: Bool {
        switch self {
        case .locked, .advanced: true
        case .aborted, .votedToKick: false
        }
    }
}

/// Kicking's liveness checks (LIT-FACTS.md "Staking and kicking"): a node pings the current
/// and next validators every `interval` and votes to kick a peer that missed `tolerance` of
/// the pings sent within `window`.
public struct PingPolicy: Hashable, Sendable {
    public let interval: Duration
    public let window: Duration
    public let tolerance: Int

    public init(interval: Duration = .seconds(12), window: Duration = .seconds(90), tolerance: Int = 6) {
        self.interval = interval
        self.window = window
        self.tolerance = tolerance
    }

    /// How many of the latest ping rounds the window covers.
    var rounds: Int { max(1, Int(window / interval)) }
}

public enum EpochTimer: Hashable, Sendable {
    case ping
}

/// A node's side of the staking contract: it records the transition the chain locks (the DKG
/// service runs it), signals ready once it holds the new epoch's share from that very session,
/// activates an epoch when the chain advances, and, with kicking on, pings its peers and votes
/// to kick those that stop answering.
public struct EpochService: NodeService {
    public typealias Message = StakingMessage
    public typealias Timer = EpochTimer
    public typealias Output = EpochEvent

    let pings: PingPolicy?
    /// DKG sessions this node has signalled ready for.
    var signalled: Set<SessionID> = []
    var sequence: UInt64 = 0
    /// Per peer, the ping rounds (by sequence) it did not answer, most recent last.
    var missed: [NodeID: [UInt64]] = [:]
    var answered: [NodeID: UInt64] = [:]
    var voted: Set<NodeID> = []
    /// Root keys the network has (`protocol.root_keys`): a node is ready for an epoch once it
    /// holds its share of every one.
    let rootKeys: Int

    public init(pings: PingPolicy?, rootKeys: Int = 1) {
        self.pings = pings
        self.rootKeys = max(1, rootKeys)
    }

    public mutating func start(_ context: ServiceContext) -> [Effect] {
        guard let pings else { return [] }
        return [.setTimer(.ping, after: pings.interval)]
    }

    public mutating func receive(_ message: StakingMessage, from sender: EndpointID, _ context: ServiceContext) -> [Effect] {
        switch message {
        case let .ping(sequence):
            guard sender.node != nil else { return [] }
            return [.send(.pong(sequence: sequence), to: sender)]
        case let .pong(sequence):
            if let peer = sender.node, sequence == self.sequence { answered[peer] = sequence }
            return []
        default:
            break
        }
        // Everything else is the chain's word, and only the chain's.
        guard sender == .chain else { return [.note("epochs: dropped a chain message from \(sender)")] }
        switch message {
        case let .locked(lock):
            // A newer transition, or a newer attempt at the pending one (a late or repeated lock is ignored).
            guard lock.epoch > context.epochs.reached,
                  context.epochs.pendingLock.map({ lock.epoch > $0.epoch || lock.attempt > $0.attempt }) ?? true else { return [] }
            var effects = [Effect]()
            // A lock names the epoch it starts from: a node that missed that advance learns it here.
            if lock.previous.epoch > context.epochs.reached {
                effects += advance(to: EpochAdvance(roster: lock.previous, threshold: lock.previousCommitment.threshold,
                                                    groupCommitment: lock.previousCommitment, rootCommitments: lock.previousRoots), context)
            }
            context.epochs.lock = lock
            return effects + [.output(.locked(lock))]
        case let .advanced(advance):
            guard advance.epoch > context.epochs.reached else { return [] }
            return self.advance(to: advance, context)
        case let .aborted(epoch, attempt):
            return [.output(.aborted(epoch: epoch, attempt: attempt))]
        default:
            return []
        }
    }

    mutating func advance(to advance: EpochAdvance, _ context: ServiceContext) -> [Effect] {
        context.epochs.advance = advance
        context.keys.activate(advance.epoch)
        voted = []
        return [.output(.advanced(advance))]
    }

    /// Shares of every root key from the locked session (or the genesis DKGs) are ready: tell
    /// the chain, once (with the network key's transcript and every root's commitment).
    public mutating func keysChanged(_ context: ServiceContext) -> [Effect] {
        var candidates = [[KeyShare]]()
        let count = rootKeys
        let roots = { (epoch: Epoch) in (0..<count).map { context.keys.share(KeyID(UInt32($0)), epoch: epoch) } }
        let genesis = roots(.genesis)
        if genesis.allSatisfy({ $0 != nil }) { candidates.append(genesis.compactMap { $0 }) }
        if let lock = context.epochs.pendingLock {
            let shares = roots(lock.epoch)
            if shares.allSatisfy({ $0.map { lock.isTransition($0.session) } ?? false }) { candidates.append(shares.compactMap { $0 }) }
        }
        var effects = [Effect]()
        for shares in candidates {
            let share = shares[0]
            guard let session = share.session, signalled.insert(session).inserted else { continue }
            let attempt = UInt32(truncatingIfNeeded: share.epoch == .genesis ? 0 : session.counter)
            effects.append(.send(.ready(EpochReady(epoch: share.epoch, attempt: attempt, digest: share.transcriptDigest,
                                                   groupCommitment: share.groupCommitment, rootCommitments: shares.dropFirst().map(\.groupCommitment))),
                                 to: .chain))
        }
        return effects
    }

    /// A ping round: count who missed the last one, vote on those over the tolerance, ping again.
    public mutating func timerFired(_ timer: EpochTimer, _ context: ServiceContext) -> [Effect] {
        guard let pings else { return [] }
        var effects = [Effect]()
        let peers = validators(context).filter { $0 != context.me }
        if sequence > 0 {
            for peer in peers where answered[peer] != sequence {
                var list = missed[peer] ?? []
                list.append(sequence)
                list.removeAll { $0 + UInt64(pings.rounds) <= sequence }
                missed[peer] = list
                if list.count >= pings.tolerance, voted.insert(peer).inserted {
                    effects.append(.send(.kickVote(node: peer, reason: .unresponsive), to: .chain))
                    effects.append(.output(.votedToKick(peer, .unresponsive)))
                }
            }
        }
        sequence += 1
        effects.append(.broadcast(.ping(sequence: sequence), to: peers))
        effects.append(.setTimer(.ping, after: pings.interval))
        return effects
    }

    /// The current validators and, while a transition is locked, the next ones.
    func validators(_ context: ServiceContext) -> [NodeID] {
        var set = Set(context.epochs.advance?.roster.members ?? context.keys.current()?.roster.members ?? [])
        if let lock = context.epochs.pendingLock { set.formUnion(lock.next.members) }
        return set.sorted()
    }

    public mutating func crash() {
        missed = [:]
        answered = [:]
    }
}

/// Byzantine behaviour toward the staking contract.
public struct EpochAdversary: Adversary {
    public typealias Service = EpochService

    public enum Behaviour: Sendable, Equatable {
        /// Takes part in every transition DKG but never signals ready: the chain needs every
        /// next validator, so re-keying stalls while the node answers pings (no kick).
        case withholdReady
    }

    public static let catalogue: [BehaviourDescription] = [
        BehaviourDescription("withhold-ready", provable: false,
                             "epochs: runs every transition DKG but never signals ready; re-keying stalls (every next validator must be ready), nothing to prove"),
    ]

    public static func behaviour(for choice: BehaviourChoice) -> Behaviour? {
        choice.name == "withhold-ready" ? .withholdReady : nil
    }

    let behaviour: Behaviour
    public init(_ behaviour: Behaviour) { self.behaviour = behaviour }

    public mutating func rewrite(_ effects: [Effect], _ context: ServiceContext) -> [Effect] {
        effects.filter { if case .send(.ready, _) = $0 { false } else { true } }
    }

    public var actedProvably: Bool { false }
}
