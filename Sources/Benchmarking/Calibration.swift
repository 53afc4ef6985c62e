import Simulation
import ThresholdCrypto

/// Measures this machine's cost per crypto operation kind, for `litsim calibrate`. Each
/// figure is the median of several timed batches of the real operation.
public func calibrateCostTable(quick: Bool = false) -> CostTable {
    let scale = quick ? 10 : 1
    var rng = SplitMix64(seed: 7)
    let meter = CostMeter()
    let scalars = (0..<256).map { _ in Scalar.randomNonZero(using: &rng) }
    let points = scalars.map { Point.base($0, meter: meter) }
    let encoded = points.map { try! $0.compressed() }
    var table = [String: Int64]()
    func record(_ operation: CryptoOperation, _ measurement: Measurement) {
        table[operation.name] = Int64(measurement.nanosecondsPerOperation.rounded())
    }
    let mults = 2000 / scale
    record(.pointMultiply, measure("", iterations: mults) {
        var acc: UInt64 = 0
        for i in 0..<mults { acc &+= points[i & 255].multiplied(by: scalars[(i + 1) & 255], meter: meter).isIdentity ? 0 : 1 }
        return acc
    })
    record(.baseMultiply, measure("", iterations: mults) {
        var acc: UInt64 = 0
        for i in 0..<mults { acc &+= Point.base(scalars[i & 255], meter: meter).isIdentity ? 0 : 1 }
        return acc
    })
    let adds = 20_000 / scale
    record(.pointAdd, measure("", iterations: adds) {
        var acc: UInt64 = 0
        for i in 0..<adds { acc &+= points[i & 255].adding(points[(i + 7) & 255], meter: meter).isIdentity ? 0 : 1 }
        return acc
    })
    // A sum of k points costs fixed + k·term: solve from sums of 4 and of 256 points.
    let sums = 2000 / scale
    let small = Array(points.prefix(4))
    let smallSum = measure("", iterations: sums) {
        var acc: UInt64 = 0
        for _ in 0..<sums { acc &+= Point.sum(small, meter: meter).isIdentity ? 0 : 1 }
        return acc
    }.nanosecondsPerOperation
    let largeSum = measure("", iterations: sums / 20) {
        var acc: UInt64 = 0
        for _ in 0..<(sums / 20) { acc &+= Point.sum(points, meter: meter).isIdentity ? 0 : 1 }
        return acc
    }.nanosecondsPerOperation
    let term = (largeSum - smallSum) / 252
    table[CryptoOperation.pointSumTerm.name] = Int64(term.rounded())
    table[CryptoOperation.pointSum.name] = Int64(max(0, smallSum - 4 * term).rounded())
    let block = [UInt8](repeating: 1, count: 64 * 16 - 9)  // exactly 16 blocks with padding
    let hashes = 20_000 / scale
    record(.hashBlock, Measurement(name: "", nanosecondsPerOperation: measure("", iterations: hashes) {
        var acc: UInt64 = 0
        for _ in 0..<hashes { acc &+= UInt64(Hashing.sha256(block, meter: meter)[0]) }
        return acc
    }.nanosecondsPerOperation / 16))
    let inverses = 50_000 / scale
    record(.scalarInverse, measure("", iterations: inverses) {
        var acc: UInt64 = 0
        for i in 0..<inverses { acc &+= UInt64(scalars[i & 255].inverse(meter: meter)!.bytes[0]) }
        return acc
    })
    let decodes = 20_000 / scale
    record(.pointDecode, measure("", iterations: decodes) {
        var acc: UInt64 = 0
        for i in 0..<decodes { acc &+= (try? Point(compressed: encoded[i & 255], meter: meter)) == nil ? 0 : 1 }
        return acc
    })
    let message = [UInt8](repeating: 3, count: 32)
    let signatures = scalars.prefix(16).map { BIP340.sign(secret: $0, message: message, auxiliary: message, meter: meter)! }
    let keys = scalars.prefix(16).map { try! Point.base($0, meter: meter).xOnly() }
    let verifies = 2000 / scale
    record(.schnorrVerify, measure("", iterations: verifies) {
        var acc: UInt64 = 0
        for i in 0..<verifies {
            acc &+= BIP340.verifyWithLibsecp256k1(publicKeyX: keys[i & 15], message: message, signature: signatures[i & 15], meter: meter) ? 1 : 0
        }
        return acc
    })
    // BLS12-381 is not computed here (blst is not linked): its figures stay the built-in ones.
    return CostTable(source: "litsim calibrate\(quick ? " --quick" : ""): medians of timed batches on this machine (BLS12-381: built-in blst figures)",
                     nanoseconds: table.merging(CostTable.blsFigures) { measured, _ in measured })
}
