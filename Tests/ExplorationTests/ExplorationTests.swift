import Foundation
import Testing
@testable import Exploration
import LitNetwork
import Scenario
import Simulation

/// The repository's root (for Scenarios/explore/).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func explorer(_ name: String) throws -> Explorer {
    try Explorer(ExploreSpace.load(path: repositoryRoot.appendingPathComponent("Scenarios/explore/\(name).yaml").path))
}

let exploreFiles = ["dkg-threshold-rule", "signing-planted-nonce-reuse", "default-rules"]

@Suite struct SwarmTests {
    /// decode(encode(case)) == case: a drawn case written as YAML and read by the scenario
    /// loader is the same case (nodes, threshold, latency, loss, duplication, every fault,
    /// every behaviour and generic action, request counts, seed).
    @Test(arguments: exploreFiles)
    func drawnCasesRoundTripThroughTheirYAML(_ file: String) throws {
        let explorer = try explorer(file)
        var withFaults = 0, withAdversaries = 0
        for seed in UInt64(1)...150 {
            let drawn = explorer.swarm.draw(seed: seed)
            let decoded = ExploreCase(try explorer.scenario(drawn))
            #expect(decoded == drawn, "\(file) seed \(seed):\n\(explorer.yaml(drawn))")
            if drawn.faults != FaultSchedule() { withFaults += 1 }
            if !drawn.behaviours.isEmpty { withAdversaries += 1 }
        }
        // The property covered faults and adversaries, not only empty cases.
        #expect(withFaults > 10 && withAdversaries > 10 || file == "signing-planted-nonce-reuse" && withFaults > 10,
                "\(file): \(withFaults) cases with faults, \(withAdversaries) with adversaries")
    }

    @Test func aDrawDependsOnTheSeedAlone() throws {
        let first = try explorer("default-rules"), second = try explorer("default-rules")
        for seed in UInt64(1)...50 { #expect(first.swarm.draw(seed: seed) == second.swarm.draw(seed: seed), "seed \(seed)") }
        let distinct = Set((UInt64(1)...50).map { first.yaml(first.swarm.draw(seed: $0), name: "x") })
        #expect(distinct.count == 50)
    }

    /// options_swarm: each kind of trouble is off entirely in some seeds and on in others.
    @Test func eachFeatureIsOffInSomeSeedsAndOnInOthers() throws {
        let explorer = try explorer("default-rules")
        let cases = (UInt64(1)...200).map { explorer.swarm.draw(seed: $0) }
        let features: [(String, (ExploreCase) -> Bool)] = [
            ("loss", { $0.loss != .never }), ("duplication", { $0.duplicate != .never }),
            ("partitions", { !$0.faults.partitions.isEmpty }), ("host faults", { !$0.faults.hostFaults.isEmpty }),
            ("named behaviours", { $0.behaviours.values.contains { $0.actions.isEmpty } }), ("generic actions", { $0.actionCount > 0 }),
            ("jitter", { if case .distribution(.uniform) = $0.latency { true } else { false } }),
        ]
        for (name, present) in features {
            let on = cases.filter(present).count
            #expect(on > 10 && on < 190, "\(name) on in \(on) of 200 seeds")
        }
    }

    @Test(arguments: exploreFiles)
    func everyDrawStaysWithinTheFaultBudget(_ file: String) throws {
        let explorer = try explorer(file)
        for seed in UInt64(1)...300 {
            let drawn = explorer.swarm.draw(seed: seed)
            #expect(explorer.swarm.admits(drawn), "\(file) seed \(seed)")
        }
    }

    @Test func removingANodeRenumbersTheOthers() throws {
        var c = ExploreCase(try ScenarioLoader.load(data: Data("name: x\n".utf8), file: "x.yaml"))
        c.nodes = 5
        c.faults = FaultSchedule(partitions: [Partition(window: TimeWindow(at: .zero, for: .seconds(1)), shape: .groups([[0, 2], [1, 3, 4]]))],
                                 hostFaults: [.crash(endpoints: [2], at: .zero, restart: nil), .pause(endpoints: [4], window: TimeWindow(at: .zero, for: .seconds(1)))])
        c.behaviours = [3: .generic([MessageAction(.subsetSend, kind: "dkg.commitments", targets: [2]), MessageAction(.drop, kind: "dkg.share", targets: [0, 4])]),
                        4: ByzantineBehaviour(name: "dkg-bad-share", targets: [2, 3])!]
        let smaller = Shrinker.removing(2, from: c)
        #expect(smaller.nodes == 4)
        #expect(smaller.faults.partitions.first?.shape == .groups([[0], [1, 2, 3]]))
        #expect(smaller.faults.hostFaults == [.pause(endpoints: [3], window: TimeWindow(at: .zero, for: .seconds(1)))])
        // Node 3 became 2: its subset-send aimed only at node 2 is gone, its drop keeps 0 and 4 → 3.
        #expect(smaller.behaviours[2]?.actions == [MessageAction(.drop, kind: "dkg.share", targets: [0, 3])])
        #expect(smaller.behaviours[3]?.name == "dkg-bad-share" && smaller.behaviours[3]?.targets == [2])
    }
}

@Suite struct ExplorerTests {
    /// Runs seeds from 1 until one violates `oracle`; prints the seed.
    func firstViolation(_ explorer: Explorer, oracle: String, seeds: ClosedRange<UInt64>) -> (ExploreCase, SafetyViolation)? {
        for seed in seeds {
            let drawn = explorer.swarm.draw(seed: seed)
            if let violation = explorer.run(drawn).violation, violation.oracle == oracle {
                print("\(oracle) found at seed \(seed): \(violation.detail)")
                return (drawn, violation)
            }
        }
        return nil
    }

    /// The issue's check: under the unsafe `threshold` rule, generic adversaries alone split the
    /// key, and the shrunk scenario has at most 6 nodes and 3 actions and reproduces from its
    /// file.
    @Test func findsAndShrinksTheSplitKeyUnderTheThresholdRule() throws {
        let explorer = try explorer("dkg-threshold-rule")
        let found = try #require(firstViolation(explorer, oracle: "dkg.agreement", seeds: 1...600))
        let outcome = Shrinker(explorer).shrink(found.0, violation: found.1)
        print("shrunk in \(outcome.runs) runs: \(outcome.steps)")
        #expect(outcome.minimal.nodes <= 6)
        #expect(outcome.minimal.actionCount <= 3)
        #expect(outcome.minimal.behaviours.values.allSatisfy { !$0.actions.isEmpty }, "generic actions only")
        let reloaded = try ScenarioLoader.load(data: Data(explorer.yaml(outcome.minimal, name: "minimal").utf8), file: "minimal.yaml")
        var specification = reloaded.specification
        specification.stopOnViolation = true
        #expect(runNetwork(specification).violations.first?.oracle == "dkg.agreement")
    }

    /// The planted bug is found, shrunk to a small case, and is the bug: without the flag the
    /// same minimal case is clean.
    @Test func findsAndShrinksThePlantedNonceReuse() throws {
        let explorer = try explorer("signing-planted-nonce-reuse")
        let found = try #require(firstViolation(explorer, oracle: "nonce.unique", seeds: 1...100))
        let outcome = Shrinker(explorer).shrink(found.0, violation: found.1)
        print("shrunk in \(outcome.runs) runs: \(outcome.steps)")
        #expect(outcome.minimal.nodes <= 4)
        #expect(outcome.minimal.requests == [1])
        #expect(outcome.minimal.faults == FaultSchedule() && outcome.minimal.behaviours.isEmpty)
        let text = explorer.yaml(outcome.minimal, name: "minimal")
        var fixed = try ScenarioLoader.load(data: Data(text.utf8), file: "minimal.yaml").specification
        #expect(fixed.plantedBug == .frostNonceReuse)
        fixed.plantedBug = nil
        #expect(runNetwork(fixed).violations.isEmpty)
    }

    @Test func theDefaultRulesSurviveAShortExploration() throws {
        let explorer = try explorer("default-rules")
        for seed in UInt64(1)...60 {
            let result = explorer.explore(seed: seed)
            #expect(result.error == nil && result.violation == nil, "seed \(seed): \(result.violation?.description ?? result.error ?? "")")
        }
    }
}
