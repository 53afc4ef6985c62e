import LitNetwork
import Protocols
import Simulation
import ThresholdCrypto

/// One presignature of Lit's DamFast among n validators (a pool generation: every validator
/// takes part, t = Lit's threshold): its cost, and its traffic beside §1.11's formulas.
public struct PresignCostRow: Sendable {
    public let participants: Int
    public let threshold: Int
    /// Wall time of the whole presignature computed in one process (every party's work).
    public let wallMilliseconds: Double
    /// One party's simulated CPU time for it under the built-in cost table.
    public let simulatedPerPartyMilliseconds: Double
    public let pointMultiplicationsPerParty: Int
    /// Messages and bytes the rounds send, from the real encodings.
    public let messages: Int
    public let bytes: Int
    /// §1.11: n(n − 1) messages per round, (n − 1)(R1 + 138 + 72) bytes per party with
    /// R1 = 40 + 5·32 + 33·(2m + m2 + 2t).
    public let formulaBytes: Int
}

public func runPresignCost(participants n: Int) -> PresignCostRow {
    let t = ThresholdRule.lit.threshold(nodes: n)
    let parameters = DamFast.Parameters(participants: n, threshold: t)!
    var rng = SplitMix64(seed: UInt64(n))
    let ids = (1...n).map { Scalar(UInt64($0)) }
    let dealings = ids.map { _ in DamFast.Dealing.random(parameters, using: &rng) }
    let meter = CostMeter()
    let clock = ContinuousClock()
    var presignatures: [DamFast.PreSignature] = []
    let elapsed = clock.measure { presignatures = try! DamFast.presign(ids: ids, dealings: dealings, parameters, meter: meter) }
    precondition(presignatures.count == n, "every party has its presignature")
    var totals = Array(repeating: 0, count: CryptoOperation.allCases.count)
    let simulated = CryptoCostModel(table: .builtIn).charge(meter, into: &totals)
    // The rounds' messages as they go on the wire (a pool generation's ids).
    let session = SessionID(protocolName: ecdsaProtocol, epoch: .genesis, initiator: .node(NodeID(0)), counter: 0)
    let commitments = dealings[0].commitments(meter: CostMeter())
    let first = presignatures[0]
    let sizes = [
        ECDSAMessage.round1(PresignRound1(id: .pool(session), commitments: commitments, shares: dealings[0].shares(at: ids[1]))).wireSize,
        ECDSAMessage.round2(id: .pool(session), bigR: first.bigR, bigW: first.bigR, w: first.kInverse).wireSize,
        ECDSAMessage.round3(id: .pool(session), omega: first.kInverse).wireSize,
    ]
    let round1Formula = 40 + 5 * 32 + 33 * (2 * parameters.m + parameters.m2 + 2 * t)
    return PresignCostRow(
        participants: n, threshold: t, wallMilliseconds: seconds(elapsed) * 1000,
        simulatedPerPartyMilliseconds: simulated.milliseconds / Double(n),
        pointMultiplicationsPerParty: totals[CryptoOperation.pointMultiply.rawValue] / n,
        messages: 3 * n * (n - 1), bytes: n * (n - 1) * sizes.reduce(0, +), formulaBytes: n * (n - 1) * (round1Formula + 138 + 72))
}

/// Whole networks signing at n: FROST, ECDSA with an empty pool (a real-time presignature per
/// request) and with a warm pool, simulated latency and wall time.
public struct ECDSANetworkRow: Sendable {
    public let nodes: Int
    public let kind: String
    public let requests: Int
    public let succeeded: Int
    public let p50Milliseconds: Double
    public let wallSeconds: Double
}

public func runECDSANetwork(nodes: Int, kind: String, requests: Int) -> ECDSANetworkRow {
    var workload = WorkloadSpecification(count: requests, rate: (numerator: 2, denominator: 1))
    if kind != "frost" { workload.op = .signECDSA(keys: 10) }
    if kind == "ecdsa-warm-pool" {
        // Requests start once every validator leads its two presignatures.
        workload.start = .at(.seconds(Int64(60 + nodes)))
    }
    var specification = NetworkSpecification(nodes: nodes, seed: 1, network: NetworkModel(latency: .distribution(.constant(.milliseconds(40)))),
                                             clients: ClientSpecification(count: 2, timeout: .seconds(120)), workload: workload)
    specification.roundTimeout = .seconds(600)
    if kind == "ecdsa-warm-pool" { specification.presignPool = PresignPool(min: 0, max: 2, concurrency: 1) }
    let clock = ContinuousClock()
    var outcome: RunReport?
    let elapsed = clock.measure { outcome = runNetwork(specification) }
    let report = outcome!
    let prefix = kind == "frost" ? "sign" : "ecdsa"
    return ECDSANetworkRow(nodes: nodes, kind: kind, requests: requests, succeeded: Int(report.metric("\(prefix).succeeded")?.numeric ?? 0),
                           p50Milliseconds: report.metric("\(prefix).latency_ms.p50")?.numeric ?? 0, wallSeconds: seconds(elapsed))
}
