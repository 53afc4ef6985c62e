import Crypto

/// SHA-256 based hashing: plain, BIP-340 tagged, and RFC 9380 hash_to_field into scalars.
public enum Hashing {
    /// SHA-256 of the concatenated parts.
    public static func sha256(_ parts: [UInt8]..., meter: CostMeter) -> [UInt8] {
        sha256(parts: parts, meter: meter)
    }

    public static func sha256(parts: [[UInt8]], meter: CostMeter) -> [UInt8] {
        var hasher = SHA256()
        var length = 0
        for part in parts {
            hasher.update(data: part)
            length += part.count
        }
        meter.count(.hashBlock, times: blockCount(length: length))
        return Array(hasher.finalize())
    }

    /// SHA-256 compressions for a message of `length` bytes: padding adds a 0x80 byte and a
    /// 64-bit length, then fills to 64 bytes.
    public static func blockCount(length: Int) -> Int { (length + 9 + 63) / 64 }

    /// BIP-340 tagged hash: SHA-256(SHA-256(tag) ‖ SHA-256(tag) ‖ message).
    public static func tagged(_ tag: String, _ parts: [UInt8]..., meter: CostMeter) -> [UInt8] {
        let tagHash = sha256(Array(tag.utf8), meter: meter)
        return sha256(parts: [tagHash, tagHash] + parts, meter: meter)
    }

    /// RFC 9380 §5.3.1 expand_message_xmd with SHA-256 (b = 32, s = 64 bytes).
    public static func expandMessageXMD(
        _ message: [UInt8], domain: [UInt8], length: Int, meter: CostMeter
    ) throws(CryptoError) -> [UInt8] {
        let blockCount = (length + 31) / 32
        guard length > 0, blockCount <= 255, length <= 65535 else { throw .expandLengthTooLarge(length) }
        // §5.3.3: a DST longer than 255 bytes is replaced by its hash.
        var domain = domain
        if domain.count > 255 {
            domain = sha256(Array("H2C-OVERSIZE-DST-".utf8), domain, meter: meter)
        }
        let domainPrime = domain + [UInt8(domain.count)]
        let zeroPad = [UInt8](repeating: 0, count: 64)
        let lengthBytes = [UInt8(length >> 8), UInt8(length & 0xff)]
        let b0 = sha256(zeroPad, message, lengthBytes, [0], domainPrime, meter: meter)
        var previous = sha256(b0, [1], domainPrime, meter: meter)
        var uniform = previous
        if blockCount > 1 {
            for index in 2...blockCount {
                let mixed = zip(b0, previous).map { $0 ^ $1 }
                previous = sha256(mixed, [UInt8(index)], domainPrime, meter: meter)
                uniform += previous
            }
        }
        return Array(uniform.prefix(length))
    }

    /// RFC 9380 §5.2 hash_to_field into the scalar field of secp256k1, with L = 48 bytes per
    /// element (ceil((256 + 128) / 8)) so the bias is below 2^-128.
    public static func hashToScalars(
        _ message: [UInt8], domain: [UInt8], count: Int, meter: CostMeter
    ) -> [Scalar] {
        // 48 × count ≤ 65535 for any count a caller here uses; a larger one is a programming error.
        precondition(count > 0 && count <= 255, "hashToScalars count out of range")
        let uniform = try! expandMessageXMD(message, domain: domain, length: 48 * count, meter: meter)
        return (0..<count).map { Scalar(reducing: Array(uniform[48 * $0 ..< 48 * ($0 + 1)])) }
    }

    public static func hashToScalar(_ message: [UInt8], domain: [UInt8], meter: CostMeter) -> Scalar {
        hashToScalars(message, domain: domain, count: 1, meter: meter)[0]
    }
}

/// The hash functions of RFC 9591 §6.5, FROST(secp256k1, SHA-256), plus the DKG and
/// identifier hashes the same context string is used for elsewhere (ZF FROST's HDKG, HID).
public enum FROSTHash {
    public static let contextString = Array("FROST-secp256k1-SHA256-v1".utf8)

    private static func toScalar(_ label: String, _ parts: [[UInt8]], meter: CostMeter) -> Scalar {
        Hashing.hashToScalar(parts.flatMap { $0 }, domain: contextString + Array(label.utf8), meter: meter)
    }

    /// H1: binding factors.
    public static func h1(_ parts: [UInt8]..., meter: CostMeter) -> Scalar { toScalar("rho", parts, meter: meter) }
    /// H2: the signature challenge.
    public static func h2(_ parts: [UInt8]..., meter: CostMeter) -> Scalar { toScalar("chal", parts, meter: meter) }
    /// H3: nonce generation.
    public static func h3(_ parts: [UInt8]..., meter: CostMeter) -> Scalar { toScalar("nonce", parts, meter: meter) }
    /// H4: the message digest inside the binding factor input.
    public static func h4(_ parts: [UInt8]..., meter: CostMeter) -> [UInt8] {
        Hashing.sha256(parts: [contextString, Array("msg".utf8)] + parts, meter: meter)
    }
    /// H5: the commitment list digest inside the binding factor input.
    public static func h5(_ parts: [UInt8]..., meter: CostMeter) -> [UInt8] {
        Hashing.sha256(parts: [contextString, Array("com".utf8)] + parts, meter: meter)
    }
    /// The DKG proof-of-knowledge challenge (HDKG).
    public static func dkg(_ parts: [UInt8]..., meter: CostMeter) -> Scalar { toScalar("dkg", parts, meter: meter) }
}
