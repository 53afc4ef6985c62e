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
            if case let .signed(id, nonce)? = run.harness.outputs(of: node).first, id == run.id { nonce } else { nil }
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
