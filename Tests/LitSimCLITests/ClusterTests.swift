import Foundation
import Testing

/// The 2 × 3 × 4-seed sweep of Fixtures/sweep-2x3x4.yaml.
let shardedSweep = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/sweep-2x3x4.yaml")

/// Sweeps and explorations in shards (as cluster jobs run them) and `litsim merge`.
@Suite struct ClusterTests {
    @Test func threeShardsInThreeProcessesMergeToTheSingleMachineSweep() throws {
        let folder = try temporaryFolder()
        let single = try runLitsim(["sweep", shardedSweep.path, "--jobs", "2", "--out", folder.appendingPathComponent("single").path])
        #expect(single.status == 0, "\(single.error)")
        // Three processes at once, as three machines would run them.
        let statuses = Statuses()
        DispatchQueue.concurrentPerform(iterations: 3) { index in
            let shard = try? runLitsim(["sweep", shardedSweep.path, "--jobs", "1", "--shard", "\(index)/3",
                                        "--out", folder.appendingPathComponent("shard-\(index)").path])
            statuses.set(index, shard?.status ?? -1)
        }
        #expect(statuses.values == [0: 0, 1: 0, 2: 0])
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("shard-0/sweep.csv").path), "a shard writes no table")
        let merged = try runLitsim(["merge"] + (0..<3).map { folder.appendingPathComponent("shard-\($0)").path } + ["--out", folder.appendingPathComponent("merged").path])
        #expect(merged.status == 0, "\(merged.error)")
        #expect(merged.output.contains("24 of 24 points"))
        let expected = try Data(contentsOf: folder.appendingPathComponent("single/sweep.csv"))
        #expect(try Data(contentsOf: folder.appendingPathComponent("merged/sweep.csv")) == expected)
        #expect(String(decoding: expected, as: UTF8.self).split(separator: "\n").count == 25)
    }

    @Test func thePlanListsEveryPointAndRunsNothing() throws {
        let folder = try temporaryFolder()
        let plan = folder.appendingPathComponent("plan.jsonl")
        let result = try runLitsim(["sweep", shardedSweep.path, "--plan", plan.path, "--out", folder.appendingPathComponent("out").path])
        #expect(result.status == 0, "\(result.error)")
        let lines = try String(contentsOf: plan, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 24)
        let points = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(points.map { $0["index"] as? Int } == (0..<24).map { $0 })
        #expect(Set(points.compactMap { $0["scenario_hash"] as? String }).count == 24)
        #expect(points[5]["seed"] as? Int == 2 && points[5]["id"] as? String == "network.nodes=4,network.threshold=3,seed=2")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
    }

    @Test func mergeRefusesAPointFromAnotherScenarioAndListsMissingOnes() throws {
        let folder = try temporaryFolder()
        for index in 0..<2 {
            let shard = try runLitsim(["sweep", shardedSweep.path, "--jobs", "1", "--shard", "\(index)/2", "--out", folder.appendingPathComponent("s\(index)").path])
            #expect(shard.status == 0)
        }
        let missing = try runLitsim(["merge", folder.appendingPathComponent("s0").path, "--out", folder.appendingPathComponent("m0").path])
        #expect(missing.status == 2)
        #expect(missing.error.contains("12 points missing"), "\(missing.error)")
        // A point run from other contents (its key differs from the plan's) is refused.
        let tampered = folder.appendingPathComponent("s1/network.nodes=4,network.threshold=2,seed=2/sweep-point.key")
        try write("0000", to: tampered)
        let refused = try runLitsim(["merge", folder.appendingPathComponent("s0").path, folder.appendingPathComponent("s1").path,
                                     "--out", folder.appendingPathComponent("m1").path])
        #expect(refused.status == 2)
        #expect(refused.error.contains("refused: ") && refused.error.contains("1 points missing"), "\(refused.error)")
        let rows = try String(contentsOf: folder.appendingPathComponent("m1/sweep.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 24, "23 points and the header")
    }

    @Test func aPointRunsAloneAndTwoDisagreeingCopiesAreRefused() throws {
        let folder = try temporaryFolder()
        let one = try runLitsim(["sweep", shardedSweep.path, "--point", "4", "--out", folder.appendingPathComponent("a").path])
        #expect(one.status == 0, "\(one.error)")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("a").path)
        #expect(names == ["network.nodes=4,network.threshold=3,seed=1"], "one point, no plan: \(names)")
        // Point 4 belongs to shard 0 of 2; a copy in shard 1's folder that differs makes neither trusted.
        for (index, name) in ["s0", "s1"].enumerated() {
            let shard = try runLitsim(["sweep", shardedSweep.path, "--shard", "\(index)/2", "--out", folder.appendingPathComponent(name).path])
            #expect(shard.status == 0)
        }
        let copy = folder.appendingPathComponent("s1/network.nodes=4,network.threshold=3,seed=1")
        try FileManager.default.copyItem(at: folder.appendingPathComponent("a/network.nodes=4,network.threshold=3,seed=1"), to: copy)
        let summary = copy.appendingPathComponent("summary.json")
        let text = try String(contentsOf: summary, encoding: .utf8)
        let digest = try #require(text.firstMatch(of: /"trace_digest": "([0-9a-f]+)"/)?.1)
        try write(text.replacingOccurrences(of: String(digest), with: String(repeating: "0", count: digest.count)), to: summary)
        let merged = try runLitsim(["merge", folder.appendingPathComponent("s0").path, folder.appendingPathComponent("s1").path,
                                    "--out", folder.appendingPathComponent("m").path])
        #expect(merged.status == 2)
        #expect(merged.error.contains("folders disagree"), "\(merged.error)")
        // An incomplete folder (no metrics.csv) is refused, not counted.
        try FileManager.default.removeItem(at: copy)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("s0/network.nodes=4,network.threshold=3,seed=1/metrics.csv"))
        let incomplete = try runLitsim(["merge", folder.appendingPathComponent("s0").path, folder.appendingPathComponent("s1").path,
                                        "--out", folder.appendingPathComponent("m2").path])
        #expect(incomplete.status == 2 && incomplete.error.contains("incomplete"), "\(incomplete.error)")
    }

    @Test func exploreShardsMergeToTheSingleMachineExploration() throws {
        let folder = try temporaryFolder()
        let explore = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scenarios/explore/dkg-threshold-rule.yaml")
        let single = try runLitsim(["explore", explore.path, "--seeds", "205...220", "--jobs", "2", "--out", folder.appendingPathComponent("single").path])
        #expect(single.status == 1, "a violation is found: \(single.error)")
        for index in 0..<2 {
            let shard = try runLitsim(["explore", explore.path, "--seeds", "205...220", "--jobs", "1", "--shard", "\(index)/2",
                                       "--out", folder.appendingPathComponent("s\(index)").path])
            #expect(shard.status == 0, "a shard only reports: \(shard.error)")
        }
        let merged = try runLitsim(["merge", folder.appendingPathComponent("s0").path, folder.appendingPathComponent("s1").path,
                                    "--out", folder.appendingPathComponent("merged").path])
        #expect(merged.status == 1, "\(merged.error)")
        func comparable(_ name: String) throws -> [String] {
            try String(contentsOf: folder.appendingPathComponent("\(name)/explore.json"), encoding: .utf8).split(separator: "\n")
                .filter { !$0.contains("wall_seconds") && !$0.contains("runs_per_second") && !$0.contains("\"replay\"") }.map(String.init)
        }
        #expect(try comparable("merged") == comparable("single"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("merged/minimal-dkg.agreement-213.yaml").path))
        // One shard alone leaves seeds out: the result is written, and the exit says it is incomplete.
        let partial = try runLitsim(["merge", folder.appendingPathComponent("s0").path, "--out", folder.appendingPathComponent("partial").path])
        #expect(partial.status == 2 && partial.error.contains("8 of 16 seeds were not explored"), "\(partial.error)")
    }

    @Test func clusterJobsRunOneShardPerTask() throws {
        let slurm = try runLitsim(["sweep", shardedSweep.path, "--emit", "slurm", "--shards", "3", "--out", "results"])
        #expect(slurm.status == 0)
        #expect(slurm.output.contains("#SBATCH --array=0-2"))
        #expect(slurm.output.contains("--shard \"${SLURM_ARRAY_TASK_ID}/3\""))
        let k8s = try runLitsim(["sweep", shardedSweep.path, "--emit", "k8s", "--out", "results", "--image", "example/litsim:1"])
        #expect(k8s.status == 0)
        #expect(k8s.output.contains("completionMode: Indexed") && k8s.output.contains("completions: 24"))
        #expect(k8s.output.contains("${JOB_COMPLETION_INDEX}/24") && k8s.output.contains("image: \"example/litsim:1\""))
    }
}

/// Exit statuses gathered from concurrent processes.
final class Statuses: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Int: Int32] = [:]

    func set(_ index: Int, _ status: Int32) {
        lock.lock()
        values[index] = status
        lock.unlock()
    }
}
