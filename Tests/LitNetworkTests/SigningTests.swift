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

@Suite struct ClientModelTests {
    /// Coordinator flow, n = 7, threshold 5, and a silent node among the five cheapest: asking
    /// one node more signs with the first five to commit; asking exactly five waits for the
    /// timeout and retries.
    @Test func overRequestingSignsWithTheFirstThresholdToCommit() {
        func run(_ overRequest: OverRequest) -> RunReport {
            print("over-request \(overRequest) seed 31")
            // Latency by distance: node i is i ms further away, so the cheapest are 0, 1, 2, ...
            let latency = RegionLatency(regionOfEndpoint: Array(0..<7) + [0],
                                        oneWay: (0..<7).map { from in (0..<7).map { to in .milliseconds(10 + Int64(abs(from - to))) } }, jitter: .zero)
            return runNetwork(NetworkSpecification(
                nodes: 7, threshold: .fixed(5), seed: 31, network: NetworkModel(latency: .regions(latency)), behaviours: [1: .silent],
                clients: ClientSpecification(count: 1, timeout: .seconds(2), overRequest: overRequest),
                workload: WorkloadSpecification(count: 6), flow: .coordinator))
        }
        let exact = run(.extra(0)), hedged = run(.extra(1))
        #expect(exact.metric("sign.succeeded") == .integer(6) && hedged.metric("sign.succeeded") == .integer(6))
        #expect(hedged.metric("sign.retries") == .integer(0), "the sixth node stands in for the silent one")
        #expect(hedged.requests.allSatisfy { $0.signers == [0, 2, 3, 4, 5] }, "\(hedged.requests.map(\.signers))")
        #expect((exact.metric("sign.retries")?.numeric ?? 0) >= 1, "asking exactly the threshold waits out the silent node")
        let slowest = { (report: RunReport) in report.requests.compactMap { $0.latency?.nanoseconds }.max() ?? 0 }
        #expect(slowest(hedged) < 1_000_000_000 && slowest(exact) > 2_000_000_000)
        // The timeout names the node that never took part before a final set was chosen.
        let firstFailure = exact.requests.flatMap(\.attemptLog).compactMap(\.outcome).first { $0 != .success }
        #expect(firstFailure == .failed(ClientFailure(.timeout, nodes: [1])), "\(String(describing: firstFailure))")
    }

    /// Each group runs its own workload on its own clients; ids and request numbers follow on.
    @Test func clientGroupsRunTheirOwnWorkloads() {
        print("client groups seed 32")
        var specification = NetworkSpecification(nodes: 5, seed: 32, clients: ClientSpecification(count: 2),
                                                  workload: WorkloadSpecification(count: 4))
        specification.extraClientGroups = [ClientGroup(name: "burst", settings: ClientSpecification(count: 3, timeout: .seconds(5)),
                                                       workloads: [WorkloadSpecification(count: 9, start: .at(.seconds(3)))])]
        let report = runNetwork(specification)
        #expect(report.metric("sign.requested") == .integer(13) && report.metric("sign.succeeded") == .integer(13))
        let main = report.requests.filter { $0.group == "main" }, burst = report.requests.filter { $0.group == "burst" }
        #expect(main.map(\.index).sorted() == Array(0..<4) && Set(main.map(\.client)) == [0, 1])
        #expect(burst.map(\.index).sorted() == Array(4..<13) && Set(burst.map(\.client)) == [2, 3, 4])
        #expect(burst.allSatisfy { $0.start.nanoseconds >= 3_000_000_000 })
        #expect(burst.allSatisfy { $0.client == 2 + ($0.index - 4) % 3 }, "request j of the group goes to its client j mod 3")
    }

    /// A behaviour with a window misbehaves only inside it: shares before 3 s are good, the
    /// first bad one comes inside [3 s, 5 s), and the liar is proven then.
    @Test func aByzantineWindowLimitsTheMisbehaviour() {
        print("byzantine window seed 33")
        var liar = ByzantineBehaviour.badSignatureShare
        liar.window = TimeWindow(at: .seconds(3), for: .seconds(2))
        let report = runNetwork(NetworkSpecification(
            nodes: 5, threshold: .fixed(4), seed: 33, behaviours: [2: liar], clients: ClientSpecification(count: 2),
            workload: WorkloadSpecification(count: 40, rate: (numerator: 5, denominator: 1))))
        let attempts = report.requests.flatMap(\.attemptLog)
        let bad = attempts.filter { $0.outcome.map { $0 != .success } ?? false }
        #expect(!bad.isEmpty, "the liar was asked inside its window")
        #expect(bad.allSatisfy { $0.start.nanoseconds >= 3_000_000_000 && $0.start.nanoseconds < 5_000_000_000 }, "\(bad.map(\.start))")
        #expect(attempts.contains { $0.outcome == .success && $0.nodes.contains(2) && $0.start.nanoseconds < 3_000_000_000 },
                "before the window its shares were good")
        #expect(report.accused == [2] && report.metric("safety.violations") == .integer(0))
    }
}

/// `sign-ecdsa`: Lit's ECDSA with a real-time presignature per request, on the network.
@Suite struct ECDSANetworkTests {
    func run(seed: UInt64, behaviours: [Int: ByzantineBehaviour] = [:], timeout: SimDuration = .seconds(5), pool: PresignPool = .disabled,
             rootKeys: Int = 1) -> RunReport {
        print("ecdsa run n=10 seed \(seed) root keys \(rootKeys)")
        var workload = WorkloadSpecification(count: 30, rate: (numerator: 5, denominator: 1))
        workload.op = .signECDSA(keys: 10)
        var specification = NetworkSpecification(nodes: 10, seed: seed, network: NetworkModel(latency: .distribution(.constant(.milliseconds(20)))),
                                                 behaviours: behaviours, clients: ClientSpecification(count: 2, timeout: timeout), workload: workload)
        specification.presignPool = pool
        specification.rootKeys = rootKeys
        return runNetwork(specification)
    }

    /// Lit's two root keys: a genesis DKG each; every PKP key is Σ d^ℓ · root_ℓ with d from its
    /// key id, so ten key ids are ten keys, none of them the network key (with one root, every
    /// PKP key is the network key). The signature oracle derives each expected key itself.
    @Test func twoRootKeysGiveEveryKeyIDItsOwnKey() throws {
        let one = run(seed: 47), two = run(seed: 47, rootKeys: 2)
        for report in [one, two] {
            #expect(report.metric("ecdsa.succeeded") == .integer(30) && report.metric("safety.violations") == .integer(0), "\(report.violations)")
        }
        let network = try #require(try two.agreedResult?.groupPublicKey.compressed())
        let oneRoot = try #require(try one.agreedResult?.groupPublicKey.compressed())
        #expect(Set(one.signatures.map(\.publicKey)) == [oneRoot])
        let keys = Set(two.signatures.map(\.publicKey))
        #expect(keys.count == 10 && !keys.contains(network))
        // The second root's DKG is a DKG like the first: as many messages again.
        #expect(two.metric("dkg.messages")?.numeric == 2 * (one.metric("dkg.messages")?.numeric ?? 0))
    }

    /// With a pool the leader hands out a presignature made ahead of time: three 20 ms hops
    /// (request, leader's word, share) instead of five; every presignature is used once.
    @Test func aWarmPoolSignsInThreeHops() {
        let report = run(seed: 44, pool: PresignPool(min: 2, max: 4, concurrency: 1))
        #expect(report.metric("ecdsa.succeeded") == .integer(30) && report.metric("safety.violations") == .integer(0), "\(report.violations)")
        let p50 = report.metric("ecdsa.latency_ms.p50")?.numeric ?? 0
        #expect(p50 >= 60 && p50 < 70, "p50 \(p50) ms")
        #expect(report.metric("presign.hits") == .integer(30) && report.metric("presign.misses") == .integer(0))
        #expect((report.metric("presign.generated")?.numeric ?? 0) >= 40, "every validator filled its pool to four")
        #expect(report.presignPoolDepth.count == 10 && report.presignPoolDepth.allSatisfy { $0.last?.depth ?? 0 >= 2 })
    }

    /// The paper's variant (protocol.ecdsa: damfast-paper) at n = 7, threshold 4: requests sign
    /// with all seven (2t − 1), verified by libsecp256k1 in the oracle, with a pool as without.
    /// One breached presigner exposes nothing (it holds a share of k'⁻¹, not k'); four — a
    /// threshold — interpolate the nonce and the ledger computes the PKP key (and holds the
    /// epoch's sharing too).
    @Test(arguments: [PresignPool.disabled, PresignPool(min: 1, max: 2, concurrency: 1)])
    func thePapersVariantNeedsAThresholdOfBreachesToExposeAKey(pool: PresignPool) {
        func run(breached: [Int]) -> RunReport {
            print("ecdsa damfast-paper run n=7 seed 46 breached \(breached)")
            var workload = WorkloadSpecification(count: 20, rate: (numerator: 5, denominator: 1))
            workload.op = .signECDSA(keys: 4)
            var behaviours = [Int: ByzantineBehaviour]()
            for node in breached { behaviours[node] = .compromised }
            var specification = NetworkSpecification(nodes: 7, threshold: .fixed(4), seed: 46,
                                                     network: NetworkModel(latency: .distribution(.constant(.milliseconds(20)))),
                                                     behaviours: behaviours, clients: ClientSpecification(count: 2), workload: workload)
            specification.ecdsaVariant = .paper
            specification.presignPool = pool
            return runNetwork(specification)
        }
        let one = run(breached: [3])
        #expect(one.metric("ecdsa.succeeded") == .integer(20) && one.metric("safety.violations") == .integer(0), "\(one.violations)")
        #expect(one.requests.allSatisfy { $0.signers.count == 7 })
        #expect(one.metric("safety.key_exposed") == .integer(0))
        let four = run(breached: [0, 2, 3, 5])
        #expect(four.exposedECDSAKeys.count == 1 && four.exposedEpochs == [.genesis])
    }

    /// The single-use oracle fails a run in which one pool presignature signs for two attempts.
    @Test func theOracleCatchesAPresignatureUsedTwice() {
        let oracle = NonceUniquenessOracle()
        let facts = RunFacts(specification: NetworkSpecification(nodes: 4), threshold: 3, directory: IdentityDirectory(keys: []), byzantine: [])
        let tag = SessionID(protocolName: ecdsaProtocol, epoch: .genesis, initiator: .node(NodeID(1)), counter: 0)
        let attempts = (1...2).map { AttemptID(session: SessionID(protocolName: ecdsaProtocol, epoch: .genesis, initiator: .client(ClientID(0)), counter: $0),
                                               attempt: 1) }
        let first = oracle.observe(.output(node: NodeID(0), ECDSASignerOutput.signed(attempts[0], nonce: .nonce(.one), presign: .pool(tag))), facts)
        let again = oracle.observe(.output(node: NodeID(2), ECDSASignerOutput.signed(attempts[0], nonce: .nonce(.one), presign: .pool(tag))), facts)
        let reused = oracle.observe(.output(node: NodeID(2), ECDSASignerOutput.signed(attempts[1], nonce: .nonce(.one), presign: .pool(tag))), facts)
        #expect(first.isEmpty && again.isEmpty, "two signers of one attempt share its presignature")
        #expect(reused.count == 1 && reused[0].contains("already used"), "\(reused)")
    }

    /// Every request signs; the signature-validity oracle (libsecp256k1, apart from our code)
    /// verified and recovered each; latency is five 20 ms hops: request, three presigning
    /// rounds, share.
    @Test func honestSignersSignEveryRequest() {
        let report = run(seed: 41)
        #expect(report.metric("ecdsa.succeeded") == .integer(30) && report.metric("safety.violations") == .integer(0), "\(report.violations)")
        #expect(report.signatures.count == 30 && report.signatures.allSatisfy { if case .ecdsa = $0.kind { $0.signature.count == 64 } else { false } })
        let p50 = report.metric("ecdsa.latency_ms.p50")?.numeric ?? 0
        #expect(p50 > 100 && p50 < 110, "p50 \(p50) ms")
        #expect(report.metric("sign.requested") == nil, "no FROST workload, no sign.* metrics")
    }

    /// A signer that withholds its presigning rounds: its peers time out and name it; the
    /// client leaves it out and every request still signs.
    @Test func aWithholdingSignerIsRoutedAround() {
        let report = run(seed: 42, behaviours: [3: ByzantineBehaviour(name: "withhold-presign")!])
        #expect(report.metric("ecdsa.success_rate") == .number(1))
        #expect((report.metric("ecdsa.retries")?.numeric ?? 0) >= 1)
        let failures = report.requests.flatMap(\.attemptLog).compactMap { if case let .failed(failure)? = $0.outcome { failure } else { nil } }
        #expect(!failures.isEmpty && failures.allSatisfy { $0.code == .refused && $0.reasons.allSatisfy { $0 == "presign-timeout" } })
        #expect(report.metric("safety.violations") == .integer(0))
    }

    /// A signer that sends a wrong share: with no per-share check (Lit's client) nobody can be
    /// named, the same signers are asked again, and every request whose cheapest set holds the
    /// liar fails after its retries — what the missing check costs, measured.
    @Test func aBadShareCannotBeNamedAndItsRequestsFail() {
        let report = run(seed: 2, behaviours: [3: ByzantineBehaviour(name: "ecdsa-bad-signature-share")!])
        let failed = report.requests.filter { $0.outcome == .failed }
        #expect(!failed.isEmpty && failed.allSatisfy { $0.signers.contains(3) && $0.failure?.code == .invalidSignature })
        #expect(report.requests.filter { $0.outcome == .success }.allSatisfy { !$0.signers.contains(3) })
        #expect(report.accused.isEmpty && report.metric("safety.violations") == .integer(0))
    }

    /// §1.10 in a run: one compromised node (honest, its state read) that presigns one ECDSA
    /// signature gives the adversary that signature's nonce k', hence the PKP key — the ledger
    /// computes the key from the public signature and checks it. Compromised only before any
    /// request, it exposes nothing; FROST signing with it exposes nothing.
    @Test func oneCompromisedPresignerExposesThePKPKey() throws {
        var always = ByzantineBehaviour.compromised
        always.window = TimeWindow(at: .zero, for: .seconds(600))
        let exposed = run(seed: 43, behaviours: [3: always])
        let key = try #require(try exposed.agreedResult?.groupPublicKey.compressed()).hexString
        #expect(exposed.exposedECDSAKeys == [key], "the PKP key (one root: the network key) is computed")
        #expect(exposed.metric("safety.key_exposed") == .integer(1) && exposed.metric("safety.violations") == .integer(0))
        var early = ByzantineBehaviour.compromised
        early.window = TimeWindow(at: .zero, for: .milliseconds(50))
        let before = run(seed: 43, behaviours: [3: early])
        #expect(before.exposedECDSAKeys.isEmpty && before.metric("safety.key_exposed") == .integer(0))
        let frost = runNetwork(NetworkSpecification(nodes: 10, seed: 43, behaviours: [3: always], clients: ClientSpecification(count: 2),
                                                    workload: WorkloadSpecification(count: 30)))
        #expect(frost.exposedECDSAKeys.isEmpty && frost.metric("safety.key_exposed") == .integer(0), "FROST keeps nonces secret")
    }

    /// Deletion is what protects past signatures: breached only after every request, a node
    /// that deleted its presignatures exposes nothing, one that kept them (`keep-presignatures`)
    /// hands over the nonces of all it presigned — with a pool as without.
    @Test(arguments: [PresignPool.disabled, PresignPool(min: 1, max: 2, concurrency: 1)])
    func aLateBreachExposesOnlyWhatANodeKept(pool: PresignPool) {
        // From just after the last request ended (the run goes on a little: timers, refills).
        let honest = run(seed: 45, pool: pool)
        let lastEnd = honest.requests.compactMap(\.end).max() ?? .zero
        #expect(lastEnd < honest.endTime, "the run outlasts its last request")
        let late = TimeWindow(start: SimInstant(nanoseconds: lastEnd.nanoseconds + 1), end: SimInstant(nanoseconds: Int64.max / 2))
        var deleted = ByzantineBehaviour.compromised
        deleted.window = late
        var kept = ByzantineBehaviour.keepsPresignatures
        kept.window = late
        let breached = run(seed: 45, behaviours: [3: deleted], pool: pool)
        #expect(breached.metric("ecdsa.success_rate") == .number(1))
        #expect(breached.metric("safety.key_exposed") == .integer(0), "it deleted every presignature before the breach")
        let keeping = run(seed: 45, behaviours: [3: kept], pool: pool)
        #expect(keeping.signatures.count == 30 && keeping.metric("safety.violations") == .integer(0))
        #expect(keeping.metric("safety.key_exposed") == .integer(1) && keeping.exposedECDSAKeys.count == 1)
    }
}
