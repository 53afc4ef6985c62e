import CGMP

/// An integer modulo the secp256k1 group order
/// n = FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFE BAAEDCE6 AF48A03B BFD25E8C D0364141.
///
/// Four little-endian 64-bit limbs, always fully reduced, so equality and hashing are limb
/// equality. Zero is a valid scalar (libsecp256k1's tweak functions refuse it, which is why
/// they are not our scalar library). Arithmetic is written here because it is on the hot
/// path of every protocol; only the modular inverse goes to GMP.
///
/// `description` never shows the value: a scalar is often a secret. Use `hexString` where a
/// public scalar is meant to be shown.
public struct Scalar: Hashable, Sendable, CustomStringConvertible {
    @usableFromInline var l0: UInt64
    @usableFromInline var l1: UInt64
    @usableFromInline var l2: UInt64
    @usableFromInline var l3: UInt64

    @usableFromInline static let n0: UInt64 = 0xBFD2_5E8C_D036_4141
    @usableFromInline static let n1: UInt64 = 0xBAAE_DCE6_AF48_A03B
    @usableFromInline static let n2: UInt64 = 0xFFFF_FFFF_FFFF_FFFE
    @usableFromInline static let n3: UInt64 = 0xFFFF_FFFF_FFFF_FFFF
    // 2^256 - n, a 129-bit number (nc2 = 1): the reduction folds high limbs with it.
    @usableFromInline static let nc0: UInt64 = 0x402D_A173_2FC9_BEBF
    @usableFromInline static let nc1: UInt64 = 0x4551_2319_50B7_5FC4

    @inlinable init(limbs l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64) {
        self.l0 = l0
        self.l1 = l1
        self.l2 = l2
        self.l3 = l3
    }

    public static let zero = Scalar(limbs: 0, 0, 0, 0)
    public static let one = Scalar(limbs: 1, 0, 0, 0)

    public init(_ value: UInt64) {
        self.init(limbs: value, 0, 0, 0)
    }

    public var isZero: Bool { (l0 | l1 | l2 | l3) == 0 }

    public var description: String { "Scalar(<redacted>)" }

    // MARK: Encoding

    /// Decodes a 32-byte big-endian scalar; values ≥ n are rejected, not reduced
    /// (RFC 9591 §4 DeserializeScalar).
    public init(bytes: some Collection<UInt8>) throws(CryptoError) {
        guard bytes.count == 32 else {
            throw .invalidLength(what: "scalar", expected: 32, actual: bytes.count)
        }
        let limbs = Self.limbsBigEndian(Array(bytes))
        guard !Self.isAtLeastOrder(limbs.0, limbs.1, limbs.2, limbs.3) else { throw .scalarOutOfRange }
        self.init(limbs: limbs.0, limbs.1, limbs.2, limbs.3)
    }

    /// Interprets up to 64 big-endian bytes as an integer and reduces it mod n
    /// (RFC 9380 §5.2 hash_to_field's OS2IP(tv) mod n).
    public init(reducing bytes: [UInt8]) {
        precondition(bytes.count <= 64, "Scalar(reducing:) takes at most 64 bytes")
        var wide = [UInt8](repeating: 0, count: 64 - bytes.count)
        wide.append(contentsOf: bytes)
        let high = Self.limbsBigEndian(Array(wide[0..<32]))
        let low = Self.limbsBigEndian(Array(wide[32..<64]))
        self = Self.reduce(low.0, low.1, low.2, low.3, high.0, high.1, high.2, high.3)
    }

    /// 32-byte big-endian encoding (RFC 9591 §4 SerializeScalar).
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        for (index, limb) in [l3, l2, l1, l0].enumerated() {
            for byte in 0..<8 {
                out[index * 8 + byte] = UInt8(truncatingIfNeeded: limb >> (56 - 8 * UInt64(byte)))
            }
        }
        return out
    }

    public var hexString: String { bytes.hexString }

    private static func limbsBigEndian(_ bytes: [UInt8]) -> (UInt64, UInt64, UInt64, UInt64) {
        func limb(_ start: Int) -> UInt64 {
            var value: UInt64 = 0
            for index in start..<(start + 8) { value = value << 8 | UInt64(bytes[index]) }
            return value
        }
        return (limb(24), limb(16), limb(8), limb(0))
    }

    @inlinable static func isAtLeastOrder(_ a0: UInt64, _ a1: UInt64, _ a2: UInt64, _ a3: UInt64) -> Bool {
        if a3 != n3 { return a3 > n3 }
        if a2 != n2 { return a2 > n2 }
        if a1 != n1 { return a1 > n1 }
        return a0 >= n0
    }

    // MARK: Sampling

    /// A uniform scalar in [0, n) by rejection sampling (the probability of a retry is
    /// about 2^-128, so in practice one draw of four words).
    public static func random<R: RandomNumberGenerator>(using rng: inout R) -> Scalar {
        while true {
            let a0 = rng.next(), a1 = rng.next(), a2 = rng.next(), a3: UInt64 = rng.next()
            if !isAtLeastOrder(a0, a1, a2, a3) { return Scalar(limbs: a0, a1, a2, a3) }
        }
    }

    /// A uniform nonzero scalar (secret coefficients, nonces).
    public static func randomNonZero<R: RandomNumberGenerator>(using rng: inout R) -> Scalar {
        while true {
            let candidate = random(using: &rng)
            if !candidate.isZero { return candidate }
        }
    }
}

// MARK: - Arithmetic

extension Scalar {
    /// - Complexity: O(1), a few nanoseconds.
    @inlinable public static func + (a: Scalar, b: Scalar) -> Scalar {
        let (s0, c0) = a.l0.addingReportingOverflow(b.l0)
        let (t1, c1a) = a.l1.addingReportingOverflow(b.l1)
        let (s1, c1b) = t1.addingReportingOverflow(c0 ? 1 : 0)
        let (t2, c2a) = a.l2.addingReportingOverflow(b.l2)
        let (s2, c2b) = t2.addingReportingOverflow((c1a || c1b) ? 1 : 0)
        let (t3, c3a) = a.l3.addingReportingOverflow(b.l3)
        let (s3, c3b) = t3.addingReportingOverflow((c2a || c2b) ? 1 : 0)
        let carry = c3a || c3b
        if carry || isAtLeastOrder(s0, s1, s2, s3) {
            // a + b < 2n, so one subtraction of n (adding 2^256 - n, wrapping) suffices.
            return addComplement(s0, s1, s2, s3).value
        }
        return Scalar(limbs: s0, s1, s2, s3)
    }

    @inlinable public static func - (a: Scalar, b: Scalar) -> Scalar {
        let (d0, b0) = a.l0.subtractingReportingOverflow(b.l0)
        let (t1, b1a) = a.l1.subtractingReportingOverflow(b.l1)
        let (d1, b1b) = t1.subtractingReportingOverflow(b0 ? 1 : 0)
        let (t2, b2a) = a.l2.subtractingReportingOverflow(b.l2)
        let (d2, b2b) = t2.subtractingReportingOverflow((b1a || b1b) ? 1 : 0)
        let (t3, b3a) = a.l3.subtractingReportingOverflow(b.l3)
        let (d3, b3b) = t3.subtractingReportingOverflow((b2a || b2b) ? 1 : 0)
        guard b3a || b3b else { return Scalar(limbs: d0, d1, d2, d3) }
        // Borrowed: add n back (wrapping).
        let (e0, c0) = d0.addingReportingOverflow(n0)
        let (u1, c1a) = d1.addingReportingOverflow(n1)
        let (e1, c1b) = u1.addingReportingOverflow(c0 ? 1 : 0)
        let (u2, c2a) = d2.addingReportingOverflow(n2)
        let (e2, c2b) = u2.addingReportingOverflow((c1a || c1b) ? 1 : 0)
        let e3 = d3 &+ n3 &+ ((c2a || c2b) ? 1 : 0)
        return Scalar(limbs: e0, e1, e2, e3)
    }

    @inlinable public static prefix func - (a: Scalar) -> Scalar {
        Scalar.zero - a
    }

    @inlinable public static func += (a: inout Scalar, b: Scalar) { a = a + b }
    @inlinable public static func -= (a: inout Scalar, b: Scalar) { a = a - b }
    @inlinable public static func *= (a: inout Scalar, b: Scalar) { a = a * b }

    /// Adds 2^256 - n to a 256-bit value, returning the low 256 bits and the carry out.
    @inlinable static func addComplement(_ a0: UInt64, _ a1: UInt64, _ a2: UInt64, _ a3: UInt64)
        -> (value: Scalar, carry: Bool)
    {
        let (s0, c0) = a0.addingReportingOverflow(nc0)
        let (t1, c1a) = a1.addingReportingOverflow(nc1)
        let (s1, c1b) = t1.addingReportingOverflow(c0 ? 1 : 0)
        let (t2, c2a) = a2.addingReportingOverflow(1)
        let (s2, c2b) = t2.addingReportingOverflow((c1a || c1b) ? 1 : 0)
        let (s3, c3) = a3.addingReportingOverflow((c2a || c2b) ? 1 : 0)
        return (Scalar(limbs: s0, s1, s2, s3), c3)
    }

    /// Modular multiplication: a 512-bit schoolbook product, then two folds with 2^256 ≡ 2^256 - n.
    /// - Complexity: O(1), tens of nanoseconds.
    @inlinable public static func * (a: Scalar, b: Scalar) -> Scalar {
        var acc = WideAccumulator()
        acc.mulAdd(a.l0, b.l0)
        let p0 = acc.extract()
        acc.mulAdd(a.l0, b.l1); acc.mulAdd(a.l1, b.l0)
        let p1 = acc.extract()
        acc.mulAdd(a.l0, b.l2); acc.mulAdd(a.l1, b.l1); acc.mulAdd(a.l2, b.l0)
        let p2 = acc.extract()
        acc.mulAdd(a.l0, b.l3); acc.mulAdd(a.l1, b.l2); acc.mulAdd(a.l2, b.l1); acc.mulAdd(a.l3, b.l0)
        let p3 = acc.extract()
        acc.mulAdd(a.l1, b.l3); acc.mulAdd(a.l2, b.l2); acc.mulAdd(a.l3, b.l1)
        let p4 = acc.extract()
        acc.mulAdd(a.l2, b.l3); acc.mulAdd(a.l3, b.l2)
        let p5 = acc.extract()
        acc.mulAdd(a.l3, b.l3)
        let p6 = acc.extract()
        let p7 = acc.c0
        return reduce(p0, p1, p2, p3, p4, p5, p6, p7)
    }

    /// Reduces a 512-bit little-endian value mod n (the method of libsecp256k1's
    /// scalar_reduce_512: fold the high half with 2^256 - n until it fits).
    @inlinable static func reduce(
        _ a0: UInt64, _ a1: UInt64, _ a2: UInt64, _ a3: UInt64,
        _ a4: UInt64, _ a5: UInt64, _ a6: UInt64, _ a7: UInt64
    ) -> Scalar {
        // m = a[0..3] + a[4..7] * (2^256 - n): at most 385 bits.
        var acc = WideAccumulator()
        acc.add(a0); acc.mulAdd(a4, nc0)
        let m0 = acc.extract()
        acc.add(a1); acc.mulAdd(a5, nc0); acc.mulAdd(a4, nc1)
        let m1 = acc.extract()
        acc.add(a2); acc.mulAdd(a6, nc0); acc.mulAdd(a5, nc1); acc.add(a4)
        let m2 = acc.extract()
        acc.add(a3); acc.mulAdd(a7, nc0); acc.mulAdd(a6, nc1); acc.add(a5)
        let m3 = acc.extract()
        acc.mulAdd(a7, nc1); acc.add(a6)
        let m4 = acc.extract()
        acc.add(a7)
        let m5 = acc.extract()
        let m6 = acc.c0
        // p = m[0..3] + m[4..6] * (2^256 - n): at most 259 bits.
        acc = WideAccumulator()
        acc.add(m0); acc.mulAdd(m4, nc0)
        let q0 = acc.extract()
        acc.add(m1); acc.mulAdd(m5, nc0); acc.mulAdd(m4, nc1)
        let q1 = acc.extract()
        acc.add(m2); acc.mulAdd(m6, nc0); acc.mulAdd(m5, nc1); acc.add(m4)
        let q2 = acc.extract()
        acc.add(m3); acc.mulAdd(m6, nc1); acc.add(m5)
        let q3 = acc.extract()
        acc.add(m6)
        let q4 = acc.c0
        // r = p[0..3] + p[4] * (2^256 - n), with the carry out kept as `high`.
        acc = WideAccumulator()
        acc.add(q0); acc.mulAdd(q4, nc0)
        let r0 = acc.extract()
        acc.add(q1); acc.mulAdd(q4, nc1)
        let r1 = acc.extract()
        acc.add(q2); acc.add(q4)
        let r2 = acc.extract()
        acc.add(q3)
        let r3 = acc.extract()
        var high = acc.c0
        var value = Scalar(limbs: r0, r1, r2, r3)
        // value + high·2^256 < 2n here; subtract n while it is too large.
        while high != 0 || isAtLeastOrder(value.l0, value.l1, value.l2, value.l3) {
            let folded = addComplement(value.l0, value.l1, value.l2, value.l3)
            high = high &- 1 &+ (folded.carry ? 1 : 0)
            value = folded.value
        }
        return value
    }

    /// a^exponent by left-to-right square and multiply.
    /// - Complexity: O(log exponent) multiplications.
    public func power(_ exponent: Scalar) -> Scalar {
        var result = Scalar.one
        for limb in [exponent.l3, exponent.l2, exponent.l1, exponent.l0] {
            for bit in stride(from: 63, through: 0, by: -1) {
                result = result * result
                if (limb >> UInt64(bit)) & 1 == 1 { result = result * self }
            }
        }
        return result
    }

    public func power(_ exponent: UInt64) -> Scalar {
        power(Scalar(limbs: exponent, 0, 0, 0))
    }

    /// The multiplicative inverse, or nil for zero. GMP's extended gcd is about ten times
    /// faster than Fermat's a^(n-2) with our multiplication.
    public func inverse(meter: CostMeter) -> Scalar? {
        meter.count(.scalarInverse)
        return inverseUnmetered()
    }

    func inverseUnmetered() -> Scalar? {
        guard !isZero else { return nil }
        var value: [mp_limb_t] = [mp_limb_t(l0), mp_limb_t(l1), mp_limb_t(l2), mp_limb_t(l3)]
        var order: [mp_limb_t] = [mp_limb_t(Self.n0), mp_limb_t(Self.n1), mp_limb_t(Self.n2), mp_limb_t(Self.n3)]
        var result = __mpz_struct()
        __gmpz_init2(&result, 256)
        defer { __gmpz_clear(&result) }
        var valueView = __mpz_struct()
        var orderView = __mpz_struct()
        let invertible = value.withUnsafeMutableBufferPointer { valueLimbs in
            order.withUnsafeMutableBufferPointer { orderLimbs in
                _ = __gmpz_roinit_n(&valueView, valueLimbs.baseAddress, 4)
                _ = __gmpz_roinit_n(&orderView, orderLimbs.baseAddress, 4)
                return __gmpz_invert(&result, &valueView, &orderView) != 0
            }
        }
        guard invertible else { return nil }
        var limbs: [UInt64] = [0, 0, 0, 0]
        let size = Int(abs(result._mp_size))
        for index in 0..<min(size, 4) { limbs[index] = UInt64(result._mp_d[index]) }
        return Scalar(limbs: limbs[0], limbs[1], limbs[2], limbs[3])
    }
}

/// A three-word column accumulator for schoolbook multiplication (c0 + c1·2^64 + c2·2^128).
@usableFromInline struct WideAccumulator {
    @usableFromInline var c0: UInt64 = 0
    @usableFromInline var c1: UInt64 = 0
    @usableFromInline var c2: UInt64 = 0

    @inlinable init() {}

    @inlinable @inline(__always) mutating func mulAdd(_ a: UInt64, _ b: UInt64) {
        let (high, low) = a.multipliedFullWidth(by: b)
        let (s0, o0) = c0.addingReportingOverflow(low)
        c0 = s0
        // high ≤ 2^64 - 2, so adding the carry cannot overflow.
        let (s1, o1) = c1.addingReportingOverflow(high &+ (o0 ? 1 : 0))
        c1 = s1
        c2 &+= o1 ? 1 : 0
    }

    @inlinable @inline(__always) mutating func add(_ a: UInt64) {
        let (s0, o0) = c0.addingReportingOverflow(a)
        c0 = s0
        let (s1, o1) = c1.addingReportingOverflow(o0 ? 1 : 0)
        c1 = s1
        c2 &+= o1 ? 1 : 0
    }

    @inlinable @inline(__always) mutating func extract() -> UInt64 {
        let low = c0
        c0 = c1
        c1 = c2
        c2 = 0
        return low
    }
}
