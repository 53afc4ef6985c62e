import Protocols
import Simulation
import Testing
import ThresholdCrypto
@testable import LitNetwork

@Suite struct SigningTests {
    func run(nodes: Int = 10, seed: UInt64, requests: Int = 20, clients: Int = 2, rate: (Int64, Int64)? = nil,
             scheme: SigningScheme = .frostSecp256k1, flow: SigningFlow = .lit, behaviours: [Int: ByzantineBehaviour] = [:],
             faults: FaultSchedule = FaultSchedule(), network: NetworkModel? = nil, retries: Int = 3,
             start: WorkloadStart = .afterDKG) -> RunReport {
        print("signing run n=\(nodes) seed \(seed) scheme \(scheme.rawValue) flow \(flow.rawValue)")
        return runNetwork(NetworkSpecification(
            nodes: nodes, seed: seed, network: network ?? NetworkModel(latency: .distribution(.constant(.milliseconds(40)))),
            faults: faults, behaviours: behaviours, clients: ClientSpecification(count: clients, retries: retries),
            workload: WorkloadSpecification(count: requests, rate: rate.map { (numerator: $0.0, denominator: $0.1) }, start: start),
            scheme: scheme, flow: flow))
    }

    @Test(arguments: [SigningScheme.frostSecp256k1, .frostTaproot], [SigningFlow.lit, .coordinator])
    func honestRequestsAllSucceedWithValidSignatures(scheme: SigningScheme, flow: SigningFlow) {
        let report = run(seed: 1, scheme: scheme, flow: flow)
        #expect(report.metric("sign.succeeded") == .integer(20))
        #expect(report.metric("sign.retries") == .integer(0))
        #expect(report.metric("safety.violations") == .integer(0), "\(report.violations)")
        #expect(report.signatures.count == 20)
        #expect(report.signatures.allSatisfy { $0.signature.count == (scheme == .frostTaproot ? 64 : 65) })
        #expect(report.requests.allSatisfy { $0.signers.count == report.threshold })
        let p50 = report.metric("sign.latency_ms.p50")?.numeric ?? 0
        // Lit flow: request, commitments, share = three 40 ms hops; coordinator: four.
        #expect(p50 >= (flow == .lit ? 120 : 160) && p50 < 400, "p50 \(p50) ms")
    }

    @Test func liarsUpToTheMarginAreBlamedAndEveryRequestSucceeds() {
        // n = 10, threshold 6: four faulty signers of every kind.
        let behaviours: [Int: ByzantineBehaviour] = [1: .badSignatureShare, 4: .withholdShare, 6: .equivocateCommitments, 8: .silent]
        for flow in SigningFlow.allCases {
            let report = run(seed: 2, requests: 30, flow: flow, behaviours: behaviours)
            #expect(report.metric("sign.succeeded") == .integer(30), "\(flow)")
            #expect(report.metric("safety.violations") == .integer(0), "\(flow): \(report.violations)")
            // Equivocating commitments is a lit-flow act (co-signers exchange them).
            #expect(report.accused == (flow == .lit ? [1, 6] : [1]), "\(flow): accused \(report.accused)")
            #expect(report.metric("blame.precision") == .number(1))
            #expect(report.metric("blame.recall") == .number(1), "\(flow): accused \(report.accused)")
        }
    }

    @Test func crashedSignersUpToTheMarginStillServeEveryRequest() {
        let faults = FaultSchedule(hostFaults: [.crash(endpoints: [0, 2, 5, 7], at: SimInstant(nanoseconds: 1_000_000_000), restart: nil)])
        let report = run(seed: 3, faults: faults, start: .at(.seconds(2)))
        #expect(report.metric("dkg.completed") == .bool(true))
        #expect(report.metric("sign.succeeded") == .integer(20))
        #expect(report.accused.isEmpty, "crashed nodes are not accused")
        if case let .list(unresponsive)? = report.metric("blame.unresponsive") {
            #expect(Set(unresponsive).isSubset(of: [0, 2, 5, 7]) && !unresponsive.isEmpty, "only crashed nodes are counted: \(unresponsive)")
        } else {
            Issue.record("no blame.unresponsive metric")
        }
    }

    @Test func oneCrashMoreThanTheMarginAndNothingSucceedsOrGoesWrong() {
        let faults = FaultSchedule(hostFaults: [.crash(endpoints: [0, 2, 5, 7, 9], at: SimInstant(nanoseconds: 1_000_000_000), restart: nil)])
        let report = run(seed: 4, requests: 6, faults: faults, start: .at(.seconds(2)))
        #expect(report.metric("sign.succeeded") == .integer(0))
        #expect(report.metric("safety.violations") == .integer(0))
        #expect(report.accused.isEmpty)
        #expect(report.requests.allSatisfy { $0.outcome == .failed && $0.attempts == 4 })
    }

    @Test func partitionLossAndTwoBadSignersStillServeNinetyEightPercent() {
        let network = NetworkModel(
            latency: .distribution(.lognormal(mean: .milliseconds(40), standardDeviation: .milliseconds(10), minimum: .milliseconds(1))),
            loss: Probability(parsing: "0.01")!, retransmission: .milliseconds(200))
        let partition = Partition(window: TimeWindow(at: .seconds(5), for: .seconds(10)), shape: .groups([[0, 1, 2], [3, 4, 5, 6, 7, 8, 9]]))
        let report = run(seed: 5, requests: 200, clients: 4, rate: (20, 1), behaviours: [3: .badSignatureShare, 7: .withholdShare],
                         faults: FaultSchedule(partitions: [partition]), network: network)
        let rate = report.metric("sign.success_rate")?.numeric ?? 0
        #expect(rate >= 0.98, "success rate \(rate)")
        #expect(report.metric("safety.violations") == .integer(0), "\(report.violations)")
        #expect(report.accused == [3], "the bad share is proven; the withholder only timed out")
    }

    @Test func slowAndReplayingSignersDelayButDoNotBreakSigning() {
        let delayed = run(seed: 6, requests: 4, clients: 1, behaviours: [0: .delayUntilTimeout, 1: .delayUntilTimeout, 2: .delayUntilTimeout])
        #expect(delayed.metric("sign.succeeded") == .integer(4))
        #expect(delayed.accused.isEmpty)
        let replaying = run(seed: 7, requests: 8, clients: 1, behaviours: [0: .replayOldMessages, 3: .replayOldMessages])
        #expect(replaying.metric("sign.succeeded") == .integer(8))
        #expect(replaying.metric("safety.violations") == .integer(0))
        #expect(replaying.accused.isEmpty)
    }

    @Test func poissonWorkloadIsReproducibleAndLatencyIsReported() {
        let first = run(seed: 8, requests: 40, clients: 3, rate: (10, 1))
        let second = run(seed: 8, requests: 40, clients: 3, rate: (10, 1))
        #expect(first.traceDigest == second.traceDigest)
        #expect(first.requests.map(\.start) == second.requests.map(\.start))
        #expect(first.metric("sign.succeeded") == .integer(40))
        let starts = first.requests.map(\.start.nanoseconds).sorted()
        // 40 requests at 10/s after the DKG: they span a few seconds.
        #expect(starts.last! - starts.first! > 1_000_000_000)
        #expect(Set(first.requests.map(\.message)).count == 40)
    }
}

@Suite struct EncodedWireTests {
    @Test func encodedWireGivesTheSameOutcomesAsTypedMessages() {
        let typed = runNetwork(NetworkSpecification(nodes: 7, seed: 12, clients: ClientSpecification(count: 2),
                                                    workload: WorkloadSpecification(count: 10), scheme: .frostTaproot))
        let encoded = runNetwork(NetworkSpecification(nodes: 7, seed: 12, clients: ClientSpecification(count: 2),
                                                      workload: WorkloadSpecification(count: 10), scheme: .frostTaproot, wireEncoded: true))
        #expect(encoded.metric("sign.succeeded") == .integer(10))
        #expect(encoded.metric("network.messages_undecodable") == .integer(0))
        #expect(encoded.agreedResult?.groupPublicKey == typed.agreedResult?.groupPublicKey)
        #expect(encoded.metric("network.bytes_sent") == typed.metric("network.bytes_sent"), "sizes are the real encodings either way")
        #expect(encoded.signatures.map(\.signature) == typed.signatures.map(\.signature))
    }

    @Test func corruptBytesNodeIsDroppedAndTheNetworkCarriesOn() {
        let report = runNetwork(NetworkSpecification(nodes: 10, seed: 13, behaviours: [4: .corruptBytes], clients: ClientSpecification(count: 2),
                                                     workload: WorkloadSpecification(count: 20), wireEncoded: true))
        #expect(report.metric("dkg.completed") == .bool(true))
        #expect(report.agreedResult?.qualified.contains(NodeID(4)) == false)
        #expect(report.metric("sign.succeeded") == .integer(20))
        #expect((report.metric("network.messages_undecodable")?.numeric ?? 0) > 0)
        #expect(report.metric("safety.violations") == .integer(0), "\(report.violations)")
        #expect(report.accused.isEmpty, "garbled bytes prove nothing about who garbled them")
    }
}

@Suite struct WorkloadTests {
    @Test func severalWorkloadEntriesRunSideBySideWithOneNumbering() {
        let report = runNetwork(NetworkSpecification(
            nodes: 7, seed: 14, clients: ClientSpecification(count: 3),
            workloads: [WorkloadSpecification(count: 10), WorkloadSpecification(count: 30, rate: (numerator: 30, denominator: 1), start: .at(.seconds(5)))]))
        #expect(report.metric("sign.requested") == .integer(40))
        #expect(report.metric("sign.succeeded") == .integer(40))
        #expect(report.requests.map(\.index) == Array(0..<40))
        #expect(report.requests.filter { $0.index >= 10 }.allSatisfy { $0.start.nanoseconds >= 5_000_000_000 })
        #expect(report.requests.filter { $0.index < 10 }.allSatisfy { $0.start.nanoseconds < 5_000_000_000 })
        #expect(Set(report.requests.map(\.message)).count == 40)
    }
}
