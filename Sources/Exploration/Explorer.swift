import Foundation
import LitNetwork
import Scenario
import Simulation
import Yams

/// What one explored seed gave.
public struct ExploreResult: Sendable {
    public let seed: UInt64
    /// The first safety violation (the run stops there); nil: none.
    public let violation: SafetyViolation?
    public let coverage: [CoverageKey: Int]
    public let events: UInt64
    /// A drawn scenario that did not load: a fault of the explore file or of the explorer.
    public let error: String?
}

/// Runs drawn cases. Every run goes through the YAML the case encodes to and the scenario
/// loader, exactly as `litsim run` would read the written file, so what is found reproduces.
public struct Explorer {
    public let space: ExploreSpace
    public let swarm: Swarm
    let baseTree: Node

    public init(_ space: ExploreSpace) throws {
        self.space = space
        swarm = Swarm(space)
        guard let tree = try Yams.compose(yaml: space.baseText) else { throw ExploreError("the base scenario is empty") }
        baseTree = tree
    }

    /// The case's scenario name: `<explore name>-<seed>`.
    public func name(_ drawn: ExploreCase) -> String { "\(space.name)-\(drawn.seed)" }

    public func yaml(_ drawn: ExploreCase, name: String? = nil, comment: [String] = []) -> String {
        drawn.yaml(base: baseTree, name: name ?? self.name(drawn), comment: comment)
    }

    /// The case as a loaded scenario (what `litsim run` makes of its YAML).
    public func scenario(_ drawn: ExploreCase) throws(ScenarioErrors) -> Scenario {
        try ScenarioLoader.load(data: Data(yaml(drawn).utf8), file: "\(name(drawn)).yaml")
    }

    public func explore(seed: UInt64, coverage: Bool = true) -> ExploreResult {
        run(swarm.draw(seed: seed), coverage: coverage)
    }

    /// Runs the case until its first violation (or its `stop`).
    public func run(_ drawn: ExploreCase, coverage: Bool = false) -> ExploreResult {
        let scenario: Scenario
        do {
            scenario = try self.scenario(drawn)
        } catch {
            return ExploreResult(seed: drawn.seed, violation: nil, coverage: [:], events: 0, error: error.description)
        }
        var specification = scenario.specification
        specification.stopOnViolation = true
        specification.coverage = coverage
        specification.trace = .digestOnly
        let report = runNetwork(specification)
        return ExploreResult(seed: drawn.seed, violation: report.violations.first, coverage: report.coverage,
                             events: report.counters.events, error: nil)
    }
}

public struct ExploreError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
