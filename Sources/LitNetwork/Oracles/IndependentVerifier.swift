import CGMP
import CSecp256k1
import Crypto
import Foundation

/// Signature checks written apart from the code that produced and accepted the signatures:
/// direct libsecp256k1 calls, swift-crypto's SHA-256 and GMP, nothing from ThresholdCrypto.
/// The oracle would otherwise share any bug with what it checks.
enum IndependentVerifier {
    // libsecp256k1 allows concurrent use of a context that is never mutated after creation.
    nonisolated(unsafe) static let context: OpaquePointer = {
        guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            fatalError("libsecp256k1 could not create a context")
        }
        return context
    }()

    /// ECDSA r ‖ s over a 32-byte digest, by `secp256k1_ecdsa_verify` (which rejects a high s),
    /// and the recovery id recovering the same key by `secp256k1_ecdsa_recover`.
    static func ecdsa(publicKey: [UInt8], digest: [UInt8], signature: [UInt8], recoveryID: UInt8) -> Bool {
        guard publicKey.count == 33, digest.count == 32, signature.count == 64, recoveryID < 4 else { return false }
        var key = secp256k1_pubkey(), parsed = secp256k1_ecdsa_signature(), recoverable = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ec_pubkey_parse(context, &key, publicKey, 33) == 1,
              secp256k1_ecdsa_signature_parse_compact(context, &parsed, signature) == 1,
              secp256k1_ecdsa_verify(context, &parsed, digest, &key) == 1,
              secp256k1_ecdsa_recoverable_signature_parse_compact(context, &recoverable, signature, Int32(recoveryID)) == 1 else { return false }
        var recovered = secp256k1_pubkey()
        guard secp256k1_ecdsa_recover(context, &recovered, &recoverable, digest) == 1 else { return false }
        return serialize(&recovered) == publicKey
    }

    /// BIP-340, by `secp256k1_schnorrsig_verify`.
    static func bip340(publicKeyX: [UInt8], message: [UInt8], signature: [UInt8]) -> Bool {
        guard publicKeyX.count == 32, signature.count == 64 else { return false }
        var key = secp256k1_xonly_pubkey()
        guard secp256k1_xonly_pubkey_parse(context, &key, publicKeyX) == 1 else { return false }
        return secp256k1_schnorrsig_verify(context, signature, message, message.count, &key) == 1
    }

    /// RFC 9591 §6.5 FROST(secp256k1, SHA-256): z·G = R + c·PK with
    /// c = H2(R ‖ PK ‖ msg), H2 = hash_to_field(·, DST "FROST-secp256k1-SHA256-v1chal").
    static func frostSecp256k1(publicKey: [UInt8], message: [UInt8], signature: [UInt8]) -> Bool {
        guard publicKey.count == 33, signature.count == 65 else { return false }
        let r = Array(signature[0..<33]), z = Array(signature[33..<65])
        var key = secp256k1_pubkey(), nonce = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(context, &key, publicKey, 33) == 1,
              secp256k1_ec_pubkey_parse(context, &nonce, r, 33) == 1,
              secp256k1_ec_seckey_verify(context, z) == 1  // 0 < z < n
        else { return false }
        let challenge = hashToScalar(r + publicKey + message, dst: Array("FROST-secp256k1-SHA256-v1chal".utf8))
        // Left: z·G.
        var left = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(context, &left, z) == 1 else { return false }
        // Right: R + c·PK (c = 0 has probability 2⁻²⁵⁶; then the right side is R).
        var right = nonce
        if challenge.contains(where: { $0 != 0 }) {
            var scaled = key
            guard secp256k1_ec_pubkey_tweak_mul(context, &scaled, challenge) == 1 else { return false }
            // R = −c·PK sums to the identity, never a valid R here.
            guard let sum = combine(&nonce, &scaled) else { return false }
            right = sum
        }
        return serialize(&left) == serialize(&right)
    }

    /// Lit's PKP key from its roots (compressed): Σ d^ℓ · root_ℓ, d = hash_to_field(key id,
    /// Lit's HD DST), by Horner with libsecp256k1 directly; with one root, that root.
    static func pkpKey(roots: [[UInt8]], keyID: [UInt8]) -> [UInt8]? {
        guard let last = roots.last else { return nil }
        let d = hashToScalar(keyID, dst: Array("LIT_HD_KEY_ID_K256_XMD:SHA-256_SSWU_RO_NUL_".utf8))
        var acc = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(context, &acc, last, last.count) == 1 else { return nil }
        for root in roots.dropLast().reversed() {
            var next = secp256k1_pubkey()
            guard secp256k1_ec_pubkey_tweak_mul(context, &acc, d) == 1, secp256k1_ec_pubkey_parse(context, &next, root, root.count) == 1,
                  let sum = combine(&acc, &next) else { return nil }
            acc = sum
        }
        return serialize(&acc)
    }

    /// A JWT key: the PKP key of the JWT key id plus t·G, t = hash_to_field("LitSim JWT key",
    /// "LitSim/v2 JWT").
    static func jwtKey(_ key: [UInt8]) -> [UInt8]? {
        let t = hashToScalar(Array("LitSim JWT key".utf8), dst: Array("LitSim/v2 JWT".utf8))
        var point = secp256k1_pubkey(), tweak = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(context, &point, key, key.count) == 1, secp256k1_ec_pubkey_create(context, &tweak, t) == 1,
              var sum = combine(&point, &tweak) else { return nil }
        return serialize(&sum)
    }

    static func combine(_ a: inout secp256k1_pubkey, _ b: inout secp256k1_pubkey) -> secp256k1_pubkey? {
        var sum = secp256k1_pubkey()
        let combined = withUnsafePointer(to: &a) { a in
            withUnsafePointer(to: &b) { b in
                var pointers: [UnsafePointer<secp256k1_pubkey>?] = [a, b]
                return secp256k1_ec_pubkey_combine(context, &sum, &pointers, 2)
            }
        }
        return combined == 1 ? sum : nil
    }

    static func serialize(_ key: inout secp256k1_pubkey) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 33)
        var length = 33
        _ = secp256k1_ec_pubkey_serialize(context, &out, &length, &key, UInt32(SECP256K1_EC_COMPRESSED))
        return out
    }

    /// RFC 9380 hash_to_field for secp256k1's scalar field: expand_message_xmd (SHA-256) to 48
    /// bytes, read big-endian, reduced mod n (with GMP).
    static func hashToScalar(_ message: [UInt8], dst: [UInt8]) -> [UInt8] {
        let uniform = expandMessageXMD(message, dst: dst, length: 48)
        let order: [UInt8] = Array(hexConstant: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
        var value = mpz_t(), modulus = mpz_t(), result = mpz_t()
        __gmpz_init(&value)
        __gmpz_init(&modulus)
        __gmpz_init(&result)
        defer {
            __gmpz_clear(&value)
            __gmpz_clear(&modulus)
            __gmpz_clear(&result)
        }
        __gmpz_import(&value, uniform.count, 1, 1, 1, 0, uniform)
        __gmpz_import(&modulus, order.count, 1, 1, 1, 0, order)
        __gmpz_mod(&result, &value, &modulus)
        var out = [UInt8](repeating: 0, count: 32)
        var written = 0
        var bytes = [UInt8](repeating: 0, count: 32)
        _ = bytes.withUnsafeMutableBytes { __gmpz_export($0.baseAddress, &written, 1, 1, 1, 0, &result) }
        // Right-align: GMP writes the minimal number of bytes.
        for index in 0..<written { out[32 - written + index] = bytes[index] }
        return out
    }

    /// RFC 9380 §5.3.1 with SHA-256 (b_in_bytes 32, s_in_bytes 64).
    static func expandMessageXMD(_ message: [UInt8], dst: [UInt8], length: Int) -> [UInt8] {
        precondition(dst.count <= 255 && length <= 255 * 32, "expand_message_xmd limits")
        let dstPrime = dst + [UInt8(dst.count)]
        let messagePrime = [UInt8](repeating: 0, count: 64) + message + [UInt8(length >> 8), UInt8(length & 0xff), 0] + dstPrime
        let b0 = Array(SHA256.hash(data: messagePrime))
        var blocks = [Array(SHA256.hash(data: b0 + [1] + dstPrime))]
        while blocks.count * 32 < length {
            let previous = blocks.last!
            let mixed = zip(b0, previous).map { $0 ^ $1 }
            blocks.append(Array(SHA256.hash(data: mixed + [UInt8(blocks.count + 1)] + dstPrime)))
        }
        return Array(blocks.joined().prefix(length))
    }
}

extension Array where Element == UInt8 {
    /// Hexadecimal without validation, for constants written in this file.
    fileprivate init(hexConstant hex: String) {
        var bytes = [UInt8]()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        self = bytes
    }
}
