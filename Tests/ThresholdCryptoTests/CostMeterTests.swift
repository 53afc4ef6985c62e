import Dispatch
import Testing
@testable import ThresholdCrypto

@Suite struct CostMeterTests {
    @Test func countsEachPrimitive() {
        let meter = CostMeter()
        let p = Point.base(Scalar(7), meter: meter)
        _ = p.multiplied(by: Scalar(3), meter: meter)
        _ = p.adding(p, meter: meter)
        _ = Scalar(5).inverse(meter: meter)
        #expect(meter[.baseMultiply] == 1)
        #expect(meter[.pointMultiply] == 1)
        #expect(meter[.pointAdd] == 1)
        #expect(meter[.scalarInverse] == 1)
        var drained = [Int: Int]()
        meter.drain { drained[$0] = $1 }
        #expect(drained == [CryptoOperation.baseMultiply.rawValue: 1, CryptoOperation.pointMultiply.rawValue: 1,
                            CryptoOperation.pointAdd.rawValue: 1, CryptoOperation.scalarInverse.rawValue: 1])
        #expect(meter.total == 0)
    }

    @Test func metersOnTwoThreadsShareNothing() {
        // Two simulations on two threads: each owns its meter, and the counts come out exact.
        nonisolated(unsafe) var totals = [0, 0]
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let meter = CostMeter()
            var rng = SeededGenerator(seed: UInt64(index), test: "metersOnTwoThreadsShareNothing")
            for _ in 0..<200 { _ = Point.base(.randomNonZero(using: &rng), meter: meter) }
            totals[index] = meter[.baseMultiply]
        }
        #expect(totals == [200, 200])
    }
}
