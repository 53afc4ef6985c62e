import Testing
@testable import ThresholdCrypto

@Suite struct PointTests {
    @Test func identityBehavesAsZero() {
        var rng = SeededGenerator(seed: testSeed(default: 10))
        let meter = CostMeter()
        let p = Point.base(.randomNonZero(using: &rng), meter: meter)
        #expect(p.adding(.identity, meter: meter) == p)
        #expect(Point.identity.adding(p, meter: meter) == p)
        #expect(p.subtracting(p, meter: meter) == .identity)
        #expect(p.multiplied(by: .zero, meter: meter) == .identity)
        #expect(Point.identity.multiplied(by: .one, meter: meter) == .identity)
        #expect(Point.base(.zero, meter: meter) == .identity)
        #expect(Point.sum([p, p.negated()], meter: meter) == .identity)
        #expect(Point.sum([Point](), meter: meter) == .identity)
        #expect(Point.sum([.identity, p, .identity], meter: meter) == p)
        #expect(throws: CryptoError.identityHasNoEncoding) { try Point.identity.compressed() }
    }

    @Test func equalPointsFromDifferentPathsAreEqualAndHashEqual() {
        var rng = SeededGenerator(seed: testSeed(default: 11))
        let meter = CostMeter()
        for _ in 0..<20 {
            let a = Scalar.random(using: &rng), b = Scalar.random(using: &rng)
            let viaSum = Point.sum([Point.base(a, meter: meter), Point.base(b, meter: meter)], meter: meter)
            let viaBase = Point.base(a + b, meter: meter)
            let viaMultiply = Point.generator.multiplied(by: a + b, meter: meter)
            #expect(viaSum == viaBase)
            #expect(viaMultiply == viaBase)
            #expect(Set([viaSum, viaBase, viaMultiply]).count == 1)
        }
    }

    @Test func sumEqualsRepeatedAddition() {
        var rng = SeededGenerator(seed: testSeed(default: 12))
        let meter = CostMeter()
        let points = (0..<50).map { _ in Point.base(.random(using: &rng), meter: meter) }
        let pairwise = points.reduce(Point.identity) { $0.adding($1, meter: meter) }
        let before = meter.snapshot
        #expect(Point.sum(points, meter: meter) == pairwise)
        #expect(meter[.pointSum] - before[CryptoOperation.pointSum.rawValue] == 1)
        #expect(meter[.pointSumTerm] - before[CryptoOperation.pointSumTerm.rawValue] == 50)
    }

    @Test func encodingsRoundTrip() throws {
        var rng = SeededGenerator(seed: testSeed(default: 13))
        let meter = CostMeter()
        for _ in 0..<50 {
            let p = Point.base(.randomNonZero(using: &rng), meter: meter)
            #expect(try Point(compressed: p.compressed(), meter: meter) == p)
            let lifted = try Point(xOnly: p.xOnly(), meter: meter)
            #expect(lifted == (p.hasEvenY ? p : p.negated()))
            #expect(lifted.hasEvenY)
        }
        #expect(try Point.generator.compressed().hexString
            == "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
    }

    static let generatorX = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
    static let fieldPrime = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"

    @Test(arguments: [
        ("empty", "", CryptoError.invalidLength(what: "compressed point", expected: 33, actual: 0)),
        ("32 bytes", generatorX, .invalidLength(what: "compressed point", expected: 33, actual: 32)),
        ("34 bytes", "02" + generatorX + "00", .invalidLength(what: "compressed point", expected: 33, actual: 34)),
        ("uncompressed length", "04" + generatorX + generatorX, .invalidLength(what: "compressed point", expected: 33, actual: 65)),
        ("prefix 00", "00" + generatorX, .invalidPointPrefix(0x00)),
        ("prefix 04", "04" + generatorX, .invalidPointPrefix(0x04)),
        ("hybrid prefix 06", "06" + generatorX, .invalidPointPrefix(0x06)),
        ("hybrid prefix 07", "07" + generatorX, .invalidPointPrefix(0x07)),
        ("prefix ff", "ff" + generatorX, .invalidPointPrefix(0xff)),
        ("x = p", "02" + fieldPrime, .pointNotOnCurve),
        ("x > p", "03ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", .pointNotOnCurve),
        // BIP-340 vector 5's key: an x with no point on the curve.
        ("x not on curve", "02eefdea4cdb677750a420fee807eacf21eb9898ae79b9768766e4faa04a2d4a34", .pointNotOnCurve),
        ("x = 0", "020000000000000000000000000000000000000000000000000000000000000000", .pointNotOnCurve),
    ])
    func rejectsMalformedCompressedPoint(name: String, encoding: String, error: CryptoError) {
        #expect(throws: error, "\(name)") { try Point(compressed: hex(encoding), meter: CostMeter()) }
    }

    @Test(arguments: [
        ("31 bytes", String(generatorX.dropLast(2)), CryptoError.invalidLength(what: "x-only point", expected: 32, actual: 31)),
        ("33 bytes", "02" + generatorX, .invalidLength(what: "x-only point", expected: 32, actual: 33)),
        ("x = p", fieldPrime, .pointNotOnCurve),
        ("x not on curve", "eefdea4cdb677750a420fee807eacf21eb9898ae79b9768766e4faa04a2d4a34", .pointNotOnCurve),
    ])
    func rejectsMalformedXOnlyPoint(name: String, encoding: String, error: CryptoError) {
        #expect(throws: error, "\(name)") { try Point(xOnly: hex(encoding), meter: CostMeter()) }
    }

    @Test func rejectsInvalidHex() {
        #expect(throws: CryptoError.invalidHex) { try [UInt8](hex: "0") }
        #expect(throws: CryptoError.invalidHex) { try [UInt8](hex: "zz") }
    }
}
