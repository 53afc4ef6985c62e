import Protocols
import Simulation
import ThresholdCrypto

/// One transition as the chain saw it: locked, then advanced or abandoned (epoch metrics).
public struct TransitionRecord: Sendable {
    public enum Outcome: String, Sendable { case advanced, aborted, unfinished }
    public let epoch: Epoch
    public let attempt: UInt32
    public let next: [Int]
    public let threshold: Int
    public let lockedAt: SimInstant
    public var endedAt: SimInstant?
    public var outcome: Outcome
}

/// A validator kicked by the chain.
public struct KickRecord: Sendable {
    public let node: Int
    public let reason: KickReason
    public let at: SimInstant
}

/// The staking contract on its chain (LIT-FACTS.md "Epochs", "Staking and kicking"): an
/// endpoint of its own, reached over the network like a chain RPC. Every `length` it locks the
/// next validator set (the staked validators less the kicked ones); the nodes of the next set
/// run the transition DKG and signal ready; it advances when every next validator and a
/// threshold of the current ones are ready with the same transcript. After the first ready
/// signal the others have `vote_to_advance_timeout`; an attempt with no ready signal within six
/// DKG round timeouts and that is abandoned too. An abandoned attempt is retried at once, up to
/// `max_retries` times, then the transition waits for the next epoch's end. A kick needs votes
/// from a threshold of current validators, at most current − threshold validators are kicked,
/// and a kick while active forces a transition at once.
public final class StakingChain {
    enum ChainTimer: Hashable {
        case epochEnd
        case voteTimeout(Epoch, UInt32)
        case lockTimeout(Epoch, UInt32)
        case membership(Int)
    }

    struct Locked {
        let lock: EpochLock
        /// Ready signals by transcript digest: the commitment and who signalled it.
        var ready: [(digest: [UInt8], commitments: [VSSCommitment], nodes: Set<Int>)] = []
    }

    let layout: EndpointLayout
    let epochs: EpochSpecification
    let thresholdRule: (Int) -> Int
    let lockTimeout: SimDuration
    let wire: WireRegistry?
    public private(set) var roster: Roster
    public private(set) var threshold: Int
    var commitment: VSSCommitment?
    /// The further root keys' commitments of the current epoch (keys 1, 2, …).
    var rootCommitments: [VSSCommitment] = []
    var genesisReady: [(digest: [UInt8], commitments: [VSSCommitment], nodes: Set<Int>)] = []
    var staked: Set<Int>
    public private(set) var kicked: [KickRecord] = []
    var kickVotes: [Int: Set<Int>] = [:]
    var locked: Locked?
    /// Attempts at the next epoch so far: never reset before it advances, so every attempt's
    /// DKG session is new (a reused session would mix two attempts' messages and votes).
    var attempt: UInt32 = 0
    /// Attempts since the last epoch end or kick (what `max_retries` bounds).
    var tries = 0
    /// Who holds a share of the current epoch: they signalled ready with its transcript. A
    /// validator without one (it missed the DKG) takes part in the next transition as a
    /// newcomer, so a refresh becomes a reshare rather than stalling on it.
    var holders: Set<Int> = []
    /// The current epoch's session (genesis: epoch 0, attempt 0) and transcript digest.
    var currentTranscript: (epoch: Epoch, attempt: UInt32, digest: [UInt8])?
    public private(set) var transitions: [TransitionRecord] = []
    var timers: [TimerID: ChainTimer] = [:]
    /// Messages sent by kind (the explorer's coverage).
    var kindsSent: KindCounter
    var nextTimer: TimerID = 1

    init(layout: EndpointLayout, specification: NetworkSpecification, epochs: EpochSpecification, wire: WireRegistry?) {
        kindsSent = KindCounter(specification)
        self.layout = layout
        self.epochs = epochs
        thresholdRule = { specification.threshold(validators: $0) }
        lockTimeout = SimDuration(nanoseconds: specification.roundTimeout.nanoseconds * 6) + epochs.voteToAdvanceTimeout
        self.wire = wire
        roster = specification.genesisRoster
        threshold = specification.thresholdValue
        staked = Set(epochs.validators)
    }

    public var epoch: Epoch { roster.epoch }

    func send(_ message: StakingMessage, to endpoint: EndpointID, _ context: inout ProcessContext<LitMessage>) {
        kindsSent.count(message)
        let typed = LitMessage.typed(message)
        context.send(wire == nil ? typed : typed.encoded, to: layout.index(of: endpoint))
    }

    func setTimer(_ timer: ChainTimer, after delay: SimDuration, _ context: inout ProcessContext<LitMessage>) {
        timers[nextTimer] = timer
        context.setTimer(nextTimer, after: delay)
        nextTimer += 1
    }

    func start(_ context: inout ProcessContext<LitMessage>) {
        setTimer(.epochEnd, after: epochs.length, &context)
        for (index, change) in epochs.membership.enumerated() { setTimer(.membership(index), after: change.at, &context) }
    }

    func timerFired(_ id: TimerID, _ context: inout ProcessContext<LitMessage>) {
        guard let timer = timers.removeValue(forKey: id) else { return }
        switch timer {
        case .epochEnd:
            setTimer(.epochEnd, after: epochs.length, &context)
            if locked == nil {
                tries = 0
                lock(&context)
            }
        case let .voteTimeout(epoch, attempt), let .lockTimeout(epoch, attempt):
            guard let current = locked, current.lock.epoch == epoch, current.lock.attempt == attempt else { return }
            abort(&context)
        case let .membership(index):
            let change = epochs.membership[index]
            staked.formUnion(change.join)
            staked.subtract(change.leave)
            context.output("chain: membership: join \(change.join), leave \(change.leave)")
        }
    }

    /// Locks the next validator set and tells the current and next validators.
    func lock(_ context: inout ProcessContext<LitMessage>) {
        guard let commitment else {
            context.output("chain: no genesis key registered yet; the transition waits for the next epoch's end")
            return
        }
        var next = staked.subtracting(kicked.map(\.node)).sorted()
        // A threshold of current validators must be ready, and only those in the next set run
        // the DKG: leavers beyond current − threshold stay for a later transition.
        let kickedNodes = Set(kicked.map(\.node))
        let leaving = roster.members.map(\.value).filter { !next.contains($0) && !kickedNodes.contains($0) }
        let stayingAllowed = max(0, roster.count - threshold - roster.members.filter { kickedNodes.contains($0.value) }.count)
        if leaving.count > stayingAllowed {
            let kept = Array(leaving.prefix(leaving.count - stayingAllowed))
            next = (next + kept).sorted()
            context.output("chain: \(kept) cannot leave yet (a threshold of current validators must take part)")
        }
        guard next.count >= 2 else {
            context.output("chain: fewer than two validators staked; no transition")
            return
        }
        attempt += 1
        tries += 1
        // The previous roster of the dealing: the current validators that hold a share.
        let previous = roster.next(epoch: epoch, members: roster.members.filter { holders.contains($0.value) })
        let lock = EpochLock(next: roster.next(epoch: Epoch(epoch.value + 1), members: next.map(NodeID.init)), threshold: max(2, thresholdRule(next.count)),
                             attempt: attempt, previous: previous.members.isEmpty ? roster : previous, previousCommitment: commitment,
                             previousRoots: rootCommitments)
        locked = Locked(lock: lock)
        transitions.append(TransitionRecord(epoch: lock.epoch, attempt: attempt, next: next, threshold: lock.threshold, lockedAt: context.now,
                                            outcome: .unfinished))
        for node in involved(lock) { send(.locked(lock), to: .node(node), &context) }
        setTimer(.lockTimeout(lock.epoch, attempt), after: lockTimeout, &context)
        context.output("chain: locked \(lock.epoch) attempt \(attempt): \(next)")
    }

    func involved(_ lock: EpochLock) -> [NodeID] { Set(roster.members + lock.next.members).sorted() }

    func abort(_ context: inout ProcessContext<LitMessage>) {
        guard let current = locked else { return }
        locked = nil
        transitions[transitions.count - 1].endedAt = context.now
        transitions[transitions.count - 1].outcome = .aborted
        for node in involved(current.lock) { send(.aborted(epoch: current.lock.epoch, attempt: current.lock.attempt), to: .node(node), &context) }
        context.output("chain: aborted \(current.lock.epoch) attempt \(current.lock.attempt)")
        if tries <= epochs.maxRetries { lock(&context) }
    }

    func receive(_ message: LitMessage, from sender: Int, _ context: inout ProcessContext<LitMessage>) {
        guard let node = layout.endpoint(at: sender)?.node else { return }
        let typed: any WireMessage
        switch message {
        case let .typed(inner): typed = inner
        case let .wire(bytes, _, _):
            guard let decoded = try? (wire ?? WireRegistry()).decode(bytes, meter: CostMeter()) else { return }
            typed = decoded
        }
        switch typed as? StakingMessage {
        case let .ready(ready)?: receiveReady(ready, from: node.value, &context)
        case let .kickVote(target, reason)?: receiveKickVote(target.value, reason, from: node.value, &context)
        default: break
        }
    }

    func receiveReady(_ ready: EpochReady, from node: Int, _ context: inout ProcessContext<LitMessage>) {
        // A late ready for the current epoch's transcript: one more validator holds a share.
        if let current = currentTranscript, ready.epoch == current.epoch, ready.attempt == current.attempt, ready.digest == current.digest,
           [ready.groupCommitment] + ready.rootCommitments == [commitment].compactMap({ $0 }) + rootCommitments, roster.contains(NodeID(node)) {
            holders.insert(node)
            return
        }
        if ready.epoch == .genesis {
            // The genesis key is registered once a threshold of genesis validators report one transcript.
            guard commitment == nil, epoch == .genesis, roster.contains(NodeID(node)) else { return }
            let slot = record(&genesisReady, ready, node)
            if genesisReady[slot].nodes.count >= threshold {
                commitment = genesisReady[slot].commitments[0]
                rootCommitments = Array(genesisReady[slot].commitments.dropFirst())
                holders = genesisReady[slot].nodes
                currentTranscript = (.genesis, 0, ready.digest)
                context.output("chain: genesis key registered")
            }
            return
        }
        guard var current = locked, ready.epoch == current.lock.epoch, ready.attempt == current.lock.attempt,
              current.lock.next.contains(NodeID(node)) || roster.contains(NodeID(node)) else { return }
        let first = current.ready.isEmpty
        let slot = record(&current.ready, ready, node)
        locked = current
        if first { setTimer(.voteTimeout(current.lock.epoch, current.lock.attempt), after: epochs.voteToAdvanceTimeout, &context) }
        let signalled = current.ready[slot].nodes
        let allNext = current.lock.next.members.allSatisfy { signalled.contains($0.value) }
        let currentReady = roster.members.filter { signalled.contains($0.value) }.count
        if allNext, currentReady >= threshold {
            holders = signalled.filter { current.lock.next.contains(NodeID($0)) }
            currentTranscript = (current.lock.epoch, current.lock.attempt, ready.digest)
            advance(current.lock, commitments: current.ready[slot].commitments, &context)
        }
    }

    /// Ready signals agree when their transcript and every root's commitment do.
    func record(_ list: inout [(digest: [UInt8], commitments: [VSSCommitment], nodes: Set<Int>)], _ ready: EpochReady, _ node: Int) -> Int {
        let commitments = [ready.groupCommitment] + ready.rootCommitments
        if let slot = list.firstIndex(where: { $0.digest == ready.digest && $0.commitments == commitments }) {
            list[slot].nodes.insert(node)
            return slot
        }
        list.append((ready.digest, commitments, [node]))
        return list.count - 1
    }

    func advance(_ lock: EpochLock, commitments: [VSSCommitment], _ context: inout ProcessContext<LitMessage>) {
        let commitment = commitments[0]
        let involved = involved(lock)
        locked = nil
        roster = lock.next
        threshold = lock.threshold
        self.commitment = commitment
        rootCommitments = Array(commitments.dropFirst())
        kickVotes = [:]
        attempt = 0
        transitions[transitions.count - 1].endedAt = context.now
        transitions[transitions.count - 1].outcome = .advanced
        let advance = EpochAdvance(roster: lock.next, threshold: lock.threshold, groupCommitment: commitment, rootCommitments: rootCommitments)
        for node in involved { send(.advanced(advance), to: .node(node), &context) }
        for client in 0..<layout.clients { send(.advanced(advance), to: .client(ClientID(client)), &context) }
        context.output("chain: advanced to \(lock.epoch)")
    }

    func receiveKickVote(_ target: Int, _ reason: KickReason, from voter: Int, _ context: inout ProcessContext<LitMessage>) {
        guard roster.contains(NodeID(voter)), roster.contains(NodeID(target)), !kicked.contains(where: { $0.node == target }) else { return }
        kickVotes[target, default: []].insert(voter)
        guard kickVotes[target]!.count >= threshold, kicked.count < roster.count - threshold else { return }
        kicked.append(KickRecord(node: target, reason: reason, at: context.now))
        staked.remove(target)
        context.output("chain: kicked node \(target) (\(reason))")
        // A kick forces a transition now (a locked one starts over without the node).
        tries = 0
        if locked != nil { abort(&context) } else { lock(&context) }
    }
}
