import Foundation
import Testing

/// A run's decryptions.jsonl and jwts.jsonl, checked outside Swift.
@Suite struct AccessOutputTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs a shipped scenario; returns its output folder (removed by the caller).
    func run(_ scenario: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("access-\(UUID().uuidString)")
        let path = Self.root.appendingPathComponent(scenario).path
        print("replay: litsim run \(path)")
        let run = try runLitsim(["run", path, "--out", folder.path, "--quiet"])
        #expect(run.status == 0, "\(run.error)")
        return folder
    }

    /// The first Python on this machine that has `modules` (the image's system Python has
    /// PyJWT; a pyenv one on the PATH may not).
    func python(with modules: [String]) throws -> String {
        for candidate in ["python3", "/usr/bin/python3"] {
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            probe.arguments = [candidate, "-c", "import " + modules.joined(separator: ", ")]
            probe.standardOutput = Pipe()
            probe.standardError = Pipe()
            try probe.run()
            probe.waitUntilExit()
            if probe.terminationStatus == 0 { return candidate }
        }
        throw MissingPython(modules: modules)
    }

    struct MissingPython: Error, CustomStringConvertible {
        let modules: [String]
        var description: String { "no python3 with \(modules.joined(separator: ", ")) (pip install PyJWT cryptography)" }
    }

    func runPython(_ interpreter: String, _ script: String, _ argument: URL, extra: [String] = []) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [interpreter, Self.root.appendingPathComponent(script).path, argument.path] + extra
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, printed, stderr)
    }

    /// Every decryption redone by a separate Python implementation of TDH2 (its own curve
    /// arithmetic, hash-to-field and canonical JSON; the `cryptography` package's AEAD).
    @Test func everyDecryptionInTheRunsOutputIsRedoneInPython() throws {
        let folder = try run("Scenarios/ci/decrypt-nft-purchase.yaml")
        defer { try? FileManager.default.removeItem(at: folder) }
        let jsonl = folder.appendingPathComponent("decryptions.jsonl")
        let lines = try String(contentsOf: jsonl, encoding: .utf8).split(separator: "\n")
        #expect(lines.count >= 30)
        let result = try runPython(try python(with: ["cryptography"]), "Tests/ThresholdCryptoTests/Fixtures/tdh2_check.py", jsonl)
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("\(lines.count) decryptions checked"), "\(result.output)\(result.error)")
    }

    /// Every Lit Action signature verified by the `cryptography` package, its digest recomputed
    /// (Keccak-256 in Python) from the response the client picked.
    /// (ci/actions-jwt.yaml: an ECDSA signature and a JWT per request, PyJWT verifying the JWTs.)
    @Test func everyActionSignatureAndJWTVerifiesOutsideSwift() throws {
        let folder = try run("Scenarios/ci/actions-jwt.yaml")
        defer { try? FileManager.default.removeItem(at: folder) }
        let lines = try String(contentsOf: folder.appendingPathComponent("signatures.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 24)
        let process = try runPython(try python(with: ["jwt", "cryptography"]), "Tests/LitSimCLITests/Fixtures/check_action_signatures.py", folder,
                                    extra: ["ETH/USD "])
        #expect(process.status == 0, "\(process.error)")
        #expect(process.output.contains("\(lines.count) action signatures verified") && process.output.contains("12 JWTs verified"),
                "\(process.output)\(process.error)")
    }

    /// Every FROST signature of an action's `sign` steps (ci/actions-frost.yaml: RFC 9591 and
    /// BIP-340 per request, beside ECDSA) verified by Python's own secp256k1 arithmetic, itself
    /// checked against BIP-340's test vectors and RFC 9591 E.5, the digest recomputed with
    /// hashlib's SHA-256 from the response the client picked.
    @Test func everyActionFROSTSignatureVerifiesOutsideSwift() throws {
        let folder = try run("Scenarios/ci/actions-frost.yaml")
        defer { try? FileManager.default.removeItem(at: folder) }
        let lines = try String(contentsOf: folder.appendingPathComponent("signatures.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 36)
        let process = try runPython(try python(with: ["jwt", "cryptography"]), "Tests/LitSimCLITests/Fixtures/check_action_signatures.py", folder,
                                    extra: ["ETH/USD "])
        #expect(process.status == 0, "\(process.error)")
        #expect(process.output.contains("12 action signatures verified") && process.output.contains("12 BIP-340 and 12 RFC 9591 FROST signatures verified"),
                "\(process.output)\(process.error)")
    }

    /// Every JWT verified by PyJWT (ES256K), a tampered one rejected.
    @Test func everyJWTInTheRunsOutputVerifiesWithPyJWT() throws {
        let folder = try run("Scenarios/ci/jwt-nft-purchase.yaml")
        defer { try? FileManager.default.removeItem(at: folder) }
        let jsonl = folder.appendingPathComponent("jwts.jsonl")
        let lines = try String(contentsOf: jsonl, encoding: .utf8).split(separator: "\n")
        #expect(lines.count >= 10)
        let result = try runPython(try python(with: ["jwt", "cryptography"]), "Tests/LitSimCLITests/Fixtures/check_jwts.py", jsonl)
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("\(lines.count) JWTs verified with PyJWT"), "\(result.output)\(result.error)")
    }
}
