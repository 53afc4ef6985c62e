import Simulation
import Testing
import ThresholdCrypto
@testable import Protocols

/// Domain separation (DESIGN.md §4): a signature covers protocol, kind, session, epoch, sender
/// and the body's hash, so it verifies as nothing but the message it was made for.
@Suite struct SignedMessageTests {
    let meter = CostMeter()

    func setup() -> (identities: [NodeIdentity], directory: IdentityDirectory) {
        var rng = SplitMix64(seed: 41)
        let identities = (0..<3).map { _ in NodeIdentity(secret: .randomNonZero(using: &rng), meter: CostMeter()) }
        return (identities, IdentityDirectory(keys: identities.map(\.publicKey)))
    }

    func session(_ name: ProtocolName = dkgProtocol, epoch: UInt64 = 0, counter: UInt64 = 0) -> SessionID {
        SessionID(protocolName: name, epoch: Epoch(epoch), initiator: .node(0), counter: counter)
    }

    @Test func aSignatureVerifiesOnlyForItsOwnKindSessionEpochAndSender() {
        let (identities, directory) = setup()
        let share = DKGShare(session: session(), sender: 1, receiver: 2, commitmentHash: [UInt8](repeating: 3, count: 32), share: Scalar(5)).signed(by: identities[1], meter: meter)
        #expect(share.hasValidSignature(directory, meter: meter))
        let statement = share.statement(meter: meter)
        let header = statement.header
        // The same signature under every other header differing in one field.
        let others = [
            SignedHeader(protocolName: header.protocolName, kind: DKGCommitments.kind, session: header.session, sender: header.sender, bodyHash: header.bodyHash),
            SignedHeader(protocolName: header.protocolName, kind: header.kind, session: session(counter: 1), sender: header.sender, bodyHash: header.bodyHash),
            SignedHeader(protocolName: header.protocolName, kind: header.kind, session: session(epoch: 1), sender: header.sender, bodyHash: header.bodyHash),
            SignedHeader(protocolName: LitFlow.protocolName, kind: header.kind,
                         session: SessionID(protocolName: LitFlow.protocolName, epoch: .genesis, initiator: .node(0), counter: 0),
                         sender: header.sender, bodyHash: header.bodyHash),
            SignedHeader(protocolName: header.protocolName, kind: header.kind, session: header.session, sender: .node(2), bodyHash: header.bodyHash),
            SignedHeader(protocolName: header.protocolName, kind: header.kind, session: header.session, sender: .client(ClientID(1)),
                         bodyHash: header.bodyHash),
            SignedHeader(protocolName: header.protocolName, kind: header.kind, session: header.session, sender: header.sender,
                         bodyHash: [UInt8](repeating: 0, count: 32)),
        ]
        for other in others {
            #expect(other != header)
            #expect(!SignedStatement(header: other, signature: statement.signature).isValid(directory, meter: meter), "\(other)")
        }
        // And as whole messages: the share's signature on a complaint or commitments message of the same session.
        let complaints = DKGComplaints(session: share.session, sender: 1, complaints: [], signature: share.signature)
        #expect(!complaints.hasValidSignature(directory, meter: meter))
    }

    /// A commitment keeps its header and digest from when it was built: they must be what
    /// working them out again gives, charged the same hashing (simulated time depends on it),
    /// and its signature must check the same way, including under another sender's key.
    @Test func aKeptHeaderIsTheWorkedOutHeaderAndChargesTheSameHashing() {
        let (identities, directory) = setup()
        var rng = SplitMix64(seed: 43)
        let id = AttemptID(session: SessionID(protocolName: LitFlow.protocolName, epoch: .genesis, initiator: .client(ClientID(0)), counter: 7),
                           attempt: 2)
        let nonces = FROST<FROSTSecp256k1>.commit(identifier: Scalar(2), secretShare: .randomNonZero(using: &rng), using: &rng, meter: CostMeter())
        let commitment = SignedCommitment(id: id, signer: 1, keyHash: [UInt8](repeating: 9, count: 32), commitment: nonces.commitment)
            .signed(by: identities[1], meter: meter)
        #expect(commitment.keptHeader != nil)
        let keptMeter = CostMeter(), workedMeter = CostMeter()
        let kept = commitment.header(meter: keptMeter)
        var body = ByteWriter()
        body.append(id.attempt)
        body.append(bytes: commitment.keyHash)
        body.append(nonces.commitment.identifier)
        body.append(nonces.commitment.hiding)
        body.append(nonces.commitment.binding)
        let worked = SignedHeader(protocolName: LitFlow.protocolName, kind: SignedCommitment.kind, session: id.session, sender: .node(1),
                                  bodyHash: Hashing.sha256(body.bytes, meter: workedMeter))
        #expect(kept == worked && commitment.body == body.bytes)
        var whole = ByteWriter()
        whole.append(SignedCommitment.kind)
        id.session.write(&whole)
        whole.append(node: 1)
        whole.append(bytes: body.bytes + commitment.signature)
        #expect(commitment.signedEncoding == whole.bytes)
        #expect(kept.digest(meter: keptMeter) == worked.digest(meter: workedMeter))
        #expect(keptMeter.snapshot == workedMeter.snapshot && keptMeter[.hashBlock] > 0)
        // Checking the signature: the same answer and charges as a statement built by hand.
        let checkMeter = CostMeter(), handMeter = CostMeter()
        #expect(commitment.hasValidSignature(directory, meter: checkMeter))
        let byHand = SignedHeader(protocolName: LitFlow.protocolName, kind: SignedCommitment.kind, session: id.session, sender: .node(1),
                                  bodyHash: Hashing.sha256(body.bytes, meter: handMeter))
        #expect(SignedStatement(header: byHand, signature: commitment.signature).isValid(directory, meter: handMeter))
        #expect(checkMeter.snapshot == handMeter.snapshot)
        let forged = SignedCommitment(id: id, signer: 2, keyHash: commitment.keyHash, commitment: nonces.commitment, signature: commitment.signature)
        #expect(!forged.hasValidSignature(directory, meter: meter))
    }

    /// The echo forgery of the safety review: a round-2 share signature presented as a
    /// conflicting round-1 echo. Its header names the share kind, so no honest node treats it
    /// as a round-1 broadcast; and forging the kind breaks the signature.
    @Test func aShareSignatureCannotPassAsARoundOneEcho() {
        let (identities, directory) = setup()
        let share = DKGShare(session: session(), sender: 1, receiver: 2, commitmentHash: [UInt8](repeating: 3, count: 32), share: Scalar(5)).signed(by: identities[1], meter: meter)
        let asIs = share.statement(meter: meter)
        #expect(asIs.isValid(directory, meter: meter) && asIs.header.kind != DKGCommitments.kind)
        let relabelled = SignedHeader(protocolName: dkgProtocol, kind: DKGCommitments.kind, session: asIs.header.session,
                                      sender: asIs.header.sender, bodyHash: asIs.header.bodyHash)
        #expect(!SignedStatement(header: relabelled, signature: asIs.signature).isValid(directory, meter: meter))
        let forged = DKGEvidence.equivocation(SignedStatement(header: relabelled, signature: asIs.signature), asIs)
        let parameters = PublicParameters(directory: directory, rosters: [.genesis: (Roster.genesis(count: 3), 2)])
        #expect(!forged.verify(parameters, meter: meter))
    }
}

@Suite struct IdentifierSchemeTests {
    /// Lit's identifiers are SHA-512 of the 32-byte PeerId mod q: nodes 0…3 (PeerIds 1…4) get
    /// LIT-ECDSA-EPOCHS.md §1.13's id[1…4] (computed there with Python from Lit's formula).
    @Test func litIdentifiersAreThoseOfTheReferenceComputation() throws {
        let roster = Roster.genesis(count: 4, scheme: .lit)
        let expected = ["6e2c1d819a50ac79da9b53dc3a2b7c8838fa88e6a54e39fc3be9356201bb34ef",
                        "7b1294a42b305ff3854af0019809f26402c8596d8513d8693e35d6aa678782c3",
                        "e04f417a9b4fd410c1e42ca596319f5cecfb99ad1031c3adf47291220c53266d",
                        "045163c93c5be872b30ae47574b1b211724e5b09de311278e4960461b11409bd"]
        #expect((0..<4).map { roster.identifier(at: $0).scalar.hexString } == expected)
        #expect(roster.identifierBound == nil, "hashed identifiers have no RFC 9591 bound")
        #expect(roster.member(with: roster.identifier(at: 2)) == NodeID(2))
        // Stable across epochs: a node keeps its identifier in a later roster.
        let later = roster.next(epoch: Epoch(1), members: [NodeID(2), NodeID(3), NodeID(7)])
        #expect(later.identifier(of: NodeID(2)) == roster.identifier(of: NodeID(2)) && later.scheme == .lit)
        #expect(Roster.genesis(count: 4).identifier(at: 3).scalar == Scalar(4), "sequential: id + 1")
    }
}
