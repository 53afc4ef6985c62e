import Simulation
import Testing
import ThresholdCrypto
@testable import Protocols

/// A node's behaviour in DKG unit tests: honest, silent, or one of the DKG's adversaries (one
/// type, so one harness can host them all).
enum DKGTestBehaviour: Adversary {
    typealias Service = DKGParticipant
    case honest
    case silent
    case byzantine(DKGAdversary)

    func accepts(_ message: DKGMessage, from sender: EndpointID) -> Bool {
        if case .silent = self { return false }
        return true
    }

    mutating func rewrite(_ effects: [Effect], _ context: ServiceContext) -> [Effect] {
        switch self {
        case .honest: return effects
        case .silent: return []
        case var .byzantine(adversary):
            let rewritten = adversary.rewrite(effects, context)
            self = .byzantine(adversary)
            return rewritten
        }
    }

    var actedProvably: Bool {
        if case let .byzantine(adversary) = self { return adversary.actedProvably }
        return false
    }
}

/// DKG nodes on the embedded harness (FIFO delivery, timers when the queue is empty).
struct LocalDKG {
    var harness: ServiceHarness<Adversarial<DKGTestBehaviour>>
    let behaviours: [Int: DKGTestBehaviour]
    let configuration: DKGConfiguration

    init(participants n: Int, threshold t: Int, behaviours: [Int: DKGAdversary.Behaviour] = [:], silent: Set<Int> = [],
         down: Set<Int> = [], seed: UInt64) {
        print("LocalDKG n=\(n) t=\(t) seed \(seed)")
        var identityRNG = SplitMix64(seed: seed ^ 0xABCDEF)
        let secrets = (0..<n).map { _ in Scalar.randomNonZero(using: &identityRNG) }
        let contexts = ServiceHarness<Adversarial<DKGTestBehaviour>>.contexts(
            count: n, identitySecret: { secrets[$0.value] },
            random: { node in
                var stream = SplitMix64(seed: seed &+ UInt64(node.value) &* 0x9E37_79B9)
                return ServiceRandom { stream.next() }
            })
        let roster = Roster.genesis(count: n)
        let configuration = DKGConfiguration(session: DKGConfiguration.genesisSession(roster: roster), roster: roster, threshold: t,
                                             directory: contexts[0].directory, roundTimeout: .seconds(30))
        var all = [Int: DKGTestBehaviour]()
        for (node, behaviour) in behaviours { all[node] = .byzantine(DKGAdversary(behaviour, configuration: configuration)) }
        for node in silent { all[node] = .silent }
        self.behaviours = all
        self.configuration = configuration
        harness = ServiceHarness(contexts: contexts) { node in
            Adversarial(DKGParticipant(configuration: configuration, me: node), adversary: all[node.value] ?? .honest)
        }
        harness.down = Set(down.map { NodeID($0) })
    }

    mutating func run() {
        harness.start()
        harness.run()
    }

    var identities: [NodeIdentity] { (0..<configuration.participants).map { harness.contexts[NodeID($0)]!.identity } }
    var honest: [Int] { (0..<configuration.participants).filter { !harness.down.contains(NodeID($0)) && behaviours[$0] == nil } }
    var meter: CostMeter {
        let total = CostMeter()
        for context in harness.contexts.values { total.add(counts: context.meter.snapshot) }
        return total
    }

    func result(_ node: Int) -> DKGResult? {
        for output in harness.outputs(of: NodeID(node)) { if case let .finished(result) = output { return result } }
        return nil
    }

    func failure(_ node: Int) -> DKGFailure? {
        for output in harness.outputs(of: NodeID(node)) { if case let .failed(failure) = output { return failure } }
        return nil
    }

    var results: [DKGResult?] { (0..<configuration.participants).map(result) }
}

@Suite struct DKGTests {
    @Test func honestRunAgreesAndAnyThresholdOfSharesReconstructs() throws {
        var dkg = LocalDKG(participants: 7, threshold: 4, seed: 1)
        dkg.run()
        let results = dkg.results.compactMap { $0 }
        #expect(results.count == 7)
        let key = results[0].groupPublicKey
        #expect(results.allSatisfy { $0.groupPublicKey == key && $0.qualified == (0..<7).map { NodeID($0) } && $0.shareIsConsistent })
        #expect(results.allSatisfy { $0.accused.isEmpty && $0.unresponsive.isEmpty })
        let meter = CostMeter()
        for (node, result) in results.enumerated() {
            #expect(result.verificationShare(of: NodeID(node), meter: meter) == Point.base(result.secretShare, meter: meter))
        }
        #expect(dkg.harness.contexts[NodeID(3)]!.keys.current()?.groupKey == key, "the finished DKG installed the key")
        var rng = SplitMix64(seed: 77)
        let shares = results.enumerated().map { SecretShare(identifier: Scalar(UInt64($0.offset + 1)), value: $0.element.secretShare) }
        for _ in 0..<5 {
            let subset = Array(shares.shuffled(using: &rng).prefix(4))
            #expect(Point.base(try Shamir.reconstruct(subset, meter: meter), meter: meter) == key)
            #expect(Point.base(try Shamir.reconstruct(Array(subset.prefix(3)), meter: meter), meter: meter) != key)
        }
    }

    @Test func honestMessageAndByteCountsMatchTheFormula() {
        let n = 10, t = 6
        var dkg = LocalDKG(participants: n, threshold: t, seed: 2)
        dkg.run()
        #expect(dkg.harness.messages == 4 * n * (n - 1))  // commitments, shares, complaints, agreement
        // Each message: protocol tag, kind, session, sender, body, signature.
        let envelope = 1 + 1 + SessionID.wireSize + WireSize.node + WireSize.signature
        let perNode = (envelope + 2 + WireSize.point * t + SchnorrProof.encodedSize)
            + (envelope + WireSize.node + WireSize.scalar)
            + (envelope + 2 + 2 + n * SignedStatement.wireSize)
            + (envelope + WireSize.digest)
        #expect(dkg.harness.bytes == n * (n - 1) * perNode)
    }

    @Test func honestPerNodeVerificationCostsThresholdMultiplications() {
        // Each node: n − 1 proofs (1 point multiplication each), n − 1 signature checks in each
        // of rounds 1–3 and t − 1 in round 5 (it stops once a threshold agree), the batched
        // share check (t − 1) and its own verification share (t − 1).
        let n = 10, t = 6
        var dkg = LocalDKG(participants: n, threshold: t, seed: 3)
        dkg.run()
        let perNode = dkg.meter[CryptoOperation.pointMultiply] / n
        #expect(perNode == (n - 1) + 3 * (n - 1) + (t - 1) + 2 * (t - 1))
    }

    func expectAccused(_ dkg: LocalDKG, culprit: Int, code: String, excluded: Bool = true) {
        let results = dkg.honest.compactMap { dkg.results[$0] }
        #expect(results.count == dkg.honest.count, "every honest node finishes")
        #expect(!results.isEmpty)
        let key = results.first?.groupPublicKey
        #expect(results.allSatisfy { $0.groupPublicKey == key && $0.qualified == results[0].qualified })
        #expect(results.allSatisfy { $0.accused.map(\.node) == [NodeID(culprit)] && $0.accused.map(\.code) == ["dkg/" + code] },
                "\(results.map(\.accused))")
        // The evidence re-checks for a third party, from what it carries alone.
        let directory = dkg.configuration.directory
        #expect(results.allSatisfy { $0.accused.allSatisfy { $0.evidence.verify(directory, meter: CostMeter()) } })
        #expect(results.allSatisfy { $0.qualified.contains(NodeID(culprit)) == !excluded })
        #expect(results.allSatisfy { Set(dkg.honest.map { NodeID($0) }).isSubset(of: $0.qualified) }, "no honest dealer excluded")
    }

    @Test func badShareIsProvenAndItsDealerExcluded() {
        var dkg = LocalDKG(participants: 7, threshold: 4, behaviours: [2: .badShare(targets: [0, 1])], seed: 4)
        dkg.run()
        expectAccused(dkg, culprit: 2, code: "invalid-share")
    }

    @Test func badProofIsProvenAndItsDealerExcluded() {
        var dkg = LocalDKG(participants: 7, threshold: 4, behaviours: [5: .badProof], seed: 5)
        dkg.run()
        expectAccused(dkg, culprit: 5, code: "invalid-proof")
    }

    @Test func thresholdRaisingIsRejected() {
        var dkg = LocalDKG(participants: 7, threshold: 4, behaviours: [3: .extraCommitments], seed: 6)
        dkg.run()
        expectAccused(dkg, culprit: 3, code: "wrong-commitment-length")
    }

    @Test func equivocationIsProvenThroughEchoes() {
        var dkg = LocalDKG(participants: 8, threshold: 5, behaviours: [1: .equivocate], seed: 7)
        dkg.run()
        expectAccused(dkg, culprit: 1, code: "equivocation")
    }

    @Test func falseComplaintsAreAnsweredAndExcludeNobody() {
        var dkg = LocalDKG(participants: 7, threshold: 4, behaviours: [6: .falseComplaint(targets: [0, 1])], seed: 8)
        dkg.run()
        let results = dkg.honest.compactMap { dkg.results[$0] }
        #expect(results.count == 6)
        #expect(results.allSatisfy { $0.qualified == (0..<7).map { NodeID($0) } && $0.accused.isEmpty })
        #expect(dkg.harness.services[NodeID(0)]!.service.justifications[0] != nil, "dealer 0 justified")
    }

    @Test func withheldSharesExcludeTheDealerWithoutAccusingIt() {
        var dkg = LocalDKG(participants: 7, threshold: 4, behaviours: [4: .withholdShare(targets: [0])], seed: 9)
        dkg.run()
        let results = dkg.honest.compactMap { dkg.results[$0] }
        #expect(results.count == 6)
        #expect(results.allSatisfy { !$0.qualified.contains(NodeID(4)) && $0.accused.isEmpty })
        #expect(results.allSatisfy { Set(dkg.honest.map { NodeID($0) }).isSubset(of: $0.qualified) })
    }

    @Test func silentNodeIsExcludedAsUnresponsive() {
        var dkg = LocalDKG(participants: 7, threshold: 4, silent: [0], seed: 10)
        dkg.run()
        let results = dkg.honest.compactMap { dkg.results[$0] }
        #expect(results.count == 6)
        #expect(results.allSatisfy { $0.qualified == (1..<7).map { NodeID($0) } && $0.accused.isEmpty && $0.unresponsive == [NodeID(0)] })
    }

    @Test func toleratesUpToNMinusThresholdCrashedNodes() {
        var dkg = LocalDKG(participants: 10, threshold: 6, down: [1, 4, 7, 9], seed: 11)
        dkg.run()
        let results = dkg.honest.compactMap { dkg.results[$0] }
        #expect(results.count == 6)
        #expect(Set(results.map(\.groupPublicKey)).count == 1)
    }

    @Test func failsSafelyWithOneCrashMoreThanThatMargin() {
        var dkg = LocalDKG(participants: 10, threshold: 6, down: [1, 4, 7, 8, 9], seed: 12)
        dkg.run()
        #expect(dkg.results.allSatisfy { $0 == nil }, "no node finishes with a key")
        #expect(!dkg.honest.isEmpty && dkg.honest.allSatisfy { dkg.failure($0) == .tooFewQualified(5) })
    }

    @Test func mixedByzantineSetUpToTheMarginStillAgrees() {
        var dkg = LocalDKG(participants: 10, threshold: 6,
                           behaviours: [0: .badShare(targets: []), 3: .equivocate, 5: .badProof], silent: [8], seed: 13)
        dkg.run()
        let results = dkg.honest.compactMap { dkg.results[$0] }
        #expect(results.count == 6)
        #expect(Set(results.map(\.groupPublicKey)).count == 1)
        #expect(results.allSatisfy { $0.qualified == dkg.honest.map { NodeID($0) } })
        #expect(results.allSatisfy { Set($0.accused.map(\.node)) == [NodeID(0), NodeID(3), NodeID(5)] })
    }

    @Test func dropsMalformedMessagesWithANote() {
        var dkg = LocalDKG(participants: 4, threshold: 3, seed: 14)
        dkg.harness.start()
        // Node 1's round-1 broadcast, as queued for node 0.
        guard let envelope = dkg.harness.queue.first(where: { $0.from == .node(NodeID(1)) && $0.to == .node(NodeID(0)) }),
              case let .commitments(package) = envelope.message else {
            Issue.record("node 1 did not broadcast commitments")
            return
        }
        let otherSession = SessionID(protocolName: dkgProtocol, epoch: .genesis, initiator: .node(NodeID(0)), counter: 1)
        let wrongSession = DKGCommitments(session: otherSession, sender: NodeID(1), commitment: package.commitment, proof: package.proof,
                                          signature: package.signature)
        var badSignature = package
        badSignature.signature[5] ^= 1
        let message = DKGMessage.commitments(package)
        let cases: [(DKGMessage, EndpointID)] = [
            (.commitments(wrongSession), .node(NodeID(1))), (.commitments(badSignature), .node(NodeID(1))), (message, .node(NodeID(2))),
            (message, .node(NodeID(0))), (message, .node(NodeID(99))), (message, .client(ClientID(1))),
            (.share(DKGShare(session: package.session, sender: NodeID(1), receiver: NodeID(3), share: .one)), .node(NodeID(1))),
        ]
        let context = dkg.harness.contexts[NodeID(0)]!
        for (message, sender) in cases {
            var node = dkg.harness.services[NodeID(0)]!
            let effects = node.receive(message, from: sender, context)
            #expect(effects.count == 1)
            guard case .note = effects.first else {
                Issue.record("expected a note for a malformed message from \(sender)")
                continue
            }
        }
    }
}

@Suite struct DKGCollusionTests {
    /// Two colluding dealers send node 0 shares whose errors cancel, so node 0's aggregated
    /// check passes; then one of them is disqualified for something else. Node 0's kept share
    /// is wrong, and the final check must say so rather than pass it off as good.
    @Test func cancellingErrorsAreCaughtByTheFinalConsistencyCheck() {
        var dkg = LocalDKG(participants: 7, threshold: 4, seed: 21)
        let delta = Scalar(12345)
        let meter = CostMeter()
        let identities = dkg.identities
        dkg.harness.inFlight = { envelope in
            guard case let .share(share) = envelope.message, let from = envelope.from.node?.value, let to = envelope.to.node?.value else {
                return envelope
            }
            var changed = envelope
            if to == 0, from == 5 || from == 6 {
                // Dealer 5 adds delta, dealer 6 subtracts it: the sum node 0 checks is unchanged.
                let altered = DKGShare(session: share.session, sender: share.sender, receiver: NodeID(0),
                                       share: from == 5 ? share.share + delta : share.share - delta)
                changed.message = .share(altered.signed(by: identities[from], meter: meter))
            }
            if to == 1, from == 6 {
                // Dealer 6 also sends node 1 a plainly bad share, so it gets disqualified.
                changed.message = .share(DKGShare(session: share.session, sender: NodeID(6), receiver: NodeID(1), share: share.share + .one)
                    .signed(by: identities[6], meter: meter))
            }
            return changed
        }
        dkg.run()
        let result = dkg.result(0)
        #expect(result != nil)
        #expect(result?.qualified.contains(NodeID(6)) == false, "dealer 6 was disqualified")
        #expect(result?.qualified.contains(NodeID(5)) == true, "dealer 5 stayed")
        #expect(result?.shareIsConsistent == false, "node 0 knows its share is wrong")
        #expect(dkg.harness.contexts[NodeID(0)]!.keys.current() == nil, "and keeps no share to sign with")
        #expect(dkg.harness.notes.contains { $0.hasPrefix("0: dkg: kept shares from [5]") },
                "and names the dealer: \(dkg.harness.notes.filter { $0.hasPrefix("0:") })")
        #expect(dkg.result(2)?.shareIsConsistent == true)
    }
}
