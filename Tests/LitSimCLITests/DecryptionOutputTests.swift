import Foundation
import Testing

@Suite struct DecryptionOutputTests {
    /// The run's own decryptions.jsonl, redone by a separate Python implementation of TDH2 (its
    /// own curve arithmetic, hash-to-field and canonical JSON; the `cryptography` package's AEAD).
    @Test func everyDecryptionInTheRunsOutputIsRedoneInPython() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("decryptions-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = root.appendingPathComponent("Scenarios/ci/decrypt-nft-purchase.yaml").path
        print("replay: litsim run \(scenario)")
        let run = try runLitsim(["run", scenario, "--out", folder.path, "--quiet"])
        #expect(run.status == 0, "\(run.error)")
        let jsonl = folder.appendingPathComponent("decryptions.jsonl")
        let lines = try String(contentsOf: jsonl, encoding: .utf8).split(separator: "\n")
        #expect(lines.count >= 30)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("Tests/ThresholdCryptoTests/Fixtures/tdh2_check.py").path, jsonl.path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(stderr)")
        #expect(printed.contains("\(lines.count) decryptions checked"), "\(printed)\(stderr)")
    }
}
