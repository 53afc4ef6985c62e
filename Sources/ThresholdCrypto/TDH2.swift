import Crypto

/// Threshold decryption: Shoup and Gennaro's TDH2 ("Securing Threshold Cryptosystems against
/// Chosen Ciphertext Attack", J. Cryptology 15(2), 2002, §4) over secp256k1, used as a key
/// encapsulation with a label, and ChaCha20-Poly1305 (swift-crypto) for the content. It stands
/// in for Lit's BLS12-381 identity-based encryption, which no packaged library here provides:
/// the same shape — encrypt to the network key under a label (Lit binds a ciphertext to its
/// access-control conditions), each node releases a decryption share, the client combines a
/// threshold — with shares that carry a proof, so a bad one names its sender.
///
/// Encrypt under h = x·G with label L: r, s random; u = r·G, ū = r·ḡ, w = s·G, w̄ = s·ḡ; the
/// content key is H1(r·h); the sealed content and L are bound by e = H2(sealed, L, u, w, ū, w̄)
/// and f = s + r·e. Anyone checks a ciphertext by recomputing w = f·G − e·u, w̄ = f·ḡ − e·ū. A
/// node holding xⱼ (hⱼ = xⱼ·G) returns uⱼ = xⱼ·u with a Chaum–Pedersen proof that
/// log_u uⱼ = log_G hⱼ; any t valid shares give r·h = Σ λⱼ·uⱼ.
public enum TDH2 {
    public static let domain = Array("LitSim-TDH2-secp256k1-v1".utf8)

    /// ḡ: a second generator whose discrete logarithm nobody knows — the point with even y at
    /// the first x = SHA-256(domain ‖ "generator" ‖ counter) on the curve.
    public static let secondGenerator: Point = {
        let meter = CostMeter()
        for counter in UInt8(0)...UInt8(255) {
            let x = Hashing.sha256(domain + Array("generator".utf8) + [counter], meter: meter)
            if let point = try? Point(compressed: [0x02] + x, meter: meter) { return point }
        }
        preconditionFailure("no x of 256 candidates is on the curve")
    }()

    public struct Ciphertext: Sendable, Equatable {
        /// ChaCha20-Poly1305's combined box (nonce ‖ ciphertext ‖ tag), L as associated data.
        public let sealed: [UInt8]
        public let label: [UInt8]
        public let u: Point
        public let uBar: Point
        public let e: Scalar
        public let f: Scalar

        public init(sealed: [UInt8], label: [UInt8], u: Point, uBar: Point, e: Scalar, f: Scalar) {
            self.sealed = sealed
            self.label = label
            self.u = u
            self.uBar = uBar
            self.e = e
            self.f = f
        }
    }

    /// One node's decryption share: uⱼ = xⱼ·u at identifier `id`, and its proof (e, f).
    public struct DecryptionShare: Sendable, Equatable {
        public let id: Scalar
        public let ui: Point
        public let e: Scalar
        public let f: Scalar

        public init(id: Scalar, ui: Point, e: Scalar, f: Scalar) {
            self.id = id
            self.ui = ui
            self.e = e
            self.f = f
        }
    }

    public enum Failure: Error, Equatable, Sendable {
        case invalidCiphertext
        /// The share at this identifier fails its proof (its sender is at fault).
        case invalidShare(id: Scalar)
        case notEnoughShares
        case contentDoesNotOpen
    }

    public static func encrypt<R: RandomNumberGenerator>(_ plaintext: [UInt8], label: [UInt8], publicKey h: Point, using rng: inout R,
                                                         meter: CostMeter) -> Ciphertext {
        let r = Scalar.randomNonZero(using: &rng), s = Scalar.randomNonZero(using: &rng)
        let u = Point.base(r, meter: meter), uBar = secondGenerator.multiplied(by: r, meter: meter)
        let w = Point.base(s, meter: meter), wBar = secondGenerator.multiplied(by: s, meter: meter)
        var nonceBytes = [UInt8](repeating: 0, count: 12)
        for index in nonceBytes.indices { nonceBytes[index] = UInt8(truncatingIfNeeded: rng.next()) }
        let key = contentKey(h.multiplied(by: r, meter: meter), meter: meter)
        // The nonce is fresh, the key single use: sealing cannot fail.
        let box = try! ChaChaPoly.seal(plaintext, using: key, nonce: try! ChaChaPoly.Nonce(data: nonceBytes), authenticating: label)
        let sealed = Array(box.combined)
        let e = challenge(sealed: sealed, label: label, u: u, w: w, uBar: uBar, wBar: wBar, meter: meter)
        return Ciphertext(sealed: sealed, label: label, u: u, uBar: uBar, e: e, f: s + r * e)
    }

    /// Whether the ciphertext is well formed (the proof that u and ū share r, bound to the
    /// sealed content and the label): nodes release shares only for valid ones.
    public static func isValid(_ c: Ciphertext, meter: CostMeter) -> Bool {
        guard !c.u.isIdentity, !c.uBar.isIdentity else { return false }
        let w = Point.base(c.f, meter: meter).subtracting(c.u.multiplied(by: c.e, meter: meter), meter: meter)
        let wBar = secondGenerator.multiplied(by: c.f, meter: meter).subtracting(c.uBar.multiplied(by: c.e, meter: meter), meter: meter)
        guard !w.isIdentity, !wBar.isIdentity else { return false }
        return challenge(sealed: c.sealed, label: c.label, u: c.u, w: w, uBar: c.uBar, wBar: wBar, meter: meter) == c.e
    }

    /// A node's share for a valid ciphertext, with its proof.
    public static func share<R: RandomNumberGenerator>(_ c: Ciphertext, secretShare x: Scalar, id: Scalar, using rng: inout R,
                                                       meter: CostMeter) throws(Failure) -> DecryptionShare {
        guard isValid(c, meter: meter) else { throw .invalidCiphertext }
        let s = Scalar.randomNonZero(using: &rng)
        let ui = c.u.multiplied(by: x, meter: meter)
        let e = shareChallenge(u: c.u, hi: Point.base(x, meter: meter), ui: ui, uHat: c.u.multiplied(by: s, meter: meter), hHat: Point.base(s, meter: meter),
                               meter: meter)
        return DecryptionShare(id: id, ui: ui, e: e, f: s + x * e)
    }

    /// Whether a share is uⱼ = xⱼ·u for the sender's verification share hⱼ = xⱼ·G.
    public static func verify(_ share: DecryptionShare, for c: Ciphertext, verificationShare hi: Point, meter: CostMeter) -> Bool {
        guard !share.ui.isIdentity, !hi.isIdentity else { return false }
        let uHat = c.u.multiplied(by: share.f, meter: meter).subtracting(share.ui.multiplied(by: share.e, meter: meter), meter: meter)
        let hHat = Point.base(share.f, meter: meter).subtracting(hi.multiplied(by: share.e, meter: meter), meter: meter)
        guard !uHat.isIdentity, !hHat.isIdentity else { return false }
        return shareChallenge(u: c.u, hi: hi, ui: share.ui, uHat: uHat, hHat: hHat, meter: meter) == share.e
    }

    /// The plaintext from `threshold` shares (each checked against its verification share; the
    /// first bad one is named).
    public static func combine(_ shares: [(share: DecryptionShare, verificationShare: Point)], threshold: Int, ciphertext c: Ciphertext,
                               meter: CostMeter) throws(Failure) -> [UInt8] {
        guard isValid(c, meter: meter) else { throw .invalidCiphertext }
        for (share, hi) in shares where !verify(share, for: c, verificationShare: hi, meter: meter) { throw .invalidShare(id: share.id) }
        return try combine(verified: shares.map(\.share), threshold: threshold, ciphertext: c, meter: meter)
    }

    /// The plaintext from the first `threshold` shares, which the caller checked (with the
    /// ciphertext) as they came.
    public static func combine(verified shares: [DecryptionShare], threshold: Int, ciphertext c: Ciphertext, meter: CostMeter) throws(Failure) -> [UInt8] {
        let used = Array(shares.prefix(threshold))
        guard used.count == threshold, Set(used.map(\.id.bytes)).count == threshold,
              let lambdas = try? Lagrange.coefficients(for: used.map(\.id), meter: meter) else { throw .notEnoughShares }
        let shared = Point.sum(zip(lambdas, used).map { $1.ui.multiplied(by: $0, meter: meter) }, meter: meter)
        guard !shared.isIdentity, let box = try? ChaChaPoly.SealedBox(combined: c.sealed),
              let plaintext = try? ChaChaPoly.open(box, using: contentKey(shared, meter: meter), authenticating: c.label) else {
            throw .contentDoesNotOpen
        }
        return Array(plaintext)
    }

    /// H1: the content key from r·h.
    static func contentKey(_ point: Point, meter: CostMeter) -> SymmetricKey {
        SymmetricKey(data: Hashing.sha256(domain + Array("H1".utf8) + ((try? point.compressed()) ?? []), meter: meter))
    }

    /// H2: the ciphertext's challenge.
    static func challenge(sealed: [UInt8], label: [UInt8], u: Point, w: Point, uBar: Point, wBar: Point, meter: CostMeter) -> Scalar {
        var input = Hashing.sha256(sealed, meter: meter) + Hashing.sha256(label, meter: meter)
        for point in [u, w, uBar, wBar] { input += (try? point.compressed()) ?? [UInt8](repeating: 0, count: 33) }
        return Hashing.hashToScalar(input, domain: domain + Array("H2".utf8), meter: meter)
    }

    /// H4: a share's challenge (TDH2's H4(uⱼ, ûⱼ, ĥⱼ), with the statement's u and hⱼ added, as
    /// strong Fiat–Shamir asks).
    static func shareChallenge(u: Point, hi: Point, ui: Point, uHat: Point, hHat: Point, meter: CostMeter) -> Scalar {
        var input = [UInt8]()
        for point in [u, hi, ui, uHat, hHat] { input += (try? point.compressed()) ?? [UInt8](repeating: 0, count: 33) }
        return Hashing.hashToScalar(input, domain: domain + Array("H4".utf8), meter: meter)
    }
}
