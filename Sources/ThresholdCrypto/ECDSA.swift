import Crypto

/// ECDSA over secp256k1 as Ethereum and Lit use it (SEC 1 §4.1): signatures (r, s) with
/// low s (s ≤ (n − 1)/2, BIP 62 / EIP-2), a recovery id, public-key recovery, RFC 6979
/// deterministic nonces for the single-party reference, and Ethereum addresses. Our own
/// arithmetic over `Scalar` and `Point`; tests check it against libsecp256k1's verifier and
/// recovery module and against published vectors.
public enum ECDSA {
    public struct Signature: Hashable, Sendable {
        public let r: Scalar
        public let s: Scalar
        /// 0…3: bit 0 the parity of R's y, bit 1 whether R's x was ≥ n (r = x − n).
        public let recoveryID: UInt8

        public init(r: Scalar, s: Scalar, recoveryID: UInt8) {
            self.r = r
            self.s = s
            self.recoveryID = recoveryID
        }

        /// r ‖ s, 64 bytes.
        public var compact: [UInt8] { r.bytes + s.bytes }
        /// r ‖ s ‖ v with Ethereum's legacy v = 27 + recovery id, 65 bytes.
        public var ethereum: [UInt8] { compact + [27 + recoveryID] }
    }

    public enum Failure: Error, Equatable, Sendable {
        /// r or s is zero, or s is high where low s is required.
        case invalidSignature
        /// The recovery id names no point (x ≥ p, or no point with that x).
        case unrecoverable
        case zeroNonce
    }

    /// (n − 1) / 2: the largest low s.
    static let halfOrder: [UInt8] = try! Array(hex: "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")
    /// The group order n, big-endian.
    static let order: [UInt8] = try! Array(hex: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
    /// The field prime p, big-endian.
    static let prime: [UInt8] = try! Array(hex: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")

    public static func isHigh(_ s: Scalar) -> Bool { halfOrder.lexicographicallyPrecedes(s.bytes) }

    /// The digest as a scalar: a 32-byte digest is its integer mod n (SEC 1 §4.1.3 step 5 for
    /// a 256-bit hash).
    public static func messageScalar(_ digest: [UInt8]) -> Scalar { Scalar(reducing: digest) }

    /// RFC 6979 §3.2 with HMAC-SHA-256 and qlen = 256: the deterministic nonce for `secret`
    /// and a 32-byte `digest` (bits2octets(h) = h mod n).
    public static func rfc6979Nonce(secret: Scalar, digest: [UInt8]) -> Scalar {
        let x = secret.bytes, h = messageScalar(digest).bytes
        var v = [UInt8](repeating: 0x01, count: 32)
        var k = [UInt8](repeating: 0x00, count: 32)
        func hmac(_ key: [UInt8], _ data: [UInt8]) -> [UInt8] {
            Array(HMAC<SHA256>.authenticationCode(for: data, using: SymmetricKey(data: key)))
        }
        k = hmac(k, v + [0x00] + x + h)
        v = hmac(k, v)
        k = hmac(k, v + [0x01] + x + h)
        v = hmac(k, v)
        while true {
            v = hmac(k, v)
            // A candidate in [1, n − 1] is the nonce (qlen = hlen = 256: one block).
            if let candidate = try? Scalar(bytes: v), !candidate.isZero { return candidate }
            k = hmac(k, v + [0x00])
            v = hmac(k, v)
        }
    }

    /// R's x as the signature's r, and the recovery id's bits before any s normalisation.
    static func rAndRecoveryBits(_ point: Point) -> (r: Scalar, bits: UInt8)? {
        guard let encoded = try? point.compressed() else { return nil }
        let x = Array(encoded.dropFirst())
        let r = Scalar(reducing: x)
        let overflow: UInt8 = r.bytes == x ? 0 : 2
        return (r, overflow | (encoded[0] == 0x03 ? 1 : 0))
    }

    /// Signs a 32-byte digest with nonce k (RFC 6979's when nil), low s.
    public static func sign(secret: Scalar, digest: [UInt8], nonce: Scalar? = nil, meter: CostMeter) throws(Failure) -> Signature {
        let k = nonce ?? rfc6979Nonce(secret: secret, digest: digest)
        guard !k.isZero, let kInverse = k.inverse(meter: meter) else { throw .zeroNonce }
        guard let (r, bits) = rAndRecoveryBits(Point.base(k, meter: meter)), !r.isZero else { throw .invalidSignature }
        let s = kInverse * (messageScalar(digest) + r * secret)
        guard !s.isZero else { throw .invalidSignature }
        return normalised(r: r, s: s, bits: bits)
    }

    /// (r, s) with s made low, the recovery id's parity bit flipped if s was negated.
    public static func normalised(r: Scalar, s: Scalar, bits: UInt8) -> Signature {
        isHigh(s) ? Signature(r: r, s: -s, recoveryID: bits ^ 1) : Signature(r: r, s: s, recoveryID: bits)
    }

    /// SEC 1 §4.1.4: u₁ = z/s, u₂ = r/s, R = u₁G + u₂Q, valid iff R ≠ O and x(R) mod n = r.
    /// With `requireLowS` a high s is rejected (Ethereum's and Bitcoin's standardness rule).
    public static func verify(_ signature: Signature, digest: [UInt8], publicKey: Point, requireLowS: Bool = true, meter: CostMeter) -> Bool {
        guard !signature.r.isZero, !signature.s.isZero, !publicKey.isIdentity, !(requireLowS && isHigh(signature.s)),
              let sInverse = signature.s.inverse(meter: meter) else { return false }
        let u1 = messageScalar(digest) * sInverse, u2 = signature.r * sInverse
        let point = Point.base(u1, meter: meter).adding(publicKey.multiplied(by: u2, meter: meter), meter: meter)
        guard let (r, _) = rAndRecoveryBits(point) else { return false }
        return r == signature.r
    }

    /// SEC 1 §4.1.6: R from r and the recovery id, then Q = r⁻¹(sR − zG).
    public static func recover(_ signature: Signature, digest: [UInt8], meter: CostMeter) throws(Failure) -> Point {
        guard !signature.r.isZero, !signature.s.isZero, signature.recoveryID < 4, let rInverse = signature.r.inverse(meter: meter) else {
            throw .invalidSignature
        }
        var x = signature.r.bytes
        if signature.recoveryID & 2 != 0 {
            // x = r + n, which must stay below p.
            x = add(x, order)
            guard x.count == 32, x.lexicographicallyPrecedes(prime) else { throw .unrecoverable }
        }
        guard let point = try? Point(compressed: [signature.recoveryID & 1 == 0 ? 0x02 : 0x03] + x, meter: meter) else { throw .unrecoverable }
        let key = point.multiplied(by: signature.s, meter: meter).subtracting(Point.base(messageScalar(digest), meter: meter), meter: meter)
            .multiplied(by: rInverse, meter: meter)
        guard !key.isIdentity else { throw .unrecoverable }
        return key
    }

    /// Big-endian addition of two 32-byte numbers (33 bytes on a carry out).
    static func add(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var carry = 0
        for index in stride(from: 31, through: 0, by: -1) {
            let sum = Int(a[index]) + Int(b[index]) + carry
            out[index] = UInt8(sum & 0xff)
            carry = sum >> 8
        }
        return carry > 0 ? [UInt8(carry)] + out : out
    }

    /// The Ethereum address of a key: the last 20 bytes of Keccak-256(x ‖ y).
    public static func ethereumAddress(_ publicKey: Point, meter: CostMeter) -> [UInt8] {
        guard let encoded = try? publicKey.uncompressed() else { return [] }
        return Array(Keccak.keccak256(Array(encoded.dropFirst()), meter: meter).suffix(20))
    }
}
