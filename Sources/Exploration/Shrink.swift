import LitNetwork
import Simulation

/// Shrinks a failing case while it still violates the same oracle: greedy delta debugging over
/// the case's structure, never leaving the space's assumptions (`Swarm.admits`: no more
/// Byzantine nodes than its limit for the smaller n). Each round tries the candidates below in order, biggest cut first,
/// and keeps the first that still fails; it ends when none does (a local minimum: no single
/// step makes it smaller) or the run budget is spent. Every candidate runs deterministically.
///
/// Steps: every fault or every adversary at once; one fault, named behaviour or generic
/// action; one node fewer (ids above it move down); constant latency; no loss; no
/// duplication; fewer requests; windows half as long or starting at 0; one target fewer.
public struct Shrinker {
    public let explorer: Explorer
    public let budget: Int

    /// Other seeds a step is tried under when none works under the case's own.
    public let reseeds: Int

    public init(_ explorer: Explorer, budget: Int = 400, reseeds: Int = 3) {
        self.explorer = explorer
        self.budget = budget
        self.reseeds = reseeds
    }

    public struct Outcome: Sendable {
        public let minimal: ExploreCase
        public let violation: SafetyViolation
        public let runs: Int
        public let steps: [String]
    }

    /// - Parameter progress: called after each accepted step with the runs so far.
    /// - Parameter stop: asked before each run; true ends the shrinking with the case so far.
    public func shrink(_ failing: ExploreCase, violation: SafetyViolation, progress: (Int, String) -> Void = { _, _ in },
                       stop: () -> Bool = { false }) -> Outcome {
        var current = failing, found = violation, runs = 0, steps: [String] = []
        var improved = true
        while improved, runs < budget, !stop() {
            improved = false
            let candidates = Self.candidates(current).filter { $0.1 != current && explorer.swarm.admits($0.1) }
            // First with the case's own seed; when no step keeps the violation so, each step
            // again under a few other seeds (a violation that needs a rare draw, a duplicate
            // arriving late, may need another seed once the case has changed).
            search: for reseed in 0...reseeds {
                for (step, candidate) in candidates {
                    guard runs < budget, !stop() else { break search }
                    var tried = candidate
                    if reseed > 0 { tried.seed = candidate.seed &+ UInt64(reseed) }
                    runs += 1
                    if let violation = explorer.run(tried).violation, violation.oracle == found.oracle {
                        current = tried
                        found = violation
                        let named = reseed > 0 ? "\(step), seed \(tried.seed)" : step
                        steps.append(named)
                        progress(runs, named)
                        improved = true
                        break search
                    }
                }
            }
        }
        return Outcome(minimal: current, violation: found, runs: runs, steps: steps)
    }

    /// The smaller cases one step away, biggest cut first, each with what the step did.
    static func candidates(_ c: ExploreCase) -> [(String, ExploreCase)] {
        var list: [(String, ExploreCase)] = []
        func add(_ step: String, _ change: (inout ExploreCase) -> Void) {
            var next = c
            change(&next)
            list.append((step, next))
        }
        if c.faults != FaultSchedule() { add("no faults") { $0.faults = FaultSchedule() } }
        if !c.deviating.isEmpty { add("no Byzantine nodes") { next in next.behaviours = next.behaviours.filter { $0.value.leaksOnly } } }
        for index in c.faults.partitions.indices { add("without partition \(index)") { $0.faults.partitions.remove(at: index) } }
        for index in c.faults.hostFaults.indices { add("without host fault \(index)") { $0.faults.hostFaults.remove(at: index) } }
        for index in c.faults.clogs.indices { add("without clog \(index)") { $0.faults.clogs.remove(at: index) } }
        for index in c.faults.linkOverrides.indices { add("without link override \(index)") { $0.faults.linkOverrides.remove(at: index) } }
        for node in c.behaviours.keys.sorted() {
            let behaviour = c.behaviours[node]!
            if behaviour.actions.count > 1 {
                for index in behaviour.actions.indices {
                    add("without node \(node)'s \(behaviour.actions[index].verb.rawValue) of \(behaviour.actions[index].kind)") {
                        $0.behaviours[node] = .generic(behaviour.actions.enumerated().filter { $0.offset != index }.map(\.element))
                    }
                }
            } else {
                add("node \(node) honest") { $0.behaviours[node] = nil }
            }
        }
        if c.nodes > 2 {
            for node in (0..<c.nodes).reversed() { add("without node \(node)") { $0 = removing(node, from: $0) } }
        }
        if case let .distribution(distribution) = c.latency, !distribution.isConstant {
            add("constant latency") { $0.latency = .distribution(.constant(distribution.mean)) }
        }
        if c.loss != .never { add("no loss") { $0.loss = .never } }
        if c.duplicate != .never { add("no duplication") { $0.duplicate = .never } }
        for index in c.requests.indices where c.requests[index] > 1 {
            add("requests of entry \(index) halved") { $0.requests[index] = c.requests[index] / 2 }
            add("one request in entry \(index)") { $0.requests[index] = 1 }
        }
        // Windows: half as long, then from the start.
        for index in c.faults.partitions.indices {
            add("partition \(index) half as long") { $0.faults.partitions[index].window = halved(c.faults.partitions[index].window) }
        }
        for node in c.behaviours.keys.sorted() {
            let behaviour = c.behaviours[node]!
            for (index, action) in behaviour.actions.enumerated() {
                if let window = action.window {
                    add("node \(node)'s action \(index) for the whole run") { $0.behaviours[node]!.actions[index].window = nil }
                    if window.end - window.start > .milliseconds(1) {
                        add("node \(node)'s action \(index) half as long") { $0.behaviours[node]!.actions[index].window = halved(window) }
                    }
                }
                if action.targets.count > 1 {
                    for target in action.targets {
                        add("node \(node)'s action \(index) without target \(target)") {
                            $0.behaviours[node]!.actions[index].targets = action.targets.filter { $0 != target }
                        }
                    }
                }
                if action.verb == .delay, action.delay > .milliseconds(1) {
                    add("node \(node)'s delay halved") { $0.behaviours[node]!.actions[index].delay = SimDuration(nanoseconds: action.delay.nanoseconds / 2) }
                }
            }
            if behaviour.actions.isEmpty, let window = behaviour.window {
                add("node \(node)'s behaviour for the whole run") { $0.behaviours[node]!.window = nil }
                if window.end - window.start > .milliseconds(1) { add("node \(node)'s behaviour half as long") { $0.behaviours[node]!.window = halved(window) } }
            }
        }
        return list
    }

    static func halved(_ window: TimeWindow) -> TimeWindow {
        TimeWindow(start: window.start, end: window.start + SimDuration(nanoseconds: max(1_000_000, (window.end - window.start).nanoseconds / 2 / 1_000_000 * 1_000_000)))
    }

    /// The case without node `removed`: what only it did goes, ids above it (and the clients,
    /// numbered after the nodes) move down by one.
    static func removing(_ removed: Int, from c: ExploreCase) -> ExploreCase {
        var next = c
        next.nodes -= 1
        func id(_ value: Int) -> Int { value > removed ? value - 1 : value }
        func ids(_ values: [Int]) -> [Int] { values.filter { $0 != removed }.map(id) }
        next.faults.partitions = c.faults.partitions.compactMap { partition in
            var partition = partition
            switch partition.shape {
            case let .groups(groups):
                let kept = groups.map(ids).filter { !$0.isEmpty }
                guard kept.count >= 2 else { return nil }
                partition.shape = .groups(kept)
            case let .oneWay(from, to):
                guard !ids(from).isEmpty, !ids(to).isEmpty else { return nil }
                partition.shape = .oneWay(from: ids(from), to: ids(to))
            }
            return partition
        }
        next.faults.hostFaults = c.faults.hostFaults.compactMap { fault in
            switch fault {
            case let .crash(endpoints, at, restart): ids(endpoints).isEmpty ? nil : .crash(endpoints: ids(endpoints), at: at, restart: restart)
            case let .pause(endpoints, window): ids(endpoints).isEmpty ? nil : .pause(endpoints: ids(endpoints), window: window)
            }
        }
        next.faults.clogs = c.faults.clogs.compactMap { clog in
            guard clog.from != removed, clog.to != removed else { return nil }
            return Clog(window: clog.window, from: id(clog.from), to: id(clog.to))
        }
        next.faults.linkOverrides = c.faults.linkOverrides.compactMap { link in
            guard link.from != removed, link.to != removed else { return nil }
            var link = link
            link.from = id(link.from)
            link.to = id(link.to)
            return link
        }
        var behaviours: [Int: ByzantineBehaviour] = [:]
        for node in c.behaviours.keys.sorted() where node != removed {
            let behaviour = c.behaviours[node]!
            if behaviour.actions.isEmpty {
                // Aimed only at the removed node, it would now aim at everyone: it goes.
                if !behaviour.targets.isEmpty, ids(behaviour.targets).isEmpty { continue }
                var renamed = ByzantineBehaviour(name: behaviour.name, targets: ids(behaviour.targets)) ?? behaviour
                renamed.window = behaviour.window
                behaviours[id(node)] = renamed
                continue
            }
            let actions = behaviour.actions.compactMap { action -> MessageAction? in
                var action = action
                let hadTargets = !action.targets.isEmpty
                action.targets = ids(action.targets)
                // An action that was aimed only at the removed node is gone.
                return hadTargets && action.targets.isEmpty ? nil : action
            }
            if !actions.isEmpty { behaviours[id(node)] = .generic(actions) }
        }
        next.behaviours = behaviours
        if case let .fixed(value) = c.threshold, value > next.nodes { next.threshold = .fixed(next.nodes) }
        return next
    }
}

extension LatencyDistribution {
    var isConstant: Bool { if case .constant = self { true } else { false } }
}
