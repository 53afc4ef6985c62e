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

    mutating func intercept(_ message: DKGMessage, from sender: EndpointID) -> Bool {
        switch self {
        case .honest: return true
        case .silent: return false
        case var .byzantine(adversary):
            let passes = adversary.intercept(message, from: sender)
            self = .byzantine(adversary)
            return passes
        }
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

/// DKG nodes on the embedded harness (FIFO delivery, timers when the queue is empty). Genesis
/// over nodes 0..<participants, or a transition (`after`: the DKG whose key it carries over)
/// over `members`, on the same nodes' contexts (their key stores hold the old shares).
struct LocalDKG {
    var harness: ServiceHarness<Adversarial<DKGTestBehaviour>>
    let behaviours: [Int: DKGTestBehaviour]
    let configuration: DKGConfiguration
    /// Rosters and thresholds of this DKG and the ones before it (for third-party checks).
    let history: [(Roster, Int, VSSCommitment?)]
    /// Every node's context, members or not (a later transition may bring them in).
    let pool: [NodeID: ServiceContext]
    /// Each transition's lock by session, as a third party learns them from the chain.
    var transitions: [SessionID: EpochLock] = [:]

    init(participants n: Int, threshold t: Int, behaviours: [Int: DKGAdversary.Behaviour] = [:], silent: Set<Int> = [],
         down: Set<Int> = [], agreement: DKGAgreementRule = .quorum, seed: UInt64) {
        print("LocalDKG n=\(n) t=\(t) \(agreement) seed \(seed)")
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
                                             directory: contexts[0].directory, roundTimeout: .seconds(30), agreement: agreement)
        self.init(configuration: configuration, contexts: contexts, behaviours: behaviours, silent: silent, down: down, history: [],
                  pool: Dictionary(uniqueKeysWithValues: contexts.map { ($0.me, $0) }))
    }

    /// The transition after `previous` (which has run) to `members` with threshold `t`.
    init(after previous: LocalDKG, members: [Int], threshold t: Int, behaviours: [Int: DKGAdversary.Behaviour] = [:], silent: Set<Int> = [],
         down: Set<Int> = []) {
        let old = previous.configuration
        let roster = old.roster.next(epoch: Epoch(old.roster.epoch.value + 1), members: members.map { NodeID($0) })
        print("LocalDKG transition \(old.roster.members.map(\.value)) → \(members) t=\(t)")
        let commitment: VSSCommitment = previous.honestResults.first!.groupCommitment
        let dealing = DKGDealing(previous: Optional(commitment), previousRoster: Optional(old.roster), roster: roster)
        let session = SessionID(protocolName: dkgProtocol, epoch: roster.epoch, initiator: .node(roster.members[0]), counter: 0)
        let configuration = DKGConfiguration(session: session, roster: roster, threshold: t, directory: old.directory,
                                             roundTimeout: .seconds(30), agreement: old.agreement, dealing: dealing)
        let contexts = members.map { previous.pool[NodeID($0)]! }
        self.init(configuration: configuration, contexts: contexts, behaviours: behaviours, silent: silent, down: down,
                  history: previous.history + [(old.roster, old.threshold, commitment)], pool: previous.pool)
        transitions = previous.transitions
        transitions[session] = EpochLock(next: roster, threshold: t, attempt: 0, previous: old.roster, previousCommitment: commitment)
    }

    init(configuration: DKGConfiguration, contexts: [ServiceContext], behaviours: [Int: DKGAdversary.Behaviour], silent: Set<Int>,
         down: Set<Int>, history: [(Roster, Int, VSSCommitment?)], pool: [NodeID: ServiceContext]) {
        self.pool = pool
        var all = [Int: DKGTestBehaviour]()
        for (node, behaviour) in behaviours { all[node] = .byzantine(DKGAdversary(behaviour, configuration: configuration)) }
        for node in silent { all[node] = .silent }
        self.behaviours = all
        self.configuration = configuration
        self.history = history
        harness = ServiceHarness(contexts: contexts) { node in
            Adversarial(DKGParticipant(configuration: configuration, me: node), adversary: all[node.value] ?? .honest)
        }
        harness.down = Set(down.map { NodeID($0) })
    }

    mutating func run() {
        harness.start()
        harness.run()
    }

    var members: [Int] { configuration.roster.members.map(\.value) }
    var identities: [NodeIdentity] { members.map { harness.contexts[NodeID($0)]!.identity } }
    var honest: [Int] { members.filter { !harness.down.contains(NodeID($0)) && behaviours[$0] == nil } }
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

    var results: [DKGResult?] { members.map(result) }

    /// Every honest, live node's result (all of them must exist for the test to mean much).
    var honestResults: [DKGResult] { honest.compactMap(result) }

    /// Whom honest nodes accused, and for what (by every honest node, finished or not).
    var accusedByHonest: [NodeID: Set<String>] {
        var accused = [NodeID: Set<String>]()
        for (by, accusation) in harness.accusations where honest.contains(by.value) { accused[accusation.node, default: []].insert(accusation.code) }
        return accused
    }

    /// What a third party knows: the keys, the rosters and thresholds, and earlier epochs'
    /// group commitments (a transition's dealing is checked against them).
    var parameters: PublicParameters {
        var rosters = [configuration.roster.epoch: (configuration.roster, configuration.threshold)]
        var commitments = [Epoch: VSSCommitment]()
        for (roster, threshold, commitment) in history {
            rosters[roster.epoch] = (roster, threshold)
            commitments[roster.epoch] = commitment
        }
        return PublicParameters(directory: configuration.directory, rosters: rosters, groupCommitments: commitments, transitions: transitions)
    }

    /// Every accusation an honest node made re-checks for a third party against the public
    /// parameters (tests that expect accusations check who was accused separately).
    var everyAccusationReChecks: Bool {
        harness.accusations.filter { honest.contains($0.by.value) }.allSatisfy { $0.accusation.evidence.verify(parameters, meter: CostMeter()) }
    }
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
        // Commitments, echo digests, shares, complaints, agreement, vote summaries: no echo list,
        // no signed vote travels when every node saw the same; no round 5 without complaints.
        #expect(dkg.harness.messages == 6 * n * (n - 1))
        let kinds = Set(dkg.harness.queue.map(\.message.kind))
        #expect(kinds == [.commitments, .echoDigest, .share, .complaints, .agreement, .voteSummary])
        // Each message: protocol tag, kind, session, sender, body, signature. Nothing grows
        // with n but the two bit sets (⌈n/8⌉ bytes): O(n²) messages of O(n) bits.
        let envelope = 1 + 1 + SessionID.wireSize + WireSize.node + WireSize.signature
        let bitSet = 2 + (n + 7) / 8
        let perNode = (envelope + 2 + WireSize.point * t + SchnorrProof.encodedSize)
            + (envelope + WireSize.digest + bitSet)
            + (envelope + WireSize.node + WireSize.digest + WireSize.scalar)
            + (envelope + 2)
            + (envelope + WireSize.digest)
            + (envelope + WireSize.digest + bitSet)
        #expect(dkg.harness.bytes == n * (n - 1) * perNode)
    }

    @Test func honestPerNodeWorkIsLinearInSignaturesAndThresholdInMultiplications() {
        // Each node: n − 1 proofs (1 point multiplication each), n − 1 signature checks in each
        // of the six broadcast rounds, the batched share check (t − 1) and its own verification
        // share (t − 1). Votes inside certificates are the ones already held: no second check.
        let n = 10, t = 6
        var dkg = LocalDKG(participants: n, threshold: t, seed: 3)
        dkg.run()
        let perNode = dkg.meter[CryptoOperation.pointMultiply] / n
        #expect(perNode == (n - 1) + 6 * (n - 1) + 2 * (t - 1))
    }

    func expectAccused(_ dkg: LocalDKG, culprit: Int, code: String, excluded: Bool = true) {
        let results = dkg.honestResults
        #expect(results.count == dkg.honest.count, "every honest node finishes")
        #expect(!results.isEmpty)
        let key = results.first?.groupPublicKey
        #expect(results.allSatisfy { $0.groupPublicKey == key && $0.qualified == results[0].qualified })
        #expect(dkg.accusedByHonest == [NodeID(culprit): ["dkg/" + code]], "\(dkg.accusedByHonest)")
        #expect(dkg.everyAccusationReChecks)
        #expect(results.allSatisfy { $0.qualified.contains(NodeID(culprit)) == !excluded })
        #expect(results.allSatisfy { Set(dkg.honest.map { NodeID($0) }).isSubset(of: $0.qualified) }, "no honest dealer excluded")
        #expect(results.allSatisfy { $0.shareIsConsistent })
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

    @Test func equivocationIsProvenThroughEchoesBeforeAnyShare() {
        var dkg = LocalDKG(participants: 8, threshold: 5, behaviours: [1: .equivocate], seed: 7)
        dkg.run()
        expectAccused(dkg, culprit: 1, code: "equivocation")
    }

    @Test func falseComplaintsAreAnsweredAndExcludeNobody() {
        var dkg = LocalDKG(participants: 7, threshold: 4, behaviours: [6: .falseComplaint(targets: [0, 1])], seed: 8)
        dkg.run()
        let results = dkg.honestResults
        #expect(results.count == 6)
        #expect(results.allSatisfy { $0.qualified == (0..<7).map { NodeID($0) } && $0.accused.isEmpty })
        #expect(dkg.harness.services[NodeID(0)]!.service.justifications[0]?.shares.count == 1, "dealer 0 justified")
    }

    @Test func withheldSharesExcludeTheDealerWithoutAccusingIt() {
        var dkg = LocalDKG(participants: 7, threshold: 4, behaviours: [4: .withholdShare(targets: [0])], seed: 9)
        dkg.run()
        let results = dkg.honestResults
        #expect(results.count == 6)
        #expect(results.allSatisfy { !$0.qualified.contains(NodeID(4)) && $0.accused.isEmpty })
        #expect(results.allSatisfy { Set(dkg.honest.map { NodeID($0) }).isSubset(of: $0.qualified) })
    }

    @Test func silentNodeIsExcludedAsUnresponsive() {
        var dkg = LocalDKG(participants: 7, threshold: 4, silent: [0], seed: 10)
        dkg.run()
        let results = dkg.honestResults
        #expect(results.count == 6)
        #expect(results.allSatisfy { $0.qualified == (1..<7).map { NodeID($0) } && $0.accused.isEmpty && $0.unresponsive == [NodeID(0)] })
    }

    /// The quorum rule tolerates n − quorum silent nodes (3 of 10); the unsafe threshold rule
    /// tolerated n − threshold (4 of 10), and the all rule none.
    @Test func crashToleranceFollowsTheAgreementRule() {
        for (rule, down, completes) in [(DKGAgreementRule.quorum, Set([1, 4, 7]), true), (.quorum, [1, 4, 7, 9], false),
                                         (.threshold, [1, 4, 7, 9], true), (.all, [], true), (.all, [9], false)] {
            var dkg = LocalDKG(participants: 10, threshold: 6, down: down, agreement: rule, seed: 11)
            dkg.run()
            let results = dkg.honestResults
            if completes {
                #expect(results.count == 10 - down.count, "\(rule) with \(down.count) down")
                #expect(Set(results.map(\.groupPublicKey)).count == 1)
            } else {
                #expect(results.isEmpty, "\(rule) with \(down.count) down: no node finishes with a key")
                #expect(dkg.honest.allSatisfy { dkg.failure($0) != nil }, "\(rule): every live node fails")
            }
        }
    }

    @Test func mixedByzantineSetUpToFStillAgrees() {
        var dkg = LocalDKG(participants: 10, threshold: 6, behaviours: [0: .badShare(targets: []), 3: .equivocate], silent: [8], seed: 13)
        dkg.run()
        let results = dkg.honestResults
        #expect(results.count == 7)
        #expect(Set(results.map(\.groupPublicKey)).count == 1)
        #expect(results.allSatisfy { $0.qualified == dkg.honest.map { NodeID($0) } })
        #expect(Set(dkg.accusedByHonest.keys) == [NodeID(0), NodeID(3)])
        #expect(dkg.everyAccusationReChecks)
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
        let hash = [UInt8](repeating: 0, count: 32)
        let flood = DKGComplaints(session: package.session, sender: NodeID(1),
                                  complaints: Array(repeating: .missingShare(dealer: NodeID(2)), count: 5)).signed(by: dkg.identities[1], meter: CostMeter())
        let cases: [(DKGMessage, EndpointID)] = [
            (.commitments(wrongSession), .node(NodeID(1))), (.commitments(badSignature), .node(NodeID(1))),
            (.complaints(flood), .node(NodeID(1))), (.commitments(package), .node(NodeID(0))),
            (.commitments(package), .node(NodeID(99))), (.commitments(package), .client(ClientID(1))),
            (.share(DKGShare(session: package.session, sender: NodeID(1), receiver: NodeID(3), commitmentHash: hash, share: .one)), .node(NodeID(1))),
            (.share(DKGShare(session: package.session, sender: NodeID(2), receiver: NodeID(0), commitmentHash: hash, share: .one)), .node(NodeID(1))),
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

/// The attacks of the safety review, each as an adversary: no honest node is ever accused,
/// honest nodes never finish with different keys, the culprits are accused where provable.
@Suite struct DKGAttackTests {
    @Test func forgedEchoesFrameNobodyAndConvictTheForger() {
        // The review's echo forgery: a share's signature offered as a round-1 broadcast.
        var dkg = LocalDKG(participants: 7, threshold: 4, behaviours: [6: .forgeEcho], seed: 30)
        dkg.run()
        let results = dkg.honestResults
        #expect(results.count == 6)
        #expect(Set(results.map(\.groupPublicKey)).count == 1)
        #expect(dkg.accusedByHonest == [NodeID(6): ["dkg/forged-echo"]], "\(dkg.accusedByHonest)")
        #expect(dkg.everyAccusationReChecks)
        #expect(results.allSatisfy { Set(dkg.honest.map { NodeID($0) }).isSubset(of: $0.qualified) }, "no honest dealer excluded")
    }

    /// A round-1 broadcast to a few honest nodes only: the others see it echoed while they
    /// still wait for round 1, fetch it, and every honest node deals with the same dealers.
    @Test func aSplitBroadcastIsFetchedByEveryone() {
        for targets in [[0], [0, 1, 2, 3], [0, 1, 2, 3, 4, 5]] {
            var dkg = LocalDKG(participants: 10, threshold: 6, behaviours: [9: .splitBroadcast(targets: targets.map { NodeID($0) })], seed: 31)
            dkg.run()
            let results = dkg.honestResults
            #expect(results.count == 9, "targets \(targets)")
            #expect(Set(results.map(\.groupPublicKey)).count == 1)
            #expect(results.allSatisfy { $0.qualified.contains(NodeID(9)) }, "targets \(targets)")
            #expect(dkg.harness.queue.contains { $0.message.kind == .fetch })
            #expect(dkg.accusedByHonest.isEmpty)
        }
    }

    /// The split-key attack of the review: one node broadcasts round 1 to four honest nodes
    /// only, and both Byzantine nodes vote every digest they see back to its voters. With the
    /// unsafe threshold rule the two halves finish with different keys; with quorum the split
    /// broadcast is left out by everyone and every honest node finishes with one key.
    @Test func splitKeyAttackSplitsOnlyTheThresholdRule() {
        for rule in [DKGAgreementRule.threshold, .quorum] {
            var dkg = LocalDKG(participants: 10, threshold: 6,
                               behaviours: [8: .splitKey(targets: [0, 1, 2, 3]), 9: .doubleVote], agreement: rule, seed: 32)
            dkg.run()
            let keys = Set(dkg.honestResults.map(\.groupPublicKey))
            if rule == .threshold {
                #expect(keys.count == 2, "the reproduction still splits the key")
            } else {
                #expect(keys.count == 1 && dkg.honestResults.count == 8, "one key for every honest node")
            }
            // Double votes meet when a vote summary lists a voter whose other vote a node holds; only Byzantine nodes are accused.
            #expect(Set(dkg.accusedByHonest.keys).isSubset(of: [NodeID(8), NodeID(9)]), "\(rule): \(dkg.accusedByHonest)")
            if rule == .threshold {
                #expect(dkg.accusedByHonest.values.contains { $0.contains("dkg/double-vote") }, "the double votes are proven")
                // Summaries list the voters; the conflicting signed votes travel only when asked for.
                #expect(dkg.harness.queue.contains { $0.message.kind == .voteRequest } && dkg.harness.queue.contains { $0.message.kind == .certificate })
            }
            #expect(dkg.everyAccusationReChecks)
        }
    }

    /// Cancelling shares (H1): the colluders' errors cancel in every honest node's aggregated
    /// check; one colluder claims the other sent nothing and the other never justifies. Every
    /// honest node checks its kept shares one by one in round 5 and publishes the bad ones:
    /// both colluders are dropped and proven, every honest share is consistent.
    @Test func cancellingSharesAreCaughtAndBothColludersConvicted() {
        let colluders = [NodeID(8), NodeID(9)]
        var dkg = LocalDKG(participants: 10, threshold: 6,
                           behaviours: [8: .cancellingShares(colluders: colluders, targets: []), 9: .cancellingShares(colluders: colluders, targets: [])],
                           seed: 34)
        dkg.run()
        let results = dkg.honestResults
        #expect(results.count == 8)
        #expect(Set(results.map(\.groupPublicKey)).count == 1)
        #expect(results.allSatisfy { $0.shareIsConsistent }, "no honest share is left wrong")
        #expect(results.allSatisfy { !$0.qualified.contains(NodeID(8)) && !$0.qualified.contains(NodeID(9)) })
        #expect(Set(dkg.accusedByHonest.keys) == Set(colluders), "\(dkg.accusedByHonest)")
        #expect(dkg.everyAccusationReChecks)
    }

    /// Framing a complainer: the dealer equivocates and sends its targets shares of the other
    /// broadcast. Judges holding the other broadcast would once have found the share fine and
    /// convicted the target; now the echo round convicts the dealer before any share.
    @Test func anEquivocatingDealerCannotFrameItsComplainers() {
        var dkg = LocalDKG(participants: 10, threshold: 6, behaviours: [9: .equivocateComplaint(targets: [0, 1])], seed: 35)
        dkg.run()
        #expect(dkg.honestResults.count == 9)
        #expect(dkg.accusedByHonest == [NodeID(9): ["dkg/equivocation"]], "\(dkg.accusedByHonest)")
        #expect(dkg.everyAccusationReChecks)
    }

    /// A complaint about an inconsistent share carries the dealer's header the complainer
    /// holds, so even a judge that holds the other broadcast convicts the dealer.
    @Test func anInconsistentShareConvictsTheDealerWhateverTheJudgeHolds() {
        // With the threshold rule (no echo quorum), echoes between the halves lost: nobody sees
        // both broadcasts before the shares.
        var dkg = LocalDKG(participants: 10, threshold: 6, behaviours: [9: .equivocateComplaint(targets: [0, 1])], agreement: .threshold,
                           seed: 36)
        dkg.harness.inFlight = { envelope in
            if case .echoes = envelope.message, let from = envelope.from.node?.value, let to = envelope.to.node?.value, (from < 5) != (to < 5) {
                return nil
            }
            return envelope
        }
        dkg.run()
        #expect(dkg.accusedByHonest[NodeID(0)] == nil && dkg.accusedByHonest[NodeID(1)] == nil, "\(dkg.accusedByHonest)")
        #expect(dkg.accusedByHonest[NodeID(9)]?.contains("dkg/inconsistent-share") == true, "\(dkg.accusedByHonest)")
        #expect(dkg.everyAccusationReChecks)
        #expect(Set(dkg.honestResults.map(\.groupPublicKey)).count <= 1)
    }

    /// Framing by network faults alone: a missing-share complaint never reaches the dealer, so
    /// its justification has no entry for it. The dealer is left out, never accused.
    @Test func aJustificationWithoutAnEntryExcludesWithoutAccusing() {
        var dkg = LocalDKG(participants: 7, threshold: 4, seed: 37)
        dkg.harness.inFlight = { envelope in
            // Node 2's share to node 0 is lost; node 0's complaints never reach node 2.
            if case .share = envelope.message, envelope.from == .node(NodeID(2)), envelope.to == .node(NodeID(0)) { return nil }
            if case .complaints = envelope.message, envelope.from == .node(NodeID(0)), envelope.to == .node(NodeID(2)) { return nil }
            return envelope
        }
        dkg.run()
        #expect(dkg.accusedByHonest.isEmpty, "\(dkg.accusedByHonest)")
        let others = [1, 3, 4, 5, 6].compactMap { dkg.result($0) }
        #expect(others.count == 5)
        #expect(others.allSatisfy { !$0.qualified.contains(NodeID(2)) && $0.unresponsive.contains(NodeID(2)) })
    }
}

@Suite struct DKGCollusionTests {
    /// Two colluding dealers send node 0 shares whose errors cancel, so node 0's aggregated
    /// check passes, and dealer 6 also sends node 1 a plainly bad share. The complaint makes
    /// every node check its kept shares one by one: node 0 publishes both, and both dealers
    /// are dropped; node 0's share is right.
    @Test func cancellingErrorsAreCaughtShareByShare() {
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
                let altered = DKGShare(session: share.session, sender: share.sender, receiver: NodeID(0), commitmentHash: share.commitmentHash,
                                       share: from == 5 ? share.share + delta : share.share - delta)
                changed.message = .share(altered.signed(by: identities[from], meter: meter))
            }
            if to == 1, from == 6 {
                changed.message = .share(DKGShare(session: share.session, sender: NodeID(6), receiver: NodeID(1), commitmentHash: share.commitmentHash,
                                                  share: share.share + .one).signed(by: identities[6], meter: meter))
            }
            return changed
        }
        dkg.run()
        let result = dkg.result(0)
        #expect(result?.qualified.contains(NodeID(6)) == false, "dealer 6 was disqualified")
        #expect(result?.qualified.contains(NodeID(5)) == false, "dealer 5 too, on node 0's late complaint")
        #expect(result?.shareIsConsistent == true, "node 0's share is right")
        #expect(dkg.harness.contexts[NodeID(0)]!.keys.current() != nil)
        #expect(Set((0..<7).compactMap { dkg.result($0)?.groupPublicKey }).count == 1)
        let accused = Set(dkg.harness.accusations.map(\.accusation.node))
        #expect(accused == [NodeID(5), NodeID(6)])
    }
}


