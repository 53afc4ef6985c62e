import ThresholdCrypto

/// A node's DKG behaviour in every session it runs: honest, or one of the DKG adversaries.
public struct MaybeDKGAdversary: Adversary {
    public typealias Service = DKGParticipant
    var adversary: DKGAdversary?

    public mutating func intercept(_ message: DKGMessage, from sender: EndpointID) -> Bool {
        adversary?.intercept(message, from: sender) ?? true
    }

    public mutating func rewrite(_ effects: [Effect], _ context: ServiceContext) -> [Effect] {
        adversary?.rewrite(effects, context) ?? effects
    }

    public var actedProvably: Bool { adversary?.actedProvably ?? false }
}

/// A timer of one DKG session.
public struct DKGSessionTimer: Hashable, Sendable {
    public let session: SessionID
    public let timer: WrappedTimer<DKGRound>
}

/// A transition DKG's outcome, as the host reports it (genesis outcomes are plain `DKGOutcome`s).
public struct TransitionOutcome: Sendable, ChangesNodeState {
    public let session: SessionID
    public let outcome: DKGOutcome
    /// Which root key the transition re-keyed (the network key 0, or a further root).
    public var key: KeyID { KeyID(UInt32(truncatingIfNeeded: session.counter >> 32)) }
    public var changesNodeState: Bool { outcome.changesNodeState }
}

/// The genesis DKG of a further root key (Lit's ECDSA roots beside the network key 0).
public struct RootKeyOutcome: Sendable, ChangesNodeState {
    public let session: SessionID
    public let key: KeyID
    public let outcome: DKGOutcome
    public var changesNodeState: Bool { outcome.changesNodeState }
}

extension DKGOutcome: ChangesNodeState {
    public var changesNodeState: Bool { if case .finished = self { true } else { false } }
}

/// The DKG session of a transition the chain locked: the next epoch, started by the chain, per
/// attempt and root key (its number in the counter's high half).
public func transitionSession(_ lock: EpochLock, key: KeyID = .group) -> SessionID {
    SessionID(protocolName: dkgProtocol, epoch: lock.epoch, initiator: .chain, counter: UInt64(key.value) << 32 | UInt64(lock.attempt))
}

/// Every DKG a node takes part in: the genesis DKG (if it is a genesis validator) and one
/// session per epoch transition the staking contract locks (refresh or reshare, per attempt).
/// Messages go to their session; messages of a transition this node has not been told of yet
/// (the chain's lock reaches nodes at different times) wait for it, within a bound.
public struct DKGService: NodeService {
    public typealias Message = DKGMessage
    public typealias Timer = DKGSessionTimer
    public typealias Output = any Sendable

    /// The genesis DKG, if this node is in it.
    let genesis: DKGConfiguration?
    /// The genesis DKGs of further root keys (keys 1, 2, …), run beside it.
    let roots: [DKGConfiguration]
    /// What every session shares: identity keys, round timeout, agreement rule.
    let directory: IdentityDirectory
    let roundTimeout: Duration
    let agreement: DKGAgreementRule
    /// This node's DKG misbehaviour, applied to every session.
    let behaviour: DKGAdversary.Behaviour?
    var sessions: [SessionID: Adversarial<MaybeDKGAdversary>] = [:]
    /// Messages for transition sessions not yet started, in arrival order.
    var waiting: [(session: SessionID, message: DKGMessage, from: EndpointID)] = []
    static let waitingLimit = 20_000
    /// What one sender may have waiting: a transition's messages from one peer are a handful
    /// per round, so more is a flood (dropped, the DKG's fetch and timeouts cope).
    static let waitingPerSender = 64

    public init(genesis: DKGConfiguration?, roots: [DKGConfiguration] = [], directory: IdentityDirectory, roundTimeout: Duration,
                agreement: DKGAgreementRule, behaviour: DKGAdversary.Behaviour?) {
        self.genesis = genesis
        self.roots = roots
        self.directory = directory
        self.roundTimeout = roundTimeout
        self.agreement = agreement
        self.behaviour = behaviour
    }

    func make(_ configuration: DKGConfiguration, me: NodeID) -> Adversarial<MaybeDKGAdversary> {
        Adversarial(DKGParticipant(configuration: configuration, me: me),
                    adversary: MaybeDKGAdversary(adversary: behaviour.map { DKGAdversary($0, configuration: configuration) }))
    }

    /// Tags a session's effects with the session (timers) and its outputs with what they are.
    static func tag(_ effects: [Adversarial<MaybeDKGAdversary>.Effect], _ session: SessionID, output: (DKGOutcome) -> any Sendable) -> [Effect] {
        effects.map { effect in
            switch effect {
            case let .send(m, to): .send(m, to: to)
            case let .broadcast(m, to): .broadcast(m, to: to)
            case let .setTimer(t, after): .setTimer(DKGSessionTimer(session: session, timer: t), after: after)
            case let .cancelTimer(t): .cancelTimer(DKGSessionTimer(session: session, timer: t))
            case let .output(o): .output(output(o))
            case let .accuse(a): .accuse(a)
            case let .note(n): .note(n)
            case let .delegate(d): .delegate(d)
            }
        }
    }

    mutating func run(_ session: SessionID, _ body: (inout Adversarial<MaybeDKGAdversary>) -> [Adversarial<MaybeDKGAdversary>.Effect]) -> [Effect] {
        // Taken out while it runs: a copy left in the dictionary would make every array and set
        // the participant mutates copy itself first (O(n) per message, O(n³) per DKG).
        guard var participant = sessions.removeValue(forKey: session) else { return [] }
        let effects = body(&participant)
        sessions[session] = participant
        // Genesis outcomes are plain, a root key's and a transition's say which session.
        if session == genesis?.session { return Self.tag(effects, session) { $0 } }
        if let root = roots.first(where: { $0.session == session }) {
            return Self.tag(effects, session) { RootKeyOutcome(session: session, key: root.key, outcome: $0) }
        }
        return Self.tag(effects, session) { TransitionOutcome(session: session, outcome: $0) }
    }

    public mutating func start(_ context: ServiceContext) -> [Effect] {
        guard let genesis, genesis.roster.contains(context.me) else { return [] }
        var effects: [Effect] = []
        for configuration in [genesis] + roots {
            sessions[configuration.session] = make(configuration, me: context.me)
            effects += run(configuration.session) { $0.start(context) }
        }
        return effects
    }

    public mutating func receive(_ message: DKGMessage, from sender: EndpointID, _ context: ServiceContext) -> [Effect] {
        let session = message.session
        if sessions[session] != nil { return run(session) { $0.receive(message, from: sender, context) } }
        // A transition not started here yet: keep it for when the lock arrives.
        let reached = context.epochs.reached.value
        guard session.protocolName == dkgProtocol, session.initiator == .chain, session.epoch.value == reached + 1,
              // (A transition runs a session per root key: the budget is per session.)
              waiting.count < Self.waitingLimit, waiting.filter({ $0.from == sender }).count < Self.waitingPerSender * (roots.count + 1) else {
            return [.note("dkg: dropped a message for an unknown session \(session) from \(sender)")]
        }
        waiting.append((session, message, sender))
        return []
    }

    public mutating func timerFired(_ timer: DKGSessionTimer, _ context: ServiceContext) -> [Effect] {
        run(timer.session) { $0.timerFired(timer.timer, context) }
    }

    /// A lock the node was told of (or a key it was waiting for) starts the transition.
    public mutating func keysChanged(_ context: ServiceContext) -> [Effect] {
        var effects = [Effect]()
        for session in sessions.keys.sorted() { effects += run(session) { $0.keysChanged(context) } }
        guard let lock = context.epochs.pendingLock, lock.next.contains(context.me), sessions[transitionSession(lock)] == nil
        else { return effects }
        // One session per root key, each dealing from that key's previous commitment.
        let keys = [(KeyID.group, lock.previousCommitment)] + lock.previousRoots.enumerated().map { (KeyID(UInt32($0.offset + 1)), $0.element) }
        for (key, previous) in keys {
            let configuration = DKGConfiguration(
                session: transitionSession(lock, key: key), roster: lock.next, threshold: lock.threshold, directory: directory,
                roundTimeout: roundTimeout, key: key, agreement: agreement,
                dealing: DKGDealing(previous: previous, previousRoster: lock.previous, roster: lock.next))
            sessions[transitionSession(lock, key: key)] = make(configuration, me: context.me)
        }
        // Older transitions and attempts are over: drop them, and what waits for them.
        let superseded = { (old: SessionID) in
            old.epoch < lock.epoch || (old.epoch == lock.epoch && UInt32(truncatingIfNeeded: old.counter) < lock.attempt)
        }
        for old in sessions.keys.sorted() where old.initiator == .chain && superseded(old) { sessions[old] = nil }
        for (key, _) in keys {
            let session = transitionSession(lock, key: key)
            effects += run(session) { $0.start(context) }
            let ready = waiting.filter { $0.session == session }
            waiting.removeAll { $0.session == session }
            for held in ready { effects += run(session) { $0.receive(held.message, from: held.from, context) } }
        }
        waiting.removeAll { superseded($0.session) }
        return effects
    }

    public mutating func crash() {
        for session in sessions.keys.sorted() { sessions[session]?.crash() }
        waiting = []
    }
}

extension DKGService: ReportsProvableMisbehaviour {
    public var actedProvably: Bool { sessions.values.contains { $0.adversary.actedProvably } }
}
