import Simulation
import Testing
import ThresholdCrypto
@testable import Protocols

/// Drives DKG nodes by hand: messages are delivered in FIFO order; when none is left, the
/// earliest-set pending round timer fires (all timeouts are equal, so timers expire in the
/// order they were set), and delivery resumes.
struct LocalDKG {
    var nodes: [DKGNode]
    var down: Set<Int>
    var queue: [(to: Int, from: Int, message: DKGMessage)] = []
    var timers: [(node: Int, round: DKGRound)] = []
    var results: [DKGResult?]
    var failures: [DKGFailure?]
    var notes: [String] = []
    var messages = 0
    var bytes = 0
    let meter = CostMeter()
    let identities: [NodeIdentity]
    var rng: SplitMix64

    init(participants n: Int, threshold t: Int, behaviours: [Int: DKGBehaviour] = [:], down: Set<Int> = [], seed: UInt64) {
        print("LocalDKG n=\(n) t=\(t) seed \(seed)")
        rng = SplitMix64(seed: seed)
        var identityRNG = SplitMix64(seed: seed ^ 0xABCDEF)
        var made = [NodeIdentity]()
        for _ in 0..<n { made.append(NodeIdentity(secret: .randomNonZero(using: &identityRNG), meter: CostMeter())) }
        identities = made
        let configuration = DKGConfiguration(
            session: [UInt8](repeating: 9, count: 32), participants: n, threshold: t,
            identityKeys: identities.map(\.publicKey), roundTimeout: .seconds(30))
        let identities = self.identities
        nodes = (0..<n).map { DKGNode(configuration: configuration, me: $0, identity: identities[$0], behaviour: behaviours[$0] ?? .honest) }
        self.down = down
        results = Array(repeating: nil, count: n)
        failures = Array(repeating: nil, count: n)
    }

    mutating func apply(_ actions: [DKGAction], from node: Int) {
        for action in actions {
            switch action {
            case let .broadcast(message):
                for peer in nodes.indices where peer != node { enqueue(message, from: node, to: peer) }
            case let .send(message, to):
                enqueue(message, from: node, to: to)
            case let .setTimer(round, _):
                timers.append((node, round))
            case let .output(result):
                results[node] = result
            case let .abort(failure):
                failures[node] = failure
            case let .note(text):
                notes.append("\(node): \(text)")
            }
        }
    }

    mutating func enqueue(_ message: DKGMessage, from: Int, to: Int) {
        messages += 1
        bytes += message.wireSize
        queue.append((to, from, message))
    }

    mutating func run() {
        for index in nodes.indices where !down.contains(index) {
            apply(nodes[index].start(using: &rng, meter: meter), from: index)
        }
        var head = 0
        while true {
            while head < queue.count {
                let (to, from, message) = queue[head]
                head += 1
                guard !down.contains(to) else { continue }
                apply(nodes[to].receive(message, from: from, meter: meter), from: to)
            }
            guard !timers.isEmpty else { return }
            let (node, round) = timers.removeFirst()
            if !down.contains(node) { apply(nodes[node].timerFired(round, meter: meter), from: node) }
        }
    }

    var honest: [Int] { nodes.indices.filter { !down.contains($0) && nodes[$0].behaviour == .honest } }
}

@Suite struct DKGTests {
    @Test func honestRunAgreesAndAnyThresholdOfSharesReconstructs() throws {
        var dkg = LocalDKG(participants: 7, threshold: 4, seed: 1)
        dkg.run()
        let results = dkg.results.compactMap { $0 }
        #expect(results.count == 7)
        let key = results[0].groupPublicKey
        #expect(results.allSatisfy { $0.groupPublicKey == key && $0.qualified == Array(0..<7) && $0.shareIsConsistent })
        #expect(results.allSatisfy { $0.accused.isEmpty && $0.unresponsive.isEmpty })
        let meter = CostMeter()
        for (node, result) in results.enumerated() {
            #expect(result.verificationShare(of: node, meter: meter) == Point.base(result.secretShare, meter: meter))
        }
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
        #expect(dkg.messages == 4 * n * (n - 1))  // commitments, shares, complaints, agreement
        let perNode = (WireSize.header + 2 + WireSize.point * t + SchnorrProof.encodedSize + WireSize.signature)
            + DKGShare.wireSize
            + (WireSize.header + 2 + 2 + n * DKGEcho.wireSize + WireSize.signature)
            + DKGAgreement.wireSize
        #expect(dkg.bytes == n * (n - 1) * perNode)
    }

    @Test func honestPerNodeVerificationCostsThresholdMultiplications() {
        // Each node: n − 1 proofs (1 point multiplication each), n − 1 signature checks in each
        // of rounds 1–3 and t − 1 in round 5 (it stops once a threshold agree), the batched
        // share check (t − 1) and its own verification share (t − 1).
        let n = 10, t = 6
        var dkg = LocalDKG(participants: n, threshold: t, seed: 3)
        dkg.run()
        let perNode = dkg.meter[.pointMultiply] / n
        #expect(perNode == (n - 1) + 3 * (n - 1) + (t - 1) + 2 * (t - 1))
    }

    func expectAccused(_ dkg: LocalDKG, culprit: Int, reason: DKGBlameReason, excluded: Bool = true) {
        let results = dkg.honest.compactMap { dkg.results[$0] }
        #expect(results.count == dkg.honest.count, "every honest node finishes")
        let key = results.first?.groupPublicKey
        #expect(results.allSatisfy { $0.groupPublicKey == key && $0.qualified == results[0].qualified })
        #expect(results.allSatisfy { $0.accused == [DKGAccusation(node: culprit, reason: reason)] }, "\(results.map(\.accused))")
        #expect(results.allSatisfy { $0.qualified.contains(culprit) == !excluded })
        #expect(results.allSatisfy { Set(dkg.honest).isSubset(of: $0.qualified) }, "no honest dealer excluded")
    }

    @Test func badShareIsProvenAndItsDealerExcluded() {
        var dkg = LocalDKG(participants: 7, threshold: 4, behaviours: [2: .badShare(targets: [0, 1])], seed: 4)
        dkg.run()
        expectAccused(dkg, culprit: 2, reason: .invalidShare)
    }

    @Test func badProofIsProvenAndItsDealerExcluded() {
        var dkg = LocalDKG(participants: 7, threshold: 4, behaviours: [5: .badProof], seed: 5)
        dkg.run()
        expectAccused(dkg, culprit: 5, reason: .invalidProof)
    }

    @Test func thresholdRaisingIsRejected() {
        var dkg = LocalDKG(participants: 7, threshold: 4, behaviours: [3: .extraCommitments], seed: 6)
        dkg.run()
        expectAccused(dkg, culprit: 3, reason: .wrongCommitmentLength)
    }

    @Test func equivocationIsProvenThroughEchoes() {
        var dkg = LocalDKG(participants: 8, threshold: 5, behaviours: [1: .equivocate], seed: 7)
        dkg.run()
        expectAccused(dkg, culprit: 1, reason: .equivocation)
    }

    @Test func falseComplaintsAreAnsweredAndExcludeNobody() {
        var dkg = LocalDKG(participants: 7, threshold: 4, behaviours: [6: .falseComplaint(targets: [0, 1])], seed: 8)
        dkg.run()
        let results = dkg.honest.compactMap { dkg.results[$0] }
        #expect(results.count == 6)
        #expect(results.allSatisfy { $0.qualified == Array(0..<7) && $0.accused.isEmpty })
        #expect(dkg.nodes[0].participant.justifications[0] != nil, "dealer 0 justified")
    }

    @Test func withheldSharesExcludeTheDealerWithoutAccusingIt() {
        var dkg = LocalDKG(participants: 7, threshold: 4, behaviours: [4: .withholdShare(targets: [0])], seed: 9)
        dkg.run()
        let results = dkg.honest.compactMap { dkg.results[$0] }
        #expect(results.count == 6)
        #expect(results.allSatisfy { !$0.qualified.contains(4) && $0.accused.isEmpty })
        #expect(results.allSatisfy { Set(dkg.honest).isSubset(of: $0.qualified) })
    }

    @Test func silentNodeIsExcludedAsUnresponsive() {
        var dkg = LocalDKG(participants: 7, threshold: 4, behaviours: [0: .silent], seed: 10)
        dkg.run()
        let results = dkg.honest.compactMap { dkg.results[$0] }
        #expect(results.count == 6)
        #expect(results.allSatisfy { $0.qualified == Array(1..<7) && $0.accused.isEmpty && $0.unresponsive == [0] })
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
        #expect(dkg.honest.allSatisfy { dkg.failures[$0] == .tooFewQualified(5) })
    }

    @Test func mixedByzantineSetUpToTheMarginStillAgrees() {
        var dkg = LocalDKG(participants: 10, threshold: 6,
                           behaviours: [0: .badShare(targets: []), 3: .equivocate, 5: .badProof, 8: .silent], seed: 13)
        dkg.run()
        let results = dkg.honest.compactMap { dkg.results[$0] }
        #expect(results.count == 6)
        #expect(Set(results.map(\.groupPublicKey)).count == 1)
        #expect(results.allSatisfy { $0.qualified == dkg.honest })
        #expect(results.allSatisfy { Set($0.accused.map(\.node)) == [0, 3, 5] })
    }

    @Test func dropsMalformedMessagesWithANote() {
        var dkg = LocalDKG(participants: 4, threshold: 3, seed: 14)
        let meter = CostMeter()
        var rng = SplitMix64(seed: 1)
        _ = dkg.nodes[0].start(using: &rng, meter: meter)
        var other = dkg.nodes[1]
        guard case let .broadcast(message)? = other.start(using: &rng, meter: meter).first, case let .commitments(package) = message else {
            Issue.record("node 1 did not broadcast commitments")
            return
        }
        var wrongSession = package
        wrongSession = DKGCommitments(session: [UInt8](repeating: 1, count: 32), sender: 1, commitment: package.commitment,
                                      proof: package.proof, signature: package.signature)
        var badSignature = package
        badSignature.signature[5] ^= 1
        let cases: [(DKGMessage, Int)] = [
            (.commitments(wrongSession), 1), (.commitments(badSignature), 1), (message, 2), (message, 0), (message, 99),
            (.share(DKGShare(session: package.session, sender: 1, receiver: 3, share: .one, signature: [])), 1),
        ]
        for (message, sender) in cases {
            let actions = dkg.nodes[0].receive(message, from: sender, meter: meter)
            #expect(actions.count == 1)
            guard case .note = actions.first else {
                Issue.record("expected a note for a malformed message")
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
        // Run round 1 normally, then tamper with the shares in flight.
        for index in dkg.nodes.indices { dkg.apply(dkg.nodes[index].start(using: &dkg.rng, meter: dkg.meter), from: index) }
        var head = 0
        let delta = Scalar(12345)
        let meter = CostMeter()
        while head < dkg.queue.count {
            var (to, from, message) = dkg.queue[head]
            head += 1
            if case let .share(share) = message, to == 0, from == 5 || from == 6 {
                // Dealer 5 adds delta, dealer 6 subtracts it: the sum node 0 checks is unchanged.
                let altered = DKGShare(session: share.session, sender: share.sender, receiver: 0,
                                       share: from == 5 ? share.share + delta : share.share - delta, signature: [])
                message = DKGMessage.share(altered).signed(by: dkg.identities[from], meter: meter)
            }
            if case let .share(share) = message, to == 1, from == 6 {
                // Dealer 6 also sends node 1 a plainly bad share, so it gets disqualified.
                message = DKGMessage.share(DKGShare(session: share.session, sender: 6, receiver: 1, share: share.share + .one, signature: []))
                    .signed(by: dkg.identities[6], meter: meter)
            }
            dkg.apply(dkg.nodes[to].receive(message, from: from, meter: dkg.meter), from: to)
            if head == dkg.queue.count, !dkg.timers.isEmpty {
                let (node, round) = dkg.timers.removeFirst()
                dkg.apply(dkg.nodes[node].timerFired(round, meter: dkg.meter), from: node)
            }
        }
        let result = dkg.results[0]
        #expect(result != nil)
        #expect(result?.qualified.contains(6) == false, "dealer 6 was disqualified")
        #expect(result?.qualified.contains(5) == true, "dealer 5 stayed")
        #expect(result?.shareIsConsistent == false, "node 0 knows its share is wrong")
        #expect(dkg.notes.contains { $0.hasPrefix("0: dkg: kept shares from [5]") }, "and names the dealer: \(dkg.notes.filter { $0.hasPrefix("0:") })")
        #expect(dkg.results[2]?.shareIsConsistent == true)
    }
}
