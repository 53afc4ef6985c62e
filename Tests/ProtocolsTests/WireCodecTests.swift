import Simulation
import Testing
import ThresholdCrypto
@testable import Protocols

@Suite struct WireCodecTests {
    /// Every kind of DKG message, from a run with a bad dealer and a false complainer (so that
    /// complaints with evidence and justifications occur).
    func dkgMessages() -> [DKGMessage] {
        var dkg = LocalDKG(participants: 7, threshold: 4, behaviours: [1: .badShare(targets: [0]), 4: .falseComplaint(targets: [2]),
                                                                       5: .splitBroadcast(targets: [0, 1, 2, 3]), 6: .equivocateComplaint(targets: [0])], seed: 31)
        dkg.run()
        let messages = dkg.harness.queue.map(\.message)
        // Vote requests and their answers travel only when votes disagree: made here from the run's votes.
        let votes = messages.compactMap { if case let .agreement(vote) = $0 { vote } else { nil } }
        let session = votes[0].session
        let identity = NodeIdentity(secret: Scalar(11), meter: CostMeter())
        let request = DKGVoteRequest(session: session, sender: NodeID(2), voters: PositionSet([0, 5, 6], count: 7)).signed(by: identity, meter: CostMeter())
        let answer = DKGCertificate(session: session, sender: NodeID(2), votes: Array(votes.prefix(3))).signed(by: identity, meter: CostMeter())
        return messages + [.voteRequest(request), .certificate(answer)]
    }

    func signingPayloads() -> [SigningPayload] {
        var rng = SplitMix64(seed: 5)
        let meter = CostMeter()
        let identity = NodeIdentity(secret: .randomNonZero(using: &rng), meter: meter)
        let session = SessionID(protocolName: LitFlow.protocolName, epoch: Epoch(3), initiator: .client(ClientID(3)), counter: 77)
        let id = AttemptID(session: session, attempt: 2)
        let nonces = FROST<FROSTSecp256k1>.commit(identifier: Scalar(2), secretShare: .randomNonZero(using: &rng), using: &rng, meter: meter)
        let commitment = SignedCommitment(id: id, signer: 1, keyHash: [UInt8](repeating: 5, count: 32), commitment: nonces.commitment)
            .signed(by: identity, meter: meter)
        let share = SignatureShareMessage(id: id, signer: 1, requestDigest: [UInt8](repeating: 1, count: 32), listDigest: [UInt8](repeating: 2, count: 32),
                                          share: .randomNonZero(using: &rng), commitments: [commitment, commitment])
            .signed(by: identity, meter: meter)
        return [
            .request(SignRequest(id: id, message: [UInt8](repeating: 7, count: 32), scheme: .frostTaproot, signers: [0, 1, 5], waitMilliseconds: 15_000)
                .signed(by: identity, meter: meter)),
            .request(SignRequest(id: id, message: [UInt8](repeating: 8, count: 32), scheme: .frostSecp256k1, signers: [], waitMilliseconds: 1)
                .signed(by: identity, meter: meter)),
            .commitment(commitment),
            .package(SigningPackageMessage(id: id, message: [UInt8](repeating: 7, count: 32), scheme: .frostSecp256k1, commitments: [commitment])),
            .share(share),
            .refusal(SignRefusal(id: id, signer: 4, reason: .missingCommitments, missing: [2, 3])),
        ]
    }

    func handshakeMessages() -> [HandshakeMessage] {
        var rng = SplitMix64(seed: 6)
        let key = VSSCommitment(coefficients: (0..<4).map { _ in Point.base(.randomNonZero(using: &rng), meter: CostMeter()) })
        return [.request, .response(HandshakeResponse(node: 9, roster: Roster(epoch: Epoch(2), members: [NodeID(1), NodeID(4), NodeID(9)], scheme: .sequential),
                                                      groupCommitment: key)),
                .response(HandshakeResponse(node: 4, roster: Roster(epoch: Epoch(3), members: [NodeID(1), NodeID(4)], scheme: .lit), groupCommitment: key)),
                .response(HandshakeResponse(node: 1, roster: Roster(epoch: .genesis, members: [NodeID(1), NodeID(4)], scheme: .sequential),
                                            groupCommitment: key, rootKeys: [key.publicKey, key.coefficients[1]]))]
    }

    /// One of every ECDSA message (round 1 with its identity constants).
    func ecdsaMessages() -> [ECDSAMessage] {
        var rng = SplitMix64(seed: 8)
        let id = AttemptID(session: SessionID(protocolName: ecdsaProtocol, epoch: Epoch(1), initiator: .client(ClientID(2)), counter: 5), attempt: 2)
        let pool = SessionID(protocolName: ecdsaProtocol, epoch: Epoch(1), initiator: .node(NodeID(3)), counter: 11)
        let parameters = DamFast.Parameters(participants: 4, threshold: 3)!
        let dealing = DamFast.Dealing.random(parameters, using: &rng)
        let point = Point.base(.randomNonZero(using: &rng), meter: CostMeter())
        return [
            .request(ECDSARequest(id: id, digest: Array(repeating: 3, count: 32), keyID: Array("pkp".utf8), signers: [NodeID(1), NodeID(4)],
                                  nonce: Array(repeating: 9, count: 8), waitMilliseconds: 15_000)),
            .request(ECDSARequest(id: id, digest: Array(repeating: 3, count: 32), keyID: Array("pkp".utf8), signers: [NodeID(1), NodeID(4)],
                                  nonce: Array(repeating: 9, count: 8), waitMilliseconds: 15_000,
                                  jwt: JWTClaims(conditions: AccessConditionTests.ownsNFT, issuedAt: 1_767_225_700, expiresAt: 1_767_229_300))),
            .round1(PresignRound1(id: .request(id), commitments: dealing.commitments(meter: CostMeter()), shares: dealing.shares(at: Scalar(5)))),
            .round2(id: .request(id), bigR: point, bigW: point, w: Scalar(7)), .round3(id: .pool(pool), omega: Scalar(8)),
            .round1(PresignRound1(id: .pool(pool), commitments: dealing.commitments(meter: CostMeter()), shares: dealing.shares(at: Scalar(6)))),
            .leader(id: id, presign: pool), .leader(id: id, presign: nil), .share(id: id, share: Scalar(9), bigR: point),
            .refusal(id: id, reason: .presignTimeout, missing: [NodeID(3)]), .conditionsHeld(id: id),
        ]
    }

    /// One of every staking message, a transition lock with a changed roster among them.
    func stakingMessages() -> [StakingMessage] {
        var rng = SplitMix64(seed: 7)
        let key = VSSCommitment(coefficients: (0..<3).map { _ in Point.base(.randomNonZero(using: &rng), meter: CostMeter()) })
        let old = Roster(epoch: Epoch(4), members: [0, 1, 2, 3].map { NodeID($0) }, scheme: .sequential)
        let next = old.next(epoch: Epoch(5), members: [0, 2, 3, 7].map { NodeID($0) })
        return [
            .locked(EpochLock(next: next, threshold: 3, attempt: 2, previous: old, previousCommitment: key)),
            .ready(EpochReady(epoch: Epoch(5), attempt: 2, digest: Array(repeating: 7, count: 32), groupCommitment: key)),
            .advanced(EpochAdvance(roster: next, threshold: 3, groupCommitment: key)),
            // With two further root keys.
            .locked(EpochLock(next: next, threshold: 3, attempt: 1, previous: old, previousCommitment: key, previousRoots: [key, key])),
            .ready(EpochReady(epoch: Epoch(5), attempt: 1, digest: Array(repeating: 8, count: 32), groupCommitment: key, rootCommitments: [key, key])),
            .advanced(EpochAdvance(roster: next, threshold: 3, groupCommitment: key, rootCommitments: [key])),
            .aborted(epoch: Epoch(5), attempt: 2), .ping(sequence: 12), .pong(sequence: 12), .kickVote(node: NodeID(3), reason: .unresponsive),
        ]
    }

    /// One of every decryption message, the request with nested and/or conditions.
    func decryptMessages() -> [DecryptMessage] {
        var rng = SplitMix64(seed: 9)
        let meter = CostMeter()
        let id = AttemptID(session: SessionID(protocolName: decryptProtocol, epoch: Epoch(2), initiator: .client(ClientID(1)), counter: 4), attempt: 1)
        let call = { (method: ContractCall.Method, value: String) in
            AccessCondition.call(ContractCall(chain: "ethereum", contract: "nft", method: method, parameters: [ContractCall.userAddress],
                                              comparator: method == .ownerOf ? .equal : .greaterOrEqual, value: value)!)
        }
        let conditions = AccessCondition.all([call(.balanceOf, "2"), .any([call(.ownerOf, "client-1"), call(.balanceOf, "10")])])
        let key = Point.base(.randomNonZero(using: &rng), meter: meter)
        let ciphertext = TDH2.encrypt(Array(repeating: 5, count: 32), label: AccessCondition.label(conditions, meter: meter), publicKey: key,
                                      using: &rng, meter: meter)
        let share = TDH2.DecryptionShare(id: Scalar(3), ui: key, e: Scalar(4), f: Scalar(5))
        return [.request(id: id, ciphertext: ciphertext, conditions: conditions), .request(id: id, ciphertext: ciphertext, conditions: nil),
                .share(id: id, share: share), .refusal(id: id, reason: .conditionsFalse)]
    }

    /// One of every action message, each value type and an error response among them.
    func actionMessages() -> [ActionMessage] {
        let id = AttemptID(session: SessionID(protocolName: actionProtocol, epoch: Epoch(1), initiator: .client(ClientID(2)), counter: 5), attempt: 2)
        let request = ActionRequest(id: id, program: "price-oracle", programHash: Array(repeating: 4, count: 32), signers: [NodeID(1), NodeID(4)],
                                    keyID: Array("pkp".utf8), nonce: Array(repeating: 9, count: 8), waitMilliseconds: 15_000)
        var rng = SplitMix64(seed: 12)
        let key = Point.base(.randomNonZero(using: &rng), meter: CostMeter())
        let ciphertexts = ["sk-live-1", "🔑"].map { text in
            TDH2.encrypt(Array(text.utf8), label: Array(repeating: 7, count: 32), publicKey: key, using: &rng, meter: CostMeter())
        }
        let keyed = ActionRequest(id: id, program: "keyed", programHash: Array(repeating: 4, count: 32), signers: [NodeID(0), NodeID(1), NodeID(2)],
                                  keyID: [], nonce: Array(repeating: 1, count: 8), waitMilliseconds: 5_000, ciphertexts: ciphertexts)
        return [
            .request(keyed), .decryptionShare(id: id, step: 1, share: TDH2.DecryptionShare(id: Scalar(3), ui: key, e: Scalar(4), f: Scalar(5))),
            .request(request), .runOnceResult(id: id, block: 0, value: .number(ActionNumber(raw: -3_000_250_000_000))),
            .collected(id: id, step: 2, value: .string("ETH/USD 3000.25")), .collected(id: id, step: 3, value: .bool(true)),
            .response(id: id, ActionResponse(error: nil, value: .string("3000.25"), digests: [Array(repeating: 1, count: 32), Array(repeating: 2, count: 32)],
                                             schemes: ["frost-taproot", "ecdsa"])),
            .response(id: id, ActionResponse(error: "fetch-failed", value: nil, digests: [])),
            .response(id: id, ActionResponse(error: nil, value: .bool(true), digests: [Array(repeating: 3, count: 32)], missing: [NodeID(2)],
                                             jwtInputs: ["eyJhbGciOiJFUzI1NksiLCJ0eXAiOiJKV1QifQ.e30"])),
        ]
    }

    var registry: WireRegistry {
        var registry = WireRegistry()
        registry.register(DKGMessage.self)
        registry.register(SigningMessage<LitFlow>.self)
        registry.register(HandshakeMessage.self)
        registry.register(StakingMessage.self)
        registry.register(ECDSAMessage.self)
        registry.register(DecryptMessage.self)
        registry.register(ActionMessage.self)
        return registry
    }

    /// Every message of every registered protocol.
    func allMessages() -> [any WireMessage] {
        dkgMessages().map { $0 as any WireMessage } + signingPayloads().map { SigningMessage<LitFlow>($0) as any WireMessage }
            + handshakeMessages().map { $0 as any WireMessage } + stakingMessages().map { $0 as any WireMessage }
            + ecdsaMessages().map { $0 as any WireMessage } + decryptMessages().map { $0 as any WireMessage }
            + actionMessages().map { $0 as any WireMessage }
    }

    @Test func everyMessageRoundTripsAndItsEncodingIsItsWireSize() throws {
        let meter = CostMeter()
        let dkg = dkgMessages()
        #expect(Set(dkg.map(\.kind)) == Set(DKGMessageKind.allCases), "every kind of DKG message occurs")
        for message in dkg {
            let bytes = message.encoded
            #expect(bytes.count == message.wireSize, "\(message.kind)")
            #expect(try registry.decode(bytes, meter: meter) as? DKGMessage == message)
        }
        for payload in signingPayloads() {
            let message = SigningMessage<LitFlow>(payload)
            let bytes = message.encoded
            #expect(bytes.count == message.wireSize, "\(message)")
            #expect(try registry.decode(bytes, meter: meter) as? SigningMessage<LitFlow> == message)
        }
        for message in handshakeMessages() {
            #expect(message.encoded.count == message.wireSize)
            #expect(try registry.decode(message.encoded, meter: meter) as? HandshakeMessage == message)
        }
        for message in ecdsaMessages() {
            #expect(message.encoded.count == message.wireSize)
            #expect(try registry.decode(message.encoded, meter: meter) as? ECDSAMessage == message, "\(message.traceKind)")
        }
        for message in decryptMessages() {
            #expect(message.encoded.count == message.wireSize)
            #expect(try registry.decode(message.encoded, meter: meter) as? DecryptMessage == message, "\(message.traceKind)")
        }
        for message in stakingMessages() {
            #expect(message.encoded.count == message.wireSize)
            #expect(try registry.decode(message.encoded, meter: meter) as? StakingMessage == message, "\(message.traceKind)")
        }
        #expect(Set(actionMessages().map { "\($0.traceKind)" }) == Set(ActionMessage.traceKinds.map { "\($0)" }), "every kind of action message occurs")
        for message in actionMessages() {
            #expect(message.encoded.count == message.wireSize)
            #expect(try registry.decode(message.encoded, meter: meter) as? ActionMessage == message, "\(message.traceKind)")
        }
        // An action's ECDSA request says so on the wire (its leader is chosen differently).
        guard case let .request(action) = actionMessages()[0] else { return }
        let delegation = DelegatedSignature(scheme: DelegatedSignature.ecdsa, origin: action.id, index: 3, digest: [], keyID: [], signers: [],
                                            nonce: [], waitMilliseconds: 1)
        #expect(DelegatedSignature.origin(of: delegation.attempt(in: ecdsaProtocol), delegatedBy: actionProtocol) == (action.id, 3))
        let fromAction = ECDSAMessage.request(ECDSARequest(id: delegation.attempt(in: ecdsaProtocol), digest: Array(repeating: 3, count: 32),
                                                           keyID: [], signers: [NodeID(1)], nonce: Array(repeating: 0, count: 8), waitMilliseconds: 1, delegated: true))
        #expect(try registry.decode(fromAction.encoded, meter: meter) as? ECDSAMessage == fromAction)
    }

    @Test func aMessageOfOneFlowDoesNotDecodeAsTheOther() {
        // The lit flow's bytes under the coordinator flow's tag: its sessions name another protocol.
        var registry = WireRegistry()
        registry.register(SigningMessage<CoordinatorFlow>.self)
        let meter = CostMeter()
        for payload in signingPayloads() {
            var bytes = SigningMessage<LitFlow>(payload).encoded
            bytes[0] = CoordinatorFlow.protocolName.tag
            #expect(throws: WireError.self) { try registry.decode(bytes, meter: meter) }
        }
    }

    @Test func truncationsAndFlippedBytesAreRejectedOrDecodedNeverTrapped() {
        let meter = CostMeter()
        let encodings = (Array(allMessages().prefix(60)) + stakingMessages().map { $0 as any WireMessage } + ecdsaMessages().map { $0 as any WireMessage }
                         + decryptMessages().map { $0 as any WireMessage } + actionMessages().map { $0 as any WireMessage }).map(\.encoded)
        let registry = registry
        var rng = SplitMix64(seed: testSeed())
        print("wire fuzz seed \(testSeed())")
        var rejected = 0, decoded = 0
        for bytes in encodings {
            for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 20)) {
                #expect(throws: WireError.self) { try registry.decode(Array(bytes.prefix(length)), meter: meter) }
            }
            #expect(throws: WireError.self) { try registry.decode(bytes + [0], meter: meter) }
            for _ in 0..<200 {
                var mutated = bytes
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    mutated[Int(rng.next() % UInt64(mutated.count))] ^= UInt8(truncatingIfNeeded: 1 + rng.next() % 255)
                }
                if (try? registry.decode(mutated, meter: meter)) == nil { rejected += 1 } else { decoded += 1 }
            }
        }
        // Most flips hit points, scalars, tags or counts; flips in signatures or digests still
        // decode (the protocols reject those by their signatures).
        #expect(rejected > 0 && decoded > 0)
        #expect(throws: WireError.unknownTag(0x00)) { try registry.decode([0x00], meter: meter) }
        #expect(throws: WireError.self) { try registry.decode([], meter: meter) }
    }

    func testSeed() -> UInt64 { 0xC0FFEE }
}
