import Foundation
import Testing
@testable import Simulation

@Suite struct ModelTests {
    @Test func traceHasherMatchesFIPSVectors() {
        var empty = TraceHasher()
        empty.update([UInt8]())
        #expect(hex(empty.finalize()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var abc = TraceHasher()
        abc.update(Array("abc".utf8))
        #expect(hex(abc.finalize()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var twoBlocks = TraceHasher()
        twoBlocks.update(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
        #expect(hex(twoBlocks.finalize()) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // FIPS 180-2's third vector, a million "a", fed as the trace feeds it: small pieces of
        // odd sizes and whole words, across the 4 KiB buffer many times, with a digest taken
        // midway (it must not disturb what follows).
        var million = TraceHasher()
        var fed = 0, tookMidway = false
        while fed < 1_000_000 {
            if fed % 3 == 0 && fed + 8 <= 1_000_000 {
                million.update(UInt64(0x6161_6161_6161_6161))
                fed += 8
            } else if fed % 3 == 1 && fed + 4 <= 1_000_000 {
                million.update(UInt32(0x6161_6161))
                fed += 4
            } else {
                let piece = min(1_000_000 - fed, 1 + fed % 97)
                million.update([UInt8](repeating: 0x61, count: piece))
                fed += piece
            }
            if !tookMidway && fed >= 500_000 {
                _ = million.finalize()
                tookMidway = true
            }
        }
        #expect(tookMidway && hex(million.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func deterministicLogAndExpAreAccurate() {
        var rng = RandomStream(seed: 4)
        for _ in 0..<2000 {
            let x = rng.nextUnitInterval() * 1000 + 1e-9
            #expect(abs(DeterministicMath.log(x) - Foundation.log(x)) <= 1e-13 * max(1, abs(Foundation.log(x))))
            let y = rng.nextUnitInterval() * 40 - 20
            #expect(abs(DeterministicMath.exp(y) - Foundation.exp(y)) <= 1e-13 * Foundation.exp(y))
        }
    }

    @Test(arguments: [
        ("30s", Int64(30_000_000_000)), ("250ms", 250_000_000), ("1.5s", 1_500_000_000), ("10us", 10_000),
        ("7ns", 7), ("2m", 120_000_000_000), ("1h", 3_600_000_000_000), ("0.001ms", 1_000),
    ])
    func parsesDurationsExactly(text: String, nanoseconds: Int64) {
        #expect(SimDuration(parsing: text)?.nanoseconds == nanoseconds)
    }

    @Test(arguments: ["", "s", "10", "-5s", "1.5ns", "ten s", "1..5s", "99999999999999999h", "1e3ms"])
    func rejectsMalformedDurations(text: String) {
        #expect(SimDuration(parsing: text) == nil, "\(text)")
    }

    @Test func probabilitiesAreExactFixedPoint() {
        #expect(Probability(parsing: "0")?.threshold == 0)
        #expect(Probability(parsing: "1")?.isCertain == true)
        #expect(Probability(parsing: "0.5")?.threshold == 1 << 63)
        #expect(Probability(parsing: "50%")?.threshold == 1 << 63)
        #expect(Probability(parsing: "1/4")?.threshold == 1 << 62)
        #expect(Probability(parsing: "1.5") == nil)
        #expect(Probability(parsing: "5/4") == nil)
        #expect(Probability(parsing: "abc") == nil)
        var rng = RandomStream(seed: 1)
        #expect(!(0..<1000).contains { _ in rng.happens(.never) })
        #expect((0..<1000).allSatisfy { _ in rng.happens(.always) })
    }

    @Test func distributionsHaveTheirMeans() {
        var rng = RandomStream(seed: 8)
        let cases: [LatencyDistribution] = [
            .uniform(min: .milliseconds(10), max: .milliseconds(30)),
            .normal(mean: .milliseconds(40), standardDeviation: .milliseconds(5), minimum: .zero),
            .lognormal(mean: .milliseconds(40), standardDeviation: .milliseconds(10), minimum: .zero),
            .exponential(mean: .milliseconds(20), minimum: .zero),
        ]
        for distribution in cases {
            var total: Int64 = 0
            for _ in 0..<20_000 { total += distribution.sample(using: &rng).nanoseconds }
            let mean = Double(total) / 20_000
            let expected = Double(distribution.mean.nanoseconds)
            #expect(abs(mean - expected) / expected < 0.03, "\(distribution): mean \(mean)")
        }
        #expect(LatencyDistribution.normal(mean: .milliseconds(1), standardDeviation: .milliseconds(10), minimum: .microseconds(100))
            .sample(using: &rng) >= .microseconds(100))
    }

    @Test func boundedDrawsAreUniform() {
        var rng = RandomStream(seed: 2)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[Int(rng.next(below: 7))] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 500 })
    }

    @Test func costTableChargesByName() throws {
        let table = CostTable(source: "test", nanoseconds: ["point_multiply": 25_000, "base_multiply": 15_000])
        #expect(table.cost(names: ["point_multiply", "base_multiply", "unknown"], counts: [2, 1, 9]) == .microseconds(65))
        #expect(try CostTable.decode(table.encodedJSON()) == table)
    }
}
