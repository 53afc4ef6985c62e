import ArgumentParser
import Foundation
import LitNetwork
import Reports
import Scenario

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run scenarios and check their expectations: PASS/FAIL each, exit 1 if any failed.",
        discussion: """
            With --seeds A...B every file runs once per seed (the simulation-testing habit): one line per             seed, the replay line of each that fails, and a final `N passed, M failed` line.
            """
    )

    @Argument(help: "Scenario files.")
    var files: [String]

    @OptionGroup var options: RunOptions

    @Option(help: ArgumentHelp("Run every file once per seed in this range, e.g. 1...50.", valueName: "A...B"))
    var seeds: String?

    @Option(help: "Folder for each run's outputs (<out>/<name>/seed-<seed>/).")
    var out = "reports/runs"

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one scenario file") }
        if let seeds {
            guard let range = Self.seedRange(seeds) else { throw ValidationError("--seeds takes A...B with 0 ≤ A ≤ B, e.g. 1...50 (got \(seeds))") }
            guard range.count <= 100_000 else { throw ValidationError("--seeds covers \(range.count) seeds; at most 100000") }
            guard options.seed == nil else { throw ValidationError("--seed and --seeds cannot be used together") }
        }
    }

    /// `A...B` as a closed range of seeds.
    static func seedRange(_ text: String) -> ClosedRange<UInt64>? {
        let parts = text.components(separatedBy: "...")
        guard parts.count == 2, let low = UInt64(parts[0]), let high = UInt64(parts[1]), low <= high else { return nil }
        return low...high
    }

    func run() throws {
        var passed = 0, failed = 0
        var invalid = [String]()
        let seedList: [UInt64?] = seeds.flatMap(Self.seedRange).map { $0.map { Optional($0) } } ?? [nil]
        for file in files {
            for seed in seedList {
                var runOptions = options
                if let seed { runOptions.seed = seed }
                let scenario: Scenario
                do {
                    scenario = try loadScenario(file, overrides: runOptions.allOverrides, quiet: seed != nil && seed != seedList.first!)
                } catch let error as InvalidInput {
                    printError(error.message)
                    invalid.append(file)
                    break
                }
                let (report, results, wall) = execute(scenario, options: runOptions, quiet: false)
                let directory = URL(fileURLWithPath: out).appendingPathComponent(scenario.name).appendingPathComponent("seed-\(scenario.seed)")
                try? RunOutputs.write(report, scenario: scenario, expectations: results, wallSeconds: wall, to: directory, exportSecretShares: false)
                let ok = !results.contains { !$0.passed }
                if ok { passed += 1 } else { failed += 1 }
                let replay = replayCommand(scenario)
                if seed != nil {
                    // One line per seed; the details only for a failure.
                    print("\(file) seed \(scenario.seed): \(ok ? "PASS" : "FAIL") (\(String(format: "%.1f", wall)) s)")
                    guard !ok else { continue }
                    for result in results where !result.passed { print("  FAIL  \(result.metric) \(result.condition)  (actual \(result.actual))") }
                    for violation in report.violations { print("  VIOLATION  \(violation)") }
                    print("  replay: \(replay)")
                    continue
                }
                print("\(file) (seed \(scenario.seed), \(String(format: "%.1f", wall)) s)")
                if results.isEmpty { print("  no expectations") }
                for result in results {
                    print("  \(result.passed ? "PASS" : "FAIL")  \(result.metric) \(result.condition)  (actual \(result.actual))")
                }
                for violation in report.violations { print("  VIOLATION  \(violation)") }
                if !ok { print("  replay: \(replay)") }
            }
        }
        print("\(passed) passed, \(failed) failed")
        if !invalid.isEmpty { throw InvalidInput(message: "invalid scenarios: \(invalid.joined(separator: ", "))") }
        if failed > 0 { throw ExpectationsFailed() }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check scenario files without running them.")

    @Argument(help: "Scenario files.")
    var files: [String]

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario key (repeatable).", valueName: "key.path=value"))
    var overrides: [String] = []

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one scenario file") }
    }

    func run() throws {
        var invalid = 0
        for file in files {
            do {
                let scenario = try loadScenario(file, overrides: overrides, quiet: false)
                let points = scenario.sweep.reduce(1) { $0 * $1.values.count }
                print("\(file): ok (\(scenario.specification.nodes) nodes, threshold \(scenario.specification.thresholdValue), "
                      + "\(scenario.expectations.count) expectations\(scenario.sweep.isEmpty ? "" : ", \(points) sweep points"))")
            } catch let error as InvalidInput {
                printError(error.message)
                invalid += 1
            }
        }
        if invalid > 0 { throw InvalidInput(message: "\(invalid) of \(files.count) scenarios are invalid") }
    }
}

struct Behaviours: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the Byzantine behaviours a scenario can give nodes.")

    func run() throws {
        let width = ByzantineBehaviour.catalogue.map(\.name.count).max() ?? 0
        for entry in ByzantineBehaviour.catalogue {
            print("\(entry.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(entry.summary)\(entry.takesTargets ? " [targets]" : "")")
        }
    }
}

