import Simulation
import Testing
import ThresholdCrypto
@testable import Protocols

/// Lit's ECDSA with a real-time presignature on the embedded harness: the key from a genesis
/// DKG, a client's request delivered by hand, the three presigning rounds among the signers.
@Suite struct ECDSASignerTests {
    struct Run {
        var harness: ServiceHarness<ECDSASigner>
        let groupKey: Point
        let id: AttemptID
        let digest: [UInt8]
        let signers: [NodeID]
    }

    func run(signers: [Int], down: Set<Int> = [], seed: UInt64, tamper: ((ServiceHarness<ECDSASigner>.Envelope) -> ServiceHarness<ECDSASigner>.Envelope?)? = nil) -> Run {
        var dkg = LocalDKG(participants: 7, threshold: 4, seed: seed)
        dkg.run()
        var harness = ServiceHarness<ECDSASigner>(contexts: (0..<7).map { dkg.pool[NodeID($0)]! }) { _ in ECDSASigner(roundTimeout: .seconds(30)) }
        harness.down = Set(down.map { NodeID($0) })
        harness.inFlight = tamper
        let id = AttemptID(session: SessionID(protocolName: ecdsaProtocol, epoch: .genesis, initiator: .client(ClientID(0)), counter: 9), attempt: 1)
        let digest = Hashing.sha256(Array("pkp sign".utf8), meter: CostMeter())
        let request = ECDSARequest(id: id, digest: digest, keyID: Array("pkp-1".utf8), signers: signers.map { NodeID($0) }, nonce: [1, 2, 3, 4, 5, 6, 7, 8],
                                   waitMilliseconds: 15_000)
        for signer in signers { harness.deliver(.request(request), to: NodeID(signer), from: .client(ClientID(0))) }
        harness.run()
        return Run(harness: harness, groupKey: dkg.honestResults[0].groupPublicKey, id: id, digest: digest, signers: signers.map { NodeID($0) })
    }

    func shares(_ run: Run) -> [(share: Scalar, bigR: Point)] {
        run.harness.toClients.compactMap { if case let .share(_, share, bigR) = $0.message { (share, bigR) } else { nil } }
    }

    func refusals(_ run: Run) -> [(NodeID, ECDSARefusalReason, [NodeID])] {
        run.harness.toClients.compactMap { envelope in
            if case let .refusal(_, reason, missing) = envelope.message { (envelope.from.node!, reason, missing) } else { nil }
        }
    }

    /// Four signers (the threshold) of seven, then all seven: one scalar each, and the client's
    /// combination verifies under the network key (one root: every PKP key is the network's).
    @Test(arguments: [[0, 2, 4, 6], [0, 1, 2, 3, 4, 5, 6]])
    func signersProduceAValidSignatureUnderTheNetworkKey(_ signers: [Int]) throws {
        let run = run(signers: signers, seed: 91)
        let collected = shares(run)
        #expect(collected.count == signers.count && refusals(run).isEmpty)
        let signature = try DamFast.combine(collected, digest: run.digest, publicKey: run.groupKey, meter: CostMeter())
        #expect(ECDSA.verify(signature, digest: run.digest, publicKey: run.groupKey, meter: CostMeter()))
        #expect(try ECDSA.recover(signature, digest: run.digest, meter: CostMeter()) == run.groupKey)
        // Every presigner knows the signature's nonce k' (Lit's variant): the same everywhere.
        let nonces = run.signers.compactMap { node -> Scalar? in
            if case let .signed(id, .nonce(nonce), _)? = run.harness.outputs(of: node).first, id == run.id { nonce } else { nil }
        }
        #expect(nonces.count == signers.count && Set(nonces.map(\.bytes)).count == 1)
        // Round messages: each signer sends each other one per round.
        #expect(run.harness.messages == 3 * signers.count * (signers.count - 1))
    }

    /// A signer that never answers: every other one waits out the round timeout and refuses,
    /// naming it (Lit waits for all; nobody is blamed).
    @Test func aSilentSignerEndsTheAttemptWithRefusalsThatNameIt() {
        let run = run(signers: [0, 2, 4, 6], down: [4], seed: 92)
        #expect(shares(run).isEmpty)
        let refused = refusals(run)
        #expect(refused.map(\.0).sorted() == [NodeID(0), NodeID(2), NodeID(6)])
        #expect(refused.allSatisfy { $0.1 == .presignTimeout && $0.2 == [NodeID(4)] }, "\(refused)")
    }

    /// A round-1 share that fails its commitments: the receiver aborts with a check failure
    /// naming the dealer (it had the share straight from it); the others then miss the
    /// receiver's round-2 message and time out naming it. No signature.
    @Test func aBadRound1ShareAbortsTheAttempt() {
        let run = run(signers: [0, 2, 4, 6], seed: 93) { envelope in
            guard envelope.from == .node(NodeID(2)), envelope.to == .node(NodeID(6)), case let .round1(payload) = envelope.message else { return envelope }
            var values = payload.shares.values
            values[1] = values[1] + .one
            var changed = envelope
            changed.message = .round1(PresignRound1(id: payload.id, commitments: payload.commitments, shares: DamFast.Shares(values: values)))
            return changed
        }
        #expect(shares(run).isEmpty)
        let refused = refusals(run)
        #expect(refused.contains { $0.0 == NodeID(6) && $0.1 == .presignCheckFailed && $0.2 == [NodeID(2)] }, "\(refused)")
        #expect(refused.filter { $0.0 != NodeID(6) }.allSatisfy { $0.1 == .presignTimeout && $0.2 == [NodeID(6)] }, "\(refused)")
    }

    /// A signer that tells one peer another R: that peer aborts (R must be the same everywhere).
    @Test func anotherRInRoundTwoAbortsTheAttempt() {
        let run = run(signers: [0, 2, 4, 6], seed: 94) { envelope in
            guard envelope.from == .node(NodeID(4)), envelope.to == .node(NodeID(0)), case let .round2(id, bigR, bigW, w) = envelope.message else { return envelope }
            var changed = envelope
            changed.message = .round2(id: id, bigR: bigR.adding(.generator, meter: CostMeter()), bigW: bigW, w: w)
            return changed
        }
        #expect(shares(run).isEmpty)
        // Another R cannot be pinned on its sender (a round-1 equivocation looks the same).
        #expect(refusals(run).contains { $0.0 == NodeID(0) && $0.1 == .presignCheckFailed && $0.2.isEmpty })
    }

    /// A request naming fewer signers than the key's threshold, or not naming the node, is
    /// refused at once; a repeated request is ignored.
    @Test func malformedRequestsAreRefused() {
        let run = run(signers: [0, 2, 4], seed: 95)
        #expect(shares(run).isEmpty)
        #expect(refusals(run).map(\.1) == [.notASigner, .notASigner, .notASigner])
    }
}

/// Presignature pools (§1.9) on the harness: seven validators, threshold four, each leading
/// up to two presignatures made by all seven; a request's leader hands one out.
@Suite struct PresignPoolTests {
    let pool = PresignPool(min: 1, max: 2, concurrency: 1)

    func filledPool(seed: UInt64, down: Set<Int> = [], timerLimit: Int = .max) -> (ServiceHarness<ECDSASigner>, Point) {
        var dkg = LocalDKG(participants: 7, threshold: 4, seed: seed)
        dkg.run()
        var harness = ServiceHarness<ECDSASigner>(contexts: (0..<7).map { dkg.pool[NodeID($0)]! }) { _ in
            ECDSASigner(roundTimeout: .seconds(30), pool: pool)
        }
        harness.down = Set(down.map { NodeID($0) })
        harness.keysChanged()
        harness.run(timerLimit: timerLimit)
        return (harness, dkg.honestResults[0].groupPublicKey)
    }

    func request(_ counter: UInt64, signers: [Int]) -> ECDSARequest {
        let id = AttemptID(session: SessionID(protocolName: ecdsaProtocol, epoch: .genesis, initiator: .client(ClientID(0)), counter: counter), attempt: 1)
        return ECDSARequest(id: id, digest: Hashing.sha256(Array("pkp \(counter)".utf8), meter: CostMeter()), keyID: Array("pkp-1".utf8),
                            signers: signers.map { NodeID($0) }, nonce: [1, 2, 3, 4, 5, 6, 7, UInt8(counter)], waitMilliseconds: 15_000)
    }

    func send(_ request: ECDSARequest, _ harness: inout ServiceHarness<ECDSASigner>) {
        for signer in request.signers { harness.deliver(.request(request), to: signer, from: .client(ClientID(0))) }
        harness.run()
    }

    /// Sends `request` with its leader's word rewritten in flight to name `presign`.
    func send(_ request: ECDSARequest, leaderNaming presign: SessionID, _ harness: inout ServiceHarness<ECDSASigner>) {
        harness.inFlight = { envelope in
            guard case let .leader(id, _) = envelope.message, id == request.id else { return envelope }
            var changed = envelope
            changed.message = .leader(id: id, presign: presign)
            return changed
        }
        send(request, &harness)
    }

    func shares(of id: AttemptID, _ harness: ServiceHarness<ECDSASigner>) -> [(share: Scalar, bigR: Point)] {
        harness.toClients.compactMap { if case let .share(shareID, share, bigR) = $0.message, shareID == id { (share, bigR) } else { nil } }
    }

    func led(_ harness: ServiceHarness<ECDSASigner>, _ node: Int) -> [Bool] {
        harness.outputs(of: NodeID(node)).compactMap { if case let .led(_, hit) = $0 { hit } else { nil } }
    }

    /// Every validator leads two presignatures and holds a share of all fourteen; a request
    /// then costs only the leader's word to the other signers, signs under the network key,
    /// and each signer deletes its share (single use) while the leader refills.
    @Test func aRequestSignsWithThePresignatureItsLeaderHandsOut() throws {
        var (harness, groupKey) = filledPool(seed: 101)
        for node in 0..<7 {
            #expect(harness.outputs(of: NodeID(node)).filter { if case .generated = $0 { true } else { false } }.count == 2)
            #expect(harness.services[NodeID(node)]!.led.count == 2)
            #expect(harness.services[NodeID(node)]!.stored.count == 14)
        }
        let request = request(1, signers: [0, 2, 4, 6])
        let leader = ECDSASigner.leader(of: request, meter: CostMeter())
        let before = harness.queue.count
        for signer in request.signers { harness.deliver(.request(request), to: signer, from: .client(ClientID(0))) }
        // (The leader, down to its minimum, also starts refilling: a pool generation's round 1.)
        let forRequest = harness.queue[before...].filter { $0.message.attempt == request.id }
        #expect(forRequest.count == 3 && forRequest.allSatisfy { if case .leader = $0.message { true } else { false } },
                "only the leader's word to the three other signers before the shares")
        harness.run()
        let collected = shares(of: request.id, harness)
        #expect(collected.count == 4)
        let signature = try DamFast.combine(collected, digest: request.digest, publicKey: groupKey, meter: CostMeter())
        #expect(ECDSA.verify(signature, digest: request.digest, publicKey: groupKey, meter: CostMeter()))
        #expect(led(harness, Int(leader.value)) == [true])
        // The leader fell to the minimum and made another; signers used their share.
        #expect(harness.services[leader]!.led.count == 2)
        for node in 0..<7 {
            let signed = request.signers.contains(NodeID(node))
            #expect(harness.services[NodeID(node)]!.stored.count == (signed ? 14 : 15), "node \(node)")
        }
    }

    /// A leader that names a presignature already used: the others cannot sign with it and
    /// refuse, naming nobody (their part of a generation may have failed where the leader's did
    /// not); one that names a presignature it does not lead is named. Nobody signs twice with
    /// one presignature.
    @Test func aLeaderNamingAUsedPresignatureIsRefused() {
        var (harness, _) = filledPool(seed: 102)
        let first = request(1, signers: [0, 2, 4, 6])
        send(first, &harness)
        guard case let .signed(_, _, .pool(used))? = harness.outputs.first(where: { if case .signed = $0.output { true } else { false } })?.output else {
            Issue.record("no pool signature")
            return
        }
        let second = request(2, signers: [0, 2, 4, 6])
        let leader = ECDSASigner.leader(of: second, meter: CostMeter())
        send(second, leaderNaming: used, &harness)
        let refusals = harness.toClients.compactMap { envelope -> (NodeID, ECDSARefusalReason, [NodeID])? in
            if case let .refusal(id, reason, missing) = envelope.message, id == second.id { (envelope.from.node!, reason, missing) } else { nil }
        }
        #expect(refusals.count == 3)
        let usedLeader = used.initiator.node!
        #expect(refusals.allSatisfy { $0.1 == .presignUnknown && $0.2 == (usedLeader == leader ? [] : [leader]) }, "\(refusals)")

        // Another's presignature, named by this request's leader: the leader is named.
        let third = request(3, signers: [0, 2, 4, 6])
        let thirdLeader = ECDSASigner.leader(of: third, meter: CostMeter())
        send(third, leaderNaming: harness.services[NodeID(1)]!.led.first!, &harness)
        let named = harness.toClients.compactMap { envelope -> [NodeID]? in
            if case let .refusal(id, .presignUnknown, missing) = envelope.message, id == third.id { missing } else { nil }
        }
        #expect(named.count == 3 && named.allSatisfy { $0 == [thirdLeader] }, "\(named)")
    }

    /// Shares of presignatures handed out to other signers are never deleted where they are
    /// kept; each node forgets the oldest beyond what an initiator can still lead.
    @Test func sharesLeftBehindAreBounded() {
        var (harness, _) = filledPool(seed: 104)
        for counter in 1...12 { send(request(UInt64(counter), signers: [[0, 2, 4, 6], [1, 3, 5, 6], [0, 1, 2, 3]][counter % 3]), &harness) }
        #expect(harness.toClients.filter { if case .share = $0.message { true } else { false } }.count == 48, "every request signed")
        for node in 0..<7 {
            let stored = harness.services[NodeID(node)]!.stored.keys
            let perInitiator = Dictionary(grouping: stored, by: \.initiator).values.map(\.count)
            #expect(perInitiator.allSatisfy { $0 <= 2 * pool.max + pool.concurrency }, "node \(node): \(perInitiator)")
        }
    }

    /// With a validator down no generation completes (all must take part): owners report the
    /// failure and retry after a pause; a request's leader has none and the signers presign in
    /// real time instead.
    @Test func withAValidatorDownRequestsPresignInRealTime() throws {
        var (harness, groupKey) = filledPool(seed: 103, down: [5], timerLimit: 20)
        #expect(harness.outputs.contains { if case .generationFailed(_, .presignTimeout) = $0.output { true } else { false } })
        #expect(!harness.outputs.contains { if case .generated = $0.output { true } else { false } })
        let request = request(1, signers: [0, 2, 4, 6])
        for signer in request.signers { harness.deliver(.request(request), to: signer, from: .client(ClientID(0))) }
        harness.run(timerLimit: 0)
        let collected = shares(of: request.id, harness)
        #expect(collected.count == 4)
        let signature = try DamFast.combine(collected, digest: request.digest, publicKey: groupKey, meter: CostMeter())
        #expect(ECDSA.verify(signature, digest: request.digest, publicKey: groupKey, meter: CostMeter()))
        #expect(led(harness, Int(ECDSASigner.leader(of: request, meter: CostMeter()).value)) == [false])
    }
}

@Suite struct EarlyMessagesTests {
    func run(_ counter: UInt64) -> PresignID {
        .pool(SessionID(protocolName: ecdsaProtocol, epoch: .genesis, initiator: .node(NodeID(9)), counter: counter))
    }

    /// One sender cannot open more than its quota of runs, so it cannot push out the runs
    /// others opened; beyond the overall limit the oldest run goes; taking a run forgets it.
    @Test func aFloodingSenderCannotPushOthersOut() {
        var early = EarlyMessages<PresignID, ECDSAMessage>(limit: 10, perSender: 3)
        let message = ECDSAMessage.round3(id: run(0), omega: .one)
        early.keep(message, for: run(0), from: NodeID(1), perRun: 2)
        for counter in 1...20 { early.keep(message, for: run(100 + UInt64(counter)), from: NodeID(6), perRun: 2) }
        #expect(early.take(run(0)).count == 1, "the honest sender's run survived the flood")
        #expect(early.take(run(101)).count == 1 && early.take(run(104)).isEmpty, "the flooder opened only three")
        for counter in 1...12 { early.keep(message, for: run(UInt64(counter)), from: NodeID(counter), perRun: 2) }
        #expect(early.take(run(1)).isEmpty && early.take(run(3)).count == 1, "the oldest runs went beyond the limit")
        early.keep(message, for: run(3), from: NodeID(1), perRun: 2)
        early.keep(message, for: run(3), from: NodeID(2), perRun: 2)
        early.keep(message, for: run(3), from: NodeID(4), perRun: 2)
        #expect(early.take(run(3)).count == 2, "a run holds at most perRun messages")
        for _ in 0..<3 { early.keep(message, for: run(50), from: NodeID(5), perRun: 10, perSenderInRun: 2) }
        early.keep(message, for: run(50), from: NodeID(7), perRun: 10, perSenderInRun: 2)
        #expect(early.take(run(50)).map(\.1) == [NodeID(5), NodeID(5), NodeID(7)], "one sender keeps at most perSenderInRun in a run")
    }

    /// Colluding flooders that fill the buffer between them push out each other's runs, not the
    /// older runs honest peers opened.
    @Test func colludingFloodersPushOutTheirOwnRunsFirst() {
        var early = EarlyMessages<PresignID, ECDSAMessage>(limit: 10, perSender: 4)
        let message = ECDSAMessage.round3(id: run(0), omega: .one)
        early.keep(message, for: run(1), from: NodeID(1), perRun: 2)
        early.keep(message, for: run(2), from: NodeID(2), perRun: 2)
        for counter in 0..<8 { early.keep(message, for: run(100 + UInt64(counter)), from: NodeID(counter % 2 == 0 ? 7 : 8), perRun: 2) }
        // Full: the next honest run and each flooder's next one push out flooders' oldest runs.
        early.keep(message, for: run(3), from: NodeID(3), perRun: 2)
        early.keep(message, for: run(200), from: NodeID(7), perRun: 2)
        #expect([1, 2, 3].allSatisfy { early.holds(run($0)) }, "every honest run survived")
        #expect(!early.holds(run(100)) && !early.holds(run(101)) && early.holds(run(200)))
    }
}
