import CSecp256k1
import Simulation
import ThresholdCrypto

/// Scalar and point operations next to the raw libsecp256k1 calls for the same work.
public func runCryptoBenchmarks(quick: Bool = false) -> [Measurement] {
    let scale = quick ? 10 : 1
    var rng = SplitMix64(seed: 42)
    let meter = CostMeter()
    let scalars = (0..<1024).map { _ in Scalar.randomNonZero(using: &rng) }
    let points = scalars.prefix(256).map { Point.base($0, meter: meter) }
    var results = [Measurement]()

    let scalarIterations = 2_000_000 / scale
    results.append(measure("scalar add", iterations: scalarIterations) {
        var acc = scalars[0]
        for i in 0..<scalarIterations { acc = acc + scalars[i & 1023] }
        return UInt64(acc.bytes[31])
    })
    results.append(measure("scalar multiply", iterations: scalarIterations, note: "target ≤ 100 ns") {
        var acc = scalars[0]
        for i in 0..<scalarIterations { acc = acc * scalars[i & 1023] }
        return UInt64(acc.bytes[31])
    })
    let inverseIterations = 100_000 / scale
    results.append(measure("scalar inverse (GMP)", iterations: inverseIterations, note: "target ≤ 2000 ns") {
        var acc: UInt64 = 0
        for i in 0..<inverseIterations { acc &+= UInt64(scalars[i & 1023].inverse(meter: meter)!.bytes[31]) }
        return acc
    })

    let pointIterations = 4000 / scale
    let tweaks = scalars.map(\.bytes)
    let raw = points.map { point -> secp256k1_pubkey in
        var key = secp256k1_pubkey()
        let encoded = try! point.compressed()
        _ = secp256k1_ec_pubkey_parse(secp256k1ContextForBenchmarks, &key, encoded, 33)
        return key
    }
    let rawMultiply = measure("raw secp256k1_ec_pubkey_tweak_mul", iterations: pointIterations) {
        var acc: UInt64 = 0
        for i in 0..<pointIterations {
            var key = raw[i & 255]
            acc &+= UInt64(secp256k1_ec_pubkey_tweak_mul(secp256k1ContextForBenchmarks, &key, tweaks[i & 1023]))
        }
        return acc
    }
    let ourMultiply = measure("point × scalar", iterations: pointIterations) {
        var acc: UInt64 = 0
        for i in 0..<pointIterations {
            acc &+= points[i & 255].multiplied(by: scalars[i & 1023], meter: meter).isIdentity ? 0 : 1
        }
        return acc
    }
    let ratio = ourMultiply.nanosecondsPerOperation / rawMultiply.nanosecondsPerOperation
    results.append(rawMultiply)
    results.append(Measurement(
        name: ourMultiply.name, nanosecondsPerOperation: ourMultiply.nanosecondsPerOperation,
        note: "\(String(format: "%.3f", ratio))× raw (target ≤ 1.15×)"))
    results.append(measure("raw secp256k1_ec_pubkey_create", iterations: pointIterations) {
        var acc: UInt64 = 0
        for i in 0..<pointIterations {
            var key = secp256k1_pubkey()
            acc &+= UInt64(secp256k1_ec_pubkey_create(secp256k1ContextForBenchmarks, &key, tweaks[i & 1023]))
        }
        return acc
    })
    results.append(measure("base × scalar", iterations: pointIterations) {
        var acc: UInt64 = 0
        for i in 0..<pointIterations { acc &+= Point.base(scalars[i & 1023], meter: meter).isIdentity ? 0 : 1 }
        return acc
    })
    let addIterations = 40_000 / scale
    results.append(measure("point add (pairwise)", iterations: addIterations) {
        var acc: UInt64 = 0
        for i in 0..<addIterations {
            acc &+= points[i & 255].adding(points[(i + 1) & 255], meter: meter).isIdentity ? 0 : 1
        }
        return acc
    })
    let sumRepeats = 400 / scale
    results.append(measure("point sum, per point of 256", iterations: sumRepeats * 256) {
        var acc: UInt64 = 0
        for _ in 0..<sumRepeats { acc &+= Point.sum(points, meter: meter).isIdentity ? 0 : 1 }
        return acc
    })
    let hashIterations = 200_000 / scale
    let message = [UInt8](repeating: 7, count: 32)
    results.append(measure("H1 hash_to_field (FROST)", iterations: hashIterations / 10) {
        var acc: UInt64 = 0
        for _ in 0..<(hashIterations / 10) { acc &+= UInt64(FROSTHash.h1(message, meter: meter).bytes[0]) }
        return acc
    })
    results += batchVerificationBenchmarks(quick: quick)
    return results
}

/// Aggregated against per-dealer verification of the shares one receiver got in a DKG.
func batchVerificationBenchmarks(quick: Bool) -> [Measurement] {
    var results = [Measurement]()
    let sizes: [(dealers: Int, threshold: Int)] = quick ? [(16, 10)] : [(16, 10), (64, 42)]
    for (dealers, threshold) in sizes {
        var rng = SplitMix64(seed: UInt64(dealers))
        let setupMeter = CostMeter()
        let receiver = Scalar(5)
        let shares = (0..<dealers).map { dealer -> VSS.DealtShare<Int> in
            let polynomial = Polynomial.random(constant: .random(using: &rng), threshold: threshold, using: &rng)
            return VSS.DealtShare(dealer: dealer, share: polynomial.evaluate(at: receiver),
                                  commitment: polynomial.commitment(meter: setupMeter))
        }
        let batchMeter = CostMeter()
        let batch = measure("VSS batch verify n=\(dealers) t=\(threshold)", iterations: 1, batches: 3) {
            UInt64(VSS.verifyBatch(shares, at: receiver, meter: batchMeter).count)
        }
        let perBatch = batchMeter.snapshot.map { $0 / 4 }
        let singleMeter = CostMeter()
        let single = measure("VSS per-dealer verify n=\(dealers) t=\(threshold)", iterations: 1, batches: 3) {
            UInt64(shares.filter { !VSS.verify(share: $0.share, at: receiver, against: $0.commitment, meter: singleMeter) }.count)
        }
        let perSingle = singleMeter.snapshot.map { $0 / 4 }
        func describe(_ counts: [Int]) -> String {
            "\(counts[CryptoOperation.pointMultiply.rawValue]) point mults, \(counts[CryptoOperation.baseMultiply.rawValue]) base mults, \(counts[CryptoOperation.pointSumTerm.rawValue]) points summed"
        }
        results.append(Measurement(name: batch.name, nanosecondsPerOperation: batch.nanosecondsPerOperation, note: describe(perBatch)))
        results.append(Measurement(name: single.name, nanosecondsPerOperation: single.nanosecondsPerOperation, note: describe(perSingle)))
    }
    return results
}

/// A separate context for the raw calls, so they pay exactly what the library costs.
nonisolated(unsafe) let secp256k1ContextForBenchmarks: OpaquePointer = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE))!
