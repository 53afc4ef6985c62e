import Foundation
import Simulation
import ThresholdCrypto

/// SplitMix64 for seeded tests. Every seeded test prints its seed so a failure can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    private var generator: SplitMix64

    init(seed: UInt64, test: String = #function) {
        generator = SplitMix64(seed: seed)
        print("\(test): seed \(seed) (set LITSIM_TEST_SEED to replay another)")
    }

    mutating func next() -> UInt64 { generator.next() }

    mutating func next(below bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}

/// The seed for seeded tests: LITSIM_TEST_SEED if set, else a fixed default.
func testSeed(default value: UInt64) -> UInt64 {
    ProcessInfo.processInfo.environment["LITSIM_TEST_SEED"].flatMap(UInt64.init) ?? value
}

func fixture(_ name: String) throws -> Data {
    guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
        throw FixtureMissing(name: name)
    }
    return try Data(contentsOf: url)
}

struct FixtureMissing: Error { let name: String }

func hex(_ string: String) -> [UInt8] { try! [UInt8](hex: string) }
func scalar(_ string: String) -> Scalar { try! Scalar(bytes: hex(string)) }

/// A FROST(secp256k1, SHA-256) vector file in the CFRG layout (RFC 9591 E.5 or ZF's).
struct FROSTVectors: Decodable {
    struct Inputs: Decodable {
        struct Share: Decodable { let identifier: Int; let participant_share: String }
        let participant_list: [Int]
        let group_secret_key: String
        let group_public_key: String
        let message: String
        let share_polynomial_coefficients: [String]
        let participant_shares: [Share]
    }
    struct RoundOne: Decodable {
        struct Output: Decodable {
            let identifier: Int
            let hiding_nonce_randomness: String
            let binding_nonce_randomness: String
            let hiding_nonce: String
            let binding_nonce: String
            let hiding_nonce_commitment: String
            let binding_nonce_commitment: String
            let binding_factor_input: String
            let binding_factor: String
        }
        let outputs: [Output]
    }
    struct RoundTwo: Decodable {
        struct Output: Decodable { let identifier: Int; let sig_share: String }
        let outputs: [Output]
    }
    struct Final: Decodable { let sig: String }
    let inputs: Inputs
    let round_one_outputs: RoundOne
    let round_two_outputs: RoundTwo
    let final_output: Final

    /// RFC 9591's own Appendix E.5 vector (the CFRG draft repository's final file).
    static let rfc9591 = "rfc9591-e5-frost-secp256k1-sha256.json"
    /// A second vector with the same key and other nonces, from ZF's frost repository.
    static let zcashFoundation = "zf-frost-secp256k1-sha256-v1.json"
    static let all = [rfc9591, zcashFoundation]

    static func load(_ name: String = rfc9591) throws -> FROSTVectors {
        try JSONDecoder().decode(FROSTVectors.self, from: fixture(name))
    }

    /// Participant `identifier`'s secret share.
    func share(of identifier: Int) -> Scalar {
        scalar(inputs.participant_shares.first { $0.identifier == identifier }!.participant_share)
    }
}
