import ArgumentParser
import Crypto
import Foundation
import LitNetwork
import Reports
import Scenario

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every point of a scenario's `sweep:` block and write <out>/sweep.csv.",
        discussion: """
            A finished point is skipped only if it was run from the same scenario file contents, the same --set             options and the same litsim version (a key kept in its folder), so an interrupted sweep resumes and an             edited one re-runs. Ctrl-C stops the workers and keeps only finished points. Exit 1 if any point failed             an expectation.
            """
    )

    @Argument(help: "The scenario file (YAML) with a `sweep:` block.")
    var file: String

    @Option(help: "Points run at once, each in its own process.")
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Output folder.")
    var out: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario key for every point (repeatable).", valueName: "key.path=value"))
    var overrides: [String] = []

    @Option(help: "Write the plan (one JSON line per point: index, id, scenario hash, overrides, seed) to this file and run nothing.")
    var plan: String?

    @Option(help: ArgumentHelp("Run only the points whose index is i modulo N; merge the shards' folders with `litsim merge`.", valueName: "i/N"))
    var shard: String?

    @Option(help: "Run only the point with this index (as a cluster task does; no plan is written, only this point is checked).")
    var point: Int?

    @Option(help: "Write a cluster job to run the sweep in shards instead of running it: `slurm` (a job-array script) or `k8s` (an Indexed Job manifest).")
    var emit: String?

    @Option(help: "With --emit: how many shards (array tasks or Job completions); default one per point.")
    var shards: Int?

    @Option(help: "With --emit k8s: the container image with litsim and the scenario file.")
    var image = "litsim:latest"

    func validate() throws {
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 64") }
        if let shard, Shard(shard) == nil { throw ValidationError("--shard must read i/N with 0 ≤ i < N, e.g. 0/3") }
        if let emit, !["slurm", "k8s"].contains(emit) { throw ValidationError("--emit must be slurm or k8s") }
        if let shards, shards < 1 { throw ValidationError("--shards must be at least 1") }
        if [plan != nil, shard != nil, emit != nil, point != nil].filter({ $0 }).count > 1 { throw ValidationError("--plan, --shard, --point and --emit go one at a time") }
        if let point, point < 0 { throw ValidationError("--point must be 0 or more") }
        for (name, value) in [("the file", file), ("--out", out ?? "")] where value.contains(where: { $0.isNewline || $0 == "\0" }) {
            throw ValidationError("\(name) must not contain line breaks")
        }
    }

    /// The key metrics sweep.csv carries for each point.
    static let columns = MetricRegistry.sweepColumns

    func run() throws {
        let scenario = try loadScenario(file, overrides: overrides, quiet: false)
        guard !scenario.sweep.isEmpty else { throw InvalidInput(message: "\(file): no `sweep:` block to expand") }
        let points = Self.cartesian(scenario.sweep)
        let root = URL(fileURLWithPath: out ?? "reports/runs/\(scenario.name)-sweep")
        if let point {
            // A cluster task: this one point only.
            guard point < points.count else { throw InvalidInput(message: "litsim sweep: --point \(point), but the sweep has \(points.count) points") }
            _ = try loadScenario(file, overrides: overrides + points[point].map { "\($0.path)=\($0.value)" }, quiet: true)
        }
        // Validate every point before running any, so a bad combination is caught up front.
        var seeds: [UInt64] = []
        for candidate in point == nil ? points : [] {
            seeds.append(try loadScenario(file, overrides: overrides + candidate.map { "\($0.path)=\($0.value)" }, quiet: true).seed)
        }
        // The file and what it reads (a cost table, action files): editing any reruns the points.
        let contents = scenario.includedFiles.reduce((try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()) { $0 + Data([0]) + $1 }
        let planned = point != nil ? [] : points.enumerated().map { index, point in
            PlannedPoint(index: index, id: Self.folderName(point), scenario: scenario.name, file: file,
                         hash: Self.pointKey(contents: contents, overrides: overrides + point.map { "\($0.path)=\($0.value)" }),
                         overrides: overrides, point: point.map { [$0.path, $0.value] }, seed: seeds[index])
        }
        let planText = planned.map(\.line).joined(separator: "\n") + "\n"
        if let plan {
            try writeAtomically(planText, to: URL(fileURLWithPath: plan))
            print("plan: \(points.count) points → \(plan)")
            return
        }
        if let emit {
            print(try ClusterJob(kind: emit, file: file, overrides: overrides, out: out ?? "reports/runs/\(scenario.name)-sweep", name: scenario.name,
                                 shards: min(shards ?? points.count, points.count), image: image).text, terminator: "")
            return
        }
        let selected = shard.flatMap(Shard.init) ?? point.map { Shard(index: $0, count: points.count) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        // The plan goes with the points: `litsim merge` checks shards against it.
        if point == nil { try writeAtomically(planText, to: root.appendingPathComponent(Self.planFileName)) }
        let executable = thisExecutable
        let state = SweepState(total: points.indices.filter { selected?.contains($0) ?? true }.count)
        let queue = DispatchQueue(label: "litsim.sweep", attributes: .concurrent)
        let slots = DispatchSemaphore(value: jobs)
        let group = DispatchGroup()
        let interrupt = Interruption()
        for (index, point) in points.enumerated() where selected?.contains(index) ?? true {
            let directory = root.appendingPathComponent(Self.folderName(point))
            let pointOverrides = overrides + point.map { "\($0.path)=\($0.value)" }
            let key = Self.pointKey(contents: contents, overrides: pointOverrides)
            let keyFile = directory.appendingPathComponent(Self.keyFileName)
            if (try? String(contentsOf: keyFile, encoding: .utf8)) == key,
               FileManager.default.fileExists(atPath: directory.appendingPathComponent("summary.json").path) {
                state.finish(skipped: true)
                continue
            }
            // A point from another scenario, other options or another version is never reused.
            try? FileManager.default.removeItem(at: keyFile)
            slots.wait()
            if interrupt.requested {
                slots.signal()
                break
            }
            group.enter()
            let arguments = ["run", file, "--quiet", "--trace-limit", "0", "--out", directory.path] + pointOverrides.flatMap { ["--set", $0] }
            queue.async {
                let process = Process()
                process.executableURL = executable
                process.arguments = arguments
                process.standardOutput = FileHandle.nullDevice
                var status: Int32 = -1
                if interrupt.register(process) {
                    do {
                        try process.run()
                        process.waitUntilExit()
                        status = process.terminationStatus
                    } catch {
                        status = -1
                    }
                    interrupt.unregister(process)
                }
                // Only a point that ran to its end gets its key: an interrupted one runs again.
                let completed = (status == 0 || status == 1) && !interrupt.requested
                if completed { try? writeAtomically(key, to: keyFile) }
                state.finish(skipped: false, failedPoint: completed || interrupt.requested ? nil : index)
                slots.signal()
                group.leave()
            }
        }
        group.wait()
        state.endLine()
        if interrupt.requested {
            printError("litsim sweep: interrupted; finished points are kept, the next run resumes")
            Foundation.exit(130)
        }
        if !state.failures.isEmpty {
            throw InvalidInput(message: "litsim sweep: \(state.failures.count) points failed to run: \(state.failures.sorted().map { Self.folderName(points[$0]) }.joined(separator: ", "))")
        }
        if let point {
            print("sweep point \(point) of \(points.count) → \(root.appendingPathComponent(Self.folderName(points[point])).path)")
            return
        }
        if let selected {
            print("sweep shard \(selected): \(state.total) of \(points.count) points (\(state.skipped) already done) → \(root.path); merge the shards' folders with `litsim merge`")
            return
        }
        let failing = try Self.writeResults(points: points, root: root, axes: scenario.sweep.map(\.path), title: scenario.name)
        print("sweep: \(points.count) points (\(state.skipped) already done) → \(root.appendingPathComponent("sweep.csv").path), sweep.html")
        if failing > 0 {
            print("\(points.count - failing) passed, \(failing) failed")
            throw ExpectationsFailed()
        }
    }

    static let keyFileName = "sweep-point.key"
    static let planFileName = "plan.jsonl"

    /// sweep.csv and sweep.html from the point folders under `root`; returns how many points
    /// failed an expectation.
    static func writeResults(points: [[(path: String, value: String)]], root: URL, axes: [String], title: String) throws -> Int {
        try writeTable(points: points, root: root, axes: axes)
        let table = try SweepReport.read(root.appendingPathComponent("sweep.csv"))
        try writeAtomically(SweepReport.render(table, parameters: axes.filter { $0 != "seed" }, metrics: columns, title: title),
                            to: root.appendingPathComponent("sweep.html"))
        return try writeTable(points: points, root: root, axes: axes, verifyOnly: true)
    }

    /// What a point's outputs depend on: the scenario file's bytes, the options, the version.
    static func pointKey(contents: Data, overrides: [String]) -> String {
        var hasher = SHA256()
        hasher.update(data: contents)
        for override in overrides { hasher.update(data: Data(("\u{0}" + override).utf8)) }
        hasher.update(data: Data(("\u{0}version " + LitSim.version).utf8))
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func cartesian(_ axes: [SweepAxis]) -> [[(path: String, value: String)]] {
        axes.reduce([[]]) { partial, axis in
            partial.flatMap { prefix in axis.values.map { prefix + [(axis.path, $0)] } }
        }
    }

    static func folderName(_ point: [(path: String, value: String)]) -> String {
        point.map { "\($0.path)=\($0.value)" }.joined(separator: ",")
            .map { $0.isLetter || $0.isNumber || "-_.=,".contains($0) ? String($0) : "_" }.joined()
    }

    /// Writes sweep.csv (unless `verifyOnly`); returns how many points failed an expectation.
    @discardableResult
    static func writeTable(points: [[(path: String, value: String)]], root: URL, axes: [String], verifyOnly: Bool = false) throws -> Int {
        let seedColumn = !axes.contains("seed")
        var failing = 0
        var rows = ["point," + axes.joined(separator: ",") + (seedColumn ? ",seed," : ",") + "threshold,passed,failed_expectations,"
            + columns.joined(separator: ",")]
        for point in points {
            let name = folderName(point)
            let folder = root.appendingPathComponent(name)
            guard let csv = try? String(contentsOf: folder.appendingPathComponent("metrics.csv"), encoding: .utf8),
                  let summary = try? String(contentsOf: folder.appendingPathComponent("summary.json"), encoding: .utf8) else { continue }
            var metrics = [String: String]()
            for line in csv.split(separator: "\n").dropFirst() {
                guard let comma = line.firstIndex(of: ",") else { continue }
                metrics[String(line[..<comma])] = String(line[line.index(after: comma)...]).replacingOccurrences(of: "\"", with: "")
            }
            let document = (try? JSONSerialization.jsonObject(with: Data(summary.utf8))) as? [String: Any] ?? [:]
            let seed = (document["seed"] as? NSNumber)?.stringValue ?? ""
            let threshold = ((document["network"] as? [String: Any])?["threshold"] as? NSNumber)?.stringValue ?? ""
            let failed = ((document["expectations"] as? [[String: Any]]) ?? []).filter { ($0["passed"] as? Bool) == false }.count
            if failed > 0 { failing += 1 }
            let values = columns.map { metrics[$0] ?? "" }
            rows.append(([name] + point.map(\.value) + (seedColumn ? [seed] : []) + [threshold, failed == 0 ? "true" : "false", "\(failed)"] + values)
                .map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ","))
        }
        if !verifyOnly { try writeAtomically(rows.joined(separator: "\n") + "\n", to: root.appendingPathComponent("sweep.csv")) }
        return failing
    }
}

/// Ctrl-C or SIGTERM during a sweep: stop starting points, terminate the running ones and wait
/// for them, so no process is left behind and no half-written point is kept.
final class Interruption: @unchecked Sendable {
    private let lock = NSLock()
    private var running: [ObjectIdentifier: Process] = [:]
    private var stopped = false
    private var sources: [DispatchSourceSignal] = []

    init() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in self?.stop() }
            source.resume()
            sources.append(source)
        }
    }

    var requested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    /// False when the sweep is stopping (the process must not start).
    func register(_ process: Process) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return false }
        running[ObjectIdentifier(process)] = process
        return true
    }

    func unregister(_ process: Process) {
        lock.lock()
        running[ObjectIdentifier(process)] = nil
        lock.unlock()
    }

    func stop() {
        lock.lock()
        stopped = true
        let processes = Array(running.values)
        lock.unlock()
        for process in processes where process.isRunning { process.terminate() }
    }
}

/// Progress of a sweep, shared by the worker threads (behind a lock).
final class SweepState: @unchecked Sendable {
    private let lock = NSLock()
    let total: Int
    private var done = 0
    private(set) var skipped = 0
    private(set) var failures: [Int] = []
    private let started = Date()

    init(total: Int) { self.total = total }

    func finish(skipped wasSkipped: Bool, failedPoint: Int? = nil) {
        lock.lock()
        defer { lock.unlock() }
        done += 1
        if wasSkipped { skipped += 1 }
        if let failedPoint { failures.append(failedPoint) }
        guard standardErrorIsTerminal else { return }
        let ran = done - skipped
        let elapsed = Date().timeIntervalSince(started)
        let eta = ran > 0 ? elapsed / Double(ran) * Double(total - done) : 0
        FileHandle.standardError.write(Data(String(format: "\r%@ %d/%d points, ETA %.0fs ", progressBar(done, of: total), done, total, eta).utf8))
    }

    func endLine() {
        if standardErrorIsTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
