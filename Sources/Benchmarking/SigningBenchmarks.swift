import LitNetwork
import Protocols
import Simulation
import ThresholdCrypto

/// FROST round two and aggregation at t-of-n, in nanoseconds and in point multiplications
/// measured in the same run, so they can be compared with figures from other machines.
public struct FROSTCostRow: Sendable {
    public let threshold: Int
    public let participants: Int
    public let pointMultiplyNanoseconds: Double
    public let roundTwoNanoseconds: Double
    public let roundTwoMultiplications: Int
    public let aggregationNanoseconds: Double
    public let aggregationMultiplications: Int
}

public func runFROSTCost(threshold: Int, participants: Int) -> FROSTCostRow {
    var rng = SplitMix64(seed: UInt64(threshold * 1000 + participants))
    let meter = CostMeter()
    let identifiers = (1...participants).map { Scalar(UInt64($0)) }
    let secret = Scalar.randomNonZero(using: &rng)
    let (shares, _) = try! Shamir.split(secret: secret, threshold: threshold, identifiers: identifiers, using: &rng)
    let groupKey = Point.base(secret, meter: meter)
    let signers = Array(shares.prefix(threshold))
    let message = [UInt8](repeating: 9, count: 32)
    let nonces = signers.map { FROST<FROSTSecp256k1>.commit(identifier: $0.identifier, secretShare: $0.value, using: &rng, meter: meter) }
    let commitments = nonces.map(\.commitment)
    let points = (0..<64).map { _ in Point.base(.randomNonZero(using: &rng), meter: meter) }
    let multiply = measure("", iterations: 400) {
        var acc: UInt64 = 0
        for i in 0..<400 { acc &+= points[i & 63].multiplied(by: signers[i % signers.count].value, meter: meter).isIdentity ? 0 : 1 }
        return acc
    }
    // Round two of one signer: derive the package (binding factors, R, c) and sign.
    let roundMeter = CostMeter()
    let roundTwo = measure("", iterations: 1, batches: 5) {
        let package = try! FROST<FROSTSecp256k1>.signingPackage(groupKey: groupKey, commitments: commitments, message: message, meter: roundMeter)
        let share = try! FROST<FROSTSecp256k1>.sign(identifier: signers[0].identifier, secretShare: signers[0].value, nonces: nonces[0],
                                                    package: package, meter: roundMeter)
        return UInt64(share.bytes[0])
    }
    let package = try! FROST<FROSTSecp256k1>.signingPackage(groupKey: groupKey, commitments: commitments, message: message, meter: meter)
    let signatureShares = zip(signers, nonces).map { signer, nonce in
        try! FROST<FROSTSecp256k1>.sign(identifier: signer.identifier, secretShare: signer.value, nonces: nonce, package: package, meter: meter)
    }
    // Client aggregation as Lit's SDK does it: derive the package, sum, verify the signature.
    let aggregationMeter = CostMeter()
    let aggregation = measure("", iterations: 1, batches: 5) {
        let package = try! FROST<FROSTSecp256k1>.signingPackage(groupKey: groupKey, commitments: commitments, message: message, meter: aggregationMeter)
        let signature = FROST<FROSTSecp256k1>.aggregate(shares: signatureShares, package: package)
        return FROST<FROSTSecp256k1>.verify(signature, groupKey: groupKey, message: message, meter: aggregationMeter) ? 1 : 0
    }
    // Each measure runs the body once to warm up, then five times.
    return FROSTCostRow(
        threshold: threshold, participants: participants, pointMultiplyNanoseconds: multiply.nanosecondsPerOperation,
        roundTwoNanoseconds: roundTwo.nanosecondsPerOperation, roundTwoMultiplications: roundMeter[.pointMultiply] / 6,
        aggregationNanoseconds: aggregation.nanosecondsPerOperation, aggregationMultiplications: aggregationMeter[.pointMultiply] / 6)
}

/// A whole network signing: wall time per signature and simulated latency.
public struct SigningRunRow: Sendable {
    public let nodes: Int
    public let threshold: Int
    public let requests: Int
    public let wallSeconds: Double
    public let p50Milliseconds: Double
    public let p99Milliseconds: Double
    public let succeeded: Int
    /// The same network with one request: its wall time is the genesis DKG's and setup's.
    public let setupSeconds: Double

    /// Signatures per wall second once the network is up (the DKG's time taken out).
    public var signaturesPerSecondAfterSetup: Double { Double(max(0, succeeded - 1)) / max(1e-9, wallSeconds - setupSeconds) }
}

public func runSigningNetwork(nodes: Int, requests: Int) -> SigningRunRow {
    let clock = ContinuousClock()
    var outcome: RunReport?
    func specification(_ count: Int) -> NetworkSpecification {
        NetworkSpecification(nodes: nodes, seed: 1, network: NetworkModel(latency: .distribution(.constant(.milliseconds(40)))),
                             clients: ClientSpecification(count: 4), workload: WorkloadSpecification(count: count))
    }
    let setup = clock.measure { _ = runNetwork(specification(1)) }
    let elapsed = clock.measure { outcome = runNetwork(specification(requests)) }
    let report = outcome!
    return SigningRunRow(nodes: nodes, threshold: report.threshold, requests: requests, wallSeconds: seconds(elapsed),
                         p50Milliseconds: report.metric("sign.latency_ms.p50")?.numeric ?? 0,
                         p99Milliseconds: report.metric("sign.latency_ms.p99")?.numeric ?? 0,
                         succeeded: Int(report.metric("sign.succeeded")?.numeric ?? 0), setupSeconds: seconds(setup))
}
