import LitNetwork
import Scenario
import Simulation

/// Swarm generation (TigerBeetle's `options_swarm`): each seed draws one concrete case from
/// the space, and first turns each kind of trouble (latency jitter, loss, duplication,
/// crashes, partitions, pauses, named behaviours, generic actions) on or off as a whole, so
/// rare combinations (many crashes and nothing else) get explored too. A draw depends on the
/// seed alone.
public struct Swarm: Sendable {
    public let space: ExploreSpace
    let base: ExploreCase

    public init(_ space: ExploreSpace) {
        self.space = space
        base = ExploreCase(space.base)
    }

    public func draw(seed: UInt64) -> ExploreCase {
        // Its own stream: the run's randomness (from the same seed) stays independent of it.
        var random = RandomTree(rootSeed: seed).stream(.exploration, 0)
        func uniform(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(random.next(below: UInt64(range.count))) }
        func coin() -> Bool { random.next() & 1 == 1 }
        func pick<T>(_ values: [T]) -> T { values[Int(random.next(below: UInt64(values.count)))] }
        func time(below bound: SimDuration) -> SimDuration { Swarm.time(below: bound, &random) }
        /// A count from `range` when the swarm turned the feature on, else its minimum.
        func feature(_ range: ClosedRange<Int>) -> Int { range.upperBound > 0 && coin() ? uniform(max(1, range.lowerBound)...range.upperBound) : range.lowerBound }

        var drawn = base
        drawn.seed = seed
        let n = space.nodes.map(uniform) ?? base.nodes
        drawn.nodes = n
        let stop = space.base.specification.stop
        let horizon = min(space.horizon, stop)
        if !space.thresholds.isEmpty {
            // Thresholds that make sense for n; a fixed one above n is clamped.
            let rule = pick(space.thresholds)
            drawn.threshold = if case let .fixed(value) = rule, value > n { .fixed(n) } else { rule }
        }
        if let latency = space.latency {
            let span = latency.upperBound - latency.lowerBound
            let low = latency.lowerBound + time(below: span + .milliseconds(1))
            let high = low + time(below: latency.upperBound - low + .milliseconds(1))
            drawn.latency = .distribution(coin() && high > low ? .uniform(min: low, max: high) : .constant(low))
        }
        if !space.loss.isEmpty { drawn.loss = coin() ? pick(space.loss) : .never }
        if !space.duplicate.isEmpty { drawn.duplicate = coin() ? pick(space.duplicate) : .never }

        // Faults: the base's, then the drawn ones.
        var faults = n == base.nodes ? base.faults : FaultSchedule()
        // Crashed and Byzantine nodes together stay within n − threshold (what a threshold
        // tolerates); Byzantine ones also within the space's limit.
        let budget = max(0, n - min(n, drawn.threshold.threshold(nodes: n)))
        var behaviours = n == base.nodes ? base.behaviours : [:]
        let baseDeviating = Set(ByzantineBehaviour.deviating(behaviours))
        for _ in 0..<feature(space.crashes) where Self.crashed(faults).union(baseDeviating).count < budget {
            let at = time(below: horizon)
            let restart = coin() && stop - at > .milliseconds(1) ? SimInstant(nanoseconds: (at + .milliseconds(1) + time(below: stop - at - .milliseconds(1))).nanoseconds) : nil
            faults.hostFaults.append(.crash(endpoints: [uniform(0...(n - 1))], at: SimInstant(nanoseconds: at.nanoseconds), restart: restart))
        }
        for _ in 0..<feature(space.pauses) {
            faults.hostFaults.append(.pause(endpoints: [uniform(0...(n - 1))], window: window(below: horizon, stop: stop, &random)))
        }
        for _ in 0..<feature(space.partitions) where n >= 2 {
            // Two sides, each non-empty; clients stay out of it.
            let order = shuffled(Array(0..<n), &random)
            let cut = uniform(1...(n - 1))
            faults.partitions.append(Partition(window: window(below: horizon, stop: stop, &random),
                                               shape: .groups([order.prefix(cut).sorted(), order.dropFirst(cut).sorted()])))
        }
        drawn.faults = faults

        // Byzantine nodes: at most the limit, named behaviours first, then generic actions.
        let crashed = Self.crashed(faults)
        let limit = min(byzantineLimit(nodes: n, threshold: drawn.threshold), budget - crashed.subtracting(baseDeviating).count)
        var free = shuffled(Array(0..<n).filter { behaviours[$0] == nil && !crashed.contains($0) }, &random)
        var deviating = baseDeviating.count
        for _ in 0..<feature(space.byzantine) where deviating < limit && !free.isEmpty {
            let node = free.removeFirst()
            let name = pick(space.behaviours)
            let takesTargets = ByzantineBehaviour.catalogue.first { $0.name == name }?.takesTargets ?? false
            let targets = takesTargets && coin() ? subset(of: Array(0..<n).filter { $0 != node }, &random) : []
            if var behaviour = ByzantineBehaviour(name: name, targets: targets) {
                behaviour.window = coin() ? nil : window(below: horizon, stop: stop, &random)
                behaviours[node] = behaviour
                deviating += 1
            }
        }
        var actors: [Int] = []
        for _ in 0..<feature(space.actions) {
            // Actions gather on few nodes: a new actor only while the limit allows.
            let node: Int
            if !actors.isEmpty, coin() || deviating >= limit || free.isEmpty {
                node = pick(actors)
            } else if deviating < limit, !free.isEmpty {
                node = free.removeFirst()
                actors.append(node)
                deviating += 1
            } else {
                break
            }
            var verb = pick(space.verbs)
            // One twin per node: a second `equivocate` becomes a `subset-send`.
            if verb == .equivocate, behaviours[node]?.actions.contains(where: { $0.verb == .equivocate }) == true { verb = .subsetSend }
            let others = Array(0..<n).filter { $0 != node }
            guard !others.isEmpty else { break }
            let targets = MessageAction.needsTargets(verb) || coin() ? subset(of: others, &random) : []
            let delay = verb == .delay ? .milliseconds(1) + time(below: space.base.specification.roundTimeout * 2) : .zero
            let action = MessageAction(verb, kind: pick(space.kinds), targets: targets, delay: delay,
                                       window: coin() ? nil : window(below: horizon, stop: stop, &random))
            behaviours[node] = .generic((behaviours[node]?.actions ?? []) + [action])
        }
        drawn.behaviours = behaviours
        if let requests = space.requests { drawn.requests = base.requests.map { _ in uniform(requests) } }
        // A base whose own adversaries exceed the budget under the drawn n and threshold: keep
        // the draw's trouble, leave the base's adversaries out.
        if !admits(drawn) { drawn.behaviours = drawn.behaviours.filter { !baseDeviating.contains($0.key) } }
        return drawn
    }

    /// Deviating nodes a case of `n` nodes may have: the space's limit, and never more than
    /// n − threshold (beyond that no protocol is expected to hold, and dkg.usable cannot).
    /// Crashed nodes count against n − threshold too (`admits`).
    func byzantineLimit(nodes n: Int, threshold: ThresholdRule) -> Int {
        min(space.maxByzantine.limit(nodes: n), max(0, n - min(n, threshold.threshold(nodes: n))))
    }

    /// Whether a case stays inside the space's assumptions (the shrinker keeps to them): at
    /// most the space's Byzantine limit, and Byzantine and crashed nodes together at most
    /// n − threshold.
    public func admits(_ c: ExploreCase) -> Bool {
        let faulty = Set(c.deviating).union(Self.crashed(c.faults))
        return c.nodes >= 1 && c.deviating.count <= byzantineLimit(nodes: c.nodes, threshold: c.threshold)
            && faulty.count <= c.nodes - min(c.nodes, c.threshold.threshold(nodes: c.nodes))
    }

    /// Nodes that crash at some point (restarted or not: a restarted node does not rejoin a DKG).
    static func crashed(_ faults: FaultSchedule) -> Set<Int> {
        Set(faults.hostFaults.flatMap { fault -> [Int] in
            if case let .crash(endpoints, _, _) = fault { endpoints } else { [] }
        })
    }

    /// Whole milliseconds below `bound` (so written scenarios read well); zero for a bound of 1 ms or less.
    static func time(below bound: SimDuration, _ random: inout RandomStream) -> SimDuration {
        .milliseconds(Int64(random.next(below: UInt64(max(1, bound.nanoseconds / 1_000_000)))))
    }

    /// A window of whole milliseconds starting before `horizon` and ending by `stop`.
    func window(below horizon: SimDuration, stop: SimDuration, _ random: inout RandomStream) -> TimeWindow {
        let at = Self.time(below: horizon, &random)
        return TimeWindow(at: at, for: .milliseconds(1) + Self.time(below: stop - at - .milliseconds(1), &random))
    }

    /// A non-empty subset, in ascending order.
    func subset(of values: [Int], _ random: inout RandomStream) -> [Int] {
        let count = 1 + Int(random.next(below: UInt64(values.count)))
        return shuffled(values, &random).prefix(count).sorted()
    }

    func shuffled(_ values: [Int], _ random: inout RandomStream) -> [Int] {
        var values = values
        for index in values.indices.reversed() where index > 0 {
            values.swapAt(index, Int(random.next(below: UInt64(index + 1))))
        }
        return values
    }
}
