import Benchmark
import Simulation
import ThresholdCrypto

/// The primitives every protocol is built from, one operation per iteration: what the cost
/// table (`litsim calibrate`) charges, here with percentiles and allocation counts.
/// (Names have no spaces: the plugin writes threshold files with spaces replaced and reads
/// them back without, so a name with a space never finds its baseline.)
let benchmarks: @Sendable () -> Void = {
    // A regression is p90 wall time more than double the saved baseline (on this 2-core VM p90
    // moved by up to 77 % between identical runs: no hardware counters here), or any malloc more:
    // allocations are exact, time is not.
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(2), maxIterations: 100_000,
                                           thresholds: [.wallClock: .init(relative: [.p90: 100.0]), .mallocCountTotal: .init(absolute: [.p90: 0])])
    var rng = SplitMix64(seed: 1)
    let meter = CostMeter()
    let scalars = (0..<64).map { _ in Scalar.randomNonZero(using: &rng) }
    let points = scalars.map { Point.base($0, meter: meter) }

    Benchmark("PointMultiply") { benchmark in
        for index in benchmark.scaledIterations { blackHole(points[index & 63].multiplied(by: scalars[(index + 1) & 63], meter: meter)) }
    }
    Benchmark("BaseMultiply") { benchmark in
        for index in benchmark.scaledIterations { blackHole(Point.base(scalars[index & 63], meter: meter)) }
    }
    Benchmark("PointAdd") { benchmark in
        for index in benchmark.scaledIterations { blackHole(points[index & 63].adding(points[(index + 1) & 63], meter: meter)) }
    }
    Benchmark("ScalarInverse") { benchmark in
        for index in benchmark.scaledIterations { blackHole(scalars[index & 63].inverse(meter: meter)) }
    }
    Benchmark("ScalarMultiply") { benchmark in
        for index in benchmark.scaledIterations { blackHole(scalars[index & 63] * scalars[(index + 7) & 63]) }
    }
    Benchmark("HashToScalar") { benchmark in
        let message = [UInt8](repeating: 7, count: 64)
        for _ in benchmark.scaledIterations { blackHole(Hashing.hashToScalar(message, domain: Array("bench".utf8), meter: meter)) }
    }
    Benchmark("FeldmanShareCheck.t67") { benchmark in
        let commitment = VSSCommitment(coefficients: Array(points.prefix(64)) + Array(points.prefix(3)))
        for index in benchmark.scaledIterations { blackHole(commitment.evaluate(at: Scalar(UInt64(index % 100 + 1)), meter: meter)) }
    }
}
