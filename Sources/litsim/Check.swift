import ArgumentParser
import Foundation
import LitNetwork
import Reports
import Scenario

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run scenarios and check their expectations: PASS/FAIL each, exit 1 if any failed."
    )

    @Argument(help: "Scenario files.")
    var files: [String]

    @OptionGroup var options: RunOptions

    @Option(help: "Folder for each run's outputs (<out>/<name>/seed-<seed>/).")
    var out = "reports/runs"

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one scenario file") }
    }

    func run() throws {
        var failed = false
        var invalid = [String]()
        for file in files {
            let scenario: Scenario
            do {
                scenario = try loadScenario(file, overrides: options.allOverrides, quiet: false)
            } catch let error as InvalidInput {
                printError(error.message)
                invalid.append(file)
                continue
            }
            let (report, results, wall) = execute(scenario, options: options, quiet: false)
            let directory = URL(fileURLWithPath: out).appendingPathComponent(scenario.name).appendingPathComponent("seed-\(scenario.seed)")
            try? RunOutputs.write(report, scenario: scenario, expectations: results, wallSeconds: wall, to: directory, exportSecretShares: false)
            print("\(file) (seed \(scenario.seed), \(String(format: "%.1f", wall)) s)")
            if results.isEmpty { print("  no expectations") }
            for result in results {
                print("  \(result.passed ? "PASS" : "FAIL")  \(result.metric) \(result.condition)  (actual \(result.actual))")
            }
            for violation in report.violations { print("  VIOLATION  \(violation)") }
            if results.contains(where: { !$0.passed }) {
                failed = true
                print("  replay: litsim run \(file) --seed \(scenario.seed)")
            }
        }
        if !invalid.isEmpty { throw InvalidInput(message: "invalid scenarios: \(invalid.joined(separator: ", "))") }
        if failed { throw ExpectationsFailed() }
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

