import Foundation
import Testing
@testable import ThresholdCrypto

@Suite struct HashingTests {
    struct XMDVectors: Decodable {
        struct Case: Decodable {
            let msg: String
            let len_in_bytes: Int
            let uniform_bytes: String
        }
        let DST: String
        let tests: [Case]
    }

    @Test func expandMessageXMDMatchesRFC9380() throws {
        let vectors = try JSONDecoder().decode(XMDVectors.self, from: fixture("rfc9380-expand-message-xmd-sha256.json"))
        #expect(vectors.tests.count == 10)
        for vector in vectors.tests {
            let output = try Hashing.expandMessageXMD(
                Array(vector.msg.utf8), domain: Array(vectors.DST.utf8), length: vector.len_in_bytes, meter: CostMeter())
            #expect(output.hexString == vector.uniform_bytes, "msg \(vector.msg.prefix(12)) length \(vector.len_in_bytes)")
        }
    }

    @Test func expandMessageXMDRejectsImpossibleLengths() {
        #expect(throws: CryptoError.expandLengthTooLarge(0)) {
            try Hashing.expandMessageXMD([], domain: [1], length: 0, meter: CostMeter())
        }
        #expect(throws: CryptoError.expandLengthTooLarge(256 * 32)) {
            try Hashing.expandMessageXMD([], domain: [1], length: 256 * 32, meter: CostMeter())
        }
    }

    @Test func sha256CountsBlocks() {
        let meter = CostMeter()
        let digest = Hashing.sha256(Array("abc".utf8), meter: meter)
        #expect(digest.hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(meter[.hashBlock] == 1)
        _ = Hashing.sha256([UInt8](repeating: 0, count: 56), meter: meter)  // 56 + 9 > 64: two blocks
        #expect(meter[.hashBlock] == 3)
    }
}
