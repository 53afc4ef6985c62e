import LitNetwork
import Simulation
import Yams

/// Writes scenario values back as YAML in the documented schema (DESIGN.md §5), so that
/// reading what it wrote gives the same values: the explorer writes the scenarios it draws and
/// shrinks this way, and `litsim run` reproduces them. Each function is the inverse of the
/// decoder's for that key.
public enum ScenarioEncoder {
    /// `250ms`, `3s`, `17ns`: the largest unit that divides it exactly.
    public static func duration(_ value: SimDuration) -> String {
        let ns = value.nanoseconds
        for (unit, size) in [("h", Int64(3_600_000_000_000)), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000)]
            where ns != 0 && ns % size == 0 {
            return "\(ns / size)\(unit)"
        }
        return "\(ns)ns"
    }

    public static func threshold(_ rule: ThresholdRule) -> Node {
        switch rule {
        case .lit: Node("lit")
        case let .fixed(value): Node("\(value)", Tag(.int))
        case let .fraction(numerator, denominator): Node("\(numerator)/\(denominator)", Tag(.str), .doubleQuoted)
        }
    }

    /// A probability as it was written (`0.01`, `1/3`, `5%`), quoted so YAML keeps it a string.
    public static func probability(_ value: Probability) -> Node { Node(value.text, Tag(.str), .doubleQuoted) }

    /// `network.latency`; nil for region matrices, which the explorer never draws.
    public static func latency(_ latency: NetworkModel.Latency) -> Node? {
        guard case let .distribution(distribution) = latency else { return nil }
        func d(_ value: SimDuration) -> Node { Node(duration(value)) }
        switch distribution {
        case let .constant(value):
            return mapping([("distribution", Node("constant")), ("value", d(value))])
        case let .uniform(low, high):
            return mapping([("distribution", Node("uniform")), ("min", d(low)), ("max", d(high))])
        case let .normal(mean, deviation, minimum):
            return mapping([("distribution", Node("normal")), ("mean", d(mean)), ("stddev", d(deviation)), ("min", d(minimum))])
        case let .lognormal(mean, deviation, minimum):
            return mapping([("distribution", Node("lognormal")), ("mean", d(mean)), ("stddev", d(deviation)), ("min", d(minimum))])
        case let .exponential(mean, minimum):
            return mapping([("distribution", Node("exponential")), ("mean", d(mean)), ("min", d(minimum))])
        }
    }

    /// `faults:` entries: partitions (by groups or one way), crashes with their restart, pauses,
    /// clogs and link overrides with constant latency, in that order.
    public static func faults(_ schedule: FaultSchedule) -> Node {
        var entries: [Node] = []
        func window(_ window: TimeWindow) -> [(String, Node)] {
            [("at", Node(duration(SimDuration(nanoseconds: window.start.nanoseconds)))), ("for", Node(duration(window.end - window.start)))]
        }
        for partition in schedule.partitions {
            let shape: Node = switch partition.shape {
            case let .groups(groups): flowSequence(groups.map(ids))
            case let .oneWay(from, to): mapping([("from", ids(from)), ("to", ids(to))])
            }
            entries.append(mapping(window(partition.window) + [("partition", shape)]))
        }
        for fault in schedule.hostFaults {
            switch fault {
            case let .crash(endpoints, at, restart):
                var fields = [("at", Node(duration(SimDuration(nanoseconds: at.nanoseconds)))), ("crash", ids(endpoints))]
                if let restart { fields.append(("restart", Node(duration(SimDuration(nanoseconds: restart.nanoseconds))))) }
                entries.append(mapping(fields))
            case let .pause(endpoints, pauseWindow):
                entries.append(mapping(window(pauseWindow) + [("pause", ids(endpoints))]))
            }
        }
        for clog in schedule.clogs {
            entries.append(mapping(window(clog.window) + [("clog", mapping([("from", int(clog.from)), ("to", int(clog.to))]))]))
        }
        for link in schedule.linkOverrides {
            var fields = [("from", int(link.from)), ("to", int(link.to))]
            if let loss = link.loss { fields.append(("loss", probability(loss))) }
            if case let .constant(value)? = link.latency { fields.append(("latency", Node(duration(value)))) }
            entries.append(mapping(window(link.window) + [("link", mapping(fields))]))
        }
        return .sequence(Node.Sequence(entries))
    }

    /// `byzantine:` entries, one per node and behaviour (generic actions one per action), by node.
    public static func byzantine(_ behaviours: [Int: ByzantineBehaviour]) -> Node {
        var entries: [Node] = []
        for node in behaviours.keys.sorted() {
            let behaviour = behaviours[node]!
            if !behaviour.actions.isEmpty {
                for action in behaviour.actions {
                    var fields = [("nodes", ids([node])), ("behaviour", Node(action.verb.rawValue)), ("kind", Node(action.kind))]
                    if !action.targets.isEmpty { fields.append(("targets", ids(action.targets))) }
                    if action.verb == .delay { fields.append(("delay", Node(duration(action.delay)))) }
                    if let window = action.window { fields += behaviourWindow(window) }
                    entries.append(mapping(fields))
                }
                continue
            }
            var fields = [("nodes", ids([node])), ("behaviour", Node(behaviour.name))]
            if !behaviour.targets.isEmpty { fields.append(("targets", ids(behaviour.targets))) }
            if let window = behaviour.window { fields += behaviourWindow(window) }
            entries.append(mapping(fields))
        }
        return .sequence(Node.Sequence(entries))
    }

    static func behaviourWindow(_ window: TimeWindow) -> [(String, Node)] {
        [("at", Node(duration(SimDuration(nanoseconds: window.start.nanoseconds)))), ("for", Node(duration(window.end - window.start)))]
    }

    /// `root` with `value` at the dotted `path` (mappings made where missing).
    public static func setting(_ path: String, to value: Node, in root: Node) -> Node {
        ScenarioLoader.setting(path.split(separator: ".").map(String.init), to: value, in: root)
    }

    /// YAML text for a scenario tree, with `comment` lines (each prefixed `# `) first.
    public static func text(_ root: Node, comment: [String] = []) throws -> String {
        comment.map { "# \($0)\n" }.joined() + (try Yams.serialize(node: root, sortKeys: false))
    }

    public static func mapping(_ pairs: [(String, Node)]) -> Node {
        .mapping(Node.Mapping(pairs.map { (Node($0.0), $0.1) }, Tag(.map), .flow))
    }

    static func int(_ value: Int) -> Node { Node("\(value)", Tag(.int)) }
    static func ids(_ values: [Int]) -> Node { flowSequence(values.map(int)) }
    static func flowSequence(_ nodes: [Node]) -> Node { .sequence(Node.Sequence(nodes, Tag(.seq), .flow)) }
}
