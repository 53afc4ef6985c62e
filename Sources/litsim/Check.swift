import ArgumentParser
import Foundation
import LitNetwork
import Reports
import Scenario

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run scenarios and check their expectations: PASS/FAIL each, exit 1 if any failed.",
        discussion: """
            With --seeds A...B every file runs once per seed (the simulation-testing habit), in --jobs \
            parallel processes: one line per seed, the replay line of each that fails, and a final \
            `N passed, M failed` line. --junit writes the results as JUnit XML for CI systems.
            """
    )

    @Argument(help: "Scenario files.")
    var files: [String]

    @OptionGroup var options: RunOptions

    @Option(help: ArgumentHelp("Run every file once per seed in this range, e.g. 1...50.", valueName: "A...B"))
    var seeds: String?

    @Option(help: "Runs at once, each in its own process (with --seeds).")
    var jobs = 1

    @Option(help: ArgumentHelp("Write the results as JUnit XML to this file.", valueName: "FILE"))
    var junit: String?

    @Option(help: "Folder for each run's outputs (<out>/<name>/seed-<seed>/).")
    var out = "reports/runs"

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one scenario file") }
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 64") }
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

    /// One scenario run, as check reports it.
    struct Outcome {
        let file: String
        let name: String
        let seed: UInt64
        let expectations: [(line: String, passed: Bool)]
        let violations: [String]
        let wall: Double
        let replay: String
        var passed: Bool { expectations.allSatisfy(\.passed) }
    }

    func run() throws {
        var invalid = [String]()
        var outcomes = [Outcome]()
        let seedList: [UInt64?] = seeds.flatMap(Self.seedRange).map { $0.map { Optional($0) } } ?? [nil]
        for file in files {
            // Validate once (warnings printed once); each seed is then a run of a valid file.
            // An invalid file is reported with its located errors; the others still run.
            let first: Scenario
            do {
                first = try loadScenario(file, overrides: options.allOverrides + (seedList[0].map { ["seed=\($0)"] } ?? []), quiet: false)
            } catch let error as InvalidInput {
                printError(error.message)
                invalid.append(file)
                continue
            }
            if jobs > 1, seeds != nil {
                outcomes += try runInProcesses(file, name: first.name, seeds: seedList.compactMap { $0 })
            } else {
                for seed in seedList {
                    var runOptions = options
                    if let seed { runOptions.seed = seed }
                    let scenario = seed == seedList[0] ? first : try loadScenario(file, overrides: runOptions.allOverrides, quiet: true)
                    let (report, results, wall) = execute(scenario, options: runOptions, quiet: false)
                    let directory = URL(fileURLWithPath: out).appendingPathComponent(scenario.name).appendingPathComponent("seed-\(scenario.seed)")
                    try? RunOutputs.write(report, scenario: scenario, expectations: results, wallSeconds: wall, to: directory, exportSecretShares: false)
                    let outcome = Outcome(file: file, name: scenario.name, seed: scenario.seed,
                                          expectations: results.map { ("\($0.metric) \($0.condition)  (actual \($0.actual))", $0.passed) },
                                          violations: report.violations.map(\.description), wall: wall, replay: replayCommand(scenario))
                    show(outcome, perSeed: seed != nil)
                    outcomes.append(outcome)
                }
            }
        }
        let failed = outcomes.filter { !$0.passed }.count
        print("\(outcomes.count - failed) passed, \(failed) failed")
        if let junit { try writeAtomically(Self.junitXML(outcomes), to: URL(fileURLWithPath: junit)) }
        if !invalid.isEmpty { throw InvalidInput(message: "invalid scenarios: \(invalid.joined(separator: ", "))") }
        if failed > 0 { throw ExpectationsFailed() }
    }

    func show(_ outcome: Outcome, perSeed: Bool) {
        if perSeed {
            // One line per seed; the details only for a failure.
            print("\(outcome.file) seed \(outcome.seed): \(outcome.passed ? "PASS" : "FAIL") (\(String(format: "%.1f", outcome.wall)) s)")
            guard !outcome.passed else { return }
            for expectation in outcome.expectations where !expectation.passed { print("  FAIL  \(expectation.line)") }
        } else {
            print("\(outcome.file) (seed \(outcome.seed), \(String(format: "%.1f", outcome.wall)) s)")
            if outcome.expectations.isEmpty { print("  no expectations") }
            for expectation in outcome.expectations { print("  \(expectation.passed ? "PASS" : "FAIL")  \(expectation.line)") }
        }
        for violation in outcome.violations { print("  VIOLATION  \(violation)") }
        if !outcome.passed { print("  replay: \(outcome.replay)") }
    }

    /// Each seed as `litsim run` in its own process, `jobs` at a time; results read back from
    /// the runs' summary.json and printed in seed order.
    func runInProcesses(_ file: String, name: String, seeds: [UInt64]) throws -> [Outcome] {
        let executable = thisExecutable
        let queue = DispatchQueue(label: "litsim.check", attributes: .concurrent)
        let slots = DispatchSemaphore(value: jobs)
        let group = DispatchGroup()
        for seed in seeds {
            slots.wait()
            group.enter()
            let directory = URL(fileURLWithPath: out).appendingPathComponent(name).appendingPathComponent("seed-\(seed)")
            var arguments = ["run", file, "--seed", "\(seed)", "--out", directory.path, "--quiet", "--trace-limit", "0"]
            arguments += options.overrides.flatMap { ["--set", $0] }
            if options.stopOnViolation { arguments.append("--stop-on-violation") }
            let command = arguments
            queue.async {
                let process = Process()
                process.executableURL = executable
                process.arguments = command
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try? process.run()
                process.waitUntilExit()
                slots.signal()
                group.leave()
            }
        }
        group.wait()
        var outcomes = [Outcome]()
        for seed in seeds {
            let directory = URL(fileURLWithPath: out).appendingPathComponent(name).appendingPathComponent("seed-\(seed)")
            let summary = (try? JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("summary.json")))) as? [String: Any]
            let expectations = ((summary?["expectations"] as? [[String: Any]]) ?? []).map { entry -> (String, Bool) in
                ("\(entry["metric"] ?? "") \(entry["condition"] ?? "")  (actual \(entry["actual"] ?? ""))", entry["passed"] as? Bool ?? false)
            }
            let violations = ((summary?["violations"] as? [[String: Any]]) ?? []).map { "\($0["oracle"] ?? ""): \($0["detail"] ?? "")" }
            let wall = ((summary?["wall"] as? [String: Any])?["seconds"] as? NSNumber)?.doubleValue ?? 0
            let replay = summary?["replay"] as? String ?? "litsim run \(shellQuoted(file)) --seed \(seed)"
            let outcome = Outcome(file: file, name: name, seed: seed,
                                  expectations: summary == nil ? [("the run did not finish (no summary.json)", false)] : expectations,
                                  violations: violations, wall: wall, replay: replay)
            show(outcome, perSeed: true)
            outcomes.append(outcome)
        }
        return outcomes
    }

    /// JUnit XML: a test suite per scenario file, a test case per run.
    static func junitXML(_ outcomes: [Outcome]) -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var files = [String]()
        for outcome in outcomes where !files.contains(outcome.file) { files.append(outcome.file) }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
        for file in files {
            let runs = outcomes.filter { $0.file == file }
            let failures = runs.filter { !$0.passed }.count
            let time = runs.reduce(0) { $0 + $1.wall }
            xml += "  <testsuite name=\"\(escape(file))\" tests=\"\(runs.count)\" failures=\"\(failures)\" time=\"\(String(format: "%.3f", time))\">\n"
            for run in runs {
                xml += "    <testcase classname=\"\(escape(run.name))\" name=\"seed \(run.seed)\" time=\"\(String(format: "%.3f", run.wall))\""
                if run.passed {
                    xml += "/>\n"
                } else {
                    let message = run.expectations.filter { !$0.passed }.map(\.line) + run.violations
                    xml += ">\n      <failure message=\"\(escape(message.first ?? "failed"))\">\(escape((message + ["replay: " + run.replay]).joined(separator: "\n")))</failure>\n    </testcase>\n"
                }
            }
            xml += "  </testsuite>\n"
        }
        return xml + "</testsuites>\n"
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

