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
