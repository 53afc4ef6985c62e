import Simulation
import ThresholdCrypto

/// Issue 17, part 4: does a multi-scalar multiplication Σ kᵢ·Pᵢ built from libsecp256k1 0.2's
/// public calls (it does not export its own Strauss/Pippenger) beat t single multiplications
/// and one batched sum? The candidate is Pippenger's bucket method: per c-bit window, each
/// point goes into the bucket of its digit, buckets are summed in one `combine` call each, and
/// Σ j·Bⱼ comes from running sums. Kept as a measurement (`litsim bench msm`); the protocols use
/// it only if it wins.
public enum MSMExperiment {
    /// Σ kᵢ·Pᵢ by Pippenger with `window` bits per window.
    public static func pippenger(_ scalars: [Scalar], _ points: [Point], window: Int, meter: CostMeter) -> Point {
        precondition(scalars.count == points.count && (1...16).contains(window))
        let bytes = scalars.map(\.bytes)
        func digit(_ index: Int, _ w: Int) -> Int {
            // Bits [w·c, (w+1)·c) of the 256-bit big-endian scalar, least significant first.
            var value = 0
            for bit in 0..<window {
                let position = w * window + bit
                guard position < 256 else { break }
                let byte = bytes[index][31 - position / 8]
                if byte >> (position % 8) & 1 == 1 { value |= 1 << bit }
            }
            return value
        }
        let windows = (256 + window - 1) / window
        var result = Point.identity
        for w in (0..<windows).reversed() {
            for _ in 0..<window where !result.isIdentity { result = result.adding(result, meter: meter) }
            var buckets = [[Point]](repeating: [], count: 1 << window)
            for index in points.indices {
                let d = digit(index, w)
                if d > 0 { buckets[d].append(points[index]) }
            }
            // Σ j·Bⱼ = Σ_j (Bⱼ + Bⱼ₊₁ + … ): running sums, then one batched sum of them.
            var running = Point.identity
            var partials: [Point] = []
            for j in stride(from: (1 << window) - 1, through: 1, by: -1) {
                if !buckets[j].isEmpty { running = Point.sum([running] + [Point.sum(buckets[j], meter: meter)], meter: meter) }
                if !running.isIdentity { partials.append(running) }
            }
            result = Point.sum([result] + partials, meter: meter)
        }
        return result
    }

    /// The way the protocols do it now: t multiplications, then one batched sum.
    public static func naive(_ scalars: [Scalar], _ points: [Point], meter: CostMeter) -> Point {
        Point.sum(zip(scalars, points).map { $0.1.multiplied(by: $0.0, meter: meter) }, meter: meter)
    }

    public struct Row: Sendable {
        public let terms: Int
        public let window: Int
        public let naiveMicroseconds: Double
        public let pippengerMicroseconds: Double
        public let agrees: Bool
    }

    /// For each t, the best window among 2...8 against the naive way, on random inputs, with
    /// the two results compared (so a wrong MSM cannot look fast).
    public static func measure(terms: [Int], seed: UInt64 = 17) -> [Row] {
        var rng = SplitMix64(seed: seed)
        let meter = CostMeter()
        let clock = ContinuousClock()
        func microseconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
        }
        return terms.map { t in
            let scalars = (0..<t).map { _ in Scalar.randomNonZero(using: &rng) }
            let points = (0..<t).map { _ in Point.base(.randomNonZero(using: &rng), meter: meter) }
            let repeats = max(1, 200 / t)
            var expected = Point.identity
            let naiveTime = clock.measure { for _ in 0..<repeats { expected = naive(scalars, points, meter: meter) } }
            var best = (window: 0, time: Duration.seconds(1_000_000))
            var agrees = true
            for window in 2...8 {
                var got = Point.identity
                let time = clock.measure { for _ in 0..<repeats { got = pippenger(scalars, points, window: window, meter: meter) } }
                agrees = agrees && got == expected
                if time < best.time { best = (window, time) }
            }
            return Row(terms: t, window: best.window, naiveMicroseconds: microseconds(naiveTime) / Double(repeats),
                       pippengerMicroseconds: microseconds(best.time) / Double(repeats), agrees: agrees)
        }
    }
}
