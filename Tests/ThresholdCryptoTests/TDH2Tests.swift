import Foundation
import Testing
import ThresholdCrypto

/// TDH2 over secp256k1 as a labelled key encapsulation with ChaCha20-Poly1305: round trips,
/// labels, tampering (every bad share rejected and its sender named), proof soundness, and an
/// independent Python implementation that checks and opens what Swift made.
@Suite struct TDH2Tests {
    let meter = CostMeter()

    struct Setup {
        let secret: Scalar
        let publicKey: Point
        let shares: [SecretShare]
        let verificationShares: [Point]
    }

    func setup(threshold: Int, participants: Int, seed: UInt64) throws -> (Setup, SeededGenerator) {
        var rng = SeededGenerator(seed: testSeed(default: seed))
        let secret = Scalar.randomNonZero(using: &rng)
        let ids = (1...participants).map { Scalar(UInt64($0 * 7 + 3)) }
        let (shares, _) = try Shamir.split(secret: secret, threshold: threshold, identifiers: ids, using: &rng)
        return (Setup(secret: secret, publicKey: Point.base(secret, meter: meter), shares: shares,
                      verificationShares: shares.map { Point.base($0.value, meter: meter) }), rng)
    }

    func decryptionShares(_ c: TDH2.Ciphertext, _ setup: Setup, _ rng: inout SeededGenerator) throws -> [(share: TDH2.DecryptionShare, verificationShare: Point)] {
        try zip(setup.shares, setup.verificationShares).map { share, hi in
            (try TDH2.share(c, secretShare: share.value, id: share.identifier, using: &rng, meter: meter), hi)
        }
    }

    /// Any threshold of the five shares opens the content; fewer do not.
    @Test func anyThresholdOfSharesDecrypts() throws {
        var (setup, rng) = try setup(threshold: 3, participants: 5, seed: 0x7D42)
        let plaintext = Array("the content behind the conditions".utf8)
        let label = Array("conditions: holds nft-1".utf8)
        let c = TDH2.encrypt(plaintext, label: label, publicKey: setup.publicKey, using: &rng, meter: meter)
        #expect(TDH2.isValid(c, meter: meter))
        let all = try decryptionShares(c, setup, &rng)
        for subset in [[0, 1, 2], [1, 3, 4], [0, 2, 4], [4, 3, 2, 1]] {
            #expect(try TDH2.combine(subset.map { all[$0] }, threshold: 3, ciphertext: c, meter: meter) == plaintext, "\(subset)")
        }
        #expect(throws: TDH2.Failure.notEnoughShares) { try TDH2.combine(Array(all.prefix(2)), threshold: 3, ciphertext: c, meter: meter) }
    }

    /// A ciphertext is bound to its label and content: another label, other content, or
    /// another u makes it invalid, and no node releases a share for it.
    @Test func aCiphertextIsBoundToItsLabelAndContent() throws {
        var (setup, rng) = try setup(threshold: 2, participants: 3, seed: 0x7D43)
        let c = TDH2.encrypt(Array("secret".utf8), label: Array("label A".utf8), publicKey: setup.publicKey, using: &rng, meter: meter)
        var sealed = c.sealed
        sealed[sealed.count - 1] ^= 1
        let variants = [
            TDH2.Ciphertext(sealed: c.sealed, label: Array("label B".utf8), u: c.u, uBar: c.uBar, e: c.e, f: c.f),
            TDH2.Ciphertext(sealed: sealed, label: c.label, u: c.u, uBar: c.uBar, e: c.e, f: c.f),
            TDH2.Ciphertext(sealed: c.sealed, label: c.label, u: c.u.adding(.generator, meter: meter), uBar: c.uBar, e: c.e, f: c.f),
            TDH2.Ciphertext(sealed: c.sealed, label: c.label, u: c.u, uBar: c.uBar, e: c.e, f: c.f + .one),
        ]
        for variant in variants {
            #expect(!TDH2.isValid(variant, meter: meter))
            #expect(throws: TDH2.Failure.invalidCiphertext) {
                try TDH2.share(variant, secretShare: setup.shares[0].value, id: setup.shares[0].identifier, using: &rng, meter: meter)
            }
        }
    }

    /// Every kind of bad share fails its proof and names its sender: another uⱼ, another
    /// challenge or response, and a share made honestly with another secret.
    @Test func everyTamperedShareIsRejectedAndItsSenderNamed() throws {
        var (setup, rng) = try setup(threshold: 3, participants: 4, seed: 0x7D44)
        let c = TDH2.encrypt(Array("x".utf8), label: [], publicKey: setup.publicKey, using: &rng, meter: meter)
        let honest = try decryptionShares(c, setup, &rng)
        let target = honest[1].share
        let wrongSecret = try TDH2.share(c, secretShare: setup.shares[1].value + .one, id: target.id, using: &rng, meter: meter)
        let tampered = [
            TDH2.DecryptionShare(id: target.id, ui: target.ui.adding(.generator, meter: meter), e: target.e, f: target.f),
            TDH2.DecryptionShare(id: target.id, ui: target.ui, e: target.e + .one, f: target.f),
            TDH2.DecryptionShare(id: target.id, ui: target.ui, e: target.e, f: target.f + .one),
            wrongSecret,
        ]
        for bad in tampered {
            #expect(!TDH2.verify(bad, for: c, verificationShare: honest[1].verificationShare, meter: meter))
            var shares = honest
            shares[1].share = bad
            #expect(throws: TDH2.Failure.invalidShare(id: target.id)) { try TDH2.combine(shares, threshold: 3, ciphertext: c, meter: meter) }
        }
        // A valid share checked against another node's verification share fails too.
        #expect(!TDH2.verify(target, for: c, verificationShare: honest[2].verificationShare, meter: meter))
    }

    /// An implementation outside Swift (pure-Python secp256k1 arithmetic, RFC 9380's
    /// expand_message_xmd, and the `cryptography` package's ChaCha20-Poly1305) finds ḡ the same
    /// way, checks the ciphertext and every share's proof, interpolates and opens the content.
    @Test func pythonChecksAndOpensWhatSwiftMade() throws {
        var (setup, rng) = try setup(threshold: 3, participants: 5, seed: 0x7D45)
        let plaintext = Array("opened in Python".utf8)
        let c = TDH2.encrypt(plaintext, label: Array("label".utf8), publicKey: setup.publicKey, using: &rng, meter: meter)
        let shares = try decryptionShares(c, setup, &rng)
        func hex(_ point: Point) -> String { ((try? point.compressed()) ?? []).map { String(format: "%02x", $0) }.joined() }
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        let document: [String: Any] = [
            "second_generator": hex(TDH2.secondGenerator), "sealed": hex(c.sealed), "label": hex(c.label), "u": hex(c.u), "u_bar": hex(c.uBar),
            "e": c.e.hexString, "f": c.f.hexString, "plaintext": hex(plaintext),
            "shares": shares.map { ["id": $0.share.id.hexString, "ui": hex($0.share.ui), "e": $0.share.e.hexString, "f": $0.share.f.hexString,
                                    "hi": hex($0.verificationShare)] },
        ]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tdh2-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let input = folder.appendingPathComponent("tdh2.json")
        try JSONSerialization.data(withJSONObject: document).write(to: input)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/tdh2_check.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, input.path]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(stderr)")
        #expect(printed.contains("ciphertext valid, 5 shares valid, rejected 1 tampered, opened"), "\(printed)\(stderr)")
    }
}
