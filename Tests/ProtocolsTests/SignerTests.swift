import Simulation
import Testing
import ThresholdCrypto
@testable import Protocols

@Suite struct SignerTests {
    /// Client 0's identity: it signs the requests.
    let client = NodeIdentity(secret: Scalar(424242), meter: CostMeter())

    func signed(_ request: SignRequest) -> SignRequest { request.signed(by: client, meter: CostMeter()) }

    /// Signers of a trusted-dealer 2-of-`count` key, each with its share installed.
    func harness<S: NodeService>(_ count: Int, make: (NodeID) -> S) -> ServiceHarness<S> {
        var rng = SplitMix64(seed: 99)
        let secrets = (0..<count).map { _ in Scalar.randomNonZero(using: &rng) }
        let polynomial = Polynomial.random(constant: .randomNonZero(using: &rng), threshold: 2, using: &rng)
        let commitment = polynomial.commitment(meter: CostMeter())
        let roster = Roster.genesis(count: count)
        let contexts = ServiceHarness<S>.contexts(count: count, identitySecret: { secrets[$0.value] }, random: { node in
            var stream = SplitMix64(seed: 1000 + UInt64(node.value))
            return ServiceRandom { stream.next() }
        }, clients: [client])
        for context in contexts {
            let identifier = roster.identifier(of: context.me)!
            context.keys.install(KeyShare(key: .group, roster: roster, identifier: identifier,
                                          secretShare: polynomial.evaluate(at: identifier.scalar), groupCommitment: commitment))
        }
        return ServiceHarness(contexts: contexts, make: make)
    }

    func attempt(_ request: UInt64 = 0, _ attempt: UInt32 = 1, flow: ProtocolName = LitFlow.protocolName) -> AttemptID {
        AttemptID(session: SessionID(protocolName: flow, epoch: .genesis, initiator: .client(ClientID(0)), counter: request), attempt: attempt)
    }

    @Test func keepsACommitmentThatArrivesBeforeTheRequest() {
        var nodes = harness(2) { _ in LitFlowSigner(roundTimeout: .seconds(30)) }
        let request = signed(SignRequest(id: attempt(), message: [UInt8](repeating: 1, count: 32), scheme: .frostSecp256k1,
                                         signers: [0, 1], waitMilliseconds: 15_000))
        // Node 0 hears the request first and commits; its commitment reaches node 1 before the request does.
        nodes.deliver(.request(request), to: 0, from: .client(ClientID(0)))
        nodes.run()
        #expect(nodes.toClients.contains { if case .commitment = $0.message { true } else { false } })
        #expect(!nodes.toClients.contains { if case .share = $0.message { true } else { false } }, "node 1 has no request yet")
        nodes.deliver(.request(request), to: 1, from: .client(ClientID(0)))
        #expect(nodes.toClients.contains { if case let .share(share) = $0.message { share.signer == 1 } else { false } }, "node 1 signs at once")
    }

    /// An action's `sign` step (a delegated signature, under an action attempt): each signer
    /// signs the digest *it* was given, so equal digests aggregate to a signature that verifies
    /// under the group key and different ones do not; the shares name the action attempt.
    @Test func delegatedSignaturesAreOverEachSignersOwnDigest() throws {
        let origin = AttemptID(session: SessionID(protocolName: ProtocolName("action", tag: 0x41), epoch: .genesis, initiator: .client(ClientID(0)), counter: 5),
                               attempt: 1)
        for digests in [[[UInt8](repeating: 7, count: 32), [UInt8](repeating: 7, count: 32)], [[UInt8](repeating: 7, count: 32), [UInt8](repeating: 8, count: 32)]] {
            var nodes = harness(3) { _ in LitFlowSigner(roundTimeout: .seconds(30)) }
            for node in [0, 1] {
                nodes.delegate(DelegatedSignature(scheme: SigningScheme.frostTaproot.rawValue, origin: origin, index: 2, digest: digests[node], keyID: [],
                                                  signers: [0, 1], nonce: [], waitMilliseconds: 5_000), to: NodeID(node))
            }
            nodes.run()
            let shares = nodes.toClients.compactMap { if case let .share(share) = $0.message { share } else { nil } }.sorted { $0.signer < $1.signer }
            try #require(shares.count == 2)
            #expect(shares.allSatisfy { DelegatedSignature.origin(of: $0.id, delegatedBy: origin.session.protocolName) == (origin, 2) })
            let key = nodes.contexts[0]!.keys.current()!
            let package = try FROST<FROSTTaproot>.signingPackage(groupKey: key.groupKey, commitments: shares[0].commitments.map(\.commitment), message: digests[0],
                                                                 minimumParticipants: 2, maximumParticipants: 3, meter: CostMeter())
            let signature = FROST<FROSTTaproot>.aggregate(shares: shares.map(\.share), package: package)
            #expect(FROST<FROSTTaproot>.verify(signature, groupKey: key.groupKey, message: digests[0], meter: CostMeter()) == (digests[0] == digests[1]))
        }
    }

    /// A signature a node's action declined (its run ended first) is committed to only once a
    /// co-signer starts it, so the co-signer signs and names nobody missing; the decliner never
    /// signs (nor refuses). Declined and never started: nothing is sent at all.
    @Test func aDeclinedDelegatedSignatureIsJoinedWithoutSigningOnlyWhenAPeerStartsIt() {
        let origin = AttemptID(session: SessionID(protocolName: ProtocolName("action", tag: 0x41), epoch: .genesis, initiator: .client(ClientID(0)), counter: 5),
                               attempt: 1)
        func signature(declined: Bool) -> DelegatedSignature {
            DelegatedSignature(scheme: declined ? DelegatedSignature.frost : SigningScheme.frostSecp256k1.rawValue, origin: origin, index: 0,
                               digest: [UInt8](repeating: 3, count: 32), keyID: [], signers: [0, 1], nonce: [], waitMilliseconds: 5_000, declined: declined)
        }
        var alone = harness(2) { _ in LitFlowSigner(roundTimeout: .seconds(30)) }
        alone.delegate(signature(declined: true), to: 1)
        alone.run()
        #expect(alone.messages == 0 && alone.toClients.isEmpty)

        var nodes = harness(2) { _ in LitFlowSigner(roundTimeout: .seconds(30)) }
        nodes.delegate(signature(declined: true), to: 1)
        nodes.delegate(signature(declined: false), to: 0)
        nodes.run()
        let shares = nodes.toClients.compactMap { if case let .share(share) = $0.message { share.signer } else { nil } }
        let refusals = nodes.toClients.compactMap { if case let .refusal(refusal) = $0.message { refusal } else { nil } }
        #expect(shares == [0] && refusals.isEmpty, "\(refusals)")
        #expect(nodes.outputs(of: 1).isEmpty && nodes.outputs(of: 0) == [.signed(DelegatedSignature(scheme: "", origin: origin, index: 0, digest: [], keyID: [],
                                                                                                        signers: [], nonce: [], waitMilliseconds: 0).attempt(in: LitFlow.protocolName))])
    }

    /// The run's package memo, shared by signers and clients, answers only for the same inputs:
    /// a stale client's other threshold, or the other ciphersuite, is worked out afresh (and a
    /// list the bounds refuse gets no package), charged as without the memo.
    @Test func thePackageMemoAnswersOnlyForTheSameBoundsAndCiphersuite() {
        var rng = SplitMix64(seed: 77)
        let meter = CostMeter()
        let id = attempt()
        let groupKey = Point.base(.randomNonZero(using: &rng), meter: meter)
        let commitments = (1...3).map { index in
            SignedCommitment(id: id, signer: NodeID(index - 1), keyHash: [UInt8](repeating: 4, count: 32),
                             commitment: FROST<FROSTSecp256k1>.commit(identifier: Scalar(UInt64(index)), secretShare: .randomNonZero(using: &rng),
                                                                      using: &rng, meter: meter).commitment)
        }
        let message = [UInt8](repeating: 8, count: 32)
        let listDigest = SignatureShareMessage.listDigest(commitments, meter: meter)
        let memo = CryptoMemo()
        func secp(threshold: Int, memo: CryptoMemo?, _ meter: CostMeter) -> FROST<FROSTSecp256k1>.SigningPackage? {
            FROSTCore.signingPackage(FROST<FROSTSecp256k1>.self, memo: memo, groupKey: groupKey, threshold: threshold, identifierBound: 3,
                                     message: message, commitments: commitments, listDigest: listDigest, meter: meter)
        }
        func taproot(memo: CryptoMemo?, _ meter: CostMeter) -> FROST<FROSTTaproot>.SigningPackage? {
            FROSTCore.signingPackage(FROST<FROSTTaproot>.self, memo: memo, groupKey: groupKey, threshold: 2, identifierBound: 3,
                                     message: message, commitments: commitments, listDigest: listDigest, meter: meter)
        }
        let first = CostMeter(), again = CostMeter(), alone = CostMeter()
        let computed = secp(threshold: 2, memo: memo, first)
        let remembered = secp(threshold: 2, memo: memo, again)
        #expect(computed != nil && remembered?.groupCommitment == computed?.groupCommitment && remembered?.challenge == computed?.challenge)
        #expect(first.snapshot == again.snapshot && again[.pointMultiply] > 0)
        // Four signers needed, three committed: no package, memo or not.
        #expect(secp(threshold: 4, memo: memo, CostMeter()) == nil && secp(threshold: 4, memo: nil, CostMeter()) == nil)
        let fromMemo = taproot(memo: memo, CostMeter()), fresh = taproot(memo: nil, alone)
        #expect(fromMemo != nil && fromMemo?.groupCommitment == fresh?.groupCommitment && fromMemo?.challenge == fresh?.challenge)
        #expect(fromMemo?.negateNonces == fresh?.negateNonces && fromMemo?.negateKey == fresh?.negateKey)
    }

    /// Once a signer has signed, a late or repeated commitment changes nothing and is not checked
    /// (its session no longer holds the commitments).
    @Test func aCommitmentAfterTheSignatureIsDroppedUnchecked() {
        var nodes = harness(2) { _ in LitFlowSigner(roundTimeout: .seconds(30)) }
        let request = signed(SignRequest(id: attempt(), message: [UInt8](repeating: 1, count: 32), scheme: .frostSecp256k1,
                                         signers: [0, 1], waitMilliseconds: 15_000))
        nodes.deliver(.request(request), to: 0, from: .client(ClientID(0)))
        nodes.deliver(.request(request), to: 1, from: .client(ClientID(0)))
        // No timer fires: the signed sessions stay (the wait's end would forget them).
        nodes.run(timerLimit: 0)
        #expect(nodes.toClients.filter { if case .share = $0.message { true } else { false } }.count == 2)
        guard let late = nodes.toClients.compactMap({ sent -> SignedCommitment? in
            if case let .commitment(commitment) = sent.message, commitment.signer == 1 { commitment } else { nil }
        }).first, let context = nodes.contexts[0] else {
            Issue.record("node 1 sent the client no commitment")
            return
        }
        let before = context.meter.snapshot
        let effects = nodes.services[0]!.receive(.commitment(late), from: .node(1), context)
        #expect(!effects.isEmpty && effects.allSatisfy { if case .note = $0 { true } else { false } })
        #expect(context.meter.snapshot == before)
    }

    @Test func ignoresASecondRequestForTheSameAttempt() {
        var nodes = harness(2) { _ in CoordinatorFlowSigner(roundTimeout: .seconds(30)) }
        let request = signed(SignRequest(id: attempt(flow: CoordinatorFlow.protocolName), message: [UInt8](repeating: 1, count: 32),
                                         scheme: .frostTaproot, signers: [], waitMilliseconds: 15_000))
        nodes.deliver(.request(request), to: 0, from: .client(ClientID(0)))
        nodes.deliver(.request(request), to: 0, from: .client(ClientID(0)))
        // A duplicate neither gets a second commitment nor a refusal that would fail the attempt.
        #expect(nodes.toClients.count == 1)
        guard case .commitment? = nodes.toClients.first?.message else {
            Issue.record("expected the one commitment")
            return
        }
    }

    @Test func aRequestFromAnotherEndpointThanItsClientIsDropped() {
        var nodes = harness(2) { _ in LitFlowSigner(roundTimeout: .seconds(30)) }
        let request = signed(SignRequest(id: attempt(), message: [UInt8](repeating: 1, count: 32), scheme: .frostSecp256k1,
                                         signers: [0, 1], waitMilliseconds: 15_000))
        nodes.deliver(.request(request), to: 0, from: .client(ClientID(7)))
        nodes.deliver(.request(request), to: 0, from: .node(1))
        #expect(nodes.toClients.isEmpty && nodes.queue.isEmpty)
        #expect(nodes.notes.count == 2)
    }

    @Test func coordinatorPackageShorterThanTheThresholdIsRefused() {
        var nodes = harness(2) { _ in CoordinatorFlowSigner(roundTimeout: .seconds(30)) }
        let id = attempt(flow: CoordinatorFlow.protocolName)
        let request = signed(SignRequest(id: id, message: [UInt8](repeating: 1, count: 32), scheme: .frostSecp256k1, signers: [], waitMilliseconds: 15_000))
        nodes.deliver(.request(request), to: 0, from: .client(ClientID(0)))
        guard case let .commitment(own)? = nodes.toClients.first?.message else {
            Issue.record("expected a commitment")
            return
        }
        // RFC 9591 §5.2: at least MIN_PARTICIPANTS commitments; one is too few for a 2-of-n key.
        nodes.deliver(.package(SigningPackageMessage(id: id, message: request.message, scheme: .frostSecp256k1, commitments: [own])),
                      to: 0, from: .client(ClientID(0)))
        guard case let .refusal(refusal)? = nodes.toClients.last?.message else {
            Issue.record("expected a refusal")
            return
        }
        #expect(refusal.reason == .invalidPackage)
    }

    @Test func aRequestItsClientDidNotSignIsDropped() {
        var nodes = harness(2) { _ in LitFlowSigner(roundTimeout: .seconds(30)) }
        let forger = NodeIdentity(secret: Scalar(7), meter: CostMeter())
        let request = SignRequest(id: attempt(), message: [UInt8](repeating: 1, count: 32), scheme: .frostSecp256k1,
                                  signers: [0, 1], waitMilliseconds: 15_000).signed(by: forger, meter: CostMeter())
        nodes.deliver(.request(request), to: 0, from: .client(ClientID(0)))
        #expect(nodes.toClients.isEmpty && nodes.queue.isEmpty, "no commitment for a forged request")
    }

    /// One commitment per attempt, ever: a request delivered again after its session ended (a
    /// late duplicate, or a replay) is ignored, never answered with a second commitment that
    /// could be shown as equivocation.
    @Test func anAttemptIsNeverCommittedToTwice() {
        for lit in [true, false] {
            let id = attempt(flow: lit ? LitFlow.protocolName : CoordinatorFlow.protocolName)
            let request = signed(SignRequest(id: id, message: [UInt8](repeating: 1, count: 32), scheme: .frostSecp256k1,
                                             signers: lit ? [0, 1] : [], waitMilliseconds: 1_000))
            func commitments<S>(_ harness: ServiceHarness<S>) -> Int where S.Message == SigningMessage<LitFlow> {
                harness.toClients.filter { if case .commitment = $0.message { true } else { false } }.count
            }
            if lit {
                var nodes = harness(2) { _ in LitFlowSigner(roundTimeout: .seconds(30)) }
                nodes.deliver(.request(request), to: 0, from: .client(ClientID(0)))
                nodes.run()  // the wait ends, the session is forgotten
                nodes.deliver(.request(request), to: 0, from: .client(ClientID(0)))
                #expect(commitments(nodes) == 1)
                #expect(nodes.notes.contains { $0.contains("ignored a repeat") })
            } else {
                var nodes = harness(2) { _ in CoordinatorFlowSigner(roundTimeout: .seconds(30)) }
                nodes.deliver(.request(request), to: 0, from: .client(ClientID(0)))
                nodes.run()
                nodes.deliver(.request(request), to: 0, from: .client(ClientID(0)))
                let count = nodes.toClients.filter { if case .commitment = $0.message { true } else { false } }.count
                #expect(count == 1)
            }
        }
    }
}

/// What bounds what Byzantine peers and clients can make a node remember.
@Suite struct BoundedMapTests {
    @Test func keepsTheNewestEntriesUpToItsLimitWhateverWasRemovedOrReplaced() {
        var map = BoundedMap<Int, String>(limit: 3)
        for key in 0..<5 { map[key] = "v\(key)" }
        #expect(map.count == 3 && map[0] == nil && map[1] == nil && (2..<5).allSatisfy { map[$0] == "v\($0)" })
        // Replacing keeps its place; removing frees one; a re-inserted key is new again.
        map[2] = "w2"
        map.removeValue(forKey: 3)
        map[5] = "v5"
        #expect(map.count == 3 && map[2] == "w2" && map[4] == "v4" && map[5] == "v5")
        map[3] = "again"
        #expect(map.count == 3 && map[2] == nil && map[3] == "again")
        // Thousands of insertions and removals: nothing piles up, the limit holds.
        for key in 100..<10_000 {
            map[key] = "x"
            if key % 2 == 0 { map[key] = nil }
        }
        #expect(map.count == 3 && map[9_999] == "x" && map[9_997] == "x" && map[9_995] == "x" && map[9_993] == nil)
    }
}
