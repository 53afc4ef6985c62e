import Foundation
import Testing

/// A Byzantine-signer scenario with a partition: the report's showcase.
let reportScenario = """
name: report-test
seed: 5
stop: 90s
network: { nodes: 8, loss: 0.02, latency: { distribution: lognormal, mean: 30ms, stddev: 10ms, min: 1ms } }
clients: { count: 2 }
workload:
  - { op: sign, rate: 10/s, count: 60 }
byzantine:
  - { nodes: [1], behaviour: bad-signature-share }
  - { nodes: [6], behaviour: dkg-bad-share }
faults:
  - { at: 2s, for: 3s, partition: [[0, 1], [2, 3, 4, 5, 6, 7]] }

"""

@Suite(.serialized) struct ReportTests {
    func runReportScenario() throws -> URL {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("report.yaml")
        try write(reportScenario, to: file)
        let result = try runLitsim(["run", file.path, "--out", folder.appendingPathComponent("run").path, "--quiet"])
        #expect(result.status == 0, "\(result.error)")
        return folder.appendingPathComponent("run")
    }

    @Test func reportHasEveryPlotAsSVGAndNoRemoteReference() throws {
        let html = try String(contentsOf: runReportScenario().appendingPathComponent("report.html"), encoding: .utf8)
        for title in ["Request latency over simulated time", "Latency CDF (sign)", "Successes, failures and retries by request start",
                      "Messages per endpoint", "Bytes per endpoint", "Time busy computing", "DKG rounds per node"] {
            #expect(html.contains("aria-label=\"\(title)\""), "missing plot \(title)")
        }
        #expect(html.components(separatedBy: "<svg").count - 1 >= 7)
        #expect(html.contains("partition [0, 1] | [2, 3, 4, 5, 6, 7]"), "the partition window is shaded and labelled")
        #expect(html.contains("<td>frost-lit/invalid-signature-share<br>"), "blamed nodes, the code and the evidence")
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"), "self-contained")
    }

    @Test func traceJSONLinksEverySendToItsDelivery() throws {
        let data = try Data(contentsOf: runReportScenario().appendingPathComponent("trace.json"))
        let trace = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let events = try #require(trace["traceEvents"] as? [[String: Any]])
        let flowStarts = Set(events.filter { $0["ph"] as? String == "s" }.compactMap { $0["id"] as? Int })
        let flowEnds = events.filter { $0["ph"] as? String == "f" }.compactMap { $0["id"] as? Int }
        #expect(!flowStarts.isEmpty)
        #expect(flowEnds.allSatisfy { flowStarts.contains($0) }, "every delivery's arrow starts at a send")
        #expect(Set(flowEnds).count > flowStarts.count * 9 / 10, "almost every send is delivered")
        #expect(events.contains { $0["ph"] as? String == "X" && $0["name"] as? String == "compute" })
        #expect(events.contains { ($0["name"] as? String)?.hasPrefix("drop") == true })
        let threads = events.filter { $0["name"] as? String == "thread_name" }.count
        #expect(threads == 10, "a track per node and per client")
        let other = try #require(trace["otherData"] as? [String: Any])
        #expect(other["truncated"] as? Bool == false)
    }

    @Test func traceLimitIsHonouredAndSaidInTheFile() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("report.yaml")
        try write(reportScenario, to: file)
        let result = try runLitsim(["run", file.path, "--out", folder.appendingPathComponent("run").path, "--quiet", "--trace-limit", "500"])
        #expect(result.status == 0)
        let data = try Data(contentsOf: folder.appendingPathComponent("run/trace.json"))
        let trace = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let other = try #require(trace["otherData"] as? [String: Any])
        #expect(other["truncated"] as? Bool == true)
        #expect((other["note"] as? String)?.contains("--trace-limit") == true)
        #expect(other["events_recorded"] as? Int == 500)
    }

    @Test func reportRendersInHeadlessChromiumWithoutConsoleErrors() throws {
        let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        guard let browser = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("SKIPPED reportRendersInHeadlessChromium: no Chromium here (install Debian's `chromium`; .ci/run does)")
            return
        }
        let report = try runReportScenario().appendingPathComponent("report.html")
        let screenshot = report.deletingLastPathComponent().appendingPathComponent("report.png")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
                             "--window-size=1000,4000", "--screenshot=\(screenshot.path)", report.absoluteString]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let size = (try FileManager.default.attributesOfItem(atPath: screenshot.path)[.size] as? Int) ?? 0
        // A blank 1000×4000 page compresses to a few kB; the report's plots take far more.
        #expect(size > 60_000, "screenshot is \(size) bytes")
        let consoleErrors = log.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Uncaught") }
        #expect(consoleErrors.isEmpty, "\(consoleErrors)")
    }

    @Test func sweepReportPlotsEveryMetricAgainstEachParameter() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("grid.yaml")
        try write(smallScenario + "sweep:\n  network.nodes: [5, 6]\n  network.threshold: [lit, \"1/2\"]\n  seed: 1...2\n", to: file)
        let out = folder.appendingPathComponent("sweep")
        #expect(try runLitsim(["sweep", file.path, "--out", out.path]).status == 0)
        try FileManager.default.removeItem(at: out.appendingPathComponent("sweep.html"))
        let report = try runLitsim(["report", out.path])
        #expect(report.status == 0, "\(report.error)")
        let html = try String(contentsOf: out.appendingPathComponent("sweep.html"), encoding: .utf8)
        #expect(html.contains("aria-label=\"dkg.duration_ms against network.nodes\""))
        #expect(html.contains("aria-label=\"sign.latency_ms.p50 against network.threshold\""))
        #expect(html.contains("network.threshold=lit"), "one line per other parameter value")
        #expect(try runLitsim(["report", folder.path]).status == 2, "a folder without sweep.csv is an input error")
    }

    /// At 48 nodes the rows are thinner than a label: plain labels are thinned, flagged ones kept.
    @Test func dkgTimelineAtScaleLabelsEveryFlaggedNodeWithoutOverlap() throws {
        let (folder, _, run) = try runScenarioText("""
            name: wide
            seed: 3
            network: { nodes: 48, latency: { distribution: regions, regions: { us-east: 24, eu-west: rest } } }
            clients: { count: 1 }
            workload:
              - { op: sign, rate: 5/s, count: 3 }
            byzantine:
              - { nodes: [7], behaviour: dkg-bad-share }

            """, name: "wide")
        #expect(run.status == 0, "\(run.error)")
        let html = try String(contentsOf: folder.appendingPathComponent("run/report.html"), encoding: .utf8)
        let chart = try #require(html.components(separatedBy: "aria-label=\"DKG rounds per node\"").last?.components(separatedBy: "</svg>").first)
        let pattern = try Regex(#"<text x="[0-9.]+" y="([0-9.]+)" text-anchor="end" class="tick" style="fill:(#[0-9a-f]+)">([^<]+)</text>"#)
        let labels = chart.matches(of: pattern).map { match in
            (y: Double(match.output[1].substring!)!, red: match.output[2].substring! == "#c62828", text: String(match.output[3].substring!))
        }
        #expect(labels.count >= 20 && labels.count < 48, "thinned, yet most rows still labelled: \(labels.count)")
        #expect(labels.contains { $0.red && $0.text == "n7 excluded byz:dkg-bad-share" }, "\(labels.filter(\.red))")
        let ys = labels.map(\.y).sorted()
        let closest = zip(ys, ys.dropFirst()).map { $1 - $0 }.min() ?? 0
        #expect(closest >= 12, "labels \(closest) px apart overlap")
        // Per-endpoint charts mark each endpoint's region.
        let messages = try #require(html.components(separatedBy: "aria-label=\"Messages per endpoint\"").last?.components(separatedBy: "</svg>").first)
        #expect(messages.contains("region eu-west") && messages.contains("<title>n30: region eu-west</title>"))
    }

    /// With epochs, the report lists every transition attempt and kick, and marks them on the
    /// request charts.
    @Test func anEpochRunReportsItsTransitionsAndKicks() throws {
        let (folder, _, run) = try runScenarioText("""
            name: epochs
            seed: 3
            stop: 200s
            network: { nodes: 7, latency: { distribution: constant, value: 20ms } }
            epochs: { length: 60s }
            kicking: { ping_interval: 12s }
            clients: { count: 2 }
            workload:
              - { op: sign, rate: 1/s, count: 100 }
            byzantine:
              - { nodes: [5], behaviour: silent, at: 50s }

            """, name: "epochs")
        #expect(run.status == 0, "\(run.error)")
        let html = try String(contentsOf: folder.appendingPathComponent("run/report.html"), encoding: .utf8)
        #expect(html.contains("<h2>Epochs</h2>"))
        #expect(html.contains("<td>1</td><td>1</td><td>0, 1, 2, 3, 4, 5, 6</td>") && html.contains(">aborted</td>"), "the first try, aborted")
        #expect(html.contains("<td>1</td><td>2</td><td>0, 1, 2, 3, 4, 6</td>"), "the second try, without the kicked node")
        #expect(html.contains("Kicked: node 5 at 132"))
        #expect(html.contains("→ epoch 2") && html.contains("kick n5"), "transitions and kicks marked on the charts")
    }
}

/// ECDSA signatures checked outside Swift: Python's `cryptography` (OpenSSL) verifies every
/// `sign-ecdsa` signature in signatures.jsonl under its public key, with s low; where
/// pycryptodome is installed, the address is Keccak-256 of the key, checked there too.
@Suite struct ExternalECDSACheckTests {
    /// Lit's variant in real time and with a pool, and the paper's (seven signers).
    @Test(arguments: [("lit", ""), ("pool", "protocol: { presign_pool: { min: 1, max: 2, concurrency: 1 } }"),
                      ("paper", "protocol: { ecdsa: damfast-paper }")])
    func everyECDSASignatureVerifiesWithPythonsCryptography(name: String, protocolLine: String) throws {
        let (folder, _, run) = try runScenarioText("""
            name: ecdsa-\(name)
            seed: 4
            network: { nodes: 7, threshold: 4, latency: { distribution: constant, value: 20ms } }
            \(protocolLine)
            clients: { count: 2 }
            workload:
              - { op: sign-ecdsa, keys: 10, rate: 5/s, count: 12 }

            """, name: "ecdsa-\(name)")
        #expect(run.status == 0, "\(run.error)")
        let script = folder.appendingPathComponent("check.py")
        try write("""
            import json, sys
            from cryptography.hazmat.primitives.asymmetric import ec, utils
            from cryptography.hazmat.primitives import hashes
            n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141
            try:
                from Crypto.Hash import keccak
            except ImportError:
                keccak = None
            checked = addresses = 0
            for line in open(sys.argv[1]):
                entry = json.loads(line)
                if entry["scheme"] != "ecdsa":
                    continue
                key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), bytes.fromhex(entry["public_key"]))
                raw = bytes.fromhex(entry["signature"])
                r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
                assert 0 < s <= (n - 1) // 2, "high s"
                key.verify(utils.encode_dss_signature(r, s), bytes.fromhex(entry["message"]), ec.ECDSA(utils.Prehashed(hashes.SHA256())))
                checked += 1
                if keccak:
                    numbers = key.public_numbers()
                    h = keccak.new(digest_bits=256)
                    h.update(numbers.x.to_bytes(32, "big") + numbers.y.to_bytes(32, "big"))
                    assert entry["address"] == "0x" + h.hexdigest()[-40:], "address"
                    addresses += 1
            print(checked, addresses)
            """, to: script)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, folder.appendingPathComponent("run/signatures.jsonl").path]
        let pipe = Pipe(), errors = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(stderr)")
        print("python checked (signatures, addresses): \(output)")
        #expect(output.split(separator: " ").first == "12", "every ECDSA signature checked: \(output)")
    }
}
