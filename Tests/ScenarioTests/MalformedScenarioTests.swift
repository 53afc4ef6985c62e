import Foundation
import Testing
@testable import Scenario
import Simulation

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
        let folders = [root.appendingPathComponent("Scenarios"), root.appendingPathComponent("Scenarios/ci")]
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
