import CSecp256k1

/// The context every libsecp256k1 call uses. It is immutable after creation (never
/// randomised), which libsecp256k1 documents as safe to share between threads; it holds no
/// per-simulation state.
nonisolated(unsafe) let secp256k1Context: OpaquePointer = {
    guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
        fatalError("libsecp256k1 could not create a context")
    }
    // The default illegal-argument callback aborts the process. Our calls never pass
    // illegal arguments, and if one did the call should fail with 0, not kill a simulation.
    secp256k1_context_set_illegal_callback(context, { _, _ in }, nil)
    return context
}()

/// A point on secp256k1, including the identity (point at infinity), which libsecp256k1's
/// public key type cannot hold and so is modelled here explicitly.
///
/// Arithmetic goes through libsecp256k1 (tweak_mul, pubkey_create, combine, negate) and
/// counts into a `CostMeter`.
public struct Point: Hashable, Sendable, CustomStringConvertible {
    /// nil is the identity. libsecp256k1 stores x and y normalised, so equal points have
    /// equal bytes and byte equality is point equality (tested).
    @usableFromInline var key: secp256k1_pubkey?

    @usableFromInline init(key: secp256k1_pubkey?) {
        self.key = key
    }

    public static let identity = Point(key: nil)

    /// The generator G.
    public static let generator: Point = Point.base(times: .one)

    public var isIdentity: Bool { key == nil }

    public static func == (a: Point, b: Point) -> Bool {
        switch (a.key, b.key) {
        case (nil, nil): true
        case (nil, _), (_, nil): false
        case (var x?, var y?): withUnsafeBytes(of: &x.data) { bx in
                withUnsafeBytes(of: &y.data) { by in bx.elementsEqual(by) }
            }
        }
    }

    public func hash(into hasher: inout Hasher) {
        guard var key else {
            hasher.combine(0 as UInt8)
            return
        }
        withUnsafeBytes(of: &key.data) { hasher.combine(bytes: $0) }
    }

    public var description: String {
        isIdentity ? "Point(identity)" : "Point(\((try? compressed().hexString) ?? "?"))"
    }

    // MARK: Arithmetic

    /// G × k without a meter, for constants.
    private static func base(times scalar: Scalar) -> Point {
        guard !scalar.isZero else { return .identity }
        var key = secp256k1_pubkey()
        let secret = scalar.bytes
        guard secp256k1_ec_pubkey_create(secp256k1Context, &key, secret) == 1 else { return .identity }
        return Point(key: key)
    }

    /// G × k using libsecp256k1's precomputed generator tables.
    /// - Complexity: one base multiplication (~15 µs).
    public static func base(_ scalar: Scalar, meter: CostMeter) -> Point {
        meter.count(.baseMultiply)
        return base(times: scalar)
    }

    /// self × k.
    /// - Complexity: one point multiplication (~25 µs).
    public func multiplied(by scalar: Scalar, meter: CostMeter) -> Point {
        guard var key, !scalar.isZero else { return .identity }
        meter.count(.pointMultiply)
        let tweak = scalar.bytes
        // tweak_mul refuses only a zero or out-of-range tweak, both excluded above.
        guard secp256k1_ec_pubkey_tweak_mul(secp256k1Context, &key, tweak) == 1 else { return .identity }
        return Point(key: key)
    }

    public func negated() -> Point {
        guard var key else { return .identity }
        _ = secp256k1_ec_pubkey_negate(secp256k1Context, &key)
        return Point(key: key)
    }

    /// self + other.
    /// - Complexity: one pairwise addition (~1.8 µs: it includes a field inversion).
    public func adding(_ other: Point, meter: CostMeter) -> Point {
        guard let a = key else { return other }
        guard let b = other.key else { return self }
        meter.count(.pointAdd)
        return Self.combine([a, b])
    }

    public func subtracting(_ other: Point, meter: CostMeter) -> Point {
        adding(other.negated(), meter: meter)
    }

    /// The sum of many points in one libsecp256k1 call: ~0.23 µs a point plus one field
    /// inversion, against ~1.8 µs for each pairwise addition. Use it whenever more than two
    /// points are added.
    /// - Complexity: O(points.count) mixed additions and one inversion.
    public static func sum(_ points: some Sequence<Point>, meter: CostMeter) -> Point {
        let keys = points.compactMap(\.key)
        guard keys.count > 1 else { return keys.first.map { Point(key: $0) } ?? .identity }
        meter.count(.pointSum)
        meter.count(.pointSumTerm, times: keys.count)
        return combine(keys)
    }

    private static func combine(_ keys: [secp256k1_pubkey]) -> Point {
        var result = secp256k1_pubkey()
        let ok = keys.withUnsafeBufferPointer { buffer -> Int32 in
            var pointers: [UnsafePointer<secp256k1_pubkey>?] = (0..<buffer.count).map { buffer.baseAddress! + $0 }
            return secp256k1_ec_pubkey_combine(secp256k1Context, &result, &pointers, pointers.count)
        }
        // combine fails only when the sum is the point at infinity.
        return ok == 1 ? Point(key: result) : .identity
    }

    // MARK: Encoding

    /// SEC1 compressed encoding, 33 bytes (RFC 9591 §6.5 SerializeElement). The identity has
    /// none.
    public func compressed() throws(CryptoError) -> [UInt8] { try serialized(length: 33, flags: SECP256K1_EC_COMPRESSED) }

    /// SEC1 uncompressed encoding, 65 bytes: 04 ‖ x ‖ y (Ethereum addresses hash x ‖ y).
    public func uncompressed() throws(CryptoError) -> [UInt8] { try serialized(length: 65, flags: SECP256K1_EC_UNCOMPRESSED) }

    private func serialized(length: Int, flags: Int32) throws(CryptoError) -> [UInt8] {
        guard var key else { throw .identityHasNoEncoding }
        var out = [UInt8](repeating: 0, count: length)
        var written = length
        _ = secp256k1_ec_pubkey_serialize(secp256k1Context, &out, &written, &key, UInt32(flags))
        return out
    }

    /// BIP-340 x-only encoding, 32 bytes (the y coordinate's parity is dropped).
    public func xOnly() throws(CryptoError) -> [UInt8] {
        Array(try compressed().dropFirst())
    }

    /// Whether y is even (BIP-340 lifts x-only keys to the point with even y).
    public var hasEvenY: Bool {
        guard let encoded = try? compressed() else { return true }
        return encoded[0] == 0x02
    }

    /// Decodes a 33-byte SEC1 compressed point (RFC 9591 §6.5 DeserializeElement): wrong
    /// length, a prefix other than 02/03, x ≥ p and x with no point on the curve are errors.
    public init(compressed bytes: some Collection<UInt8>, meter: CostMeter) throws(CryptoError) {
        let bytes = Array(bytes)
        guard bytes.count == 33 else {
            throw .invalidLength(what: "compressed point", expected: 33, actual: bytes.count)
        }
        guard bytes[0] == 0x02 || bytes[0] == 0x03 else { throw .invalidPointPrefix(bytes[0]) }
        meter.count(.pointDecode)
        var key = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(secp256k1Context, &key, bytes, 33) == 1 else { throw .pointNotOnCurve }
        self.init(key: key)
    }

    /// Decodes a 65-byte SEC1 uncompressed point (04 ‖ x ‖ y): off-curve points are errors.
    public init(uncompressed bytes: [UInt8], meter: CostMeter) throws(CryptoError) {
        guard bytes.count == 65 else { throw .invalidLength(what: "uncompressed point", expected: 65, actual: bytes.count) }
        guard bytes[0] == 0x04 else { throw .invalidPointPrefix(bytes[0]) }
        meter.count(.pointDecode)
        var key = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(secp256k1Context, &key, bytes, 65) == 1 else { throw .pointNotOnCurve }
        self.init(key: key)
    }

    /// Decodes a 32-byte BIP-340 x-only key to the point with that x and even y.
    public init(xOnly bytes: some Collection<UInt8>, meter: CostMeter) throws(CryptoError) {
        let bytes = Array(bytes)
        guard bytes.count == 32 else {
            throw .invalidLength(what: "x-only point", expected: 32, actual: bytes.count)
        }
        try self.init(compressed: [0x02] + bytes, meter: meter)
    }
}

extension secp256k1_pubkey: @retroactive @unchecked Sendable {}
