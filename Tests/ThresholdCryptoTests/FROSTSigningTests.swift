import Foundation
import Testing
@testable import ThresholdCrypto

@Suite struct FROSTSigningTests {
    /// RFC 9591 Appendix E.5 (final signature 0205b6d0…7324) and ZF's vector, byte for byte.
    @Test(arguments: FROSTVectors.all) func reproducesTheVectorByteForByte(_ name: String) throws {
        let vectors = try FROSTVectors.load(name)
        let meter = CostMeter()
        let groupKey = try Point(compressed: hex(vectors.inputs.group_public_key), meter: meter)
        let message = hex(vectors.inputs.message)
        let shareOf = vectors.share(of:)
        let nonces = vectors.round_one_outputs.outputs.map { output -> FROSTNonces in
            let secret = shareOf(output.identifier)
            let hiding = FROST<FROSTSecp256k1>.generateNonce(secret: secret, random: hex(output.hiding_nonce_randomness), meter: meter)
            let binding = FROST<FROSTSecp256k1>.generateNonce(secret: secret, random: hex(output.binding_nonce_randomness), meter: meter)
            return FROST<FROSTSecp256k1>.nonces(identifier: Scalar(UInt64(output.identifier)), hiding: hiding, binding: binding, meter: meter)
        }
        let package = try FROST<FROSTSecp256k1>.signingPackage(groupKey: groupKey, commitments: nonces.map(\.commitment), message: message, meter: meter)
        #expect(package.bindingFactors.map(\.hexString) == vectors.round_one_outputs.outputs.map(\.binding_factor))
        var shares = [Scalar: Scalar]()
        for (nonce, expected) in zip(nonces, vectors.round_two_outputs.outputs) {
            let identifier = Scalar(UInt64(expected.identifier))
            let share = try FROST<FROSTSecp256k1>.sign(identifier: identifier, secretShare: shareOf(expected.identifier),
                                                       nonces: nonce, package: package, meter: meter)
            #expect(share.hexString == expected.sig_share)
            shares[identifier] = share
        }
        let verificationShares = Dictionary(uniqueKeysWithValues: vectors.inputs.participant_list.map {
            (Scalar(UInt64($0)), Point.base(shareOf($0), meter: meter))
        })
        let signature = try FROST<FROSTSecp256k1>.aggregateVerified(shares: shares, verificationShares: verificationShares, package: package, meter: meter)
        #expect(FROSTSecp256k1.serialize(signature).hexString == vectors.final_output.sig)
        #expect(FROST<FROSTSecp256k1>.verify(signature, groupKey: groupKey, message: message, meter: meter))
        #expect(!FROST<FROSTSecp256k1>.verify(signature, groupKey: groupKey, message: message + [0], meter: meter))
    }

    /// A trusted-dealer key, a random signer set of `threshold`, and a full signing round.
    func signOnce<Suite: FROSTCiphersuite>(_ suite: Suite.Type, threshold: Int, count: Int, rng: inout SeededGenerator, tamper: Int? = nil)
        throws -> (signature: FROSTSignature?, groupKey: Point, message: [UInt8], error: FROSTError?)
    {
        let meter = CostMeter()
        let identifiers = (1...count).map { Scalar(UInt64($0)) }
        let secret = Scalar.randomNonZero(using: &rng)
        let (shares, _) = try Shamir.split(secret: secret, threshold: threshold, identifiers: identifiers, using: &rng)
        let groupKey = Point.base(secret, meter: meter)
        let signers = Array(shares.shuffled(using: &rng).prefix(threshold))
        let message = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let nonces = signers.map { FROST<Suite>.commit(identifier: $0.identifier, secretShare: $0.value, using: &rng, meter: meter) }
        let package = try FROST<Suite>.signingPackage(groupKey: groupKey, commitments: nonces.map(\.commitment), message: message, meter: meter)
        var signatureShares = [Scalar: Scalar]()
        for (index, (signer, nonce)) in zip(signers, nonces).enumerated() {
            var share = try FROST<Suite>.sign(identifier: signer.identifier, secretShare: signer.value, nonces: nonce, package: package, meter: meter)
            if index == tamper { share += .one }
            signatureShares[signer.identifier] = share
        }
        let verificationShares = Dictionary(uniqueKeysWithValues: signers.map { ($0.identifier, Point.base($0.value, meter: meter)) })
        do {
            let signature = try FROST<Suite>.aggregateVerified(shares: signatureShares, verificationShares: verificationShares,
                                                                package: package, meter: meter)
            return (signature, groupKey, message, nil)
        } catch {
            return (nil, groupKey, message, error)
        }
    }

    @Test func taprootSignaturesPassLibsecp256k1ForBothKeyParities() throws {
        var rng = SeededGenerator(seed: testSeed(default: 50))
        let meter = CostMeter()
        var parities = Set<Bool>()
        for _ in 0..<16 {
            let (signature, groupKey, message, _) = try signOnce(FROSTTaproot.self, threshold: 3, count: 5, rng: &rng)
            let bytes = FROSTTaproot.serialize(try #require(signature))
            parities.insert(groupKey.hasEvenY)
            #expect(bytes.count == 64)
            #expect(BIP340.verifyWithLibsecp256k1(publicKeyX: try groupKey.xOnly(), message: message, signature: bytes, meter: meter))
            #expect(BIP340.verify(publicKeyX: try groupKey.xOnly(), message: message, signature: bytes, meter: meter))
        }
        #expect(parities == [true, false], "both parities of the group key were exercised")
    }

    @Test func secp256k1SignaturesVerifyForManyThresholds() throws {
        var rng = SeededGenerator(seed: testSeed(default: 51))
        let meter = CostMeter()
        for (threshold, count) in [(1, 1), (2, 3), (6, 10), (67, 100)] {
            let (signature, groupKey, message, _) = try signOnce(FROSTSecp256k1.self, threshold: threshold, count: count, rng: &rng)
            #expect(FROST<FROSTSecp256k1>.verify(try #require(signature), groupKey: groupKey, message: message, meter: meter), "t=\(threshold)")
            #expect(FROSTSecp256k1.serialize(signature!).count == 65)
        }
    }

    @Test func tamperedShareIsRejectedAndItsSignerNamed() throws {
        var rng = SeededGenerator(seed: testSeed(default: 52))
        for tamper in 0..<4 {
            let (signature, _, _, error) = try signOnce(FROSTTaproot.self, threshold: 4, count: 7, rng: &rng, tamper: tamper)
            #expect(signature == nil)
            guard case .invalidShare = error else {
                Issue.record("expected invalidShare, got \(String(describing: error))")
                continue
            }
        }
    }

    @Test func rejectsBadCommitmentLists() throws {
        let meter = CostMeter()
        var rng = SeededGenerator(seed: testSeed(default: 53))
        let a = FROST<FROSTSecp256k1>.commit(identifier: Scalar(1), secretShare: .one, using: &rng, meter: meter)
        let key = Point.generator
        #expect(throws: FROSTError.duplicateIdentifier) {
            try FROST<FROSTSecp256k1>.signingPackage(groupKey: key, commitments: [a.commitment, a.commitment], message: [1], meter: meter)
        }
        let identity = FROSTCommitment(identifier: Scalar(2), hiding: .identity, binding: .generator)
        #expect(throws: FROSTError.identityCommitment(identifier: Scalar(2))) {
            try FROST<FROSTSecp256k1>.signingPackage(groupKey: key, commitments: [a.commitment, identity], message: [1], meter: meter)
        }
        // RFC 9591 §5.2 input validation: identifiers nonzero and in range, enough of them.
        let b = FROST<FROSTSecp256k1>.commit(identifier: Scalar(3), secretShare: .one, using: &rng, meter: meter)
        let zero = FROSTCommitment(identifier: .zero, hiding: b.commitment.hiding, binding: b.commitment.binding)
        #expect(throws: FROSTError.zeroIdentifier) {
            try FROST<FROSTSecp256k1>.signingPackage(groupKey: key, commitments: [a.commitment, zero], message: [1], meter: meter)
        }
        #expect(throws: FROSTError.identifierOutOfRange(identifier: Scalar(3))) {
            try FROST<FROSTSecp256k1>.signingPackage(groupKey: key, commitments: [a.commitment, b.commitment], message: [1],
                                                     maximumParticipants: 2, meter: meter)
        }
        #expect(throws: FROSTError.tooFewParticipants(2)) {
            try FROST<FROSTSecp256k1>.signingPackage(groupKey: key, commitments: [a.commitment, b.commitment], message: [1],
                                                     minimumParticipants: 3, meter: meter)
        }
        #expect(throws: Never.self) {
            try FROST<FROSTSecp256k1>.signingPackage(groupKey: key, commitments: [a.commitment, b.commitment], message: [1],
                                                     minimumParticipants: 2, maximumParticipants: 3, meter: meter)
        }
        let package = try FROST<FROSTSecp256k1>.signingPackage(groupKey: key, commitments: [a.commitment], message: [1], meter: meter)
        let other = FROST<FROSTSecp256k1>.commit(identifier: Scalar(1), secretShare: .one, using: &rng, meter: meter)
        #expect(throws: FROSTError.signerNotInCommitmentList) {
            try FROST<FROSTSecp256k1>.sign(identifier: Scalar(1), secretShare: .one, nonces: other, package: package, meter: meter)
        }
    }
}
