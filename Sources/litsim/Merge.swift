import ArgumentParser
import Exploration
import Foundation
import Reports
import Scenario

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge the folders of a sweep's or an exploration's shards (run on several machines) into one result.",
        discussion: """
            Sweep folders (from `litsim sweep --shard`) merge into <out>/sweep.csv and sweep.html: every point of \
            the plan is taken from the first folder that has it run from the same scenario hash; a point run from \
            another scenario, options or litsim version is refused, and missing points are listed (exit 2). \
            Exploration folders (from `litsim explore --shard`) merge into <out>/explore.json: the violations found \
            are shrunk here, as a single-machine exploration would (exit 1 when there are any).
            """
    )

    @Argument(help: "The shards' output folders.")
    var folders: [String]

    @Option(help: "Where the merged result goes (default: the first folder).")
    var out: String?

    @Option(help: "With explorations: runs the shrinker may spend on each violation.")
    var shrinkBudget = 400

    @Option(help: "With explorations: the explore file, when it is not at the path the shards recorded.")
    var file: String?

    func run() throws {
        guard !folders.isEmpty else { throw InvalidInput(message: "litsim merge: name the shards' folders") }
        let roots = folders.map { URL(fileURLWithPath: $0) }
        let manager = FileManager.default
        if roots.allSatisfy({ manager.fileExists(atPath: $0.appendingPathComponent(ExploreShard.manifestFile).path) }) {
            return try mergeExploration(roots)
        }
        guard roots.allSatisfy({ manager.fileExists(atPath: $0.appendingPathComponent(Sweep.planFileName).path) }) else {
            let odd = roots.filter { !manager.fileExists(atPath: $0.appendingPathComponent(Sweep.planFileName).path) }
            throw InvalidInput(message: "litsim merge: \(odd.map(\.path).joined(separator: ", ")) holds neither a sweep's \(Sweep.planFileName) nor an exploration's \(ExploreShard.manifestFile)")
        }
        try mergeSweep(roots)
    }

    func mergeSweep(_ roots: [URL]) throws {
        let manager = FileManager.default
        guard let plan = PlannedPoint.read(roots[0].appendingPathComponent(Sweep.planFileName)) else {
            throw InvalidInput(message: "litsim merge: \(roots[0].path)/\(Sweep.planFileName) is not a sweep plan")
        }
        // The same points from the same scenario contents (the file's path may differ between machines).
        func identity(_ points: [PlannedPoint]?) -> [String]? { points?.map { "\($0.index) \($0.id) \($0.hash) \($0.seed)" } }
        for root in roots.dropFirst() where identity(PlannedPoint.read(root.appendingPathComponent(Sweep.planFileName))) != identity(plan) {
            throw InvalidInput(message: "litsim merge: \(root.path) has another plan than \(roots[0].path) (another scenario file, --set options or litsim version)")
        }
        let destination = URL(fileURLWithPath: out ?? roots[0].path)
        try manager.createDirectory(at: destination, withIntermediateDirectories: true)
        var missing: [String] = [], refused: [String] = []
        for point in plan {
            // Every folder that has this point complete, from the plan's scenario hash.
            var complete: [(folder: URL, digest: String)] = []
            for root in roots {
                let folder = root.appendingPathComponent(point.id)
                guard manager.fileExists(atPath: folder.path) else { continue }
                let key = (try? String(contentsOf: folder.appendingPathComponent(Sweep.keyFileName), encoding: .utf8)) ?? ""
                guard key == point.hash else {
                    refused.append("\(folder.path) (run from scenario hash \(key.isEmpty ? "none" : String(key.prefix(12))), the plan says \(point.hash.prefix(12)))")
                    continue
                }
                guard let digest = Self.traceDigest(folder), manager.isReadableFile(atPath: folder.appendingPathComponent("metrics.csv").path) else {
                    refused.append("\(folder.path) (incomplete: summary.json or metrics.csv does not read)")
                    continue
                }
                complete.append((folder, digest))
            }
            guard let chosen = complete.first else {
                missing.append(point.id)
                continue
            }
            // One deterministic point run twice must agree; if not, neither is trusted.
            if complete.contains(where: { $0.digest != chosen.digest }) {
                refused.append("\(point.id): folders disagree (trace digests \(complete.map { String($0.digest.prefix(12)) }.joined(separator: ", ")))")
                missing.append(point.id)
                continue
            }
            let target = destination.appendingPathComponent(point.id)
            if chosen.folder.standardizedFileURL != target.standardizedFileURL {
                // Copied beside the target, then renamed into place.
                let partial = destination.appendingPathComponent(".\(point.id).partial-\(UUID().uuidString)")
                try manager.copyItem(at: chosen.folder, to: partial)
                try? manager.removeItem(at: target)
                try manager.moveItem(at: partial, to: target)
            }
        }
        // A refused folder in the destination itself must not be read as a result.
        for point in plan where missing.contains(point.id) {
            let stale = destination.appendingPathComponent(point.id)
            if (try? String(contentsOf: stale.appendingPathComponent(Sweep.keyFileName), encoding: .utf8)) != point.hash { try? manager.removeItem(at: stale) }
        }
        try writeAtomically(plan.map(\.line).joined(separator: "\n") + "\n", to: destination.appendingPathComponent(Sweep.planFileName))
        let failing = try Sweep.writeResults(points: plan.map(\.values), root: destination, axes: plan[0].axes, title: plan[0].scenario)
        print("merge: \(plan.count - missing.count) of \(plan.count) points from \(roots.count) folders → \(destination.appendingPathComponent("sweep.csv").path), sweep.html")
        for line in refused { printError("refused: \(line)") }
        if !missing.isEmpty {
            throw InvalidInput(message: "litsim merge: \(missing.count) points missing: \(missing.joined(separator: ", "))")
        }
        if !refused.isEmpty { throw InvalidInput(message: "litsim merge: \(refused.count) point folders refused") }
        if failing > 0 {
            print("\(plan.count - failing) passed, \(failing) failed")
            throw ExpectationsFailed()
        }
    }

    /// A point folder's trace digest (nil when its summary does not read).
    static func traceDigest(_ folder: URL) -> String? {
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("summary.json").path),
              let summary = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return summary["trace_digest"] as? String
    }

    func mergeExploration(_ roots: [URL]) throws {
        let manifests = try roots.map { root -> ExploreShard in
            guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(ExploreShard.manifestFile).path),
                  let manifest = try? JSONDecoder().decode(ExploreShard.self, from: data) else {
                throw InvalidInput(message: "litsim merge: \(root.path)/\(ExploreShard.manifestFile) is not an exploration shard's")
            }
            return manifest
        }
        let first = manifests[0]
        for (root, manifest) in zip(roots, manifests).dropFirst() where manifest.fileHash != first.fileHash || manifest.seeds != first.seeds {
            throw InvalidInput(message: "litsim merge: \(root.path) explored another file, seed range or litsim version than \(roots[0].path)")
        }
        let exploreFile = file ?? first.file
        guard ExploreShard.hash(of: exploreFile) == first.fileHash else {
            throw InvalidInput(message: "litsim merge: \(exploreFile) is not the explore file the shards ran (it changed, it is elsewhere here: give it with --file, or another litsim version)")
        }
        let command = try Explore.parse([exploreFile, "--seeds", first.seeds, "--out", out ?? roots[0].path, "--shrink-budget", "\(shrinkBudget)"])
        let space = try command.loadSpace()
        let explorer = try Explorer(space)
        // Every seed once: the first shard that has it.
        var lines: [UInt64: WorkerLine] = [:]
        for root in roots {
            let text = (try? String(contentsOf: root.appendingPathComponent(ExploreShard.linesFile), encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") {
                guard let parsed = try? JSONDecoder().decode(WorkerLine.self, from: Data(line.utf8)) else {
                    throw InvalidInput(message: "litsim merge: \(root.path)/\(ExploreShard.linesFile) has a line that does not read: \(line.prefix(80))")
                }
                if lines[parsed.seed] == nil { lines[parsed.seed] = parsed }
            }
        }
        let range = command.seedRange!
        let tally = ExploreTally(total: Int(range.upperBound - range.lowerBound + 1))
        for seed in lines.keys.sorted() { tally.add(lines[seed]!) }
        tally.mergedWallSeconds = manifests.map(\.wallSeconds).max() ?? 0
        if manifests.contains(where: \.stoppedByBudget) { tally.budgetSpent() }
        let missing = tally.total - tally.runs
        let destination = URL(fileURLWithPath: out ?? roots[0].path)
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        // Missing seeds make the result incomplete: written, and then exit 2 (after any exit 1 for violations).
        do {
            try command.finish(tally, explorer: explorer, root: destination, interrupt: Interruption(), seeds: first.seeds)
        } catch let failed as ExpectationsFailed where missing > 0 {
            _ = failed
        }
        if missing > 0 {
            throw InvalidInput(message: "litsim merge: \(missing) of \(tally.total) seeds were not explored by these shards (stopped by a time budget or interrupted?)")
        }
    }
}
