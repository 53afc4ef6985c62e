import CSecp256k1

/// BIP-340 Schnorr signatures over x-only keys, written on our primitives (frost-taproot
/// produces exactly these), with libsecp256k1's own verifier beside them as the oracle.
public enum BIP340 {
    /// e = int(hash_BIP0340/challenge(R.x ‖ P.x ‖ m)) mod n.
    public static func challenge(nonceX: [UInt8], publicKeyX: [UInt8], message: [UInt8], meter: CostMeter) -> Scalar {
        Scalar(reducing: Hashing.tagged("BIP0340/challenge", nonceX, publicKeyX, message, meter: meter))
    }

    /// A secret key with its x-only public key, the secret already negated when P has odd y
    /// (BIP-340's d), so repeated signing costs one base multiplication each.
    public struct KeyPair: Sendable {
        let secret: Scalar
        public let publicKeyX: [UInt8]

        /// nil for a zero secret.
        public init?(secret: Scalar, meter: CostMeter) {
            guard !secret.isZero else { return nil }
            let publicPoint = Point.base(secret, meter: meter)
            self.secret = publicPoint.hasEvenY ? secret : -secret
            publicKeyX = try! publicPoint.xOnly()
        }
    }

    /// Signs as BIP-340's default signing algorithm does, with the given auxiliary randomness;
    /// nil for a zero secret or the negligible zero nonce.
    public static func sign(secret: Scalar, message: [UInt8], auxiliary: [UInt8], meter: CostMeter) -> [UInt8]? {
        guard let keyPair = KeyPair(secret: secret, meter: meter) else { return nil }
        return sign(keyPair: keyPair, message: message, auxiliary: auxiliary, meter: meter)
    }

    public static func sign(keyPair: KeyPair, message: [UInt8], auxiliary: [UInt8], meter: CostMeter) -> [UInt8]? {
        guard auxiliary.count == 32 else { return nil }
        let d = keyPair.secret
        let mask = Hashing.tagged("BIP0340/aux", auxiliary, meter: meter)
        let t = zip(d.bytes, mask).map { $0 ^ $1 }
        let nonceSeed = Scalar(reducing: Hashing.tagged("BIP0340/nonce", t, keyPair.publicKeyX, message, meter: meter))
        guard !nonceSeed.isZero else { return nil }
        let noncePoint = Point.base(nonceSeed, meter: meter)
        let k = noncePoint.hasEvenY ? nonceSeed : -nonceSeed
        let nonceX = try! noncePoint.xOnly()
        let e = challenge(nonceX: nonceX, publicKeyX: keyPair.publicKeyX, message: message, meter: meter)
        return nonceX + (k + e * d).bytes
    }

    /// BIP-340 verification on our primitives. Malformed keys and signatures are `false`.
    public static func verify(publicKeyX: [UInt8], message: [UInt8], signature: [UInt8], meter: CostMeter) -> Bool {
        guard signature.count == 64,
              let publicPoint = try? Point(xOnly: publicKeyX, meter: meter),
              let s = try? Scalar(bytes: signature[32..<64])
        else { return false }
        let nonceX = Array(signature[0..<32])
        let e = challenge(nonceX: nonceX, publicKeyX: publicKeyX, message: message, meter: meter)
        let r = Point.base(s, meter: meter).subtracting(publicPoint.multiplied(by: e, meter: meter), meter: meter)
        // x(R) < p always, so an r ≥ p in the signature can never match.
        guard !r.isIdentity, r.hasEvenY, let x = try? r.xOnly() else { return false }
        return x == nonceX
    }

    /// `verify`'s answer and charges, for a 32-byte message, with libsecp256k1's verifier doing
    /// the work when the signature is valid (about 28 µs against our 48 µs on the reference
    /// machine): node identity signatures are checked by the hundred per signature the network
    /// makes. The meter is charged what `verify` counts for a valid signature, so simulated
    /// time does not depend on which code ran; anything libsecp256k1 rejects goes through
    /// `verify` itself, for its exact charges on each way of failing.
    public static func verifyCheckingWithLibsecp256k1(publicKeyX: [UInt8], message: [UInt8], signature: [UInt8], meter: CostMeter) -> Bool {
        guard message.count == 32, libsecp256k1Accepts(publicKeyX: publicKeyX, message: message, signature: signature)
        else { return verify(publicKeyX: publicKeyX, message: message, signature: signature, meter: meter) }
        meter.add(counts: validVerificationCounts)
        return true
    }

    /// What `verify` counts for a valid signature over 32 bytes (the same for every one: each
    /// step runs once, on inputs of fixed sizes).
    static let validVerificationCounts: [Int] = {
        let scratch = CostMeter()
        let keyPair = KeyPair(secret: Scalar(7), meter: scratch)!
        let message = [UInt8](repeating: 1, count: 32)
        let signature = sign(keyPair: keyPair, message: message, auxiliary: message, meter: scratch)!
        let meter = CostMeter()
        precondition(verify(publicKeyX: keyPair.publicKeyX, message: message, signature: signature, meter: meter))
        return meter.snapshot
    }()

    /// libsecp256k1's `secp256k1_schnorrsig_verify`: the independent check every accepted
    /// taproot signature goes through in the oracles.
    public static func verifyWithLibsecp256k1(publicKeyX: [UInt8], message: [UInt8], signature: [UInt8], meter: CostMeter) -> Bool {
        guard signature.count == 64, publicKeyX.count == 32 else { return false }
        meter.count(.schnorrVerify)
        return libsecp256k1Accepts(publicKeyX: publicKeyX, message: message, signature: signature)
    }

    /// `secp256k1_schnorrsig_verify` itself (false for a key or signature of the wrong length).
    static func libsecp256k1Accepts(publicKeyX: [UInt8], message: [UInt8], signature: [UInt8]) -> Bool {
        var key = secp256k1_xonly_pubkey()
        guard signature.count == 64, publicKeyX.count == 32, secp256k1_xonly_pubkey_parse(secp256k1Context, &key, publicKeyX) == 1 else { return false }
        return secp256k1_schnorrsig_verify(secp256k1Context, signature, message, message.count, &key) == 1
    }
}
