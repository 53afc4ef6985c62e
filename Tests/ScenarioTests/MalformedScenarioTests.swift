import Foundation
import Testing
@testable import Scenario
import LitNetwork
import Simulation
import Protocols

/// A valid base to break one thing at a time.
let validScenario = """
name: base
seed: 3
stop: 60s
network:
  nodes: 10
  latency: { distribution: constant, value: 20ms }
clients: { count: 2 }
workload:
  - { op: sign, count: 5 }

"""

/// One broken scenario: its text, the line the error must point at, a phrase it must say.
struct MalformedCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let text: String
    let line: Int
    let phrase: String
    var testDescription: String { name }
}

/// Fixtures/malformed-scenarios.json, shared with the command-line tests.
let malformedScenarios: [MalformedCase] = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/malformed-scenarios.json")
    struct File: Decodable { let cases: [MalformedCase] }
    return (try? JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases) ?? []
}()

@Suite struct MalformedScenarioTests {
    @Test func theTableHasEnoughCases() { #expect(malformedScenarios.count >= 30) }

    @Test(arguments: malformedScenarios)
    func rejectsWithALocatedError(_ malformed: MalformedCase) {
        let (name, text, line, phrase) = (malformed.name, malformed.text, malformed.line, malformed.phrase)
        do {
            let scenario = try ScenarioLoader.load(data: Data(text.utf8), file: "bad.yaml")
            Issue.record("\(name): accepted as \(scenario.name)")
        } catch {
            let first = error.diagnostics.first!
            #expect(error.diagnostics.allSatisfy { $0.severity == .error })
            #expect(error.diagnostics.contains { $0.message.contains(phrase) }, "\(name): \(error.description)")
            #expect(error.diagnostics.contains { $0.line == line && $0.message.contains(phrase) } || first.line == line,
                    "\(name): expected line \(line), got \(error.description)")
            #expect(error.description.hasPrefix("bad.yaml:") || error.description.hasPrefix("--set"), "\(name)")
        }
    }

    @Test func binaryGarbageIsRejectedWithAPosition() {
        var rng = SystemRandomNumberGenerator()
        var bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) }
        bytes[100] = 0
        #expect(throws: ScenarioErrors.self) { try ScenarioLoader.load(data: Data(bytes), file: "garbage.bin") }
        let invalidUTF8 = Data([0x6E, 0x61, 0x6D, 0x65, 0x3A, 0x20, 0xFF, 0xFE, 0x0A])
        do {
            _ = try ScenarioLoader.load(data: invalidUTF8, file: "latin.yaml")
            Issue.record("accepted invalid UTF-8")
        } catch {
            #expect(error.description == "latin.yaml:1:7: error: the file is not UTF-8 text")
        }
    }

    @Test func reportsEveryErrorInOnePass() {
        let text = "name: a\nnetwork: { nodes: ten, loss: lots }\nstop: 30\n"
        do {
            _ = try ScenarioLoader.load(data: Data(text.utf8), file: "many.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.diagnostics.count == 3, "\(error.description)")
            #expect(error.diagnostics.map(\.line) == [2, 2, 3])
        }
    }

    @Test func overridesAreValidatedWithTheirOrigin() throws {
        let base = Data(validScenario.utf8)
        let scenario = try ScenarioLoader.load(data: base, file: "base.yaml", overrides: ["network.nodes=20", "seed=9"])
        #expect(scenario.specification.nodes == 20)
        #expect(scenario.seed == 9)
        do {
            _ = try ScenarioLoader.load(data: base, file: "base.yaml", overrides: ["network.nodez=20"])
            Issue.record("accepted an unknown override")
        } catch {
            #expect(error.description.contains("did you mean `network.nodes`"))
        }
        do {
            _ = try ScenarioLoader.load(data: base, file: "base.yaml", overrides: ["network.nodes=many"])
            Issue.record("accepted a bad override value")
        } catch {
            #expect(error.description.hasPrefix("--set network.nodes=many:1:"), "\(error.description)")
        }
    }

    @Test func tooManyByzantineNodesIsAWarningNotAnError() throws {
        let text = validScenario + "byzantine:\n  - { nodes: [0, 1, 2, 3, 4], behaviour: silent }\n"
        let scenario = try ScenarioLoader.load(data: Data(text.utf8), file: "warn.yaml")
        #expect(scenario.warnings.count == 1)
        #expect(scenario.warnings[0].description.contains("warning: 5 Byzantine nodes exceed"))
    }

    @Test func everyShippedScenarioIsValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folders = ["Scenarios", "Scenarios/ci", "Scenarios/ci/attacks", "Scenarios/actions"].map { root.appendingPathComponent($0) }
        var count = 0
        for folder in folders {
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where file.hasSuffix(".yaml") {
                _ = try ScenarioLoader.load(path: folder.appendingPathComponent(file).path)
                count += 1
            }
        }
        #expect(count >= 10)
    }

    @Test func sweepExpandsInFileOrder() throws {
        let text = validScenario + "sweep:\n  network.nodes: [10, 20]\n  seed: 1...3\n"
        let scenario = try ScenarioLoader.load(data: Data(text.utf8), file: "sweep.yaml")
        #expect(scenario.sweep == [SweepAxis(path: "network.nodes", values: ["10", "20"]), SweepAxis(path: "seed", values: ["1", "2", "3"])])
    }
}

@Suite struct ScenarioGapTests {
    func load(_ text: String, overrides: [String] = []) throws -> Scenario {
        try ScenarioLoader.load(data: Data(text.utf8), file: "gap.yaml", overrides: overrides)
    }

    /// Regions by count, share and `rest`, so `network.nodes` can be overridden and swept.
    @Test func regionsByCountShareAndRestFollowTheNodeCount() throws {
        let text = """
            name: regions
            network:
              nodes: 10
              latency: { distribution: regions, regions: { us-east: 4, eu-west: 30%, ap-south: rest } }
            """
        for nodes in [10, 20, 7] {
            let scenario = try load(text, overrides: ["network.nodes=\(nodes)"])
            guard case let .regions(regions) = scenario.specification.network.latency else {
                Issue.record("not a regions model")
                continue
            }
            let placed = regions.regionOfEndpoint.prefix(nodes)
            #expect(placed.filter { $0 == 0 }.count == 4, "n = \(nodes)")
            #expect(placed.filter { $0 == 1 }.count == nodes * 30 / 100, "n = \(nodes)")
            #expect(placed.count == nodes)
        }
        #expect(throws: ScenarioErrors.self) {
            try load(text.replacingOccurrences(of: "ap-south: rest", with: "ap-south: 1"))  // nodes left in no region
        }
        #expect(throws: ScenarioErrors.self) { try load(text, overrides: ["network.nodes=3"]) }  // 4 asked, 3 exist
    }

    /// Client groups: ids and regions follow the groups in order; settings are inherited.
    @Test func clientGroupsInheritSettingsAndHaveTheirOwnRegion() throws {
        let scenario = try load("""
            name: groups
            network:
              nodes: 4
              latency: { distribution: regions, regions: { us-east: 2, eu-west: rest } }
            protocol: { signing_flow: coordinator }
            clients:
              count: 2
              timeout: 7s
              region: eu-west
              groups:
                - { name: far, count: 3, region: us-east, over_request: 1, workload: [{ op: sign, count: 9 }] }
                - { count: 1, selection: random }
            workload: [{ op: sign, count: 4 }]
            """)
        let specification = scenario.specification
        #expect(specification.clientGroups.map(\.name) == ["main", "far", "group2"])
        #expect(specification.clientCount == 6 && specification.requestCount == 13)
        let far = specification.extraClientGroups[0].settings
        #expect(far.timeout == .seconds(7) && far.overRequest == .extra(1), "inherited timeout, own over_request")
        #expect(specification.extraClientGroups[1].settings.selection == .random)
        #expect(specification.clients.overRequest == nil && specification.clients.effectiveOverRequest(.coordinator) == .all)
        guard case let .regions(regions) = specification.network.latency else {
            Issue.record("not a regions model")
            return
        }
        // Nodes 0-1 us-east (0), 2-3 eu-west (1); clients: main ×2 eu-west, far ×3 us-east, group2 inherits eu-west.
        #expect(regions.regionOfEndpoint == [0, 0, 1, 1, 1, 1, 0, 0, 0, 1])
    }

    /// A custom matrix names its own regions and may override a built-in pair; one direction
    /// serves both.
    @Test func aLatencyMatrixDefinesRegionsAndOverridesBuiltInPairs() throws {
        let scenario = try load("""
            name: matrix
            network:
              nodes: 6
              latency:
                distribution: regions
                regions: { lab: 2, us-east: 2, eu-west: rest }
                matrix:
                  lab: { lab: 1ms, us-east: 12ms, eu-west: 70ms }
                  eu-west: { us-east: 5ms }
            """)
        guard case let .regions(regions) = scenario.specification.network.latency else {
            Issue.record("not a regions model")
            return
        }
        #expect(regions.oneWay[0] == [.milliseconds(1), .milliseconds(12), .milliseconds(70)])
        #expect(regions.oneWay[1][0] == .milliseconds(12), "one direction serves both")
        #expect(regions.oneWay[1][2] == .milliseconds(5) && regions.oneWay[2][1] == .milliseconds(5), "overrides the built-in 40 ms")
        #expect(regions.oneWay[1][1] == .microseconds(500), "the built-in within-region delay where the matrix is silent")
    }

    @Test func aByzantineWindowIsReadAndClipped() throws {
        let scenario = try load("""
            name: b
            stop: 30s
            byzantine:
              - { nodes: [1], behaviour: silent, at: 10s, for: 5s }
              - { nodes: [2], behaviour: bad-signature-share, at: 20s }
              - { nodes: [3], behaviour: withhold-share, at: 25s, for: 1h }
              - { nodes: [4], behaviour: dkg-bad-proof }
            """)
        let behaviours = scenario.specification.behaviours
        let second = { (seconds: Int64) in SimInstant(nanoseconds: seconds * 1_000_000_000) }
        #expect(behaviours[1]?.window == TimeWindow(at: .seconds(10), for: .seconds(5)))
        #expect(behaviours[2]?.window == TimeWindow(at: .seconds(20), for: .seconds(10)), "`at` alone: to the end")
        #expect(behaviours[3]?.window?.end == second(30), "clipped at stop")
        #expect(scenario.warnings.contains { $0.message.contains("byzantine[2]") && $0.message.contains("clipped") })
        #expect(behaviours[4]?.window == nil)
        #expect(behaviours[1]?.isActive(at: second(9)) == false && behaviours[1]?.isActive(at: second(10)) == true)
        #expect(behaviours[1]?.isActive(at: second(15)) == false && behaviours[4]?.isActive(at: second(0)) == true)
    }

    @Test func aFaultOutlastingStopIsClippedWithAWarning() throws {
        let scenario = try load("name: a\nstop: 10s\nfaults:\n  - { at: 5s, for: 20s, partition: [[0], [1]] }\n")
        #expect(scenario.warnings.contains { $0.message.contains("clipped at 10s") })
        #expect(scenario.specification.faults.partitions.first?.window.end == SimInstant(nanoseconds: 10_000_000_000))
    }
}

@Suite struct WindowedExpectationTests {
    @Test func aWindowReadsOnlyTheRequestsStartedInIt() throws {
        let scenario = try ScenarioLoader.load(data: Data("""
            name: w
            expect:
              sign.success_rate: { ">=": 0.99, window: { from: 60s, to: 120s } }
              sign.retries: 0
            """.utf8), file: "w.yaml")
        let windowed = try #require(scenario.expectations.first { $0.metric == "sign.success_rate" })
        #expect(windowed.comparison == .greaterOrEqual && windowed.expected == .number(0.99))
        #expect(windowed.window?.from == .seconds(60) && windowed.window?.to == .seconds(120))
        #expect(scenario.expectations.first { $0.metric == "sign.retries" }?.window == nil)
    }

    @Test func windowsAreOnlyForSigningMetricsAndNeedOneComparison() {
        for text in ["expect:\n  dkg.completed: { \"==\": true, window: { from: 1s, to: 2s } }\n",
                     "expect:\n  sign.retries: { \">=\": 1, \"<\": 5 }\n",
                     "expect:\n  sign.retries: { \">=\": 1, window: { from: 5s, to: 2s } }\n"] {
            #expect(throws: ScenarioErrors.self) { try ScenarioLoader.load(data: Data(("name: w\n" + text).utf8), file: "w.yaml") }
        }
    }
}

/// Lit Actions in scenarios: inline, in their own files, overridden.
@Suite struct ActionScenarioTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func aWorkloadRunsAnActionFromItsOwnFile() throws {
        let scenario = try ScenarioLoader.load(path: Self.root.appendingPathComponent("Scenarios/actions/price-oracle.yaml").path)
        let program = try #require(scenario.specification.actions.first)
        #expect(program.name == "programs/price-oracle.yaml" && program.steps.count == 5, "the digits parameter and four steps")
        #expect(scenario.specification.externalSources.map(\.name) == ["eth-usd"])
        #expect(scenario.specification.workloads.first?.op == .action(program: "programs/price-oracle.yaml"))
        // The file's bytes are part of what a sweep point's key covers.
        let file = try Data(contentsOf: Self.root.appendingPathComponent("Scenarios/actions/programs/price-oracle.yaml"))
        #expect(scenario.includedFiles == [file])
    }

    @Test func aMissingActionFileIsALocatedError() {
        let text = validScenario.replacingOccurrences(of: "  - { op: sign, count: 5 }", with: "  - { op: action, action: nowhere.yaml, count: 5 }")
        do {
            _ = try ScenarioLoader.load(data: Data(text.utf8), file: "bad.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.diagnostics.contains { $0.line == 9 && $0.message.contains("no such action file") }, "\(error)")
        }
    }

    @Test func parametersAndSourcesCanBeSetAndSwept() throws {
        let path = Self.root.appendingPathComponent("Scenarios/actions/sweep-divergence.yaml").path
        let scenario = try ScenarioLoader.load(path: path, overrides: ["actions.price-oracle.parameters.digits=0",
                                                                       "actions.price-oracle.sources.eth-usd.skew=50ms"])
        let program = try #require(scenario.specification.actions.first)
        #expect(program.steps.first == .compute(name: "digits", .literal(.number(ActionNumber(raw: 0)))))
        #expect(scenario.specification.externalSources.first?.skew == .milliseconds(50))
        #expect(scenario.sweep.map(\.path) == ["actions.price-oracle.sources.eth-usd.skew", "actions.price-oracle.parameters.digits"])
        // An action's parameters, source settings, limits and costs can be swept; its steps cannot.
        for key in ["actions.a.parameters.x", "actions.a.sources.s.skew", "actions.a.sources.s.failure", "actions.a.limits.timeout", "actions.a.costs.step"] {
            #expect(ScenarioLoader.isOverridable(key), "\(key)")
        }
        for key in ["actions.a.steps", "actions.a.sources.s", "actions.a.sources.s.random_walk", "actions.a.limits", "actions.a.parameters"] {
            #expect(!ScenarioLoader.isOverridable(key), "\(key)")
        }
    }
}
