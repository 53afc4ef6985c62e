import ArgumentParser
import Exploration
import Foundation
import LitNetwork
import Reports
import Scenario
import Simulation

struct Explore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search drawn scenarios for safety violations and shrink each one found to a minimal scenario file.",
        discussion: """
            Each seed draws one scenario from the explore file's space (Scenarios/explore/) and runs it to its first \
            safety violation. Seeds run in --jobs processes. For each kind of violation (oracle, protocol, phase) the \
            lowest seed found is shrunk while it still violates the same oracle, and written as \
            minimal-<oracle>-<seed>.yaml with its run folder. <out>/explore.json records the runs, the violations and \
            what the runs reached (coverage). Exit 1 when a violation was found.
            """
    )

    @Argument(help: "The explore file (YAML).")
    var file: String

    @Option(help: "Seeds to explore, `first...last`.")
    var seeds = "1...1000"

    @Option(help: "Processes run at once.")
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Stop starting seeds after this long (e.g. 90s, 10m); seeds already run are kept.")
    var timeBudget: String?

    @Option(help: "Runs the shrinker may spend on each violation.")
    var shrinkBudget = 400

    @Flag(help: "Report violations without shrinking them.")
    var noShrink = false

    @Option(help: "Output folder (default reports/runs/explore-<name>).")
    var out: String?

    @Option(help: ArgumentHelp("Explore only the seeds whose offset from the first is i modulo N, write their results, and leave shrinking to `litsim merge`.", valueName: "i/N"))
    var shard: String?

    /// A worker process: the seeds at `offset + k·stride` from the first.
    @Option(help: .hidden)
    var worker: String?

    var seedRange: ClosedRange<UInt64>? {
        let parts = seeds.components(separatedBy: "...")
        guard parts.count == 2, let low = UInt64(parts[0]), let high = UInt64(parts[1]), low <= high else {
            return UInt64(seeds).map { $0...$0 }
        }
        return low...high
    }

    var budgetSeconds: Double? {
        guard let text = timeBudget, let duration = SimDuration(parsing: text), duration.nanoseconds > 0 else { return nil }
        return Double(duration.nanoseconds) / 1e9
    }

    func validate() throws {
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 64") }
        guard seedRange != nil else { throw ValidationError("--seeds must read first...last, e.g. 1...10000") }
        guard timeBudget == nil || budgetSeconds != nil else { throw ValidationError("--time-budget must be a duration such as 90s or 10m") }
        guard shrinkBudget >= 0 else { throw ValidationError("--shrink-budget must be 0 or more") }
        if let worker, Shard(worker) == nil { throw ValidationError("--worker must read offset/stride") }
        if let shard, Shard(shard) == nil { throw ValidationError("--shard must read i/N with 0 ≤ i < N, e.g. 0/3") }
    }

    func loadSpace() throws -> ExploreSpace {
        do {
            return try ExploreSpace.load(path: file)
        } catch {
            throw InvalidInput(message: error.description)
        }
    }

    func run() throws {
        let space = try loadSpace()
        let explorer = try Explorer(space)
        if let worker, let part = Shard(worker) {
            // A worker: its seeds, one JSON line each, in order.
            var (seed, overflow) = seedRange!.lowerBound.addingReportingOverflow(UInt64(part.index))
            while !overflow, seed <= seedRange!.upperBound {
                let line = WorkerLine(explorer.explore(seed: seed))
                if let data = try? JSONEncoder().encode(line) {
                    FileHandle.standardOutput.write(data + Data("\n".utf8))
                }
                let (next, overflow) = seed.addingReportingOverflow(UInt64(part.count))
                if overflow { break }
                seed = next
            }
            return
        }
        let root = URL(fileURLWithPath: out ?? "reports/runs/explore-\(space.name)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        // What an earlier exploration left here is not this one's.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
            where [ExploreShard.linesFile, ExploreShard.manifestFile].contains(name) {
            try FileManager.default.removeItem(at: root.appendingPathComponent(name))
        }
        let part = shard.flatMap(Shard.init)
        let range = seedRange!
        let size = Int(range.upperBound - range.lowerBound + 1)
        let total = part.map { size > $0.index ? (size - 1 - $0.index) / $0.count + 1 : 0 } ?? size
        let tally = ExploreTally(total: total)
        let interrupt = runWorkers(tally, shard: part)
        tally.endLine()
        if let part {
            try ExploreShard(file: file, fileHash: ExploreShard.hash(of: file), seeds: seeds, shard: part.description).write(tally, to: root)
            print("explore shard \(part): \(tally.runs) of \(total) seeds, \(tally.violating) violating → \(root.path); merge the shards' folders with `litsim merge`")
            if interrupt.requested, !tally.stoppedByBudget { Foundation.exit(130) }
            let errors = tally.sortedErrors
            if !errors.isEmpty { throw InvalidInput(message: "litsim explore: \(errors.count) seeds could not be explored; the first: \(errors[0])") }
            return
        }
        try finish(tally, explorer: explorer, root: root, interrupt: interrupt, seeds: seeds)
    }

    /// After the seeds: shrinks each kind of violation, writes explore.json and the minimal
    /// files, prints the table, and exits as the results say (shared with `litsim merge`).
    func finish(_ tally: ExploreTally, explorer: Explorer, root: URL, interrupt: Interruption, seeds: String) throws {
        let space = explorer.space
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [] where name.hasPrefix("minimal-") || name == "explore.json" {
            try FileManager.default.removeItem(at: root.appendingPathComponent(name))
        }
        var found: [FoundViolation] = []
        for (signature, first) in tally.firstSeeds.sorted(by: { $0.key < $1.key }) {
            do {
                found.append(try report(signature: signature, seed: first.seed, violation: first.violation, seeds: tally.seedsBySignature[signature] ?? 1,
                                        explorer: explorer, root: root, interrupt: interrupt))
            } catch {
                // One that does not reproduce is itself a finding; the others still get written.
                tally.addError(seed: first.seed, "\(signature): \(error)")
            }
        }
        let summary = ExploreSummary(space: space, seeds: seeds, tally: tally, violations: found)
        try writeAtomically(summary.json(), to: root.appendingPathComponent("explore.json"))
        print(summary.table())
        print("outputs: \(root.appendingPathComponent("explore.json").path)")
        if interrupt.requested, !tally.stoppedByBudget {
            printError("litsim explore: interrupted; explore.json has what was done")
            Foundation.exit(130)
        }
        let errors = tally.sortedErrors
        if !errors.isEmpty {
            throw InvalidInput(message: "litsim explore: \(errors.count) seeds could not be explored; the first: \(errors[0])")
        }
        if !found.isEmpty { throw ExpectationsFailed() }
    }

    /// Runs the seeds in `jobs` worker processes, feeding their lines to the tally; stops
    /// them when the time budget is spent or on Ctrl-C (which the returned interruption
    /// keeps watching while violations are shrunk).
    func runWorkers(_ tally: ExploreTally, shard part: Shard?) -> Interruption {
        let executable = thisExecutable
        let interrupt = Interruption()
        let group = DispatchGroup()
        let workers = UInt64(max(1, min(jobs, tally.total)))
        // Worker j of shard i/N runs the seeds at offset i + j·N, stride N·workers.
        let shardCount = UInt64(part?.count ?? 1), shardIndex = UInt64(part?.index ?? 0)
        let stride = shardCount * workers
        for index in 0..<workers {
            let offset = shardIndex + index * shardCount
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                let process = Process()
                process.executableURL = executable
                process.arguments = ["explore", file, "--seeds", seeds, "--worker", "\(offset)/\(stride)"]
                let pipe = Pipe()
                process.standardOutput = pipe
                guard interrupt.register(process), (try? process.run()) != nil else { return }
                var pending = Data()
                // The seed this worker runs next (its shard's seeds, in order).
                let (start, overflow) = seedRange!.lowerBound.addingReportingOverflow(offset)
                var next: UInt64? = !overflow && start <= seedRange!.upperBound ? start : nil
                while true {
                    let chunk = pipe.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    pending += chunk
                    while let newline = pending.firstIndex(of: 0x0A) {
                        let line = pending[pending.startIndex..<newline]
                        pending = Data(pending[(newline + 1)...])
                        if let parsed = try? JSONDecoder().decode(WorkerLine.self, from: line) {
                            tally.add(parsed)
                            let (following, overflow) = parsed.seed.addingReportingOverflow(stride)
                            next = overflow || following > seedRange!.upperBound ? nil : following
                        }
                    }
                }
                process.waitUntilExit()
                interrupt.unregister(process)
                // A worker that died (a trap in the simulator is a finding too) names its seed.
                if process.terminationStatus != 0, !interrupt.requested, let seed = next {
                    // As a line too, so a shard's results carry it to `litsim merge`.
                    tally.add(WorkerLine(crashed: seed, status: process.terminationStatus, file: file))
                }
            }
        }
        let budget = DispatchWorkItem {
            tally.budgetSpent()
            interrupt.stop()
        }
        if let seconds = budgetSeconds { DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: budget) }
        group.wait()
        budget.cancel()
        return interrupt
    }

    /// Shrinks one violation, writes minimal-<oracle>-<seed>.yaml and its run folder, and checks
    /// that the written file reproduces it.
    func report(signature: String, seed: UInt64, violation: WorkerLine.Violation, seeds: Int, explorer: Explorer, root: URL,
                interrupt: Interruption) throws -> FoundViolation {
        let drawn = explorer.swarm.draw(seed: seed)
        guard let first = explorer.run(drawn).violation else {
            throw InvalidInput(message: "litsim explore: seed \(seed) violated \(signature) in its worker but not here: the run is not deterministic")
        }
        var minimal = drawn, shrinkRuns = 0, steps: [String] = [], final = first
        if !noShrink {
            printError("shrinking \(signature) (seed \(seed))...")
            let outcome = Shrinker(explorer, budget: shrinkBudget).shrink(drawn, violation: first, stop: { interrupt.requested })
            (minimal, shrinkRuns, steps, final) = (outcome.minimal, outcome.runs, outcome.steps, outcome.violation)
        }
        let base = "minimal-\(final.oracle)-\(seed)"
        let fileURL = root.appendingPathComponent(base + ".yaml")
        let runFolder = root.appendingPathComponent(base)
        let comment = [
            "\(base).yaml: written by `litsim explore \(file)` from seed \(seed), shrunk in \(shrinkRuns) runs.",
            "It violates \(final.oracle) (\(final.area)/\(final.phase)): \(final.detail)",
            "\(minimal.nodes) nodes, \(minimal.deviating.count) Byzantine, \(minimal.actionCount) generic actions.",
            "replay: litsim run \(fileURL.path) --stop-on-violation --out \(runFolder.path)",
        ]
        try writeAtomically(explorer.yaml(minimal, name: base, comment: comment), to: fileURL)
        // The file as written must reproduce it, read as any scenario is.
        let scenario = try loadScenario(fileURL.path, overrides: [], quiet: true)
        var specification = scenario.specification
        specification.stopOnViolation = true
        specification.trace = .events(limit: 200_000)
        let clock = ContinuousClock(), started = clock.now
        let runReport = runNetwork(specification)
        let elapsed = started.duration(to: clock.now)
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        guard let reproduced = runReport.violations.first, reproduced.oracle == final.oracle else {
            throw InvalidInput(message: "litsim explore: \(fileURL.path) does not reproduce \(final.oracle)")
        }
        try RunOutputs.write(runReport, scenario: scenario, expectations: [], wallSeconds: wall, to: runFolder, exportSecretShares: false)
        return FoundViolation(signature: signature, oracle: final.oracle, area: violation.area, phase: violation.phase, seed: seed, seeds: seeds,
                              detail: violation.detail, minimalSignature: reproduced.signature, minimalDetail: reproduced.detail, file: fileURL.lastPathComponent, nodes: minimal.nodes,
                              byzantine: minimal.deviating.count, actions: minimal.actionCount, shrinkRuns: shrinkRuns, steps: steps,
                              replay: "litsim run \(fileURL.path) --stop-on-violation")
    }
}

/// One seed's result as a worker prints it (a JSON line).
struct WorkerLine: Codable {
    struct Violation: Codable {
        let oracle: String
        let area: String
        let phase: String
        let detail: String
        /// SafetyViolation.signature: one kind of violation.
        let signature: String
    }

    let seed: UInt64
    let events: UInt64
    let violation: Violation?
    let error: String?
    /// [area, category, label, count]
    let coverage: [[String]]

    /// A seed whose run crashed its worker process.
    init(crashed seed: UInt64, status: Int32, file: String) {
        self.seed = seed
        events = 0
        violation = nil
        error = "the run crashed its worker (exit status \(status)); replay it with `litsim explore \(file) --seeds \(seed)...\(seed) --jobs 1`"
        coverage = []
    }

    init(_ result: ExploreResult) {
        seed = result.seed
        events = result.events
        violation = result.violation.map { Violation(oracle: $0.oracle, area: $0.area, phase: $0.phase, detail: $0.detail, signature: $0.signature) }
        error = result.error
        coverage = result.coverage.keys.sorted().map { [$0.area, $0.category, $0.label, "\(result.coverage[$0]!)"] }
    }
}

/// A violation found, shrunk and written.
struct FoundViolation {
    let signature: String
    let oracle: String
    let area: String
    let phase: String
    let seed: UInt64
    let seeds: Int
    let detail: String
    /// The minimal case violates the same oracle, perhaps in another protocol or phase.
    let minimalSignature: String
    let minimalDetail: String
    let file: String
    let nodes: Int
    let byzantine: Int
    let actions: Int
    let shrinkRuns: Int
    let steps: [String]
    let replay: String
}

/// What the workers reported, behind a lock (their reader threads add to it).
final class ExploreTally: @unchecked Sendable {
    private let lock = NSLock()
    let total: Int
    private(set) var runs = 0
    private(set) var events: UInt64 = 0
    private(set) var violating = 0
    /// Set when the seeds came from shard folders (`litsim merge`): their wall time is not ours.
    var mergedWallSeconds: Double?
    /// The lowest seed of each violation kind, and how many seeds showed it.
    private(set) var firstSeeds: [String: (seed: UInt64, violation: WorkerLine.Violation)] = [:]
    private(set) var seedsBySignature: [String: Int] = [:]
    /// Per coverage key: runs that reached it, and how often in all.
    private(set) var coverage: [CoverageKey: (runs: Int, count: Int)] = [:]
    /// Seeds that could not be explored (a draw that did not load, a crashed worker, a
    /// violation that did not reproduce), with why.
    private var errors: [(seed: UInt64, text: String)] = []
    private(set) var stoppedByBudget = false
    let started = Date()
    private var lastDrawn = Date.distantPast

    init(total: Int) { self.total = total }

    var seconds: Double { mergedWallSeconds ?? Date().timeIntervalSince(started) }

    func addError(seed: UInt64, _ text: String) {
        lock.lock()
        errors.append((seed, text))
        lock.unlock()
    }

    /// By seed, so explore.json does not depend on which worker answered first.
    var sortedErrors: [String] {
        lock.lock()
        defer { lock.unlock() }
        return errors.sorted { ($0.seed, $0.text) < ($1.seed, $1.text) }.map { "seed \($0.seed): \($0.text)" }
    }

    func budgetSpent() {
        lock.lock()
        stoppedByBudget = true
        lock.unlock()
    }

    /// Every line, for a shard's results file.
    private(set) var lines: [WorkerLine] = []

    func add(_ line: WorkerLine) {
        lock.lock()
        defer { lock.unlock() }
        lines.append(line)
        runs += 1
        events += line.events
        if let error = line.error { errors.append((line.seed, error)) }
        if let violation = line.violation {
            violating += 1
            seedsBySignature[violation.signature, default: 0] += 1
            if firstSeeds[violation.signature].map({ line.seed < $0.seed }) ?? true { firstSeeds[violation.signature] = (line.seed, violation) }
        }
        for entry in line.coverage where entry.count == 4 {
            let key = CoverageKey(area: entry[0], category: entry[1], label: entry[2])
            let count = Int(entry[3]) ?? 0
            let held = coverage[key] ?? (0, 0)
            coverage[key] = (held.runs + 1, held.count + count)
        }
        drawProgress()
    }

    /// The progress bar: runs, runs per second, violations (at most four redraws a second).
    private func drawProgress() {
        guard standardErrorIsTerminal, Date().timeIntervalSince(lastDrawn) >= 0.25 || runs == total else { return }
        lastDrawn = Date()
        let kinds = firstSeeds.keys.sorted().joined(separator: ", ")
        FileHandle.standardError.write(Data(String(format: "\r%@ %d/%d runs, %.1f runs/s, %d violating%@\u{1B}[K", progressBar(runs, of: total), runs, total,
                                                   Double(runs) / max(0.001, seconds), violating, kinds.isEmpty ? "" : " (\(kinds))").utf8))
    }

    func endLine() {
        if standardErrorIsTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// explore.json and the summary table.
struct ExploreSummary {
    let space: ExploreSpace
    let seeds: String
    let tally: ExploreTally
    let violations: [FoundViolation]

    /// Every message kind of the areas the runs reached, reached or not, beside what was seen.
    var coverageRows: [(key: CoverageKey, runs: Int, count: Int)] {
        var rows = tally.coverage
        let areas = Set(rows.keys.map(\.area))
        for kind in MessageAction.kinds where areas.contains(String(kind.prefix { $0 != "." })) {
            let key = CoverageKey(area: String(kind.prefix { $0 != "." }), category: "message", label: kind)
            if rows[key] == nil { rows[key] = (0, 0) }
        }
        return rows.keys.sorted().map { ($0, rows[$0]!.runs, rows[$0]!.count) }
    }

    func json() -> String {
        let runs = tally.runs
        return JSON.object([
            ("explore", .string(space.name)),
            ("file", .string(space.file)),
            ("base", .string(space.baseFile)),
            ("seeds", .string(seeds)),
            ("runs", .integer(Int64(runs))),
            ("stopped_by", .string(tally.stoppedByBudget ? "time-budget" : runs < tally.total ? "interrupted" : "done")),
            ("wall_seconds", .number((tally.seconds * 10).rounded() / 10)),
            ("runs_per_second", .number((Double(runs) / max(0.001, tally.seconds) * 10).rounded() / 10)),
            ("events", .integer(Int64(tally.events))),
            ("violating_runs", .integer(Int64(tally.violating))),
            ("violations", .array(violations.map { found in
                .object([
                    ("oracle", .string(found.oracle)), ("protocol", .string(found.area)), ("phase", .string(found.phase)),
                    ("first_seed", .integer(Int64(found.seed))), ("seeds", .integer(Int64(found.seeds))), ("detail", .string(found.detail)),
                    ("minimal", .object([
                        ("file", .string(found.file)), ("nodes", .integer(Int64(found.nodes))), ("byzantine", .integer(Int64(found.byzantine))),
                        ("generic_actions", .integer(Int64(found.actions))), ("shrink_runs", .integer(Int64(found.shrinkRuns))),
                        ("steps", .array(found.steps.map(JSON.string))), ("violation", .string(found.minimalSignature)),
                        ("detail", .string(found.minimalDetail)), ("replay", .string(found.replay)),
                    ])),
                ])
            })),
            ("coverage", .array(coverageRows.map { row in
                .object([("protocol", .string(row.key.area)), ("category", .string(row.key.category)), ("label", .string(row.key.label)),
                         ("runs", .integer(Int64(row.runs))), ("count", .integer(Int64(row.count)))])
            })),
            ("errors", .array(tally.sortedErrors.map(JSON.string))),
        ]).text + "\n"
    }

    func table() -> String {
        var lines = [String(format: "explore %@: %d runs in %.1fs (%.1f runs/s)%@, %d violating", space.name, tally.runs, tally.seconds,
                            Double(tally.runs) / max(0.001, tally.seconds), tally.stoppedByBudget ? ", stopped by the time budget" : "", tally.violating)]
        lines.append("")
        lines.append("coverage (runs that reached it / times in all):")
        var lastArea = ""
        for row in coverageRows {
            if row.key.area != lastArea { lines.append("  \(row.key.area)") }
            lastArea = row.key.area
            let mark = row.runs == 0 ? "  never" : ""
            lines.append("    " + row.key.category.padding(toLength: 11, withPad: " ", startingAt: 0)
                + row.key.label.padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: "%7d %9d", row.runs, row.count) + mark)
        }
        lines.append("")
        if violations.isEmpty { lines.append("no safety violation found") }
        for found in violations {
            lines.append("VIOLATION \(found.signature): \(found.seeds) seeds, first \(found.seed)")
            lines.append("  \(found.detail)")
            lines.append("  minimal: \(found.file) (\(found.nodes) nodes, \(found.byzantine) Byzantine, \(found.actions) generic actions; \(found.shrinkRuns) shrink runs)")
            lines.append("  replay: \(found.replay)")
        }
        return lines.joined(separator: "\n")
    }
}


/// A shard's results (`litsim explore --shard`): explore-shard.json names the explore file (and
/// its hash), the seeds and the shard; explore-lines.jsonl has one line per seed, by seed.
struct ExploreShard: Codable {
    static let manifestFile = "explore-shard.json"
    static let linesFile = "explore-lines.jsonl"

    let file: String
    let fileHash: String
    let seeds: String
    let shard: String
    var wallSeconds = 0.0
    var stoppedByBudget = false

    enum CodingKeys: String, CodingKey {
        case file, fileHash = "file_hash", seeds, shard, wallSeconds = "wall_seconds", stoppedByBudget = "stopped_by_budget"
    }

    /// The explore file's bytes and the litsim version, as a sweep point's key has them.
    static func hash(of file: String) -> String {
        Sweep.pointKey(contents: (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data(), overrides: [])
    }

    func write(_ tally: ExploreTally, to root: URL) throws {
        var manifest = self
        manifest.wallSeconds = (tally.seconds * 10).rounded() / 10
        manifest.stoppedByBudget = tally.stoppedByBudget
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let lines = try tally.lines.sorted { $0.seed < $1.seed }.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try writeAtomically(lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n"), to: root.appendingPathComponent(Self.linesFile))
        try writeAtomically(String(decoding: try encoder.encode(manifest), as: UTF8.self) + "\n", to: root.appendingPathComponent(Self.manifestFile))
    }
}
