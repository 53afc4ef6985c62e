import Foundation
import Testing
import ThresholdCrypto
@testable import LitNetwork

/// The signature oracle's own verifier (direct libsecp256k1, swift-crypto, GMP) against
/// published vectors, so the oracle is checked by something other than the code it checks.
@Suite struct IndependentVerifierTests {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ThresholdCryptoTests/Fixtures")

    func hex(_ text: String) -> [UInt8] { try! [UInt8](hex: text) }

    /// RFC 9591 Appendix E.5 (the CFRG draft repository's final vector file): the final
    /// signature verifies, and no single flipped byte, other message or other key does.
    @Test func acceptsRFC9591AppendixE5AndNothingNearIt() throws {
        struct Vector: Decodable {
            struct Inputs: Decodable { let group_public_key: String; let message: String }
            struct Final: Decodable { let sig: String }
            let inputs: Inputs
            let final_output: Final
        }
        let vector = try JSONDecoder().decode(Vector.self, from: Data(contentsOf: fixtures.appendingPathComponent("rfc9591-e5-frost-secp256k1-sha256.json")))
        let key = hex(vector.inputs.group_public_key), message = hex(vector.inputs.message), signature = hex(vector.final_output.sig)
        #expect(vector.final_output.sig.hasPrefix("0205b6d0") && vector.final_output.sig.hasSuffix("7324"))
        #expect(IndependentVerifier.frostSecp256k1(publicKey: key, message: message, signature: signature))
        #expect(!IndependentVerifier.frostSecp256k1(publicKey: key, message: message + [0], signature: signature))
        for index in stride(from: 0, to: signature.count, by: 7) {
            var flipped = signature
            flipped[index] ^= 0x01
            #expect(!IndependentVerifier.frostSecp256k1(publicKey: key, message: message, signature: flipped), "byte \(index)")
        }
        var otherKey = key
        otherKey[0] = otherKey[0] == 2 ? 3 : 2
        #expect(!IndependentVerifier.frostSecp256k1(publicKey: otherKey, message: message, signature: signature))
    }

    /// RFC 9380 K.1's expand_message_xmd vectors, through the verifier's own implementation.
    @Test func expandMessageMatchesRFC9380() {
        let dst = Array("QUUX-V01-CS02-with-expander-SHA256-128".utf8)
        #expect(IndependentVerifier.expandMessageXMD([], dst: dst, length: 0x20).hexString
                == "68a985b87eb6b46952128911f2a4412bbc302a9d759667f87f7a21d803f07235")
        #expect(IndependentVerifier.expandMessageXMD(Array("abc".utf8), dst: dst, length: 0x20).hexString
                == "d8ccab23b5985ccea865c6c97b6e5b8350e794e603b4b97902f53a8a0d605615")
    }

    /// BIP-340's final test vectors (bitcoin/bips bip-0340/test-vectors.csv).
    @Test func bip340AgreesWithEveryPublishedVerificationResult() throws {
        let text = try String(contentsOf: fixtures.appendingPathComponent("bip340-test-vectors.csv"), encoding: .utf8)
        var checked = 0
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 7, let key = try? [UInt8](hex: fields[2]), let message = try? [UInt8](hex: fields[4]),
                  let signature = try? [UInt8](hex: fields[5]) else { continue }
            #expect(IndependentVerifier.bip340(publicKeyX: key, message: message, signature: signature) == (fields[6] == "TRUE"), "vector \(fields[0])")
            checked += 1
        }
        #expect(checked >= 15)
    }
}
