import ThresholdCrypto

/// What a `jwt` request asks the nodes to attest, as Lit's signed JWTs for dynamic content do:
/// that `conditions` hold for the user. The nodes rebuild the token's signing input from these
/// claims and the requesting client's address, and sign its SHA-256 with the network key
/// (ES256K, through Lit's threshold ECDSA) only if the conditions hold in their own view.
public struct JWTClaims: Sendable, Equatable {
    public let conditions: AccessCondition
    /// Seconds since the Unix epoch (simulated time from `JWTClaims.simulatedEpoch`).
    public let issuedAt: UInt64
    public let expiresAt: UInt64

    /// Simulated time zero as a Unix time (2026-01-01T00:00:00Z), so tokens carry plausible dates.
    public static let simulatedEpoch: UInt64 = 1_767_225_600
    /// Tokens are valid for this long (Lit's default for signed JWTs is 12 hours; an hour keeps
    /// runs' tokens short-lived).
    public static let lifetime: UInt64 = 3_600
    public static let header = #"{"alg":"ES256K","typ":"JWT"}"#
    /// The key JWTs are signed under, named in the request: the network key plus a public
    /// tweak, so no plain signing request (under a PKP key) can ever produce a token's
    /// signature, and a JWT request signs under nothing else.
    public static let keyID = Array("LitSim JWT key".utf8)
    /// Each signer adds it to its key share (Σλᵢ = 1, so the shares combine to the key's).
    public static func keyTweak(meter: CostMeter) -> Scalar { Hashing.hashToScalar(keyID, domain: Array("LitSim/v2 JWT".utf8), meter: meter) }
    /// The JWT key: the network key + tweak·G.
    public static func publicKey(networkKey: Point, meter: CostMeter) -> Point {
        networkKey.adding(.base(keyTweak(meter: meter), meter: meter), meter: meter)
    }

    public init(conditions: AccessCondition, issuedAt: UInt64, expiresAt: UInt64) {
        self.conditions = conditions
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
    }

    /// The claim set, keys sorted: Lit's `accessControlConditions`, `iss`, `sub` (the user's
    /// address), `iat`, `exp`.
    public func payload(user: String) -> String {
        "{\"accessControlConditions\":\(conditions.canonicalJSON),\"exp\":\(expiresAt),\"iat\":\(issuedAt),"
            + "\"iss\":\"LitSim\",\"sub\":\(ContractCall.quoted(user))}"
    }

    /// base64url(header) "." base64url(payload): what is signed (ES256K signs its SHA-256).
    public func signingInput(user: String) -> [UInt8] {
        Array((Base64URL.encode(Array(Self.header.utf8)) + "." + Base64URL.encode(Array(payload(user: user).utf8))).utf8)
    }

    /// The digest the nodes sign.
    public func digest(user: String, meter: CostMeter) -> [UInt8] { Hashing.sha256(signingInput(user: user), meter: meter) }

    public func encode(_ writer: inout ByteWriter) {
        conditions.encode(&writer)
        writer.append(issuedAt)
        writer.append(expiresAt)
    }

    public static func decode(_ reader: inout ByteReader) throws(WireError) -> JWTClaims {
        let conditions = try AccessCondition.decode(&reader)
        let issuedAt = try reader.uint64(), expiresAt = try reader.uint64()
        // Services have no clock: the claims' dates are the client's, bounded to one lifetime.
        guard issuedAt <= expiresAt, expiresAt - issuedAt <= lifetime else { throw .invalidValue("a JWT valid for longer than \(lifetime) s, or expiring before it is issued") }
        return JWTClaims(conditions: conditions, issuedAt: issuedAt, expiresAt: expiresAt)
    }
}

/// RFC 4648 §5 base64url without padding, as JWS (RFC 7515 §2) uses it.
public enum Base64URL {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * UInt32(offset)) }
            for position in 0...chunk.count { out.append(alphabet[Int((value >> (18 - 6 * UInt32(position))) & 63)]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
