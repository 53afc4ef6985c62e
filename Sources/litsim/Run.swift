import ArgumentParser
import Crypto
import Foundation
import LitNetwork
import Reports
import Scenario
import Simulation

/// Options shared by run and check.
struct RunOptions: ParsableArguments {
    @Option(help: "Root seed (overrides the scenario's `seed`).")
    var seed: UInt64?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario key, e.g. --set network.nodes=20 (repeatable).", valueName: "key.path=value"))
    var overrides: [String] = []

    @Option(help: "Events kept for trace.json (0: no trace.json; the digest always covers every event).")
    var traceLimit = 200_000

    @Flag(help: "End the run at the first safety violation (the violating event is the last one simulated).")
    var stopOnViolation = false

    var allOverrides: [String] { overrides + (seed.map { ["seed=\($0)"] } ?? []) }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario, print a summary table and write its outputs.",
        discussion: "Outputs go to reports/runs/<name>/seed-<seed>/ unless --out says otherwise."
    )

    @Argument(help: "The scenario file (YAML).")
    var file: String

    @OptionGroup var options: RunOptions

    @Option(help: "Output folder.")
    var out: String?

    @Flag(help: "TESTING ONLY: write every node's secret key share into keys.json.")
    var exportSecretShares = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        guard options.traceLimit >= 0 else { throw ValidationError("--trace-limit must be 0 or more") }
    }

    /// reports/runs/<name>/seed-<seed>, with a short hash of the `--set` options when there are
    /// any, so runs with other options never write into one folder.
    static func defaultFolder(_ scenario: Scenario) -> String {
        let sets = scenario.overrides.filter { !$0.hasPrefix("seed=") }
        let base = "reports/runs/\(scenario.name)/seed-\(scenario.seed)"
        guard !sets.isEmpty else { return base }
        let digest = SHA256.hash(data: Data(sets.joined(separator: "\u{0}").utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
        return base + "-" + digest
    }

    func run() throws {
        let scenario = try loadScenario(file, overrides: options.allOverrides, quiet: quiet)
        if exportSecretShares {
            printError("WARNING: --export-secret-shares writes every node's SECRET key share to keys.json. Testing only: anyone with threshold of them holds the group key.")
        }
        let (report, results, wall) = execute(scenario, options: options, quiet: quiet)
        let directory = URL(fileURLWithPath: out ?? Self.defaultFolder(scenario))
        do {
            try RunOutputs.write(report, scenario: scenario, expectations: results, wallSeconds: wall, to: directory,
                                 exportSecretShares: exportSecretShares)
        } catch {
            throw InvalidInput(message: "litsim: cannot write outputs to \(directory.path): \(error.localizedDescription)")
        }
        if !quiet {
            print(RunOutputs.table(report, scenario: scenario, expectations: results, wallSeconds: wall))
            print("outputs: \(directory.path)")
            print("replay: " + replayCommand(scenario))
        }
        if results.contains(where: { !$0.passed }) { throw ExpectationsFailed() }
    }
}

/// Loads a scenario or throws InvalidInput carrying every located error; prints warnings.
func loadScenario(_ file: String, overrides: [String], quiet: Bool) throws -> Scenario {
    do {
        let scenario = try ScenarioLoader.load(path: file, overrides: overrides)
        if !quiet { for warning in scenario.warnings { printError(warning.description) } }
        return scenario
    } catch {
        throw InvalidInput(message: error.description)
    }
}

/// Runs a scenario with a progress line on terminals; returns the report, the expectation
/// results and the wall-clock seconds.
func execute(_ scenario: Scenario, options: RunOptions, quiet: Bool) -> (RunReport, [ExpectationResult], Double) {
    let traceLimit = options.traceLimit
    let clock = ContinuousClock()
    let started = clock.now
    let showProgress = !quiet && standardErrorIsTerminal
    var specification = scenario.specification
    specification.trace = traceLimit > 0 ? .events(limit: traceLimit) : .digestOnly
    specification.stopOnViolation = options.stopOnViolation
    var lastShown = started
    let report = runNetwork(specification) { now, events, stop in
        // A slice is 20,000 events; redraw at most four times a second.
        guard showProgress, lastShown.duration(to: clock.now) >= .milliseconds(250) else { return }
        lastShown = clock.now
        let elapsed = started.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let fraction = min(1, Double(now.nanoseconds) / Double(max(1, stop.nanoseconds)))
        let line = String(format: "\r%@: simulated %.1fs of %.0fs (%3.0f%%), %llu events, %.1fs wall",
                          scenario.name, Double(now.nanoseconds) / 1e9, Double(stop.nanoseconds) / 1e9, fraction * 100, events, seconds)
        FileHandle.standardError.write(Data(line.utf8))
    }
    if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    let elapsed = started.duration(to: clock.now)
    let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return (report, evaluate(scenario.expectations, against: report), wall)
}
