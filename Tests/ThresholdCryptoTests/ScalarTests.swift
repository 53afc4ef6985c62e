import Testing
@testable import ThresholdCrypto

@Suite struct ScalarTests {
    let orderMinusOne = scalar("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140")

    @Test func arithmeticAgreesWithPointMultiplication() {
        // libsecp256k1 is the oracle: (a·b)·G must equal (a·G)×b and (a+b)·G = aG + bG.
        var rng = SeededGenerator(seed: testSeed(default: 1))
        let meter = CostMeter()
        for _ in 0..<50 {
            let a = Scalar.random(using: &rng), b = Scalar.random(using: &rng)
            #expect(Point.base(a * b, meter: meter) == Point.base(a, meter: meter).multiplied(by: b, meter: meter))
            #expect(Point.base(a + b, meter: meter) == Point.base(a, meter: meter).adding(Point.base(b, meter: meter), meter: meter))
            #expect(Point.base(a - b, meter: meter) == Point.base(a, meter: meter).subtracting(Point.base(b, meter: meter), meter: meter))
            #expect(a - b + b == a)
            #expect(-a + a == .zero)
        }
    }

    @Test func inverseAndFermatAgree() {
        var rng = SeededGenerator(seed: testSeed(default: 2))
        let meter = CostMeter()
        let exponent = orderMinusOne - .one  // n − 2
        for _ in 0..<20 {
            let a = Scalar.randomNonZero(using: &rng)
            let inverse = a.inverse(meter: meter)!
            #expect(a * inverse == .one)
            #expect(a.power(exponent) == inverse)
        }
        #expect(Scalar.zero.inverse(meter: meter) == nil)
        #expect(meter[.scalarInverse] == 21)
    }

    @Test func edgeValuesReduce() {
        #expect(orderMinusOne * orderMinusOne == .one)  // (−1)² = 1
        #expect(orderMinusOne + .one == .zero)
        #expect(orderMinusOne + orderMinusOne == orderMinusOne - .one)
        #expect(Scalar.zero - .one == orderMinusOne)
        #expect(-Scalar.zero == .zero)
        // 2^256 mod n = 2^256 − n.
        let twoTo256 = Scalar(reducing: [1] + [UInt8](repeating: 0, count: 32))
        #expect(twoTo256.hexString == "000000000000000000000000000000014551231950b75fc4402da1732fc9bebf")
        // (2^512 − 1) mod n, computed as (2^256 − 1)·2^256 + (2^256 − 1).
        let allOnes32 = Scalar(reducing: [UInt8](repeating: 0xff, count: 32))
        #expect(Scalar(reducing: [UInt8](repeating: 0xff, count: 64)) == allOnes32 * twoTo256 + allOnes32)
    }

    @Test func encodingRoundTrips() throws {
        var rng = SeededGenerator(seed: testSeed(default: 3))
        for _ in 0..<100 {
            let a = Scalar.random(using: &rng)
            #expect(try Scalar(bytes: a.bytes) == a)
        }
        #expect(try Scalar(bytes: orderMinusOne.bytes) == orderMinusOne)
    }

    @Test(arguments: [
        ("n", "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", CryptoError.scalarOutOfRange),
        ("n + 1", "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364142", .scalarOutOfRange),
        ("2^256 − 1", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", .scalarOutOfRange),
        ("31 bytes", "00000000000000000000000000000000000000000000000000000000000001", .invalidLength(what: "scalar", expected: 32, actual: 31)),
        ("33 bytes", "000000000000000000000000000000000000000000000000000000000000000001", .invalidLength(what: "scalar", expected: 32, actual: 33)),
        ("empty", "", .invalidLength(what: "scalar", expected: 32, actual: 0)),
    ])
    func rejectsMalformedScalar(name: String, encoding: String, error: CryptoError) {
        #expect(throws: error, "\(name)") { try Scalar(bytes: hex(encoding)) }
    }

    @Test func descriptionHidesTheValue() {
        #expect("\(Scalar(12345))" == "Scalar(<redacted>)")
    }
}
