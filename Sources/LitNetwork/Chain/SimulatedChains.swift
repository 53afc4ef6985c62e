import Protocols
import Simulation

/// One chain access conditions read (`chains:`): blocks every `blockTime`, and reorgs that
/// orphan the newest blocks with `reorgProbability` per block.
public struct SimulatedChainSpecification: Hashable, Sendable {
    public var name: String
    public var blockTime: SimDuration
    public var reorgProbability: Probability
    public var reorgDepth: ClosedRange<Int>

    /// The block a transaction sent at `time` lands in: the first produced at or after it
    /// (block k at k · blockTime; block 0 is genesis).
    public func block(including time: SimDuration) -> Int64 { max(1, (time.nanoseconds + blockTime.nanoseconds - 1) / blockTime.nanoseconds) }

    public init(name: String, blockTime: SimDuration, reorgProbability: Probability = .never, reorgDepth: ClosedRange<Int> = 1...1) {
        self.name = name
        self.blockTime = blockTime
        self.reorgProbability = reorgProbability
        self.reorgDepth = reorgDepth
    }
}

/// A state change on a chain at a time (`chain_events:`).
public struct ChainEvent: Hashable, Sendable {
    public enum Action: Hashable, Sendable {
        /// An NFT (`token` of `contract`) changes hands, or (with `amount`) a fungible balance
        /// moves; `from` nil mints. A transfer its sender cannot cover reverts (changes nothing).
        case transfer(contract: String, token: String?, from: String?, to: String, amount: Int64?)
        /// The newest `depth` blocks are orphaned and their transactions never return (a
        /// double spend undoes a purchase).
        case reorg(depth: Int)
    }

    public var at: SimDuration
    public var chain: String
    public var action: Action

    public init(at: SimDuration, chain: String, action: Action) {
        self.at = at
        self.chain = chain
        self.action = action
    }
}

/// Each node's chain RPC (`rpc:`): its lag behind the head in blocks (drawn per node from the
/// range) and how long one evaluation takes.
public struct RPCSpecification: Hashable, Sendable {
    public var lagBlocks: ClosedRange<Int>
    public var latency: SimDuration

    public init(lagBlocks: ClosedRange<Int> = 0...0, latency: SimDuration = .milliseconds(50)) {
        self.lagBlocks = lagBlocks
        self.latency = latency
    }
}

/// The chains of a run, their events and the nodes' RPCs.
public struct AccessSpecification: Hashable, Sendable {
    public var chains: [SimulatedChainSpecification]
    public var events: [ChainEvent]
    public var rpc: RPCSpecification

    public init(chains: [SimulatedChainSpecification], events: [ChainEvent] = [], rpc: RPCSpecification = RPCSpecification()) {
        self.chains = chains
        self.events = events
        self.rpc = rpc
    }
}

/// The simulated chains' whole history, computed before the run from the scenario and the
/// seed (so every node, client and oracle reads the same chains): which transaction is in
/// which block, and from when to when that block was canonical. Immutable.
public final class SimulatedChains: Sendable {
    /// A transaction in a block, canonical during [from, until).
    struct Inclusion: Sendable {
        let transfer: Int
        let block: Int64
        let from: SimInstant
        let until: SimInstant?
    }

    struct Chain: Sendable {
        let specification: SimulatedChainSpecification
        /// The chain's transfers in scenario order.
        let transfers: [ChainEvent.Action]
        /// Sorted by (block, transfer): the order they apply in.
        let inclusions: [Inclusion]
        /// Times the canonical history changed (reorgs).
        let reorgs: [SimInstant]

        func head(at time: SimInstant) -> Int64 { time.nanoseconds / specification.blockTime.nanoseconds }
    }

    let chains: [Chain]
    let chainIndex: [String: Int]
    /// Each node's RPC lag in blocks.
    public let lags: [Int]
    public let rpcLatency: SimDuration

    public init(_ specification: AccessSpecification, nodes: Int, stop: SimDuration, random tree: RandomTree) {
        rpcLatency = specification.rpc.latency
        lags = (0..<nodes).map { node in
            var stream = tree.stream(.chainRPC, node)
            let range = specification.rpc.lagBlocks
            return range.lowerBound + Int(stream.next(below: UInt64(range.count)))
        }
        var index: [String: Int] = [:]
        for (position, chain) in specification.chains.enumerated() { index[chain.name] = position }
        chainIndex = index
        chains = specification.chains.enumerated().map { position, chain in
            Self.history(chain, events: specification.events.filter { $0.chain == chain.name }, stop: stop,
                         random: tree.stream(.chainBlocks, position))
        }
    }

    /// Includes each transfer in the first block at or after it; replays reorgs in time order.
    /// An explicit reorg drops the orphaned transactions; a random one (a competing fork) puts
    /// them back in the block after the reorg.
    static func history(_ chain: SimulatedChainSpecification, events: [ChainEvent], stop: SimDuration, random: RandomStream) -> Chain {
        let blockTime = chain.blockTime.nanoseconds
        var random = random
        var transfers: [ChainEvent.Action] = []
        var live: [(transfer: Int, block: Int64, from: SimInstant)] = []
        var ended: [Inclusion] = []
        var reorgs: [(at: SimInstant, depth: Int, returns: Bool)] = []
        for event in events {
            switch event.action {
            case .transfer:
                let block = chain.block(including: event.at)
                live.append((transfers.count, block, SimInstant(nanoseconds: event.at.nanoseconds)))
                transfers.append(event.action)
            case let .reorg(depth):
                reorgs.append((SimInstant(nanoseconds: event.at.nanoseconds), depth, false))
            }
        }
        if chain.reorgProbability != .never {
            // Decided per block in integers; the reorg comes half a block after the block.
            for block in 1...max(1, stop.nanoseconds / blockTime) where random.happens(chain.reorgProbability) {
                let depth = chain.reorgDepth.lowerBound + Int(random.next(below: UInt64(chain.reorgDepth.count)))
                reorgs.append((SimInstant(nanoseconds: block * blockTime + blockTime / 2), depth, true))
            }
        }
        reorgs.sort { $0.at < $1.at }
        for reorg in reorgs {
            let head = reorg.at.nanoseconds / blockTime
            var kept: [(transfer: Int, block: Int64, from: SimInstant)] = []
            for inclusion in live {
                guard inclusion.from <= reorg.at, inclusion.block <= head, inclusion.block > head - Int64(reorg.depth) else {
                    kept.append(inclusion)
                    continue
                }
                ended.append(Inclusion(transfer: inclusion.transfer, block: inclusion.block, from: inclusion.from, until: reorg.at))
                if reorg.returns { kept.append((inclusion.transfer, head + 1, reorg.at)) }
            }
            live = kept
        }
        let inclusions = (ended + live.map { Inclusion(transfer: $0.transfer, block: $0.block, from: $0.from, until: nil) })
            .sorted { ($0.block, $0.transfer, $0.from) < ($1.block, $1.transfer, $1.from) }
        return Chain(specification: chain, transfers: transfers, inclusions: inclusions, reorgs: reorgs.map(\.at))
    }

    /// The state of every chain as an RPC `lag` blocks behind the head sees it at `time`: the
    /// canonical history of `lag` block times ago, up to its head then.
    public func view(at time: SimInstant, lag: Int) -> ChainSnapshot { ChainSnapshot(chains: self, time: time, lag: lag) }

    /// Whether `condition` holds for `user` in that view.
    public func holds(_ condition: AccessCondition, for user: String, at time: SimInstant, lag: Int) -> Bool {
        condition.holds(for: user, in: view(at: time, lag: lag))
    }

    /// Whether `condition` held for `user` at any moment of [from, to] in a view `lag` blocks behind.
    public func heldSometime(_ condition: AccessCondition, for user: String, lag: Int, from: SimInstant, through to: SimInstant) -> Bool {
        ([from] + changes(after: from, through: to, lag: lag)).contains { holds(condition, for: user, at: $0, lag: lag) }
    }

    /// Whether `condition` held at some moment of [from, to] in the view of one of `nodes`.
    public func heldInSomeView(of nodes: [Int], _ condition: AccessCondition, for user: String, from: SimInstant, through to: SimInstant) -> Bool {
        Array(Set(nodes.filter(lags.indices.contains).map { lags[$0] })).sorted().contains {
            heldSometime(condition, for: user, lag: $0, from: from, through: to)
        }
    }

    /// The last moment at or before `time` at which `condition` turned true at the canonical
    /// head (nil if it never turned: true from the start, or never true).
    public func grantedSince(_ condition: AccessCondition, for user: String, before time: SimInstant) -> SimInstant? {
        var held = holds(condition, for: user, at: .zero, lag: 0)
        var turned: SimInstant?
        for change in changes(after: .zero, through: time, lag: 0) {
            let now = holds(condition, for: user, at: change, lag: 0)
            if now, !held { turned = change }
            held = now
        }
        return turned
    }

    /// The times in (from, to] at which a view `lag` blocks behind can change: a block
    /// arriving or a reorg, seen `lag` blocks late.
    func changes(after from: SimInstant, through to: SimInstant, lag: Int) -> [SimInstant] {
        var times: [SimInstant] = []
        for chain in chains {
            let blockTime = chain.specification.blockTime.nanoseconds
            let delay = Int64(lag) * blockTime
            var block = max(0, (from.nanoseconds - delay) / blockTime)
            while block * blockTime + delay <= to.nanoseconds {
                let seen = SimInstant(nanoseconds: block * blockTime + delay)
                if seen > from { times.append(seen) }
                block += 1
            }
            for reorg in chain.reorgs {
                let seen = SimInstant(nanoseconds: reorg.nanoseconds + delay)
                if seen > from, seen <= to { times.append(seen) }
            }
        }
        return times.sorted()
    }

    /// One chain's balances and owners as of `time` (its canonical history then, its head then).
    struct State {
        var owners: [String: String] = [:]
        var balances: [String: Int64] = [:]
        var nftCounts: [String: Int64] = [:]
    }

    func state(of chainName: String, asOf time: SimInstant) -> State? {
        guard let position = chainIndex[chainName] else { return nil }
        let chain = chains[position]
        let head = chain.head(at: time)
        var state = State()
        for inclusion in chain.inclusions where inclusion.block <= head && inclusion.from <= time && (inclusion.until.map { time < $0 } ?? true) {
            guard case let .transfer(contract, token, from, to, amount) = chain.transfers[inclusion.transfer] else { continue }
            if let amount {
                if let from {
                    let key = contract + "\u{0}" + from
                    guard state.balances[key, default: 0] >= amount else { continue }
                    state.balances[key, default: 0] -= amount
                }
                state.balances[contract + "\u{0}" + to, default: 0] += amount
            } else {
                let key = contract + "\u{0}" + (token ?? "")
                let owner = state.owners[key]
                if let from, owner != from { continue }
                if let owner { state.nftCounts[contract + "\u{0}" + owner, default: 0] -= 1 }
                state.owners[key] = to
                state.nftCounts[contract + "\u{0}" + to, default: 0] += 1
            }
        }
        return state
    }
}

/// The chains as one RPC sees them at one moment.
public struct ChainSnapshot: ChainState {
    let chains: SimulatedChains
    let time: SimInstant
    let lag: Int

    func state(_ chain: String) -> SimulatedChains.State? {
        guard let position = chains.chainIndex[chain] else { return nil }
        let delay = Int64(lag) * chains.chains[position].specification.blockTime.nanoseconds
        return chains.state(of: chain, asOf: SimInstant(nanoseconds: max(0, time.nanoseconds - delay)))
    }

    public func owner(chain: String, contract: String, token: String) -> String? {
        state(chain)?.owners[contract + "\u{0}" + token]
    }

    public func balance(chain: String, contract: String, holder: String) -> Int64 {
        guard let state = state(chain) else { return 0 }
        let key = contract + "\u{0}" + holder
        return state.balances[key, default: 0] + state.nftCounts[key, default: 0]
    }
}

/// A node's chain RPC: its lag, its latency, and the time (set by the node before each input).
final class NodeChainView: ChainView {
    let chains: SimulatedChains
    let lag: Int
    let latency: Duration
    var now = SimInstant.zero

    init(chains: SimulatedChains, node: Int) {
        self.chains = chains
        lag = chains.lags[node]
        latency = chains.rpcLatency.duration
    }

    func holds(_ condition: AccessCondition, for user: String) -> Bool {
        chains.holds(condition, for: user, at: now, lag: lag)
    }
}
