import CSecp256k1
import Foundation
import Testing
import ThresholdCrypto

/// libsecp256k1 as an independent verifier and recoverer (our ECDSA never calls these).
enum Libsecp256k1 {
    nonisolated(unsafe) static let context: OpaquePointer = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE))!

    /// Verifies r ‖ s (libsecp256k1 rejects high s) under a 33- or 65-byte key.
    static func verify(compact: [UInt8], digest: [UInt8], publicKey: [UInt8]) -> Bool {
        var signature = secp256k1_ecdsa_signature()
        var key = secp256k1_pubkey()
        guard secp256k1_ecdsa_signature_parse_compact(context, &signature, compact) == 1,
              secp256k1_ec_pubkey_parse(context, &key, publicKey, publicKey.count) == 1 else { return false }
        return secp256k1_ecdsa_verify(context, &signature, digest, &key) == 1
    }

    /// The compressed key r ‖ s with this recovery id recovers to, if any.
    static func recover(compact: [UInt8], recoveryID: UInt8, digest: [UInt8]) -> [UInt8]? {
        var signature = secp256k1_ecdsa_recoverable_signature()
        var key = secp256k1_pubkey()
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(context, &signature, compact, Int32(recoveryID)) == 1,
              secp256k1_ecdsa_recover(context, &key, &signature, digest) == 1 else { return nil }
        var out = [UInt8](repeating: 0, count: 33)
        var length = 33
        _ = secp256k1_ec_pubkey_serialize(context, &out, &length, &key, UInt32(SECP256K1_EC_COMPRESSED))
        return out
    }
}

/// Strict DER for ECDSA-Sig-Value (what Bitcoin's standardness and Wycheproof's bitcoin
/// vectors require): SEQUENCE of two minimal, positive INTEGERs, short lengths, nothing after.
func parseStrictDER(_ bytes: [UInt8]) -> (r: [UInt8], s: [UInt8])? {
    guard bytes.count >= 8, bytes.count <= 72, bytes[0] == 0x30, Int(bytes[1]) == bytes.count - 2 else { return nil }
    var index = 2
    func integer() -> [UInt8]? {
        guard index + 2 <= bytes.count, bytes[index] == 0x02 else { return nil }
        let length = Int(bytes[index + 1])
        index += 2
        guard length >= 1, length <= 33, index + length <= bytes.count else { return nil }
        let value = Array(bytes[index..<index + length])
        index += length
        // Positive and minimal: no high bit, a leading zero only before a high bit.
        guard value[0] & 0x80 == 0, !(value.count > 1 && value[0] == 0 && value[1] & 0x80 == 0) else { return nil }
        let stripped = Array(value.drop { $0 == 0 })
        guard stripped.count <= 32 else { return nil }
        return [UInt8](repeating: 0, count: 32 - stripped.count) + stripped
    }
    guard let r = integer(), let s = integer(), index == bytes.count else { return nil }
    return (r, s)
}

@Suite struct ECDSATests {
    let meter = CostMeter()

    /// Keccak-256 (the Keccak padding, not SHA3-256's). "abc": go-ethereum crypto/crypto_test.go
    /// TestKeccak256Hash. The others (empty input, and lengths around the 136-byte rate)
    /// computed with pycryptodome 4.4.0's Crypto.Hash.keccak, an independent implementation.
    @Test func keccak256MatchesPublishedAndIndependentValues() {
        let cases: [([UInt8], String)] = [
            (Array("abc".utf8), "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
            ([], "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
            (Array(repeating: 0x61, count: 135), "34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446"),
            (Array(repeating: 0x61, count: 136), "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e"),
            (Array(repeating: 0x61, count: 300), "5b7e0e47a96f32a88b4f14ca177982790807c40e1a105742ba0fc1babe1ef826"),
        ]
        for (message, expected) in cases { #expect(Keccak.keccak256(message, meter: meter) == hex(expected), "\(message.count) bytes") }
    }

    /// go-ethereum crypto/crypto_test.go: testPrivHex's address is testAddrHex.
    @Test func ethereumAddressOfGoEthereumsTestKey() {
        let key = Point.base(scalar("289c2857d4598e37fb9647507e47a309d6133539bf21a8b9cb6df88fd5232032"), meter: meter)
        #expect(ECDSA.ethereumAddress(key, meter: meter) == hex("970e8128ab834e8eac17ab8e3812f010678cf791"))
    }

    /// btcsuite/btcd btcec/ecdsa/signature_test.go TestRFC6979 (commit 1106085d; vectors from
    /// trezor-crypto and CoreBitcoin): the RFC 6979 nonce and the low-s DER signature of
    /// SHA-256(message). Each signature also verifies and recovers with libsecp256k1.
    @Test func rfc6979VectorsOfBtcd() throws {
        let vectors: [(key: String, message: String, nonce: String, der: String)] = [
            ("cca9fbcc1b41e5a95d369eaa6ddcff73b61a4efaa279cfc6567e8daa39cbaf50", "sample",
             "2df40ca70e639d89528a6b670d9d48d9165fdc0febc0974056bdce192b8e16a3",
             "3045022100af340daf02cc15c8d5d08d7735dfe6b98a474ed373bdb5fbecf7571be52b384202205009fb27f37034a9b24b707b7c6b79ca23ddef9e25f7282e8a797efe53a8f124"),
            ("0000000000000000000000000000000000000000000000000000000000000001", "Satoshi Nakamoto",
             "8f8a276c19f4149656b280621e358cce24f5f52542772691ee69063b74f15d15",
             "3045022100934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d802202442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5"),
            ("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140", "Satoshi Nakamoto",
             "33a19b60e25fb6f4435af53a3d42d493644827367e6453928554f43e49aa6f90",
             "3045022100fd567d121db66e382991534ada77a6bd3106f0a1098c231e47993447cd6af2d002206b39cd0eb1bc8603e159ef5c20a5c8ad685a45b06ce9bebed3f153d10d93bed5"),
            ("f8b8af8ce3c7cca5e300d33939540c10d45ce001b8f252bfbc57ba0342904181", "Alan Turing",
             "525a82b70e67874398067543fd84c83d30c175fdc45fdeee082fe13b1d7cfdf1",
             "304402207063ae83e7f62bbb171798131b4a0564b956930092b33b07b395615d9ec7e15c022058dfcc1e00a35e1572f366ffe34ba0fc47db1e7189759b9fb233c5b05ab388ea"),
            ("0000000000000000000000000000000000000000000000000000000000000001",
             "All those moments will be lost in time, like tears in rain. Time to die...",
             "38aa22d72376b4dbc472e06c3ba403ee0a394da63fc58d88686c611aba98d6b3",
             "30450221008600dbd41e348fe5c9465ab92d23e3db8b98b873beecd930736488696438cb6b0220547fe64427496db33bf66019dacbf0039c04199abb0122918601db38a72cfc21"),
            ("e91671c46231f833a6406ccbea0e3e392c76c167bac1cb013f6f1013980455c2",
             "There is a computer disease that anybody who works with computers knows about. It's a very serious disease and it interferes completely with the work. The trouble with computers is that you 'play' with them!",
             "1f4b84c23a86a221d233f2521be018d9318639d5b8bbd6374a8a59232d16ad3d",
             "3045022100b552edd27580141f3b2a5463048cb7cd3e047b97c9f98076c32dbdf85a68718b0220279fa72dd19bfae05577e06c7c0c1900c371fcd5893f7e1d56a37d30174671f6"),
        ]
        for vector in vectors {
            let secret = scalar(vector.key)
            let digest = Hashing.sha256(Array(vector.message.utf8), meter: meter)
            #expect(ECDSA.rfc6979Nonce(secret: secret, digest: digest) == scalar(vector.nonce), "\(vector.message)")
            let signature = try ECDSA.sign(secret: secret, digest: digest, meter: meter)
            let expected = try #require(parseStrictDER(hex(vector.der)))
            #expect(signature.r.bytes == expected.r && signature.s.bytes == expected.s, "\(vector.message)")
            let key = Point.base(secret, meter: meter)
            #expect(ECDSA.verify(signature, digest: digest, publicKey: key, meter: meter))
            #expect(try ECDSA.recover(signature, digest: digest, meter: meter) == key)
            #expect(Libsecp256k1.verify(compact: signature.compact, digest: digest, publicKey: try key.compressed()))
            #expect(Libsecp256k1.recover(compact: signature.compact, recoveryID: signature.recoveryID, digest: digest) == (try key.compressed()))
        }
    }

    /// go-ethereum crypto/signature_test.go: testsig (r ‖ s ‖ recovery id) over testmsg
    /// recovers testpubkey; its high-s twin is rejected (TestVerifySignatureMalleable).
    @Test func goEthereumRecoveryAndMalleabilityVectors() throws {
        let digest = hex("ce0677bb30baa8cf067c88db9811f4333d131bf8bcf12fe7065d211dce971008")
        let raw = hex("90f27b8b488db00b00606796d2987f6a5f59ae62ea05effe84fef5b8b0e549984a691139ad57a3f0b906637673aa2f63d1f55cb1a69199d4009eea23ceaddc9301")
        let signature = ECDSA.Signature(r: try Scalar(bytes: raw[0..<32]), s: try Scalar(bytes: raw[32..<64]), recoveryID: raw[64])
        let key = try ECDSA.recover(signature, digest: digest, meter: meter)
        #expect(try key.uncompressed() == hex("04e32df42865e97135acfb65f3bae71bdc86f4d49150ad6a440b6f15878109880a0a2b2667f7e725ceea70c673093bf67663e0312623c8e091b13cf2c0f11ef652"))
        #expect(ECDSA.verify(signature, digest: digest, publicKey: key, meter: meter))
        let malleable = hex("638a54215d80a6713c8d523a6adc4e6e73652d859103a36b700851cb0e61b66b8ebfc1a610c57d732ec6e0a8f06a9a7a28df5051ece514702ff9cdff0b11f454")
        let high = ECDSA.Signature(r: try Scalar(bytes: malleable[0..<32]), s: try Scalar(bytes: malleable[32..<64]), recoveryID: 0)
        let highKey = try Point(compressed: hex("03ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd3138"), meter: meter)
        let highDigest = hex("d301ce462d3e639518f482c7f03821fec1e602018630ce621e1e7851c12343a6")
        #expect(!ECDSA.verify(high, digest: highDigest, publicKey: highKey, meter: meter), "a high s is rejected")
        #expect(ECDSA.verify(high, digest: highDigest, publicKey: highKey, requireLowS: false, meter: meter), "and is otherwise valid")
    }

    /// C2SP/wycheproof testvectors_v1/ecdsa_secp256k1_sha256_bitcoin_test.json (commit
    /// dac1dd47): 463 verifications with DER and the low-s rule; `valid` must verify,
    /// `invalid` must not.
    @Test func wycheproofBitcoinVerificationVectors() throws {
        struct File: Decodable {
            struct Group: Decodable {
                struct Key: Decodable { let uncompressed: String }
                struct Case: Decodable { let tcId: Int; let msg: String; let sig: String; let result: String }
                let publicKey: Key
                let tests: [Case]
            }
            let numberOfTests: Int
            let testGroups: [Group]
        }
        let file = try JSONDecoder().decode(File.self, from: fixture("wycheproof-ecdsa_secp256k1_sha256_bitcoin_test.json"))
        var checked = 0, valid = 0
        for group in file.testGroups {
            let key = try? Point(uncompressed: hex(group.publicKey.uncompressed), meter: meter)
            for test in group.tests {
                checked += 1
                let digest = Hashing.sha256(hex(test.msg), meter: meter)
                var verified = false
                if let key, let (r, s) = parseStrictDER(hex(test.sig)), let rs = try? Scalar(bytes: r), let ss = try? Scalar(bytes: s) {
                    verified = ECDSA.verify(ECDSA.Signature(r: rs, s: ss, recoveryID: 0), digest: digest, publicKey: key, meter: meter)
                }
                if test.result == "valid" { valid += 1 }
                if test.result != "acceptable" { #expect(verified == (test.result == "valid"), "tcId \(test.tcId)") }
            }
        }
        #expect(checked == file.numberOfTests && checked == 463 && valid == 162)
    }

    /// Random keys and digests: our signatures are low-s, verify with libsecp256k1, and
    /// recover to the key with both implementations; a changed digest or key fails.
    @Test func randomSignaturesAgreeWithLibsecp256k1() throws {
        var rng = SeededGenerator(seed: testSeed(default: 0xEC0))
        for _ in 0..<100 {
            let secret = Scalar.randomNonZero(using: &rng)
            let digest = (0..<32).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let nonce = Scalar.randomNonZero(using: &rng)
            let signature = try ECDSA.sign(secret: secret, digest: digest, nonce: nonce, meter: meter)
            let key = Point.base(secret, meter: meter)
            #expect(!ECDSA.isHigh(signature.s))
            #expect(Libsecp256k1.verify(compact: signature.compact, digest: digest, publicKey: try key.compressed()))
            #expect(Libsecp256k1.recover(compact: signature.compact, recoveryID: signature.recoveryID, digest: digest) == (try key.compressed()))
            #expect(try ECDSA.recover(signature, digest: digest, meter: meter) == key)
            var other = digest
            other[0] ^= 1
            #expect(!ECDSA.verify(signature, digest: other, publicKey: key, meter: meter))
            #expect(!ECDSA.verify(signature, digest: digest, publicKey: Point.base(secret + .one, meter: meter), meter: meter))
        }
    }
}
