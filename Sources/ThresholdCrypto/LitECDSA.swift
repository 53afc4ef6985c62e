import Crypto

/// Lit's per-PKP key derivation (../shared/research/LIT-ECDSA-EPOCHS.md §5, hd-keys-curves):
/// a tweak d = H_s(key id, context) (RFC 9380 hash_to_field, L = 48), the key
/// sk = Σ_ℓ d^ℓ · root_ℓ over the network's root keys in order, PK = Σ_ℓ d^ℓ · RootPK_ℓ. Being
/// linear in the roots, each node derives its share of sk from its root shares locally.
public enum LitHD {
    /// The context Lit's nodes use for secp256k1 (`ID_SIGN_CTX`).
    public static let nodeContext = Array("LIT_HD_KEY_ID_K256_XMD:SHA-256_SSWU_RO_NUL_".utf8)

    public static func tweak(keyID: [UInt8], context: [UInt8] = nodeContext, meter: CostMeter) -> Scalar {
        Hashing.hashToScalar(keyID, domain: context, meter: meter)
    }

    /// Σ_ℓ d^ℓ · roots[ℓ] (Horner, highest root first); also a node's share from its root shares.
    public static func deriveSecret(_ roots: [Scalar], tweak d: Scalar) -> Scalar {
        roots.reversed().reduce(Scalar.zero) { $0 * d + $1 }
    }

    /// Σ_ℓ d^ℓ · roots[ℓ] for the roots' public keys.
    /// - Complexity: roots − 1 point multiplications.
    public static func derivePublic(_ roots: [Point], tweak d: Scalar, meter: CostMeter) -> Point {
        var power = Scalar.one
        var terms = [Point]()
        for root in roots {
            terms.append(power == .one ? root : root.multiplied(by: power, meter: meter))
            power *= d
        }
        return Point.sum(terms, meter: meter)
    }

    /// A node's Shamir x-coordinate as Lit computes it: SHA-512 of its 32-byte big-endian
    /// PeerId, mod q (§1.2): pseudo-random field elements rather than 1…n.
    public static func identifier(peerID: [UInt8]) -> Scalar {
        precondition(peerID.count == 32, "a PeerId is 32 bytes")
        return Scalar(reducing: Array(SHA512.hash(data: peerID)))
    }
}

/// Lit's "DamFast" threshold ECDSA (`lit-fast-ecdsa`, §1.3–§1.7 of LIT-ECDSA-EPOCHS.md): five
/// Feldman sharings per dealer, R = Σ K_i(0)·G, w = a·k opened by interpolating over all
/// participants, ω = k⁻¹ opened to everyone in round 4; a presignature (R, ω, dⱼ, eⱼ) then
/// signs with one scalar per signer. And the paper's variant (DJNPØ20, §1.12): k⁻¹ stays
/// secret-shared (no round 4), d and e mask the product k⁻¹·y, so 2t − 1 signers are needed for
/// a key of threshold t (the paper's 2t' + 1 with its degree t' = t − 1) and no single presigner
/// learns the nonce. These are the rounds' computations; the protocol
/// that moves their messages is a service on top.
public enum DamFast {
    public enum Variant: String, Sendable, CaseIterable {
        /// Lit's: ω = k⁻¹ opened to every presigner; t_key signers.
        case lit = "damfast-lit"
        /// The paper's: [k⁻¹] stays shared; 2t + 1 signers for a key of degree t.
        case paper = "damfast-paper"
    }

    /// The sharing sizes (coefficient counts) for a presigning group of `participants`.
    /// Lit's at `threshold` signers: m = max(⌊n/2⌋, 2) for k and a, m2 = min(2m, n) for b, t for
    /// d and e; requires m ≤ t ≤ n. The paper's for a key of threshold t (degree t − 1): t for k
    /// and a, 2t − 1 for b, d and e, and 2t − 1 signers; requires 2 ≤ t and 2t − 1 ≤ n.
    public struct Parameters: Hashable, Sendable {
        public let variant: Variant
        public let participants: Int
        /// How many signers a presignature signs with (Lit: t = |signers|; paper: 2t − 1).
        public let signers: Int
        public let m: Int
        public let m2: Int
        /// Coefficients of d and e (zero constants that mask the signature shares).
        public let masks: Int

        public init?(participants n: Int, threshold t: Int) {
            let m = max(n / 2, 2)
            guard n >= 3, m <= t, t <= n else { return nil }
            variant = .lit
            participants = n
            signers = t
            self.m = m
            m2 = min(2 * m, n)
            masks = t
        }

        public init?(paperParticipants n: Int, keyThreshold t: Int) {
            guard t >= 2, 2 * t - 1 <= n else { return nil }
            variant = .paper
            participants = n
            signers = 2 * t - 1
            m = t
            m2 = 2 * t - 1
            masks = 2 * t - 1
        }

        /// The variant's parameters for a group presigning for a key of threshold `keyThreshold`
        /// (Lit's real-time presignature passes the signers' count as its threshold).
        public static func of(_ variant: Variant, participants: Int, threshold: Int) -> Parameters? {
            switch variant {
            case .lit: Parameters(participants: participants, threshold: threshold)
            case .paper: Parameters(paperParticipants: participants, keyThreshold: threshold)
            }
        }
    }

    /// One dealer's five polynomials: K and A (m coefficients, random constant), B (m2, zero
    /// constant), D and E (`masks`, zero constant).
    public struct Dealing: Sendable {
        public let k: Polynomial
        public let a: Polynomial
        public let b: Polynomial
        public let d: Polynomial
        public let e: Polynomial

        public init(k: Polynomial, a: Polynomial, b: Polynomial, d: Polynomial, e: Polynomial) {
            self.k = k
            self.a = a
            self.b = b
            self.d = d
            self.e = e
        }

        public static func random<R: RandomNumberGenerator>(_ parameters: Parameters, using rng: inout R) -> Dealing {
            Dealing(k: .random(constant: .randomNonZero(using: &rng), threshold: parameters.m, using: &rng),
                    a: .random(constant: .randomNonZero(using: &rng), threshold: parameters.m, using: &rng),
                    b: .random(constant: .zero, threshold: parameters.m2, using: &rng),
                    d: .random(constant: .zero, threshold: parameters.masks, using: &rng),
                    e: .random(constant: .zero, threshold: parameters.masks, using: &rng))
        }

        var polynomials: [Polynomial] { [k, a, b, d, e] }

        /// The dealer's shares for the participant at `id`.
        public func shares(at id: Scalar) -> Shares { Shares(values: polynomials.map { $0.evaluate(at: id) }) }

        /// The Feldman commitments (the receivers' check; V^B[0], V^D[0], V^E[0] are O).
        public func commitments(meter: CostMeter) -> Commitments { Commitments(values: polynomials.map { $0.commitment(meter: meter) }) }
    }

    /// k, a, b, d, e — one dealer's shares for one receiver, or (summed) a participant's own.
    public struct Shares: Sendable, Equatable {
        public let values: [Scalar]
        public var k: Scalar { values[0] }
        public var a: Scalar { values[1] }
        public var b: Scalar { values[2] }
        public var d: Scalar { values[3] }
        public var e: Scalar { values[4] }

        public init(values: [Scalar]) {
            precondition(values.count == 5, "five sharings")
            self.values = values
        }

        public static func sum(_ all: [Shares]) -> Shares {
            Shares(values: (0..<5).map { index in all.reduce(Scalar.zero) { $0 + $1.values[index] } })
        }
    }

    public struct Commitments: Sendable, Equatable {
        public let values: [VSSCommitment]
        public init(values: [VSSCommitment]) { self.values = values }

        /// Round 1's receiver checks (§1.3): lengths m, m, m2, masks, masks; K and A with no identity
        /// coefficient; B, D, E with C₀ = O and no other identity; each share on its commitment.
        public func accepts(_ shares: Shares, at id: Scalar, _ parameters: Parameters, meter: CostMeter) -> Bool {
            let lengths = [parameters.m, parameters.m, parameters.m2, parameters.masks, parameters.masks]
            guard values.count == 5, zip(values, lengths).allSatisfy({ $0.threshold == $1 }) else { return false }
            for (index, commitment) in values.enumerated() {
                let zeroConstant = index >= 2
                for (position, point) in commitment.coefficients.enumerated() {
                    if position == 0 && zeroConstant ? !point.isIdentity : point.isIdentity { return false }
                }
            }
            return zip(values, shares.values).allSatisfy { VSS.verify(share: $1, at: id, against: $0, meter: meter) }
        }
    }

    public enum Failure: Error, Equatable, Sendable {
        /// A dealer's shares fail its commitments (or the commitments are malformed).
        case invalidDealing(dealer: Int)
        case rIsIdentity
        case wCheckFailed
        case kInverseCheckFailed
        case zeroNonce
        case notASigner
        case incompatibleShares
        case invalidSignature
    }

    /// Round 2 of one participant from its summed shares: W_j = a_j·R, w_j = a_j·k_j + b_j.
    public static func round2(_ mine: Shares, r: Point, meter: CostMeter) -> (bigW: Point, w: Scalar) {
        (r.multiplied(by: mine.a, meter: meter), mine.a * mine.k + mine.b)
    }

    /// Round 3: w = Σ λ_j w_j and W = Σ λ_j W_j over all participants; abort unless w·G = W
    /// (and neither is zero); then ω_j = a_j · w⁻¹.
    public static func round3(_ mine: Shares, ids: [Scalar], bigWs: [Point], ws: [Scalar], meter: CostMeter) throws(Failure) -> Scalar {
        guard let lambdas = try? Lagrange.coefficients(for: ids, meter: meter) else { throw .wCheckFailed }
        let w = zip(lambdas, ws).reduce(Scalar.zero) { $0 + $1.0 * $1.1 }
        let bigW = Point.sum(zip(lambdas, bigWs).map { $1.multiplied(by: $0, meter: meter) }, meter: meter)
        guard !w.isZero, !bigW.isIdentity, Point.base(w, meter: meter) == bigW, let inverse = w.inverse(meter: meter) else { throw .wCheckFailed }
        return mine.a * inverse
    }

    /// The paper's consistency check on opening W (DJNPØ20, §1.12): the W_j = a_j·R must lie on
    /// one polynomial of `coefficients` coefficients in the exponent — interpolated from the
    /// first ones, checked at the others. Without it a participant can shift (w_j, W_j) by
    /// (Δ, Δ·G) and pass w·G = W, leaving every honest one a share of a wrong k⁻¹ (Lit's
    /// variant catches that at round 4, ω·R = G; the paper's has no round 4).
    public static func consistentInExponent(ids: [Scalar], points: [Point], coefficients: Int, meter: CostMeter) -> Bool {
        guard ids.count == points.count, coefficients >= 1, coefficients <= ids.count else { return false }
        let base = Array(ids.prefix(coefficients))
        for index in coefficients..<ids.count {
            guard let lambdas = try? Lagrange.coefficients(for: base, at: ids[index], meter: meter) else { return false }
            let expected = Point.sum(zip(lambdas, points.prefix(coefficients)).map { $1.multiplied(by: $0, meter: meter) }, meter: meter)
            if expected != points[index] { return false }
        }
        return true
    }

    /// Round 4: ω = Σ λ_j ω_j (= k⁻¹, the same for every participant); abort unless ω·R = G.
    public static func round4(ids: [Scalar], omegas: [Scalar], r: Point, meter: CostMeter) throws(Failure) -> Scalar {
        guard let lambdas = try? Lagrange.coefficients(for: ids, meter: meter) else { throw .kInverseCheckFailed }
        let omega = zip(lambdas, omegas).reduce(Scalar.zero) { $0 + $1.0 * $1.1 }
        guard r.multiplied(by: omega, meter: meter) == .generator else { throw .kInverseCheckFailed }
        return omega
    }

    /// A participant's presignature: shared R, k⁻¹ (Lit's: ω itself; the paper's: this
    /// participant's share of it), its own d and e shares.
    public struct PreSignature: Sendable, Equatable {
        public let variant: Variant
        public let id: Scalar
        /// How many signers it signs with.
        public let signers: Int
        public let bigR: Point
        public let kInverse: Scalar
        public let d: Scalar
        public let e: Scalar

        public init(variant: Variant = .lit, id: Scalar, signers: Int, bigR: Point, kInverse: Scalar, d: Scalar, e: Scalar) {
            self.variant = variant
            self.id = id
            self.signers = signers
            self.bigR = bigR
            self.kInverse = kInverse
            self.d = d
            self.e = e
        }
    }

    /// Every participant's presignature from every dealer's dealing, with every check of the
    /// rounds (a reference run: the protocol service does the same over messages).
    public static func presign(ids: [Scalar], dealings: [Dealing], _ parameters: Parameters, meter: CostMeter) throws(Failure) -> [PreSignature] {
        precondition(ids.count == parameters.participants && dealings.count == ids.count, "one dealing per participant")
        let commitments = dealings.map { $0.commitments(meter: meter) }
        let mine = ids.map { id in Shares.sum(dealings.map { $0.shares(at: id) }) }
        for id in ids {
            for (dealer, dealing) in dealings.enumerated() where !commitments[dealer].accepts(dealing.shares(at: id), at: id, parameters, meter: meter) {
                throw .invalidDealing(dealer: dealer)
            }
        }
        let r = Point.sum(commitments.map { $0.values[0].publicKey }, meter: meter)
        guard !r.isIdentity else { throw .rIsIdentity }
        let second = mine.map { round2($0, r: r, meter: meter) }
        if parameters.variant == .paper, !consistentInExponent(ids: ids, points: second.map(\.bigW), coefficients: parameters.m, meter: meter) {
            throw .wCheckFailed
        }
        var omegas = [Scalar]()
        for shares in mine { omegas.append(try round3(shares, ids: ids, bigWs: second.map(\.bigW), ws: second.map(\.w), meter: meter)) }
        // The paper's variant stops here: each keeps its share of k⁻¹.
        let kInverses = parameters.variant == .paper ? omegas : Array(repeating: try round4(ids: ids, omegas: omegas, r: r, meter: meter), count: ids.count)
        return zip(ids, zip(mine, kInverses)).map { id, pair in
            PreSignature(variant: parameters.variant, id: id, signers: parameters.signers, bigR: r, kInverse: pair.1, d: pair.0.d, e: pair.0.e)
        }
    }

    /// δ = H_s(ν, "lit-fast-ecdsa-pre-signature-rerandomizer-0.1.0") for a request's nonce ν (§1.6 step 6).
    public static func rerandomizer(_ nonce: [UInt8], meter: CostMeter) -> Scalar {
        Hashing.hashToScalar(nonce, domain: Array("lit-fast-ecdsa-pre-signature-rerandomizer-0.1.0".utf8), meter: meter)
    }

    /// One signer's share. Lit's (§1.6 steps 7–9): R' = R + δG, r = x(R') mod q,
    /// κ = (ω⁻¹ + δ)⁻¹, sⱼ = λⱼ·κ·(z + r·yⱼ) + λⱼ·(z·dⱼ + eⱼ). The paper's, whose k⁻¹ is only
    /// shared, re-randomises multiplicatively (GS21, as near/mpc does): R' = δ·R, k'⁻¹ⱼ = δ⁻¹·k⁻¹ⱼ,
    /// sⱼ = λⱼ·(k'⁻¹ⱼ·(z + r·yⱼ) + z·dⱼ + eⱼ) — a degree-2t sharing of s (t the key's degree), so
    /// 2t + 1 signers. λ over
    /// the signers' ids (key and presignature ids are the same set here).
    public static func signatureShare(_ presignature: PreSignature, keyShare: Scalar, signers: [Scalar], digest: [UInt8], delta: Scalar,
                                      meter: CostMeter) throws(Failure) -> (share: Scalar, bigR: Point) {
        guard signers.contains(presignature.id), let lambda = try? Lagrange.coefficient(for: presignature.id, in: signers, meter: meter) else {
            throw .notASigner
        }
        let z = ECDSA.messageScalar(digest)
        switch presignature.variant {
        case .lit:
            guard let k = presignature.kInverse.inverse(meter: meter), !(k + delta).isZero, let kappa = (k + delta).inverse(meter: meter) else {
                throw .zeroNonce
            }
            let bigR = presignature.bigR.adding(Point.base(delta, meter: meter), meter: meter)
            guard let (r, _) = ECDSA.rAndRecoveryBits(bigR), !r.isZero else { throw .zeroNonce }
            return (lambda * kappa * (z + r * keyShare) + lambda * (z * presignature.d + presignature.e), bigR)
        case .paper:
            guard let deltaInverse = delta.inverse(meter: meter) else { throw .zeroNonce }
            let bigR = presignature.bigR.multiplied(by: delta, meter: meter)
            guard let (r, _) = ECDSA.rAndRecoveryBits(bigR), !r.isZero else { throw .zeroNonce }
            return (lambda * (deltaInverse * presignature.kInverse * (z + r * keyShare) + z * presignature.d + presignature.e), bigR)
        }
    }

    /// The client's combination (§1.7): every share names the same R'; s = Σ sⱼ made low;
    /// the signature must verify under the key (there is no per-share check: a bad share shows
    /// only as a failed signature, with no culprit).
    public static func combine(_ shares: [(share: Scalar, bigR: Point)], digest: [UInt8], publicKey: Point, meter: CostMeter) throws(Failure) -> ECDSA.Signature {
        guard let bigR = shares.first?.bigR, shares.allSatisfy({ $0.bigR == bigR }) else { throw .incompatibleShares }
        guard let (r, bits) = ECDSA.rAndRecoveryBits(bigR) else { throw .incompatibleShares }
        let s = shares.reduce(Scalar.zero) { $0 + $1.share }
        guard !r.isZero, !s.isZero else { throw .invalidSignature }
        let signature = ECDSA.normalised(r: r, s: s, bits: bits)
        guard ECDSA.verify(signature, digest: digest, publicKey: publicKey, meter: meter) else { throw .invalidSignature }
        return signature
    }
}
