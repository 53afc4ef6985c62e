import Simulation
import Testing
import ThresholdCrypto
@testable import Protocols

/// Evidence is checked against the public parameters, never against values it names itself:
/// a Byzantine accuser cannot dress an honest node's messages up as a proof (the adversarial
/// review's forgeries, each must fail).
@Suite struct EvidenceSoundnessTests {
    /// An honest run's messages, queued by the harness.
    func honestRun() -> LocalDKG {
        var dkg = LocalDKG(participants: 5, threshold: 3, seed: 61)
        dkg.run()
        return dkg
    }

    @Test func honestDKGMessagesCannotBeDressedUpAsProof() throws {
        let dkg = honestRun()
        let meter = CostMeter()
        let parameters = dkg.parameters
        let commitments = dkg.harness.queue.compactMap { if case let .commitments(m) = $0.message, m.sender == 1 { m } else { nil } }.first!
        let share = dkg.harness.queue.compactMap { if case let .share(m) = $0.message, m.sender == 1, m.receiver == 2 { m } else { nil } }.first!
        #expect(!DKGEvidence.invalidProof(commitments).verify(parameters, meter: meter), "the identifier is the dealer's own")
        #expect(!DKGEvidence.wrongCommitmentLength(commitments).verify(parameters, meter: meter), "the threshold is the session's")
        #expect(!DKGEvidence.invalidShare(share, commitments).verify(parameters, meter: meter), "evaluated at the receiver's identifier")
        let header = commitments.statement(meter: meter)
        #expect(!DKGEvidence.inconsistentShare(share, header).verify(parameters, meter: meter), "the share names this very body")
        // Another roster (a parameter the accuser might have wished for) is not the session's.
        let wrongRoster = PublicParameters(directory: parameters.directory, rosters: [Epoch(7): (Roster.genesis(count: 5), 3)])
        #expect(!DKGEvidence.equivocation(header, header).verify(wrongRoster, meter: meter))
    }

    @Test func headersSignedByAClientAreNeverDKGEquivocation() {
        let meter = CostMeter()
        let client = NodeIdentity(secret: Scalar(99), meter: meter)
        let node = NodeIdentity(secret: Scalar(98), meter: meter)
        let directory = IdentityDirectory(keys: [node.publicKey], clientKeys: [client.publicKey])
        let parameters = PublicParameters(directory: directory, rosters: [.genesis: (Roster.genesis(count: 1), 1)])
        let session = DKGConfiguration.genesisSession(roster: Roster.genesis(count: 1))
        func statement(_ body: UInt8) -> SignedStatement {
            let header = SignedHeader(protocolName: dkgProtocol, kind: DKGCommitments.kind, session: session, sender: .client(ClientID(0)),
                                      bodyHash: [UInt8](repeating: body, count: 32))
            return SignedStatement(header: header, signature: client.sign(digest: header.digest(meter: meter), meter: meter))
        }
        #expect(statement(1).isValid(directory, meter: meter), "validly signed by the client")
        #expect(!DKGEvidence.equivocation(statement(1), statement(2)).verify(parameters, meter: meter))
    }

    @Test func aBadShareOverAListItsSignerDidNotSignProvesNothing() {
        // Signer 0's honest share; the accuser pairs it with a list naming signer 0 twice.
        let meter = CostMeter()
        var rng = SplitMix64(seed: 62)
        let client = NodeIdentity(secret: Scalar(1234), meter: meter)
        let signer = NodeIdentity(secret: .randomNonZero(using: &rng), meter: meter)
        let other = NodeIdentity(secret: .randomNonZero(using: &rng), meter: meter)
        let directory = IdentityDirectory(keys: [signer.publicKey, other.publicKey], clientKeys: [client.publicKey])
        let polynomial = Polynomial.random(constant: .randomNonZero(using: &rng), threshold: 2, using: &rng)
        let groupCommitment = polynomial.commitment(meter: meter)
        let roster = Roster.genesis(count: 2)
        let parameters = PublicParameters(directory: directory, rosters: [.genesis: (roster, 2)]).with(groupCommitment: groupCommitment, of: .genesis)
        let session = SessionID(protocolName: LitFlow.protocolName, epoch: .genesis, initiator: .client(ClientID(0)), counter: 0)
        let id = AttemptID(session: session, attempt: 1)
        let request = SignRequest(id: id, message: [UInt8](repeating: 4, count: 32), scheme: .frostSecp256k1, signers: [NodeID(0), NodeID(1)],
                                  waitMilliseconds: 100).signed(by: client, meter: meter)
        let keyHash = SignedCommitment.keyHash(groupCommitment.publicKey, meter: meter)
        let nonces = (0..<2).map { FROST<FROSTSecp256k1>.commit(identifier: Scalar(UInt64($0 + 1)), secretShare: polynomial.evaluate(at: Scalar(UInt64($0 + 1))),
                                                              using: &rng, meter: meter) }
        let commitments = [signer, other].enumerated().map { index, identity in
            SignedCommitment(id: id, signer: NodeID(index), keyHash: keyHash, commitment: nonces[index].commitment).signed(by: identity, meter: meter)
        }
        let package = try! FROST<FROSTSecp256k1>.signingPackage(groupKey: groupCommitment.publicKey, commitments: commitments.map(\.commitment),
                                                                message: request.message, meter: meter)
        let value = try! FROST<FROSTSecp256k1>.sign(identifier: Scalar(1), secretShare: polynomial.evaluate(at: Scalar(1)), nonces: nonces[0],
                                                    package: package, meter: meter)
        let share = SignatureShareMessage(id: id, signer: NodeID(0), requestDigest: request.header(meter: meter).digest(meter: meter),
                                          listDigest: SignatureShareMessage.listDigest(commitments, meter: meter), share: value, commitments: commitments)
            .signed(by: signer, meter: meter)
        #expect(!SigningEvidence.invalidShare(share, request: request, commitments: commitments).verify(parameters, meter: meter), "the share is good")
        #expect(!SigningEvidence.invalidShare(share, request: request, commitments: [commitments[0], commitments[0]]).verify(parameters, meter: meter),
                "a list the share does not name")
        #expect(!SigningEvidence.misboundCommitment(commitments[0]).verify(parameters, meter: meter), "bound to the epoch's key and roster")
        let wrong = SignatureShareMessage(id: id, signer: NodeID(0), requestDigest: share.requestDigest, listDigest: share.listDigest,
                                          share: value + .one, commitments: commitments).signed(by: signer, meter: meter)
        #expect(SigningEvidence.invalidShare(wrong, request: request, commitments: commitments).verify(parameters, meter: meter),
                "and a wrong share is proven")
    }

    /// The review's 1a: a second round-1 body shown to one node after the dealers are fixed is
    /// accused, but changes nobody's dealers: honest nodes still agree and all can sign.
    @Test func aLateSecondBroadcastCannotSplitTheDealers() {
        var dkg = LocalDKG(participants: 7, threshold: 4, seed: 63)
        let identities = dkg.identities
        let meter = CostMeter()
        let configuration = dkg.configuration
        var sent = false
        dkg.harness.inFlight = { envelope in
            // Node 6's share to node 0 arrives, with a second round-1 broadcast of node 6 after it.
            guard !sent, case .share = envelope.message, envelope.from == .node(NodeID(6)), envelope.to == .node(NodeID(0)) else { return envelope }
            sent = true
            var rng = SplitMix64(seed: 64)
            let other = Polynomial.random(constant: .randomNonZero(using: &rng), threshold: 4, using: &rng)
            let commitment = other.commitment(meter: meter)
            let proof = SchnorrProof.prove(secret: other.constant, publicKey: commitment.publicKey,
                                           context: DKGParticipant.proofContext(session: configuration.session, identifier: configuration.roster.identifier(of: NodeID(6))!),
                                           using: &rng, meter: meter)
            var changed = envelope
            changed.message = .commitments(DKGCommitments(session: configuration.session, sender: NodeID(6), commitment: commitment, proof: proof)
                .signed(by: identities[6], meter: meter))
            return changed
        }
        dkg.run()
        let results = (0..<7).compactMap { dkg.result($0) }
        #expect(results.count == 7)
        #expect(Set(results.map(\.transcriptDigest)).count == 1, "one transcript")
        #expect(results.allSatisfy { $0.shareIsConsistent })
        #expect(dkg.accusedByHonest[NodeID(6)]?.contains("dkg/equivocation") == true)
        #expect(dkg.everyAccusationReChecks)
    }
}
