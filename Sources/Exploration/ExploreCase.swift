import Foundation
import LitNetwork
import Scenario
import Simulation
import Yams

/// The part of a scenario the explorer draws and shrinks, as typed values: everything else
/// stays as the base scenario says. `init(_:)` reads it from a loaded scenario and `yaml`
/// writes it back into the base's YAML; reading what was written gives the same case (the
/// round-trip property the tests check on drawn cases).
public struct ExploreCase: Sendable, Equatable {
    public var seed: UInt64
    public var nodes: Int
    public var threshold: ThresholdRule
    public var latency: NetworkModel.Latency
    public var loss: Probability
    public var duplicate: Probability
    public var faults: FaultSchedule
    public var behaviours: [Int: ByzantineBehaviour]
    /// Requests of each workload entry of the scenario's own client group.
    public var requests: [Int]

    /// What a loaded scenario says.
    public init(_ scenario: Scenario) {
        let specification = scenario.specification
        seed = specification.seed
        nodes = specification.nodes
        threshold = specification.threshold
        latency = specification.network.latency
        loss = specification.network.loss
        duplicate = specification.network.duplicate
        faults = specification.faults
        behaviours = specification.behaviours
        requests = specification.workloads.map(\.count)
    }

    /// Nodes that deviate (compromised ones only leak).
    public var deviating: [Int] { ByzantineBehaviour.deviating(behaviours) }

    /// Generic actions over all nodes.
    public var actionCount: Int { behaviours.values.reduce(0) { $0 + $1.actions.count } }

    /// The base scenario's tree with this case written into it, named `name`; expectations
    /// and sweeps are dropped (an explored scenario is judged by its oracles).
    public func tree(base: Node, name: String) -> Node {
        var root = base
        if case let .mapping(mapping) = root {
            root = .mapping(Node.Mapping(mapping.filter { !["expect", "sweep"].contains($0.key.scalar?.string ?? "") }))
        }
        func set(_ path: String, _ value: Node) { root = ScenarioEncoder.setting(path, to: value, in: root) }
        set("name", Node(name))
        set("seed", Node("\(seed)", Tag(.int)))
        set("network.nodes", Node("\(nodes)", Tag(.int)))
        set("network.threshold", ScenarioEncoder.threshold(threshold))
        if let latency = ScenarioEncoder.latency(latency) { set("network.latency", latency) }
        set("network.loss", ScenarioEncoder.probability(loss))
        set("network.duplicate", ScenarioEncoder.probability(duplicate))
        set("faults", ScenarioEncoder.faults(faults))
        set("byzantine", ScenarioEncoder.byzantine(behaviours))
        if !requests.isEmpty, case let .sequence(entries)? = root["workload"] {
            let counted = zip(entries, requests).map { entry, count in ScenarioEncoder.setting("count", to: Node("\(count)", Tag(.int)), in: entry) }
            set("workload", .sequence(Node.Sequence(counted + entries.dropFirst(counted.count))))
        }
        return root
    }

    public func yaml(base: Node, name: String, comment: [String] = []) -> String {
        (try? ScenarioEncoder.text(tree(base: base, name: name), comment: comment)) ?? ""
    }
}
