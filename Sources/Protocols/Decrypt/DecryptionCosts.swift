import ThresholdCrypto

/// What decryption costs in simulated CPU time (`nodes.cost_profile`). LitSim decrypts with
/// TDH2 over secp256k1 either way; with `bls12-381` the TDH2 work counts into a scratch meter
/// and each step is charged what Lit's BLS12-381 identity-based encryption does instead, at
/// blst's speed (CostTable.blsFigures), so timing studies model Lit's scheme.
public enum DecryptionCostProfile: String, Sendable, CaseIterable {
    case secp256k1
    case bls12381 = "bls12-381"

    /// The meter TDH2's own work counts into: the real one, or a scratch one when BLS costs
    /// are charged instead.
    public func meter(_ real: CostMeter) -> CostMeter { self == .secp256k1 ? real : CostMeter() }

    /// Encrypting to the network: hash the identity to G2, r·G1, and one pairing.
    public func chargeEncryption(_ meter: CostMeter) {
        charge(meter, [.blsHashToG2, .blsG1Multiply, .blsMillerLoop, .blsFinalExponentiation])
    }

    /// A node's decryption share: the identity hashed to G2, times its key share.
    public func chargeShare(_ meter: CostMeter) { charge(meter, [.blsHashToG2, .blsG2Multiply]) }

    /// Checking one share against the node's public key share: a two-pairing product.
    public func chargeShareCheck(_ meter: CostMeter) { charge(meter, [.blsMillerLoop, .blsMillerLoop, .blsFinalExponentiation]) }

    /// Combining `shares` in G2 (Lagrange) and opening the content with one pairing.
    public func chargeOpening(_ meter: CostMeter, shares: Int) {
        charge(meter, Array(repeating: .blsG2Multiply, count: shares) + [.blsMillerLoop, .blsFinalExponentiation])
    }

    func charge(_ meter: CostMeter, _ operations: [CryptoOperation]) {
        guard self == .bls12381 else { return }
        for operation in operations { meter.count(operation) }
    }
}
