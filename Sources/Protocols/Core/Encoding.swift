import ThresholdCrypto

/// Builds the canonical byte encoding of protocol messages: what is signed, what is hashed
/// into transcripts, and (its length) what the network charges for.
public struct ByteWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func append(_ value: UInt8) { bytes.append(value) }
    public mutating func append(_ value: UInt16) { bytes += [UInt8(value >> 8), UInt8(value & 0xff)] }
    public mutating func append(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
    public mutating func append(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
    public mutating func append(bytes more: [UInt8]) { bytes += more }
    /// 33-byte SEC1 compressed; the identity (never sent by an honest node) as 33 zero bytes.
    public mutating func append(_ point: Point) {
        bytes += (try? point.compressed()) ?? [UInt8](repeating: 0, count: 33)
    }
    public mutating func append(_ scalar: Scalar) { bytes += scalar.bytes }
    public mutating func append(node: Int) { append(UInt16(truncatingIfNeeded: node)) }
}

/// Sizes of the encodings, in bytes.
public enum WireSize {
    public static let point = 33
    public static let scalar = 32
    public static let signature = 64
    public static let node = 2
    public static let digest = 32
}

/// A node's long-term identity key (BIP-340), as registered on Lit's staking contract. Every
/// protocol message is signed with it so that equivocation and bad shares can be proven to
/// anyone, not just to the node that saw them.
public struct NodeIdentity: Sendable {
    let keyPair: BIP340.KeyPair
    public var publicKey: [UInt8] { keyPair.publicKeyX }

    public init(secret: Scalar, meter: CostMeter) {
        precondition(!secret.isZero, "identity secret must be nonzero")
        keyPair = BIP340.KeyPair(secret: secret, meter: meter)!
    }

    /// The 32-byte digest a signature covers: SHA-256(domain ‖ message).
    public static func digest(_ message: [UInt8], domain: String, meter: CostMeter) -> [UInt8] {
        Hashing.sha256(Array(domain.utf8), message, meter: meter)
    }

    /// BIP-340 over the digest. The nonce is derived deterministically (BIP-340 permits a
    /// fixed auxiliary input), so signing needs no randomness.
    public func sign(digest: [UInt8], meter: CostMeter) -> [UInt8] {
        BIP340.sign(keyPair: keyPair, message: digest, auxiliary: [UInt8](repeating: 0, count: 32), meter: meter)!
    }

    public static func verify(_ signature: [UInt8], digest: [UInt8], publicKey: [UInt8], meter: CostMeter, memo: CryptoMemo? = nil) -> Bool {
        guard let memo else { return BIP340.verifyCheckingWithLibsecp256k1(publicKeyX: publicKey, message: digest, signature: signature, meter: meter) }
        return memo.signatures.value(for: [signature, digest, publicKey], meter: meter) { local in
            BIP340.verifyCheckingWithLibsecp256k1(publicKeyX: publicKey, message: digest, signature: signature, meter: local)
        }
    }
}

/// The per-run memos of repeated protocol checks (see MeteredMemo): signature verifications,
/// proofs of knowledge and FROST signing packages.
public final class CryptoMemo: @unchecked Sendable {
    let signatures = MeteredMemo<MemoKey, Bool>()
    let proofs = MeteredMemo<MemoKey, Bool>()
    /// Verification shares of an earlier epoch's commitment (transition dealings are checked against them).
    let verificationShares = MeteredMemo<MemoKey, Point>()
    /// A reshare's group commitment, by session and qualified dealings.
    let reshareCommitments = MeteredMemo<MemoKey, VSSCommitment>(capacity: 1_000)
    /// Sums of dealers' commitments (a DKG's aggregate and group commitment), by session and
    /// the dealings' body hashes: every receiver of the same dealers needs the same sum.
    let commitmentSums = MeteredMemo<MemoKey, VSSCommitment>(capacity: 1_000)
    let secp256k1Packages = MeteredMemo<MemoKey, FROST<FROSTSecp256k1>.SigningPackage?>(capacity: 20_000)
    let taprootPackages = MeteredMemo<MemoKey, FROST<FROSTTaproot>.SigningPackage?>(capacity: 20_000)

    public init() {}

    /// The package memo of a FROST ciphersuite (nil for one without).
    func packages<Suite: FROSTCiphersuite>(_ suite: Suite.Type) -> MeteredMemo<MemoKey, FROST<Suite>.SigningPackage?>? {
        (secp256k1Packages as? MeteredMemo<MemoKey, FROST<Suite>.SigningPackage?>) ?? (taprootPackages as? MeteredMemo<MemoKey, FROST<Suite>.SigningPackage?>)
    }
}

/// TDH2's ciphertexts and decryption shares on the wire (threshold decryption's requests, and
/// a Lit Action's secrets and `decrypt` steps).
extension TDH2.Ciphertext {
    public func encode(_ writer: inout ByteWriter) {
        writer.append(UInt16(sealed.count))
        writer.append(bytes: sealed)
        writer.append(UInt16(label.count))
        writer.append(bytes: label)
        writer.append(u)
        writer.append(uBar)
        writer.append(e)
        writer.append(f)
    }

    public static func decode(_ reader: inout ByteReader) throws(WireError) -> TDH2.Ciphertext {
        let sealed = try reader.array(try reader.count("sealed content bytes", itemSize: 1, limit: Int(UInt16.max)))
        let label = try reader.array(try reader.count("label bytes", itemSize: 1, limit: 4096))
        return TDH2.Ciphertext(sealed: sealed, label: label, u: try reader.point(), uBar: try reader.point(), e: try reader.scalar(), f: try reader.scalar())
    }
}

extension TDH2.DecryptionShare {
    public func encode(_ writer: inout ByteWriter) {
        writer.append(id)
        writer.append(ui)
        writer.append(e)
        writer.append(f)
    }

    public static func decode(_ reader: inout ByteReader) throws(WireError) -> TDH2.DecryptionShare {
        TDH2.DecryptionShare(id: try reader.scalar(), ui: try reader.point(), e: try reader.scalar(), f: try reader.scalar())
    }
}
