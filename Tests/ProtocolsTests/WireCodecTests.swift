import Simulation
import Testing
import ThresholdCrypto
@testable import Protocols

@Suite struct WireCodecTests {
    /// Every kind of DKG message, from a run with a bad dealer and a false complainer (so that
    /// complaints with evidence and justifications occur).
    func dkgMessages() -> [DKGMessage] {
        var dkg = LocalDKG(participants: 6, threshold: 4, behaviours: [1: .badShare(targets: [0]), 4: .falseComplaint(targets: [2])], seed: 31)
        dkg.run()
        return dkg.queue.map(\.message)
    }

    func signingMessages() -> [SigningMessage] {
        var rng = SplitMix64(seed: 5)
        let meter = CostMeter()
        let identity = NodeIdentity(secret: .randomNonZero(using: &rng), meter: meter)
        let id = SigningRequestID(client: 3, request: 77, attempt: 2)
        let nonces = FROST<FROSTSecp256k1>.commit(identifier: Scalar(2), secretShare: .randomNonZero(using: &rng), using: &rng, meter: meter)
        let commitment = SignedCommitment(id: id, signer: 1, commitment: nonces.commitment, signature: []).signed(by: identity, meter: meter)
        let share = SignatureShareMessage(id: id, signer: 1, share: .randomNonZero(using: &rng), commitments: [commitment, commitment], signature: [])
            .signed(by: identity, meter: meter)
        let key = VSSCommitment(coefficients: (0..<4).map { _ in Point.base(.randomNonZero(using: &rng), meter: meter) })
        return [
            .handshakeRequest,
            .handshakeResponse(HandshakeResponse(node: 9, groupCommitment: key)),
            .request(SignRequest(id: id, message: [UInt8](repeating: 7, count: 32), scheme: .frostTaproot, flow: .lit, signers: [0, 1, 5], waitMilliseconds: 15_000)),
            .request(SignRequest(id: id, message: [UInt8](repeating: 8, count: 32), scheme: .frostSecp256k1, flow: .coordinator, signers: [], waitMilliseconds: 1)),
            .commitment(commitment),
            .package(SigningPackageMessage(id: id, message: [UInt8](repeating: 7, count: 32), scheme: .frostSecp256k1, commitments: [commitment])),
            .share(share),
            .refusal(SignRefusal(id: id, signer: 4, reason: .missingCommitments, missing: [2, 3])),
        ]
    }

    @Test func everyMessageRoundTripsAndItsEncodingIsItsWireSize() throws {
        let meter = CostMeter()
        let dkg = dkgMessages()
        #expect(Set(dkg.map(\.round)) == Set(DKGRound.allCases), "all five DKG rounds occur")
        for message in dkg {
            let bytes = message.encoded()
            #expect(bytes.count == message.wireSize, "\(message.round)")
            #expect(try ProtocolWire.decode(bytes, meter: meter) == .dkg(message))
        }
        for message in signingMessages() {
            let bytes = message.encoded()
            #expect(bytes.count == message.wireSize, "\(message)")
            #expect(try ProtocolWire.decode(bytes, meter: meter) == .signing(message))
        }
    }

    @Test func truncationsAndFlippedBytesAreRejectedOrDecodedNeverTrapped() {
        let meter = CostMeter()
        let encodings = dkgMessages().prefix(40).map { $0.encoded() } + signingMessages().map { $0.encoded() }
        var rng = SplitMix64(seed: testSeed())
        print("wire fuzz seed \(testSeed())")
        var rejected = 0, decoded = 0
        for bytes in encodings {
            for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 20)) {
                #expect(throws: WireError.self) { try ProtocolWire.decode(Array(bytes.prefix(length)), meter: meter) }
            }
            #expect(throws: WireError.self) { try ProtocolWire.decode(bytes + [0], meter: meter) }
            for _ in 0..<200 {
                var mutated = bytes
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    mutated[Int(rng.next() % UInt64(mutated.count))] ^= UInt8(truncatingIfNeeded: 1 + rng.next() % 255)
                }
                if (try? ProtocolWire.decode(mutated, meter: meter)) == nil { rejected += 1 } else { decoded += 1 }
            }
        }
        // Most flips hit points, scalars, tags or counts; flips in signatures or digests still
        // decode (the protocols reject those by their signatures).
        #expect(rejected > 0 && decoded > 0)
        #expect(throws: WireError.unknownTag(0x00)) { try ProtocolWire.decode([0x00], meter: meter) }
        #expect(throws: WireError.self) { try ProtocolWire.decode([], meter: meter) }
    }

    func testSeed() -> UInt64 { 0xC0FFEE }
}
