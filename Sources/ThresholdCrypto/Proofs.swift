/// A Schnorr proof of knowledge of the discrete log of a public key, bound to a context
/// (the DKG binds it to the session and the prover's identifier, so a proof cannot be
/// replayed by another participant: rogue-key protection, FROST KeyGen round 1 step 2).
public struct SchnorrProof: Hashable, Sendable {
    /// R = k·G.
    public let commitment: Point
    /// μ = k + a·c.
    public let response: Scalar

    public init(commitment: Point, response: Scalar) {
        self.commitment = commitment
        self.response = response
    }

    public static let encodedSize = 33 + 32

    /// - Complexity: one base multiplication.
    public static func prove<R: RandomNumberGenerator>(
        secret: Scalar, publicKey: Point, context: [UInt8], using rng: inout R, meter: CostMeter
    ) -> SchnorrProof {
        let nonce = Scalar.randomNonZero(using: &rng)
        let commitment = Point.base(nonce, meter: meter)
        // Both points are non-identity for a nonzero secret and nonce.
        let challenge = Self.challenge(publicKey: publicKey, commitment: commitment, context: context, meter: meter)!
        return SchnorrProof(commitment: commitment, response: nonce + secret * challenge)
    }

    /// Whether R = μ·G − c·A.
    /// - Complexity: one base multiplication, one point multiplication, one addition.
    public func verify(publicKey: Point, context: [UInt8], meter: CostMeter) -> Bool {
        guard let challenge = Self.challenge(publicKey: publicKey, commitment: commitment, context: context, meter: meter)
        else { return false }
        let expected = Point.base(response, meter: meter)
            .subtracting(publicKey.multiplied(by: challenge, meter: meter), meter: meter)
        return expected == commitment
    }

    /// c = HDKG(context ‖ A ‖ R); nil when either point is the identity (no proof is valid then).
    static func challenge(publicKey: Point, commitment: Point, context: [UInt8], meter: CostMeter) -> Scalar? {
        guard let key = try? publicKey.compressed(), let nonce = try? commitment.compressed() else { return nil }
        return FROSTHash.dkg(context, key, nonce, meter: meter)
    }
}

/// A Chaum–Pedersen proof that log_G(A) = log_H(B) for bases G, H (non-interactive by
/// Fiat–Shamir). Used where a node must show a value it published was made with its key
/// share, for example a decryption share.
public struct DLEQProof: Hashable, Sendable {
    public let challenge: Scalar
    public let response: Scalar

    public init(challenge: Scalar, response: Scalar) {
        self.challenge = challenge
        self.response = response
    }

    public static let encodedSize = 64
    static let domain = Array("LitSim-v1-DLEQ-secp256k1-SHA256".utf8)

    /// Proves that `publicKey = secret·base` and `otherPublicKey = secret·otherBase`.
    /// - Complexity: two point multiplications (one if `base` is the generator).
    public static func prove<R: RandomNumberGenerator>(
        secret: Scalar, base: Point, otherBase: Point, using rng: inout R, meter: CostMeter
    ) -> DLEQProof {
        let publicKey = multiply(base, secret, meter: meter)
        let otherPublicKey = multiply(otherBase, secret, meter: meter)
        let nonce = Scalar.randomNonZero(using: &rng)
        let r1 = multiply(base, nonce, meter: meter)
        let r2 = multiply(otherBase, nonce, meter: meter)
        let c = challenge([base, otherBase, publicKey, otherPublicKey, r1, r2], meter: meter)
        return DLEQProof(challenge: c, response: nonce + c * secret)
    }

    /// Recomputes R₁ = z·G − c·A and R₂ = z·H − c·B and checks the challenge.
    /// - Complexity: four point multiplications (one of them a base multiplication when G
    ///   is the generator) and two additions.
    public func verify(base: Point, publicKey: Point, otherBase: Point, otherPublicKey: Point, meter: CostMeter) -> Bool {
        let r1 = Self.multiply(base, response, meter: meter)
            .subtracting(publicKey.multiplied(by: challenge, meter: meter), meter: meter)
        let r2 = Self.multiply(otherBase, response, meter: meter)
            .subtracting(otherPublicKey.multiplied(by: challenge, meter: meter), meter: meter)
        return Self.challenge([base, otherBase, publicKey, otherPublicKey, r1, r2], meter: meter) == challenge
    }

    private static func multiply(_ point: Point, _ scalar: Scalar, meter: CostMeter) -> Point {
        point == .generator ? Point.base(scalar, meter: meter) : point.multiplied(by: scalar, meter: meter)
    }

    private static func challenge(_ points: [Point], meter: CostMeter) -> Scalar {
        // The identity encodes as 33 zero bytes here so that every transcript hashes.
        let transcript = points.flatMap { (try? $0.compressed()) ?? [UInt8](repeating: 0, count: 33) }
        return Hashing.hashToScalar(transcript, domain: domain, meter: meter)
    }
}
