import Foundation
import Testing
@testable import ThresholdCrypto

/// RFC 9591 Appendix E.5 (FROST(secp256k1, SHA-256)) and ZF's second vector: the parts the crypto core owns — the
/// trusted-dealer shares, H1, H3 (nonce generation), H4 and H5 — checked byte for byte.
@Suite struct FROSTVectorTests {
    
    @Test(arguments: FROSTVectors.all) func trustedDealerSharesMatch(_ name: String) throws {
        let vectors = try FROSTVectors.load(name)
        let meter = CostMeter()
        let polynomial = Polynomial(coefficients: [scalar(vectors.inputs.group_secret_key)]
            + vectors.inputs.share_polynomial_coefficients.map(scalar))
        #expect(try Point.base(polynomial.constant, meter: meter).compressed().hexString == vectors.inputs.group_public_key)
        for share in vectors.inputs.participant_shares {
            #expect(polynomial.evaluate(at: Scalar(UInt64(share.identifier))).hexString == share.participant_share)
        }
        let shares = vectors.inputs.participant_shares.prefix(2).map {
            SecretShare(identifier: Scalar(UInt64($0.identifier)), value: scalar($0.participant_share))
        }
        #expect(try Shamir.reconstruct(Array(shares), meter: meter).hexString == vectors.inputs.group_secret_key)
    }

    @Test(arguments: FROSTVectors.all) func nonceGenerationMatchesH3(_ name: String) throws {
        // RFC 9591 §4.1: nonce = H3(random_bytes ‖ SerializeScalar(secret)).
        let vectors = try FROSTVectors.load(name)
        let meter = CostMeter()
        for output in vectors.round_one_outputs.outputs {
            let secret = vectors.share(of: output.identifier).bytes
            let hiding = FROSTHash.h3(hex(output.hiding_nonce_randomness), secret, meter: meter)
            let binding = FROSTHash.h3(hex(output.binding_nonce_randomness), secret, meter: meter)
            #expect(hiding.hexString == output.hiding_nonce)
            #expect(binding.hexString == output.binding_nonce)
            #expect(try Point.base(hiding, meter: meter).compressed().hexString == output.hiding_nonce_commitment)
            #expect(try Point.base(binding, meter: meter).compressed().hexString == output.binding_nonce_commitment)
        }
    }

    @Test(arguments: FROSTVectors.all) func bindingFactorInputUsesH4AndH5AndH1MatchesFactor(_ name: String) throws {
        // RFC 9591 §4.4: rho_input = PK ‖ H4(msg) ‖ H5(encoded commitment list) ‖ identifier.
        let vectors = try FROSTVectors.load(name)
        let meter = CostMeter()
        let outputs = vectors.round_one_outputs.outputs
        let encodedCommitments = outputs.flatMap { output in
            Scalar(UInt64(output.identifier)).bytes + hex(output.hiding_nonce_commitment) + hex(output.binding_nonce_commitment)
        }
        let prefix = hex(vectors.inputs.group_public_key)
            + FROSTHash.h4(hex(vectors.inputs.message), meter: meter)
            + FROSTHash.h5(encodedCommitments, meter: meter)
        for output in outputs {
            let input = prefix + Scalar(UInt64(output.identifier)).bytes
            #expect(input.hexString == output.binding_factor_input)
            #expect(FROSTHash.h1(input, meter: meter).hexString == output.binding_factor)
        }
    }
}
