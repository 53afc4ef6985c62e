import Testing
@testable import ThresholdCrypto

@Suite struct ProofTests {
    @Test func schnorrProofVerifiesOnlyInItsContext() {
        var rng = SeededGenerator(seed: testSeed(default: 40))
        let meter = CostMeter()
        let secret = Scalar.randomNonZero(using: &rng)
        let key = Point.base(secret, meter: meter)
        let context = Array("session-1|participant-3".utf8)
        let proof = SchnorrProof.prove(secret: secret, publicKey: key, context: context, using: &rng, meter: meter)
        #expect(proof.verify(publicKey: key, context: context, meter: meter))
        #expect(!proof.verify(publicKey: key, context: Array("session-1|participant-4".utf8), meter: meter))
        #expect(!proof.verify(publicKey: key.adding(.generator, meter: meter), context: context, meter: meter))
        #expect(!SchnorrProof(commitment: proof.commitment, response: proof.response + .one).verify(publicKey: key, context: context, meter: meter))
        #expect(!proof.verify(publicKey: .identity, context: context, meter: meter))
        #expect(!SchnorrProof(commitment: .identity, response: proof.response).verify(publicKey: key, context: context, meter: meter))
    }

    @Test func dleqProofBindsBothLogarithms() {
        var rng = SeededGenerator(seed: testSeed(default: 41))
        let meter = CostMeter()
        let secret = Scalar.randomNonZero(using: &rng)
        let otherBase = Point.base(.randomNonZero(using: &rng), meter: meter)
        let a = Point.base(secret, meter: meter)
        let b = otherBase.multiplied(by: secret, meter: meter)
        let proof = DLEQProof.prove(secret: secret, base: .generator, otherBase: otherBase, using: &rng, meter: meter)
        #expect(proof.verify(base: .generator, publicKey: a, otherBase: otherBase, otherPublicKey: b, meter: meter))
        let wrongB = otherBase.multiplied(by: secret + .one, meter: meter)
        #expect(!proof.verify(base: .generator, publicKey: a, otherBase: otherBase, otherPublicKey: wrongB, meter: meter))
        #expect(!DLEQProof(challenge: proof.challenge, response: proof.response + .one)
            .verify(base: .generator, publicKey: a, otherBase: otherBase, otherPublicKey: b, meter: meter))
    }
}
