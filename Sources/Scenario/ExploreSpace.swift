import Foundation
import LitNetwork
import Simulation
import Yams

/// An explore file (`litsim explore`, Scenarios/explore/): a base scenario and the ranges each
/// seed draws a concrete scenario from. Every range is optional; what it leaves out stays as
/// the base says.
///
/// ```yaml
/// name: dkg-threshold-rule
/// base: ../ci/attacks/split-key-threshold.yaml   # or `scenario: { ... }` inline
/// space:
///   nodes: 4...8
///   threshold: [2, 3, lit]
///   latency: 1ms...200ms        # constant or uniform inside it, per seed
///   loss: [0.01, 0.05]          # when the seed turns loss on
///   duplicate: [0.1]
///   crashes: 0...2              # also partitions, pauses
///   byzantine: 0...1            # nodes with a named behaviour from `behaviours`
///   behaviours: [dkg-bad-share]
///   actions: 0...3              # generic actions, `verbs` on `kinds`
///   verbs: [drop, subset-send]
///   kinds: [dkg.commitments]
///   max_byzantine: f            # deviating nodes at most: f = ⌊(n−1)/3⌋, or a number
///   requests: 1...20            # each workload entry's count
///   horizon: 60s                # faults and actions start before this
/// ```
public struct ExploreSpace: Sendable {
    public enum ByzantineLimit: Sendable, Equatable {
        /// ⌊(n − 1)/3⌋: what the default (quorum) rules are built to tolerate.
        case oneThird
        case count(Int)

        public func limit(nodes n: Int) -> Int {
            switch self {
            case .oneThird: (n - 1) / 3
            case let .count(value): value
            }
        }
    }

    public let file: String
    public let name: String
    public let description: String
    /// The base scenario's YAML (with its own file name for errors).
    public let baseText: String
    public let baseFile: String
    public let base: Scenario
    public let nodes: ClosedRange<Int>?
    public let thresholds: [ThresholdRule]
    public let latency: ClosedRange<SimDuration>?
    public let loss: [Probability]
    public let duplicate: [Probability]
    public let crashes: ClosedRange<Int>
    public let partitions: ClosedRange<Int>
    public let pauses: ClosedRange<Int>
    public let byzantine: ClosedRange<Int>
    public let behaviours: [String]
    public let actions: ClosedRange<Int>
    public let verbs: [MessageAction.Verb]
    public let kinds: [String]
    public let maxByzantine: ByzantineLimit
    public let requests: ClosedRange<Int>?
    public let horizon: SimDuration

    static let spaceKeys = ["nodes", "threshold", "latency", "loss", "duplicate", "crashes", "partitions", "pauses", "byzantine",
                            "behaviours", "actions", "verbs", "kinds", "max_byzantine", "requests", "horizon"]

    /// Reads and checks an explore file; errors read FILE:LINE:COLUMN like a scenario's.
    public static func load(path: String) throws(ScenarioErrors) -> ExploreSpace {
        func fail(_ message: String) -> ScenarioErrors {
            ScenarioErrors(diagnostics: [Diagnostic(file: path, line: 1, column: 1, message: message)])
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw fail("cannot read the file") }
        guard let root = try ScenarioLoader.compose(data: data, file: path).root else { throw fail("the explore file is empty; it needs `name`, `base` (or `scenario`) and `space`") }
        let r = Reader(file: path, overrides: [:])
        let located = Located(node: root, file: path)
        let top = r.mapping(located, path: "", allowed: ["name", "description", "base", "scenario", "space"])
        let name = r.child(top, "name", path: "").flatMap { r.scalar($0, path: "name", expected: "a name") } ?? ""
        if name.isEmpty || !name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) || name.hasPrefix(".") {
            r.error(r.child(top, "name", path: "") ?? located, "`name` is used in output paths: letters, digits, '-', '_' or '.'")
        }
        let description = r.child(top, "description", path: "").flatMap { r.scalar($0, path: "description", expected: "text") } ?? ""

        // The base scenario: a file next to this one, or inline.
        var baseText = "", baseFile = path
        switch (r.child(top, "base", path: ""), r.child(top, "scenario", path: "")) {
        case let (baseNode?, nil):
            if let relative = r.scalar(baseNode, path: "base", expected: "a scenario file's path") {
                let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
                baseFile = relative.hasPrefix("/") ? relative : directory.appendingPathComponent(relative).standardized.path
                if let contents = FileManager.default.contents(atPath: baseFile).flatMap({ String(data: $0, encoding: .utf8) }) {
                    baseText = contents
                } else {
                    r.error(baseNode, "cannot read the base scenario `\(baseFile)`")
                }
            }
        case let (nil, inline?):
            baseText = (try? Yams.serialize(node: inline.node)) ?? ""
        default:
            r.error(located, "an explore file needs exactly one of `base` (a scenario file) and `scenario` (one inline)")
        }
        var base: Scenario?
        if !baseText.isEmpty {
            do {
                base = try ScenarioLoader.load(data: Data(baseText.utf8), file: baseFile)
            } catch {
                for diagnostic in error.diagnostics { r.error(r.child(top, "base", path: "") ?? r.child(top, "scenario", path: ""), "base scenario: \(diagnostic)") }
            }
        }

        let space = r.mapping(r.child(top, "space", path: ""), path: "space", allowed: spaceKeys)
        func field(_ key: String) -> Located? { r.child(space, key, path: "space") }
        func range(_ key: String, within limits: ClosedRange<Int>) -> ClosedRange<Int>? {
            guard let node = field(key) else { return nil }
            guard let text = r.scalar(node, path: "space.\(key)", expected: "a number or a range such as 0...3") else { return nil }
            let parts = text.components(separatedBy: "...")
            guard (1...2).contains(parts.count), let low = Int(parts[0]), let high = Int(parts.last!), low <= high,
                  limits.contains(low), limits.contains(high) else {
                r.error(node, "`space.\(key)` must be a number or a range `a...b` within \(limits.lowerBound)...\(limits.upperBound); got `\(text)`")
                return nil
            }
            return low...high
        }
        func strings(_ key: String, allowed: [String]) -> [String] {
            r.list(field(key), path: "space.\(key)").map { r.choice($0, path: "space.\(key)", default: "", allowed: allowed) }.filter { !$0.isEmpty }
        }
        let nodes = range("nodes", within: 2...1000)
        let thresholds = r.list(field("threshold"), path: "space.threshold").map { ScenarioLoader.thresholdRule($0, nodes: nodes?.upperBound ?? 1, reader: r) }
        var latency: ClosedRange<SimDuration>?
        if let node = field("latency"), let text = r.scalar(node, path: "space.latency", expected: "a range of durations such as 1ms...200ms") {
            let parts = text.components(separatedBy: "...")
            let bounds = parts.map { r.duration(Located(node: Node($0), file: node.file), path: "space.latency", default: .zero) }
            if parts.count == 2, bounds[0] <= bounds[1] { latency = bounds[0]...bounds[1] } else { r.error(node, "`space.latency` must read `low...high`, e.g. 1ms...200ms") }
        }
        let loss = r.list(field("loss"), path: "space.loss").map { r.probability($0, path: "space.loss", default: .never) }
        let duplicate = r.list(field("duplicate"), path: "space.duplicate").map { r.probability($0, path: "space.duplicate", default: .never) }
        let behaviourNames = ByzantineBehaviour.catalogue.map(\.name).filter { MessageAction.Verb(rawValue: $0) == nil }
        let verbs = strings("verbs", allowed: MessageAction.Verb.allCases.map(\.rawValue)).compactMap(MessageAction.Verb.init)
        var maxByzantine = ByzantineLimit.oneThird
        if let node = field("max_byzantine"), let text = r.scalar(node, path: "space.max_byzantine", expected: "f or a number") {
            if let value = Int(text), value >= 0 { maxByzantine = .count(value) } else if text != "f" { r.error(node, "`space.max_byzantine` must be `f` (⌊(n−1)/3⌋) or a number") }
        }
        let horizonNode = field("horizon")
        let result = ExploreSpace(
            file: path, name: name, description: description, baseText: baseText, baseFile: baseFile, base: base ?? placeholder,
            nodes: nodes, thresholds: thresholds, latency: latency, loss: loss, duplicate: duplicate,
            crashes: range("crashes", within: 0...64) ?? 0...0, partitions: range("partitions", within: 0...64) ?? 0...0,
            pauses: range("pauses", within: 0...64) ?? 0...0, byzantine: range("byzantine", within: 0...1000) ?? 0...0,
            behaviours: strings("behaviours", allowed: behaviourNames), actions: range("actions", within: 0...64) ?? 0...0,
            verbs: verbs.isEmpty ? MessageAction.Verb.allCases : verbs, kinds: strings("kinds", allowed: MessageAction.kinds),
            maxByzantine: maxByzantine, requests: range("requests", within: 1...1_000_000),
            horizon: r.duration(horizonNode, path: "space.horizon", default: base?.specification.stop ?? .seconds(60), allowZero: false))
        if result.byzantine.upperBound > 0, result.behaviours.isEmpty { r.error(field("byzantine"), "`space.byzantine` needs `space.behaviours` to draw from") }
        if result.actions.upperBound > 0, result.kinds.isEmpty { r.error(field("actions"), "`space.actions` needs `space.kinds`, the message kinds they act on") }
        if let base, result.horizon > base.specification.stop { r.error(horizonNode, "`space.horizon` is after the base scenario's `stop` (\(base.specification.stop))") }
        let errors = r.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty, base != nil else { throw ScenarioErrors(diagnostics: errors.isEmpty ? [Diagnostic(file: path, line: 1, column: 1, message: "no base scenario")] : errors) }
        return result
    }

    /// Stands in for a base that failed to load (never returned: errors are thrown first).
    static var placeholder: Scenario {
        Scenario(file: "", name: "", description: "", specification: NetworkSpecification(nodes: 1), expectations: [], sweep: [], warnings: [])
    }
}
