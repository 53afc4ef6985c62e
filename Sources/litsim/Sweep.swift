import ArgumentParser
import Foundation
import LitNetwork
import Reports
import Scenario

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every point of a scenario's `sweep:` block and write <out>/sweep.csv.",
        discussion: "Points already finished (their summary.json exists) are skipped, so an interrupted sweep resumes."
    )

    @Argument(help: "The scenario file (YAML) with a `sweep:` block.")
    var file: String

    @Option(help: "Points run at once, each in its own process.")
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Output folder.")
    var out: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario key for every point (repeatable).", valueName: "key.path=value"))
    var overrides: [String] = []

    func validate() throws {
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 64") }
    }

    /// The key metrics sweep.csv carries for each point.
    static let columns = MetricRegistry.sweepColumns

    func run() throws {
        let scenario = try loadScenario(file, overrides: overrides, quiet: false)
        guard !scenario.sweep.isEmpty else { throw InvalidInput(message: "\(file): no `sweep:` block to expand") }
        let points = cartesian(scenario.sweep)
        let root = URL(fileURLWithPath: out ?? "reports/runs/\(scenario.name)-sweep")
        // Validate every point before running any, so a bad combination is caught up front.
        for point in points {
            _ = try loadScenario(file, overrides: overrides + point.map { "\($0.path)=\($0.value)" }, quiet: true)
        }
        // This very executable runs each point (/proc/self/exe on Linux, the bundle path elsewhere).
        let executable = FileManager.default.fileExists(atPath: "/proc/self/exe")
            ? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            : (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0]))
        let state = SweepState(total: points.count)
        let queue = DispatchQueue(label: "litsim.sweep", attributes: .concurrent)
        let slots = DispatchSemaphore(value: jobs)
        let group = DispatchGroup()
        for (index, point) in points.enumerated() {
            let directory = root.appendingPathComponent(Self.folderName(point))
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("summary.json").path) {
                state.finish(skipped: true)
                continue
            }
            slots.wait()
            group.enter()
            let arguments = ["run", file, "--quiet", "--trace-limit", "0", "--out", directory.path] + (overrides + point.map { "\($0.path)=\($0.value)" }).flatMap { ["--set", $0] }
            queue.async {
                let process = Process()
                process.executableURL = executable
                process.arguments = arguments
                process.standardOutput = FileHandle.nullDevice
                let status: Int32
                do {
                    try process.run()
                    process.waitUntilExit()
                    status = process.terminationStatus
                } catch {
                    status = -1
                }
                state.finish(skipped: false, failedPoint: status == 0 || status == 1 ? nil : index)
                slots.signal()
                group.leave()
            }
        }
        group.wait()
        state.endLine()
        if !state.failures.isEmpty {
            throw InvalidInput(message: "litsim sweep: \(state.failures.count) points failed to run: \(state.failures.sorted().map { Self.folderName(points[$0]) }.joined(separator: ", "))")
        }
        try writeTable(points: points, root: root, axes: scenario.sweep.map(\.path))
        let table = try SweepReport.read(root.appendingPathComponent("sweep.csv"))
        try writeAtomically(SweepReport.render(table, parameters: scenario.sweep.map(\.path).filter { $0 != "seed" }, metrics: Self.columns,
                                               title: scenario.name), to: root.appendingPathComponent("sweep.html"))
        print("sweep: \(points.count) points (\(state.skipped) already done) → \(root.appendingPathComponent("sweep.csv").path), sweep.html")
    }

    func cartesian(_ axes: [SweepAxis]) -> [[(path: String, value: String)]] {
        axes.reduce([[]]) { partial, axis in
            partial.flatMap { prefix in axis.values.map { prefix + [(axis.path, $0)] } }
        }
    }

    static func folderName(_ point: [(path: String, value: String)]) -> String {
        point.map { "\($0.path)=\($0.value)" }.joined(separator: ",")
            .map { $0.isLetter || $0.isNumber || "-_.=,".contains($0) ? String($0) : "_" }.joined()
    }

    func writeTable(points: [[(path: String, value: String)]], root: URL, axes: [String]) throws {
        let seedColumn = !axes.contains("seed")
        var rows = ["point," + axes.joined(separator: ",") + (seedColumn ? ",seed," : ",") + Self.columns.joined(separator: ",")]
        for point in points {
            let name = Self.folderName(point)
            let folder = root.appendingPathComponent(name)
            guard let csv = try? String(contentsOf: folder.appendingPathComponent("metrics.csv"), encoding: .utf8),
                  let summary = try? String(contentsOf: folder.appendingPathComponent("summary.json"), encoding: .utf8) else { continue }
            var metrics = [String: String]()
            for line in csv.split(separator: "\n").dropFirst() {
                guard let comma = line.firstIndex(of: ",") else { continue }
                metrics[String(line[..<comma])] = String(line[line.index(after: comma)...]).replacingOccurrences(of: "\"", with: "")
            }
            let seed = summary.split(separator: "\n").first { $0.contains("\"seed\":") }?
                .split(separator: ":").last?.trimmingCharacters(in: CharacterSet(charactersIn: " ,")) ?? ""
            let values = Self.columns.map { metrics[$0] ?? "" }
            rows.append(([name] + point.map(\.value) + (seedColumn ? [seed] : []) + values)
                .map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ","))
        }
        try writeAtomically(rows.joined(separator: "\n") + "\n", to: root.appendingPathComponent("sweep.csv"))
    }
}

/// Progress of a sweep, shared by the worker threads (behind a lock).
final class SweepState: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
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
        let width = 30
        let filled = width * done / max(1, total)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data(String(format: "\r[%@] %d/%d points, ETA %.0fs ", bar, done, total, eta).utf8))
    }

    func endLine() {
        if standardErrorIsTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
