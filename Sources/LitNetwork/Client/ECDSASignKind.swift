import Protocols
import Simulation
import ThresholdCrypto

/// `sign-ecdsa`: Lit's PKP signing (the client half of `ECDSASigner`, which signs with a pool
/// presignature or one made in real time). The request goes to `threshold` signers, all of whom
/// must answer; the client
/// sums their scalars (every share must name the same R'), makes s low, computes the recovery
/// id and checks the signature under the PKP key — Lit's client has no per-share check, so a
/// bad share fails the attempt with nobody to blame (§1.7). With one root key, every PKP key is
/// the network key (Lit's deriver with one root).
struct ECDSASignKind: RequestKind {
    struct Attempt {
        let id: AttemptID
        let signers: [Int]
        let publicKey: Point
        let keyID: [UInt8]
        var shares: [Int: (share: Scalar, bigR: Point)] = [:]
    }

    let op = "sign-ecdsa"
    let protocolName = ecdsaProtocol
    /// PKP keys the workload signs under (request j uses key j mod keys).
    let keys: Int
    /// How long signers may take to presign (`clients.cosigner_wait`), in milliseconds.
    let signerWait: UInt32
    var attempts: [Int: Attempt] = [:]

    /// Lit's DamFast (t signers) or the paper's (2t − 1 signers, k⁻¹ kept shared).
    let variant: DamFast.Variant

    init(keys: Int, cosignerWait: SimDuration, variant: DamFast.Variant = .lit) {
        self.keys = max(1, keys)
        self.variant = variant
        signerWait = UInt32(clamping: cosignerWait.nanoseconds / 1_000_000)
    }

    /// The key id of request `request` (Lit's derivedKeyId: here a name per PKP).
    func keyID(for request: UInt64) -> [UInt8] { Array("pkp-\(request % UInt64(keys))".utf8) }

    func attempt(of message: any WireMessage) -> AttemptID? {
        guard let message = message as? ECDSAMessage else { return nil }
        switch message {
        case .share, .refusal, .conditionsHeld: return message.attempt
        default: return nil
        }
    }

    mutating func begin(_ id: AttemptID, message: [UInt8], candidates: [Int], threshold: Int, _ io: inout ClientIO) -> [Int] {
        begin(id, message: message, candidates: candidates, threshold: threshold, jwt: nil, &io)
    }

    /// With `jwt`, the digest is the token's and the signers check its conditions first.
    mutating func begin(_ id: AttemptID, message: [UInt8], candidates: [Int], threshold: Int, jwt: JWTClaims?, _ io: inout ClientIO) -> [Int] {
        let signers = Array(candidates.prefix(signersNeeded(threshold: threshold))).sorted()
        guard !io.rootKeys.isEmpty else { return [] }
        // The PKP key: Σ d^ℓ · root_ℓ with d from the key id (one root: the network key); a JWT's
        // is its key id's plus the public JWT tweak.
        let keyID = jwt == nil ? keyID(for: id.request) : JWTClaims.keyID
        let derived = Self.pkpKey(keyID: keyID, &io)
        let publicKey = jwt == nil ? derived : JWTClaims.publicKey(networkKey: derived, meter: io.meter)
        // ν: Lit derives δ from the request id its SDK draws; here eight bytes of the client's own
        // random stream per attempt — known to the signers, not guessable by anyone else (the
        // key-exposure ledger relies on that: a presignature holder that is not a signer cannot
        // compute δ).
        let draw = io.client.random.next()
        let nonce = (0..<8).map { UInt8(truncatingIfNeeded: draw >> (8 * $0)) }
        let request = ECDSARequest(id: id, digest: message, keyID: keyID,
                                   signers: signers.map(NodeID.init), nonce: nonce,
                                   waitMilliseconds: signerWait, jwt: jwt)
        attempts[Int(id.request)] = Attempt(id: id, signers: signers, publicKey: publicKey, keyID: keyID)
        for signer in signers { io.send(ECDSAMessage.request(request), to: signer) }
        return signers
    }

    /// The PKP key of `keyID`: Σ d^ℓ · root_ℓ with d from the key id (one root: the network key).
    static func pkpKey(keyID: [UInt8], _ io: inout ClientIO) -> Point {
        io.rootKeys.count == 1 ? io.rootKeys[0] : LitHD.derivePublic(io.rootKeys, tweak: LitHD.tweak(keyID: keyID, meter: io.meter), meter: io.meter)
    }

    mutating func receive(_ message: any WireMessage, from node: Int, request: Int, _ io: inout ClientIO) -> AttemptAnswer? {
        guard var attempt = attempts[request], attempt.signers.contains(node), let message = message as? ECDSAMessage else { return nil }
        defer { attempts[request] = attempt }
        switch message {
        case let .share(_, share, bigR):
            guard attempt.shares[node] == nil else { return nil }
            attempt.shares[node] = (share, bigR)
            return .answered(node: node)
        case .conditionsHeld:
            return .acknowledged(node: node)
        case let .refusal(_, reason, missing):
            // No key or not a signer is the node's own; a presignature that timed out or failed a
            // check would have worked with other peers (named when one is known to be at fault).
            // (conditions-false is not the node's fault: the lifecycle counts it towards a denial.)
            let forItself = [.noKey, .notASigner, .wrongJWT].contains(reason)
            return .refused(node: node, forItself: forItself, missing: missing.map(\.value), reason: reason.rawValue)
        default:
            return nil
        }
    }

    mutating func finish(request: Int, message: [UInt8], signers: [Int], _ io: inout ClientIO) -> AttemptOutcome {
        guard let attempt = attempts[request] else { return .failure(ClientFailure(.invalidSignature), invalid: true) }
        let shares = signers.compactMap { attempt.shares[$0] }
        guard let signature = try? DamFast.combine(shares, digest: message, publicKey: attempt.publicKey, meter: io.meter) else {
            return .failure(ClientFailure(.invalidSignature), invalid: true)
        }
        return .success(signature: signature.ethereum)
    }

    mutating func end(request: Int) { attempts[request] = nil }

    /// The key request `request`'s current attempt signs under.
    func publicKey(of request: Int) -> Point? { attempts[request]?.publicKey }

    /// The key id request `request`'s current attempt signs under.
    func keyID(of request: Int) -> [UInt8]? { attempts[request]?.keyID }

    mutating func keyChanged() {}

    func signersNeeded(threshold: Int) -> Int { variant == .paper ? 2 * threshold - 1 : threshold }
}
