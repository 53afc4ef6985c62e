import Foundation
import Testing

/// A small, fast scenario for command tests.
let smallScenario = """
name: small
seed: 4
stop: 60s
network: { nodes: 6, latency: { distribution: lognormal, mean: 20ms, stddev: 5ms, min: 1ms } }
clients: { count: 1 }
workload:
  - { op: sign, count: 3 }
expect:
  dkg.completed: true
  safety.violations: 0

"""

func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("litsim-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func write(_ text: String, to url: URL) throws { try Data(text.utf8).write(to: url) }

/// Writes `yaml` as `<name>.yaml` in a new temporary folder and runs it quietly into
/// `<folder>/run`; returns the folder and the run's result.
func runScenarioText(_ yaml: String, name: String, _ extra: [String] = []) throws -> (folder: URL, file: URL, result: (status: Int32, output: String, error: String)) {
    let folder = try temporaryFolder()
    let file = folder.appendingPathComponent("\(name).yaml")
    try write(yaml, to: file)
    let result = try runLitsim(["run", file.path, "--out", folder.appendingPathComponent("run").path, "--quiet"] + extra)
    return (folder, file, result)
}

@Suite struct CommandTests {
    @Test func malformedScenariosExitTwoWithALocatedErrorQuickly() throws {
        let folder = try temporaryFolder()
        let pattern = try Regex(#"^[^\n]+:\d+:\d+: error: "#)
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ScenarioTests/Fixtures/malformed-scenarios.json")
        struct Case: Decodable { let name: String; let text: String }
        struct File: Decodable { let cases: [Case] }
        let cases = try JSONDecoder().decode(File.self, from: Data(contentsOf: fixture)).cases
        #expect(cases.count >= 30)
        for (index, malformed) in cases.enumerated() {
            let (name, text) = (malformed.name, malformed.text)
            let file = folder.appendingPathComponent("bad-\(index).yaml")
            try write(text, to: file)
            let clock = ContinuousClock()
            var result: (status: Int32, output: String, error: String) = (0, "", "")
            let elapsed = try clock.measure { result = try runLitsim(["run", file.path, "--out", folder.appendingPathComponent("out").path]) }
            #expect(result.status == 2, "\(name): exit \(result.status)")
            #expect(result.error.firstMatch(of: pattern) != nil, "\(name): \(result.error)")
            #expect(elapsed < .seconds(1), "\(name) took \(elapsed)")
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path), "\(name): nothing is simulated")
        }
        let garbage = folder.appendingPathComponent("garbage.yaml")
        try Data((0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(to: garbage)
        let result = try runLitsim(["validate", garbage.path])
        #expect(result.status == 2)
        #expect(result.error.contains("garbage.yaml:1:1: error:"))
    }

    @Test func runTwiceInTwoProcessesGivesTheSameSummaryApartFromWall() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("small.yaml")
        try write(smallScenario, to: file)
        func summary(_ out: String, seed: Int) throws -> String {
            let result = try runLitsim(["run", file.path, "--seed", "\(seed)", "--out", folder.appendingPathComponent(out).path, "--quiet"])
            #expect(result.status == 0, "\(result.error)")
            let text = try String(contentsOf: folder.appendingPathComponent(out).appendingPathComponent("summary.json"), encoding: .utf8)
            // Everything up to "wall" is deterministic.
            return String(text[..<text.range(of: "\"wall\"")!.lowerBound])
        }
        print("replay: litsim run small.yaml --seed 4 / --seed 5")
        let first = try summary("a", seed: 4)
        let second = try summary("b", seed: 4)
        let other = try summary("c", seed: 5)
        #expect(first == second)
        #expect(first.contains("\"trace_digest\""))
        let digest = { (text: String) in text.split(separator: "\n").first { $0.contains("trace_digest") } }
        #expect(digest(first) != digest(other))
        for output in ["summary.json", "metrics.csv", "requests.csv", "signatures.jsonl", "keys.json"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("a").appendingPathComponent(output).path), "\(output)")
        }
    }

    @Test func checkExitsOneOnAFailedExpectationAndZeroOtherwise() throws {
        let folder = try temporaryFolder()
        let good = folder.appendingPathComponent("good.yaml")
        try write(smallScenario, to: good)
        let bad = folder.appendingPathComponent("bad.yaml")
        try write(smallScenario.replacingOccurrences(of: "safety.violations: 0", with: "sign.succeeded: \">= 4\""), to: bad)
        let passing = try runLitsim(["check", good.path, "--out", folder.path])
        #expect(passing.status == 0, "\(passing.output)\(passing.error)")
        #expect(passing.output.contains("PASS  dkg.completed true"))
        let failing = try runLitsim(["check", good.path, bad.path, "--out", folder.path])
        #expect(failing.status == 1)
        #expect(failing.output.contains("FAIL  sign.succeeded >= 4  (actual 3)"))
        #expect(failing.output.contains("replay: litsim run"))
    }

    /// A small `bench ecdsa`: the presignature's traffic within 5 % of §1.11's formula, and
    /// every network run signing all its requests (a warm pool as fast as FROST's three hops).
    @Test func benchECDSAMeasuresAPresignatureAndThreeNetworks() throws {
        let result = try runLitsim(["bench", "ecdsa", "--nodes", "5", "--networks", "5", "--requests", "2"])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        let presign = try #require(lines.first { $0.first == "5" && $0.count == 8 })
        let (bytes, formula) = (try #require(Double(presign[6])), try #require(Double(presign[7])))
        #expect(abs(bytes - formula) / formula < 0.05, "\(presign)")
        let networks = lines.filter { $0.count == 6 && $0.first == "5" }
        #expect(networks.map { $0[1] } == ["frost", "ecdsa-empty-pool", "ecdsa-warm-pool"])
        #expect(networks.allSatisfy { $0[3] == "2" }, "every request signed: \(networks)")
        #expect(Double(networks[2][4])! < Double(networks[1][4])!, "a warm pool beats a real-time presignature")
    }

    @Test func checkNamesWhereAnInvalidFileIsWrongAndStillRunsTheOthers() throws {
        let folder = try temporaryFolder()
        let good = folder.appendingPathComponent("good.yaml")
        try write(smallScenario, to: good)
        let invalid = folder.appendingPathComponent("invalid.yaml")
        try write(smallScenario.replacingOccurrences(of: "safety.violations: 0", with: "safety.violations: 0\n  safety.violations: 1"), to: invalid)
        let result = try runLitsim(["check", invalid.path, good.path, "--out", folder.path])
        #expect(result.status == 2)
        #expect(result.error.contains("\(invalid.path):"), "\(result.error)")
        #expect(result.error.contains("duplicate key `safety.violations`"), "\(result.error)")
        #expect(result.output.contains("1 passed, 0 failed"))
    }

    @Test func sweepOfATwoByThreeGridWritesSixRowsAndSkipsThemOnRerun() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("grid.yaml")
        try write(smallScenario + "sweep:\n  network.nodes: [5, 6]\n  seed: 1...3\n", to: file)
        let out = folder.appendingPathComponent("sweep")
        let first = try runLitsim(["sweep", file.path, "--jobs", "2", "--out", out.path])
        #expect(first.status == 0, "\(first.error)")
        let table = try String(contentsOf: out.appendingPathComponent("sweep.csv"), encoding: .utf8).split(separator: "\n")
        #expect(table.count == 7)  // header and six points
        #expect(table[0].hasPrefix("point,network.nodes,seed,threshold,passed,failed_expectations,dkg.completed"))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("sweep.html").path))
        #expect(table.dropFirst().allSatisfy { $0.contains(",true,0,true,") }, "every point passed and completed")
        let second = try runLitsim(["sweep", file.path, "--out", out.path])
        #expect(second.output.contains("6 points (6 already done)"), "\(second.output)")
        // An edited scenario is a new sweep: every point runs again, none is reused.
        try write(smallScenario.replacingOccurrences(of: "count: 3", with: "count: 2") + "sweep:\n  network.nodes: [5, 6]\n  seed: 1...3\n", to: file)
        let third = try runLitsim(["sweep", file.path, "--out", out.path])
        #expect(third.output.contains("6 points (0 already done)"), "\(third.output)")
        // So is another --set.
        let fourth = try runLitsim(["sweep", file.path, "--out", out.path, "--set", "clients.timeout=10s"])
        #expect(fourth.output.contains("6 points (0 already done)"), "\(fourth.output)")
    }

    @Test func aSweepWithAFailingPointExitsOne() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("failing.yaml")
        try write(smallScenario + "sweep:\n  network.nodes: [5, 6]\n", to: file)
        let out = folder.appendingPathComponent("sweep")
        let result = try runLitsim(["sweep", file.path, "--out", out.path, "--set", "expect={dkg.qualified: 5}"])
        #expect(result.status == 1, "\(result.output) \(result.error)")
        #expect(result.output.contains("1 passed, 1 failed"), "\(result.output)")
        let table = try String(contentsOf: out.appendingPathComponent("sweep.csv"), encoding: .utf8)
        #expect(table.contains(",false,1,"), "the failing point is marked")
    }

    /// Ctrl-C: the workers stop, nothing is left running, unfinished points run next time.
    @Test func anInterruptedSweepLeavesNoProcessAndResumes() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("long.yaml")
        try write(smallScenario.replacingOccurrences(of: "count: 3", with: "count: 400") + "sweep:\n  seed: 1...6\n", to: file)
        let out = folder.appendingPathComponent("sweep")
        let process = Process()
        process.executableURL = try litsimExecutable()
        process.arguments = ["sweep", file.path, "--jobs", "2", "--out", out.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 1.0)
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        // No litsim run of this sweep survives its parent.
        let ps = Process()
        ps.executableURL = URL(fileURLWithPath: "/bin/ps")
        ps.arguments = ["-eo", "args"]
        let pipe = Pipe()
        ps.standardOutput = pipe
        try ps.run()
        ps.waitUntilExit()
        let listing = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(!listing.contains(out.path), "a point is still running")
        let resumed = try runLitsim(["sweep", file.path, "--out", out.path])
        #expect(resumed.status == 0, "\(resumed.error)")
        #expect(!resumed.output.contains("(6 already done)"), "unfinished points ran again: \(resumed.output)")
    }

    @Test func secretSharesAreExportedOnlyWhenAskedAndLoudly() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("small.yaml")
        try write(smallScenario, to: file)
        let plain = try runLitsim(["run", file.path, "--out", folder.appendingPathComponent("plain").path, "--quiet"])
        #expect(plain.status == 0)
        let keys = try String(contentsOf: folder.appendingPathComponent("plain/keys.json"), encoding: .utf8)
        #expect(!keys.contains("secret_share"))
        let exported = try runLitsim(["run", file.path, "--out", folder.appendingPathComponent("secret").path, "--export-secret-shares", "--quiet"])
        #expect(exported.error.contains("WARNING"))
        let secretKeys = try String(contentsOf: folder.appendingPathComponent("secret/keys.json"), encoding: .utf8)
        #expect(secretKeys.components(separatedBy: "secret_share").count - 1 == 6)
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try runLitsim(["run"]).status == 2)
        #expect(try runLitsim(["run", "x.yaml", "--bogus"]).status == 2)
        #expect(try runLitsim(["frobnicate"]).status == 2)
        let missing = try runLitsim(["run", "/no/such/file.yaml"])
        #expect(missing.status == 2)
        #expect(missing.error.hasPrefix("/no/such/file.yaml:1:1: error: cannot read the file"))
        #expect(try runLitsim(["behaviours"]).output.contains("bad-signature-share"))
    }
}

@Suite struct CalibrateCommandTests {
    @Test func calibrateWritesACostTableAScenarioCanUse() throws {
        let folder = try temporaryFolder()
        let table = folder.appendingPathComponent("costs.json")
        let result = try runLitsim(["calibrate", "--quick", "--out", table.path])
        #expect(result.status == 0, "\(result.error)")
        let text = try String(contentsOf: table, encoding: .utf8)
        for name in ["point_multiply", "base_multiply", "point_sum_term", "hash_block", "scalar_inverse", "schnorr_verify"] {
            #expect(text.contains("\"\(name)\""), "\(name)")
        }
        let scenario = folder.appendingPathComponent("s.yaml")
        try write(smallScenario.replacingOccurrences(of: "clients: { count: 1 }", with: "clients: { count: 1 }\nnodes: { cpu: costs.json }"), to: scenario)
        let run = try runLitsim(["run", scenario.path, "--out", folder.appendingPathComponent("run").path, "--quiet"])
        #expect(run.status == 0, "\(run.error)")
    }
}

@Suite struct RecordTests {
    /// attempts.csv has one row per attempt of every request, naming who held it up and why;
    /// a run without trace.json removes an earlier run's.
    @Test func attemptsAreRecordedOneByOneAndStaleOutputsGo() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("attempts.yaml")
        try write("""
            name: attempts
            seed: 5
            network: { nodes: 7, latency: { distribution: constant, value: 20ms } }
            clients: { count: 1, timeout: 2s }
            workload: [{ op: sign, count: 6 }]
            byzantine:
              - { nodes: [2], behaviour: bad-signature-share }

            """, to: file)
        let out = folder.appendingPathComponent("run")
        #expect(try runLitsim(["run", file.path, "--out", out.path, "--quiet"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("trace.json").path))
        let attempts = try String(contentsOf: out.appendingPathComponent("attempts.csv"), encoding: .utf8).split(separator: "\n")
        let requests = try String(contentsOf: out.appendingPathComponent("requests.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(attempts.first == "request,attempt,client,start_ms,end_ms,nodes,outcome,responsible")
        let total = requests.map { Int($0.split(separator: ",")[6])! }.reduce(0, +)
        #expect(attempts.count - 1 == total, "one row per attempt")
        #expect(attempts.contains { $0.contains(",invalid-signature,\"invalid-signature(2)\"") }, "the liar is named")
        #expect(attempts.filter { $0.contains(",success,") }.count == requests.count)

        // Every signing message in trace.json names its request and attempt.
        let trace = try String(contentsOf: out.appendingPathComponent("trace.json"), encoding: .utf8).split(separator: "\n")
        let signing = trace.filter { $0.contains("send sign.") }
        #expect(!signing.isEmpty && signing.allSatisfy { $0.contains("\"request\":") && $0.contains("\"attempt\":") })
        // explain: a request the liar spoiled tells both attempts, and each answered attempt's
        // critical path adds up to the attempt's length.
        let retried = try #require(requests.first { Int($0.split(separator: ",")[6])! > 1 }?.split(separator: ",")[0])
        let story = try runLitsim(["explain", out.path, String(retried)])
        #expect(story.status == 0, "\(story.error)")
        #expect(story.output.contains("attempt 1:") && story.output.contains("invalid-signature(2)") && story.output.contains("attempt 2:"))
        #expect(story.output.contains("after a backoff of 1000.") && story.output.contains("where the time went: network"))
        for block in story.output.components(separatedBy: "\nattempt ").dropFirst() {
            let lines = block.split(separator: "\n")
            let span = try #require(lines.first?.firstMatch(of: /\(([0-9.]+) ms\)/)).output.1
            let steps = lines.drop { !$0.contains("critical path:") }.dropFirst().prefix { $0.hasPrefix("    ") }
            let sum = steps.compactMap { $0.firstMatch(of: /\s([0-9]+\.[0-9]+) ms\s/).map { Double($0.output.1)! } }.reduce(0, +)
            #expect(steps.count >= 5 && abs(sum - Double(span)!) < 0.005, "critical path \(sum) ms against the attempt's \(span) ms:\n\(block)")
        }
        #expect(try runLitsim(["explain", out.path, "999"]).status == 2, "an unknown request is an input error")
        #expect(try runLitsim(["explain", folder.path, "0"]).status == 2, "a folder that is not a run is an input error")
        #expect(try runLitsim(["run", file.path, "--out", out.path, "--quiet", "--trace-limit", "0"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("trace.json").path), "no stale trace.json")
    }
}

@Suite struct ReplayTests {
    func digest(_ folder: URL) throws -> String {
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("summary.json"))) as! [String: Any]
        return summary["trace_digest"] as! String
    }

    /// The replay line of a run with three `--set` options (one with spaces and quotes), pasted
    /// into a shell, and the run folder's scenario.resolved.yaml run as it is, both reproduce
    /// the trace digest.
    @Test func theReplayLineAndTheResolvedScenarioReproduceTheRun() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("it's small.yaml")
        try write(smallScenario, to: file)
        let out = folder.appendingPathComponent("first")
        let sets = ["--set", "network.nodes=7", "--set", "clients.timeout=5s", "--set", "description=a 'quoted' one"]
        let first = try runLitsim(["run", file.path, "--seed", "9", "--out", out.path] + sets)
        #expect(first.status == 0, "\(first.error)")
        guard let line = first.output.split(separator: "\n").first(where: { $0.hasPrefix("replay: ") }) else {
            Issue.record("no replay line in \(first.output)")
            return
        }
        let replayed = folder.appendingPathComponent("replayed")
        let command = line.dropFirst("replay: litsim ".count)
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "\"$0\" \(command) --out \"$1\" --quiet", try litsimExecutable().path, replayed.path]
        try shell.run()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        #expect(try digest(replayed) == digest(out), "the pasted replay line reproduces the run")

        let resolved = folder.appendingPathComponent("resolved")
        let again = try runLitsim(["run", out.appendingPathComponent("scenario.resolved.yaml").path, "--out", resolved.path, "--quiet"])
        #expect(again.status == 0, "\(again.error)")
        #expect(try digest(resolved) == digest(out), "scenario.resolved.yaml reproduces the run")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        #expect((summary["overrides"] as? [String])?.count == 4, "three --set and the seed")
    }
}

@Suite struct CheckSeedsTests {
    /// Many seeds, in parallel processes: one line per seed, a summary line, JUnit XML; a
    /// failing expectation makes every seed fail and the command exit 1 with replay lines.
    @Test func checkOverManySeedsPrintsEachAndASummary() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("seeds.yaml")
        try write(smallScenario, to: file)
        let passing = try runLitsim(["check", file.path, "--seeds", "1...20", "--jobs", "2", "--out", folder.appendingPathComponent("a").path,
                                     "--junit", folder.appendingPathComponent("a.xml").path])
        #expect(passing.status == 0, "\(passing.error)")
        let lines = passing.output.split(separator: "\n")
        #expect(lines.filter { $0.contains(" seed ") && $0.contains(": PASS") }.count == 20)
        #expect(lines.last == "20 passed, 0 failed")
        let xml = try String(contentsOf: folder.appendingPathComponent("a.xml"), encoding: .utf8)
        #expect(xml.contains("tests=\"20\" failures=\"0\""))

        let failing = try runLitsim(["check", file.path, "--seeds", "1...3", "--set", "expect={dkg.qualified: 5}",
                                     "--out", folder.appendingPathComponent("b").path, "--junit", folder.appendingPathComponent("b.xml").path])
        #expect(failing.status == 1)
        #expect(failing.output.contains("0 passed, 3 failed"))
        #expect(failing.output.components(separatedBy: "replay: litsim run").count - 1 == 3, "a replay line per failing seed")
        let failed = try String(contentsOf: folder.appendingPathComponent("b.xml"), encoding: .utf8)
        #expect(failed.contains("failures=\"3\"") && failed.contains("<failure message=\"dkg.qualified"))
    }
}
