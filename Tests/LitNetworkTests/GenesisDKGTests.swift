import Protocols
import Simulation
import Testing
import ThresholdCrypto
@testable import LitNetwork

@Suite struct GenesisDKGTests {
    func run(_ specification: NetworkSpecification) -> RunReport {
        print("genesis DKG n=\(specification.nodes) seed \(specification.seed): replay with the same specification")
        return runNetwork(specification)
    }

    @Test func honestGenesisCompletesAgreesAndMatchesTheMessageFormula() throws {
        let report = run(NetworkSpecification(nodes: 10, seed: 1))
        #expect(report.threshold == 6)
        #expect(report.metric("dkg.completed") == .bool(true))
        #expect(report.metric("dkg.qualified") == .integer(10))
        #expect(report.metric("safety.violations") == .integer(0))
        // Commitments, echoes, shares, complaints, agreement, certificate.
        #expect(report.metric("dkg.messages") == .integer(6 * 10 * 9))
        #expect(report.violations.isEmpty)
        let duration = report.metric("dkg.duration_ms")?.numeric ?? 0
        // Five message rounds on the critical path (no complaints, so no round 5) of 40 ms
        // one-way latency, plus crypto time: more than 200 ms, far below a timeout.
        #expect(duration > 200 && duration < 5_000, "duration \(duration) ms")
    }

    @Test func exportedSharesReconstructTheGroupKey() throws {
        let report = run(NetworkSpecification(nodes: 9, seed: 2))
        let key = try #require(report.agreedResult).groupPublicKey
        let shares = report.results.enumerated().map { SecretShare(identifier: Scalar(UInt64($0.offset + 1)), value: $0.element!.secretShare) }
        let meter = CostMeter()
        var rng = RandomStream(seed: 3)
        for _ in 0..<5 {
            let subset = Array(shares.shuffled(using: &rng).prefix(report.threshold))
            #expect(Point.base(try Shamir.reconstruct(subset, meter: meter), meter: meter) == key)
            #expect(Point.base(try Shamir.reconstruct(Array(subset.dropLast()), meter: meter), meter: meter) != key)
        }
        let verification = try #require(report.verificationShares())
        for (node, result) in report.results.enumerated() {
            #expect(verification[node] == Point.base(result!.secretShare, meter: meter))
        }
    }

    @Test func everyByzantineBehaviourUpToTheMarginIsBlamedPrecisely() {
        // n = 10, threshold 6: up to 4 faulty nodes.
        let cases: [[Int: ByzantineBehaviour]] = [
            [1: .dkgBadShare(targets: [0, 2]), 4: .dkgEquivocate, 6: .dkgBadProof, 8: .dkgExtraCommitments],
            [2: .silent, 3: .dkgFalseComplaint(targets: []), 5: .dkgWithholdShare(targets: [0, 1]), 9: .dkgBadShare(targets: [])],
        ]
        for (index, behaviours) in cases.enumerated() {
            let report = run(NetworkSpecification(nodes: 10, seed: 10 + UInt64(index), behaviours: behaviours))
            #expect(report.metric("dkg.completed") == .bool(true), "case \(index)")
            #expect(report.metric("safety.violations") == .integer(0), "case \(index): \(report.violations)")
            #expect(report.metric("blame.precision") == .number(1), "case \(index)")
            #expect(report.metric("blame.recall") == .number(1), "case \(index)")
            let qualified = (report.agreedResult?.qualified ?? []).map(\.value)
            let honest = (0..<10).filter { behaviours[$0] == nil }
            #expect(Set(honest).isSubset(of: qualified), "case \(index): no honest node excluded")
            #expect(report.accused == behaviours.keys.sorted().filter { behaviours[$0]!.isProvable }, "case \(index)")
        }
    }

    /// The quorum rule finishes with n − quorum = 3 of 10 nodes down (signing tolerates 4).
    @Test func crashedNodesUpToTheMarginStillComplete() {
        let faults = FaultSchedule(hostFaults: [.crash(endpoints: [0, 3, 6], at: .zero, restart: nil)])
        let report = run(NetworkSpecification(nodes: 10, seed: 20, faults: faults))
        #expect(report.metric("dkg.completed") == .bool(true))
        #expect(report.metric("dkg.qualified") == .integer(7))
        #expect(report.violations.isEmpty)
        // A crashed dealer costs one round timeout (30 s), not one per round.
        let duration = report.metric("dkg.duration_ms")?.numeric ?? 0
        #expect(duration > 30_000 && duration < 31_000, "duration \(duration) ms")
    }

    @Test func oneCrashMoreThanTheMarginFailsSafely() {
        let faults = FaultSchedule(hostFaults: [.crash(endpoints: [0, 3, 6, 9], at: .zero, restart: nil)])
        let report = run(NetworkSpecification(nodes: 10, seed: 21, faults: faults, clients: ClientSpecification(count: 1),
                                              workload: WorkloadSpecification(count: 3)))
        #expect(report.metric("dkg.completed") == .bool(false))
        // Metrics that do not exist in this run are absent, never 0.
        #expect(report.metric("dkg.duration_ms") == nil)
        #expect(report.metric("sign.latency_ms.p50") == nil && report.metric("sign.latency_ms.mean") == nil)
        #expect(report.metric("sign.succeeded") == .integer(0))
        #expect(report.metric("sim.end_ms")!.numeric! < report.metric("sim.quiescent_ms")!.numeric!, "a leftover timer is not activity")
        #expect(report.results.allSatisfy { $0 == nil }, "no node finishes with a key")
        #expect(report.violations.isEmpty)
    }

    @Test func crashMidRunLosesTheRoundStateButNotSafety() {
        let faults = FaultSchedule(hostFaults: [.crash(endpoints: [2], at: SimInstant(nanoseconds: 60_000_000),
                                                       restart: SimInstant(nanoseconds: 200_000_000))])
        let report = run(NetworkSpecification(nodes: 7, seed: 22, faults: faults))
        #expect(report.violations.isEmpty)
        #expect(report.results[2] == nil)
        #expect(report.metric("dkg.completed") == .bool(true))
    }

    @Test func partitionDuringTheDKGNeverSplitsTheKey() {
        // A partition across the agreement round: nodes either agree or do not finish.
        for start in [0, 100, 200, 300] {
            let partition = Partition(window: TimeWindow(at: .milliseconds(Int64(start)), for: .seconds(40)),
                                      shape: .groups([[0, 1, 2], [3, 4, 5, 6, 7, 8, 9]]))
            let report = run(NetworkSpecification(nodes: 10, seed: 30 + UInt64(start), faults: FaultSchedule(partitions: [partition])))
            #expect(report.violations.isEmpty, "partition at \(start) ms: \(report.violations)")
            let keys = Set(report.results.compactMap { $0?.groupPublicKey })
            #expect(keys.count <= 1)
        }
    }

    @Test func cryptoCostReachesTheVirtualClock() {
        let free = run(NetworkSpecification(nodes: 10, seed: 40, costTable: .zero))
        let measured = run(NetworkSpecification(nodes: 10, seed: 40))
        let slow = run(NetworkSpecification(nodes: 10, seed: 40, cpuFactorsPermille: Dictionary(uniqueKeysWithValues: (0..<10).map { ($0, 3000) })))
        let freeDuration = free.metric("dkg.duration_ms")!.numeric!
        let measuredDuration = measured.metric("dkg.duration_ms")!.numeric!
        let slowDuration = slow.metric("dkg.duration_ms")!.numeric!
        #expect(freeDuration == 200)  // exactly five one-way latencies of 40 ms
        #expect(measuredDuration > freeDuration)
        #expect(slowDuration - freeDuration > 2.5 * (measuredDuration - freeDuration))
        #expect(measured.counters.busyNanosecondsByEndpoint.allSatisfy { $0 > 0 })
        #expect(measured.pointMultiplications > 0)
    }

    @Test func sameSeedSameDigestOtherSeedOther() {
        let first = run(NetworkSpecification(nodes: 8, seed: 50))
        let second = run(NetworkSpecification(nodes: 8, seed: 50))
        let third = run(NetworkSpecification(nodes: 8, seed: 51))
        #expect(first.traceDigest == second.traceDigest)
        #expect(first.agreedResult?.groupPublicKey == second.agreedResult?.groupPublicKey)
        #expect(first.traceDigest != third.traceDigest)
    }

    @Test func thresholdRulesFollowLit() {
        #expect(ThresholdRule.lit.threshold(nodes: 10) == 6)
        #expect(ThresholdRule.lit.threshold(nodes: 4) == 3)
        #expect(ThresholdRule.lit.threshold(nodes: 9) == 6)
        #expect(ThresholdRule.fraction(numerator: 2, denominator: 3).threshold(nodes: 10) == 7)
        #expect(ThresholdRule.fixed(5).threshold(nodes: 10) == 5)
    }
}
