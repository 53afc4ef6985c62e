import Simulation
import Testing
import ThresholdCrypto
@testable import Protocols

@Suite struct SignerTests {
    func signers(_ count: Int) -> (signers: [Signer], identities: [NodeIdentity]) {
        var rng = SplitMix64(seed: 99)
        let meter = CostMeter()
        let identities = (0..<count).map { _ in NodeIdentity(secret: .randomNonZero(using: &rng), meter: meter) }
        let secret = Scalar.randomNonZero(using: &rng)
        let polynomial = Polynomial.random(constant: secret, threshold: 2, using: &rng)
        let commitment = polynomial.commitment(meter: meter)
        let signers = (0..<count).map { node -> Signer in
            var signer = Signer(me: node, identity: identities[node], identityKeys: identities.map(\.publicKey), roundTimeout: .seconds(30))
            signer.install(SignerKey(identifier: Scalar(UInt64(node + 1)), secretShare: polynomial.evaluate(at: Scalar(UInt64(node + 1))),
                                     groupCommitment: commitment))
            return signer
        }
        return (signers, identities)
    }

    @Test func keepsACommitmentThatArrivesBeforeTheRequest() {
        var (nodes, _) = signers(2)
        var rng = SplitMix64(seed: 1)
        let meter = CostMeter()
        let request = SignRequest(id: SigningRequestID(client: 0, request: 0, attempt: 1), message: [UInt8](repeating: 1, count: 32),
                                  scheme: .frostSecp256k1, flow: .lit, signers: [0, 1], waitMilliseconds: 15_000)
        // Node 0 hears the request first and commits; its commitment reaches node 1 before the request does.
        let fromZero = nodes[0].handleRequest(request, from: 9, using: &rng, meter: meter)
        guard case let .send(.commitment(commitment), _)? = fromZero.first else {
            Issue.record("node 0 did not send a commitment")
            return
        }
        #expect(nodes[1].handleCommitment(commitment, from: 0, meter: meter).isEmpty)
        let fromOne = nodes[1].handleRequest(request, from: 9, using: &rng, meter: meter)
        #expect(fromOne.contains { if case .send(.share, 9) = $0 { true } else { false } }, "node 1 signs at once")
    }

    @Test func refusesASecondRequestForTheSameAttempt() {
        var (nodes, _) = signers(2)
        var rng = SplitMix64(seed: 2)
        let meter = CostMeter()
        let request = SignRequest(id: SigningRequestID(client: 0, request: 0, attempt: 1), message: [UInt8](repeating: 1, count: 32),
                                  scheme: .frostTaproot, flow: .coordinator, signers: [], waitMilliseconds: 15_000)
        _ = nodes[0].handleRequest(request, from: 9, using: &rng, meter: meter)
        let again = nodes[0].handleRequest(request, from: 9, using: &rng, meter: meter)
        guard case let .send(.refusal(refusal), _)? = again.first else {
            Issue.record("expected a refusal")
            return
        }
        #expect(refusal.reason == .alreadySigned)
    }
}
