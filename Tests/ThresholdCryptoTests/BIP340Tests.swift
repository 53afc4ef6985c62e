import Foundation
import Testing
@testable import ThresholdCrypto

@Suite struct BIP340Tests {
    struct Vector {
        let index: Int
        let secret: String
        let publicKey: [UInt8]
        let auxiliary: [UInt8]
        let message: [UInt8]
        let signature: [UInt8]
        let valid: Bool
    }

    func vectors() throws -> [Vector] {
        let text = String(decoding: try fixture("bip340-test-vectors.csv"), as: UTF8.self)
        return text.split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Vector(index: Int(f[0])!, secret: f[1], publicKey: hex(f[2]), auxiliary: hex(f[3]),
                          message: hex(f[4]), signature: hex(f[5]), valid: f[6] == "TRUE")
        }
    }

    @Test func signsVectorsByteForByte() throws {
        let meter = CostMeter()
        let signing = try vectors().filter { !$0.secret.isEmpty }
        #expect(signing.count == 4)
        for vector in signing {
            let secret = scalar(vector.secret)
            #expect(try Point.base(secret, meter: meter).xOnly() == vector.publicKey, "vector \(vector.index)")
            let signature = BIP340.sign(secret: secret, message: vector.message, auxiliary: vector.auxiliary, meter: meter)
            #expect(signature == vector.signature, "vector \(vector.index)")
        }
    }

    @Test func verifiesVectorsAsLibsecp256k1Does() throws {
        let meter = CostMeter()
        for vector in try vectors() {
            let ours = BIP340.verify(publicKeyX: vector.publicKey, message: vector.message, signature: vector.signature, meter: meter)
            let library = BIP340.verifyWithLibsecp256k1(
                publicKeyX: vector.publicKey, message: vector.message, signature: vector.signature, meter: meter)
            #expect(ours == vector.valid, "vector \(vector.index)")
            #expect(library == vector.valid, "vector \(vector.index)")
        }
    }

    /// The identity check nodes use answers as `verify` does and charges the meter exactly as
    /// `verify` does (simulated time depends on the charges): on BIP-340's vectors (every row,
    /// valid or not, with a 32-byte message) and on random signatures, intact and tampered.
    @Test func checkingWithLibsecp256k1AnswersAndChargesAsOurVerify() throws {
        var cases = try vectors().filter { $0.message.count == 32 }.map { ($0.publicKey, $0.message, $0.signature) }
        #expect(cases.count >= 15)
        let seed = testSeed(default: 21)
        print("seed \(seed)")
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<10 {
            let secret = Scalar.randomNonZero(using: &rng)
            let message = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let signature = BIP340.sign(secret: secret, message: message, auxiliary: message, meter: CostMeter())!
            let key = try Point.base(secret, meter: CostMeter()).xOnly()
            var tamperedNonce = signature, tamperedResponse = signature
            tamperedNonce[3] ^= 1
            tamperedResponse[40] ^= 1
            cases += [(key, message, signature), (key, message, tamperedNonce), (key, message, tamperedResponse),
                      (key, [UInt8](repeating: 0, count: 32), signature), (key, message, Array(signature.prefix(63)))]
        }
        var valid = 0
        for (key, message, signature) in cases {
            let ours = CostMeter(), checked = CostMeter()
            let expected = BIP340.verify(publicKeyX: key, message: message, signature: signature, meter: ours)
            #expect(BIP340.verifyCheckingWithLibsecp256k1(publicKeyX: key, message: message, signature: signature, meter: checked) == expected)
            #expect(checked.snapshot == ours.snapshot)
            if expected { valid += 1 }
        }
        #expect(valid >= 12 && valid < cases.count)
    }

    @Test func randomSignaturesPassLibsecp256k1() {
        var rng = SeededGenerator(seed: testSeed(default: 20))
        let meter = CostMeter()
        for _ in 0..<20 {
            let secret = Scalar.randomNonZero(using: &rng)
            let message = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let auxiliary = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let signature = BIP340.sign(secret: secret, message: message, auxiliary: auxiliary, meter: meter)!
            let key = try! Point.base(secret, meter: meter).xOnly()
            #expect(BIP340.verifyWithLibsecp256k1(publicKeyX: key, message: message, signature: signature, meter: meter))
            var tampered = signature
            tampered[40] ^= 1
            #expect(!BIP340.verifyWithLibsecp256k1(publicKeyX: key, message: message, signature: tampered, meter: meter))
            #expect(!BIP340.verify(publicKeyX: key, message: message, signature: tampered, meter: meter))
        }
    }
}
