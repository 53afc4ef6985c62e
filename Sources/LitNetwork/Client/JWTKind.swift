import Protocols
import Simulation
import ThresholdCrypto

/// `jwt`: a signed JWT for dynamic content (Lit's getSignedToken), ES256K under the network key
/// through Lit's threshold ECDSA. The client makes the claims (the conditions, itself as `sub`,
/// issued now, valid an hour); each signer rebuilds the token's signing input from them and
/// takes part only if the conditions hold in its own view; the client assembles the compact
/// JWS from the combined signature. Denied like a decryption when too many signers say no.
struct JWTKind: RequestKind {
    var ecdsa: ECDSASignKind
    /// The conditions of each workload entry's requests (by global request number).
    let conditions: [(requests: Range<Int>, conditions: AccessCondition)]
    /// Each open request's claims and the digest signed.
    var tokens: [Int: (claims: JWTClaims, digest: [UInt8])] = [:]

    let op = "jwt"
    let protocolName = ecdsaProtocol
    var producesSignatures: Bool { false }
    var denialReason: String? { ECDSARefusalReason.conditionsFalse.rawValue }

    init(ecdsa: ECDSASignKind, conditions: [(requests: Range<Int>, conditions: AccessCondition)]) {
        self.ecdsa = ecdsa
        self.conditions = conditions
    }

    func attempt(of message: any WireMessage) -> AttemptID? { ecdsa.attempt(of: message) }

    mutating func begin(_ id: AttemptID, message: [UInt8], candidates: [Int], threshold: Int, _ io: inout ClientIO) -> [Int] {
        let request = Int(id.request)
        guard let conditions = conditions.first(where: { $0.requests.contains(request) })?.conditions else { return [] }
        let issued = JWTClaims.simulatedEpoch + UInt64(io.engine.now.nanoseconds / 1_000_000_000)
        let claims = JWTClaims(conditions: conditions, issuedAt: issued, expiresAt: issued + JWTClaims.lifetime)
        let digest = claims.digest(user: io.client.id.address, meter: io.meter)
        tokens[request] = (claims, digest)
        return ecdsa.begin(id, message: digest, candidates: candidates, threshold: threshold, jwt: claims, &io)
    }

    mutating func receive(_ message: any WireMessage, from node: Int, request: Int, _ io: inout ClientIO) -> AttemptAnswer? {
        ecdsa.receive(message, from: node, request: request, &io)
    }

    mutating func finish(request: Int, message: [UInt8], signers: [Int], _ io: inout ClientIO) -> AttemptOutcome {
        guard let token = tokens[request] else { return .failure(ClientFailure(.invalidSignature), invalid: true) }
        let publicKey = ecdsa.publicKey(of: request)
        let outcome = ecdsa.finish(request: request, message: token.digest, signers: signers, &io)
        guard case let .success(signature) = outcome, let publicKey else { return outcome }
        // JWS ES256K: r ‖ s, 64 bytes (the recovery byte is not part of it).
        let user = io.client.id.address
        let jwt = String(decoding: token.claims.signingInput(user: user), as: UTF8.self) + "." + Base64URL.encode(Array(signature.prefix(64)))
        let key = (try? publicKey.compressed()) ?? []
        io.released(SignedJWT(request: request, client: io.client.id, conditions: token.claims.conditions, jwt: jwt, publicKey: key, nodes: signers))
        // The token's signature is an ECDSA signature like any other: the signature and nonce
        // oracles check it (and signatures.jsonl lists it, under the JWT key).
        var accepted = AcceptedSignature(request: request, kind: .ecdsa(recoveryID: signature[64] - 27), publicKey: key, message: token.digest,
                                         signature: Array(signature.prefix(64)), signers: signers)
        accepted.keyID = JWTClaims.keyID
        io.accepted(accepted)
        return outcome
    }

    mutating func end(request: Int) {
        ecdsa.end(request: request)
        tokens[request] = nil
    }

    mutating func keyChanged() { ecdsa.keyChanged() }

    func signersNeeded(threshold: Int) -> Int { ecdsa.signersNeeded(threshold: threshold) }
}

/// A signed JWT a client received: what jwts.jsonl records. `publicKey` is the JWT key
/// (`JWTClaims.publicKey`), not the network key.
public struct SignedJWT: AccessRelease {
    public let request: Int
    public let client: ClientID
    public let conditions: AccessCondition?
    /// The compact JWS.
    public let jwt: String
    /// The network key that signed it (compressed).
    public let publicKey: [UInt8]
    public let nodes: [Int]

    public var what: String { "a JWT" }
}
