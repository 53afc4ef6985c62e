import Protocols
import Simulation

/// An external data source a Lit Action fetches (`sources:` of an action file): what it
/// answers over time, and how each node's fetch of it goes.
public struct ExternalSourceSpecification: Hashable, Sendable {
    public struct Step: Hashable, Sendable {
        public let at: SimDuration
        public let value: ActionValue
        public init(at: SimDuration, value: ActionValue) {
            self.at = at
            self.value = value
        }
    }

    public enum Value: Hashable, Sendable {
        case constant(ActionValue)
        /// The value of the last step at or before the time (the first before it starts).
        case steps([Step])
        /// The values in turn, each for `every`, cycling.
        case list([ActionValue], every: SimDuration)
        /// Starts at `start`; every `every` it moves by a uniform draw in [−step, +step] (at
        /// the ninth decimal) from the source's own stream: the same feed for every node.
        case randomWalk(start: ActionNumber, step: ActionNumber, every: SimDuration)
        /// A holder's balance of a contract on a simulated chain, as the node's RPC sees it
        /// (its lag) when the fetch is answered (`access.chains`).
        case balance(chain: String, contract: String, holder: String)
    }

    public let name: String
    public var value: Value
    /// How long the source takes to answer.
    public var latency: SimDuration = .milliseconds(100)
    /// Added to each fetch: a uniform draw in [0, jitter].
    public var jitter: SimDuration = .zero
    /// Per-node skew: each fetch a node makes is answered up to this much later (a uniform
    /// draw per fetch in [0, skew]) — nodes fetching "the same" feed moments apart.
    public var skew: SimDuration = .zero
    /// The chance that a fetch fails (the action stops on that node with `fetch-failed`).
    public var failure: Probability = .never

    public init(name: String, value: Value) {
        self.name = name
        self.value = value
    }
}

/// The run's external sources, with every random walk drawn once for the whole run (nodes
/// read the same feed, at different moments).
final class ExternalFeeds: Sendable {
    let sources: [String: ExternalSourceSpecification]
    /// Per random-walk source: its value at each tick from 0 through the run's stop.
    let walks: [String: [ActionNumber]]
    let chains: SimulatedChains?

    init(_ specifications: [ExternalSourceSpecification], stop: SimDuration, chains: SimulatedChains?, random tree: RandomTree) {
        sources = Dictionary(specifications.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var walks: [String: [ActionNumber]] = [:]
        for (index, source) in specifications.enumerated() {
            guard case let .randomWalk(start, step, every) = source.value else { continue }
            var stream = tree.stream(.externalFeed, index)
            let ticks = Int(stop.nanoseconds / max(1, every.nanoseconds)) + 2
            var value = start.raw
            var values = [start]
            values.reserveCapacity(ticks)
            // (The scenario keeps step ≥ 0.)
            let span = UInt64(step.raw) * 2 + 1
            for _ in 1..<ticks {
                let move = Int64(stream.next(below: span)) - step.raw
                value = value.addingReportingOverflow(move).overflow ? value : value + move
                values.append(ActionNumber(raw: value))
            }
            walks[source.name] = values
        }
        self.walks = walks
        self.chains = chains
    }

    /// What `source` answers at `time`, to a node whose RPC lags `lag` blocks.
    func value(of source: ExternalSourceSpecification, at time: SimInstant, lag: Int) -> ActionValue {
        switch source.value {
        case let .constant(value):
            return value
        case let .steps(steps):
            return steps.last { $0.at.nanoseconds <= time.nanoseconds }?.value ?? steps[0].value
        case let .list(values, every):
            return values[Int((time.nanoseconds / max(1, every.nanoseconds)) % Int64(values.count))]
        case let .randomWalk(_, _, every):
            let walk = walks[source.name]!
            return .number(walk[min(walk.count - 1, Int(time.nanoseconds / max(1, every.nanoseconds)))])
        case let .balance(chain, contract, holder):
            let balance = chains?.view(at: time, lag: lag).balance(chain: chain, contract: contract, holder: holder) ?? 0
            // (Balances beyond ActionNumber's range, about 9.2 × 10⁹, read as its largest value.)
            let (raw, overflow) = balance.multipliedReportingOverflow(by: ActionNumber.scale)
            return .number(ActionNumber(raw: overflow ? (balance < 0 ? .min : .max) : raw))
        }
    }
}

/// One node's view of the external sources: its own draws of jitter, skew and failure, and
/// the time, which the node sets before each input.
final class NodeExternalView: ExternalData {
    let feeds: ExternalFeeds
    let lag: Int
    var random: RandomStream
    var now = SimInstant.zero

    init(feeds: ExternalFeeds, node: Int, random tree: RandomTree) {
        self.feeds = feeds
        lag = feeds.chains?.lags[node] ?? 0
        random = tree.stream(.externalFetch, node)
    }

    func fetch(_ name: String) -> (delay: Duration, value: ActionValue?)? {
        guard let source = feeds.sources[name] else { return nil }
        // Drawn in a fixed order, whatever the outcome, so one fetch's failure shifts no other draw.
        let jitter = source.jitter > .zero ? Int64(random.next(below: UInt64(source.jitter.nanoseconds) + 1)) : 0
        let skew = source.skew > .zero ? Int64(random.next(below: UInt64(source.skew.nanoseconds) + 1)) : 0
        let failed = random.happens(source.failure)
        let delay = SimDuration(nanoseconds: source.latency.nanoseconds + jitter + skew)
        let answeredAt = now + delay
        return (delay.duration, failed ? nil : feeds.value(of: source, at: answeredAt, lag: lag))
    }
}
