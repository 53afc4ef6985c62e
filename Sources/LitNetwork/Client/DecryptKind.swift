import Protocols
import Simulation
import ThresholdCrypto

/// `decrypt`: the client encrypts fresh content to the network key (TDH2, label = the SHA-256
/// of its access conditions' canonical JSON, as Lit binds a ciphertext to its conditions) and,
/// as Lit's SDK does, asks every node at once for a decryption share. It checks each share's
/// proof against the node's verification share (a bad one leaves its sender out: identifiable,
/// unlike Lit's ECDSA) and combines the first `threshold` valid ones. When so many nodes find
/// the conditions false that `threshold` shares cannot come, the request is denied.
struct DecryptKind: RequestKind {
    struct Attempt {
        /// The nodes asked: answers from others are dropped.
        let asked: [Int]
        /// The epoch's roster and key the attempt began under (shares are checked against
        /// these, not whatever epoch the client has moved to since).
        let roster: Roster
        let commitment: VSSCommitment
        let ciphertext: TDH2.Ciphertext
        let plaintext: [UInt8]
        let conditions: AccessCondition?
        /// Valid shares in arrival order.
        var shares: [(node: Int, share: TDH2.DecryptionShare)] = []
        var combining = false
    }

    /// The conditions of each workload entry's requests (by global request number).
    let conditions: [(requests: Range<Int>, conditions: AccessCondition?)]
    let op = "decrypt"
    let protocolName = decryptProtocol
    var attempts: [Int: Attempt] = [:]

    /// What the client's work costs (TDH2's own, or Lit's BLS-IBE's).
    let costs: DecryptionCostProfile

    init(conditions: [(requests: Range<Int>, conditions: AccessCondition?)], costs: DecryptionCostProfile = .secp256k1) {
        self.conditions = conditions
        self.costs = costs
    }

    /// What request `request` was encrypted under.
    func conditions(of request: Int) -> AccessCondition? {
        conditions.first { $0.requests.contains(request) }?.conditions
    }

    var asksEveryNode: Bool { true }
    var denialReason: String? { DecryptRefusalReason.conditionsFalse.rawValue }
    var producesSignatures: Bool { false }

    func attempt(of message: any WireMessage) -> AttemptID? {
        guard let message = message as? DecryptMessage else { return nil }
        if case .request = message { return nil }
        return message.id
    }

    mutating func begin(_ id: AttemptID, message: [UInt8], candidates: [Int], threshold: Int, _ io: inout ClientIO) -> [Int] {
        guard let commitment = io.groupCommitment, let roster = io.roster else { return [] }
        let publicKey = commitment.publicKey
        let request = Int(id.request)
        let conditions = conditions(of: request)
        // The content: the request's message (32 random bytes per request).
        let ciphertext = TDH2.encrypt(message, label: AccessCondition.label(conditions, meter: io.meter), publicKey: publicKey,
                                      using: &io.client.random, meter: costs.meter(io.meter))
        costs.chargeEncryption(io.meter)
        attempts[request] = Attempt(asked: candidates, roster: roster, commitment: commitment, ciphertext: ciphertext, plaintext: message,
                                    conditions: conditions)
        for node in candidates { io.send(DecryptMessage.request(id: id, ciphertext: ciphertext, conditions: conditions), to: node) }
        // No final set yet: the first `threshold` valid shares make it.
        return []
    }

    mutating func receive(_ message: any WireMessage, from node: Int, request: Int, _ io: inout ClientIO) -> AttemptAnswer? {
        guard var attempt = attempts[request], !attempt.combining, attempt.asked.contains(node), let message = message as? DecryptMessage else { return nil }
        let (roster, commitment) = (attempt.roster, attempt.commitment)
        switch message {
        case let .share(_, share):
            guard !attempt.shares.contains(where: { $0.node == node }) else { return nil }
            // The share must be the node's, at its identifier, and prove itself.
            let scratch = costs.meter(io.meter)
            costs.chargeShareCheck(io.meter)
            guard let identifier = roster.identifier(of: NodeID(node)), share.id == identifier.scalar,
                  TDH2.verify(share, for: attempt.ciphertext, verificationShare: commitment.evaluate(at: identifier.scalar, meter: scratch),
                              meter: scratch) else {
                return .refused(node: node, forItself: true, missing: [], reason: "invalid-decryption-share")
            }
            attempt.shares.append((node, share))
            let enough = attempt.shares.count == commitment.threshold
            attempt.combining = enough
            attempts[request] = attempt
            return enough ? .combine(signers: attempt.shares.map(\.node).sorted(), node: node) : .acknowledged(node: node)
        case let .refusal(_, reason):
            // A "no" is not the node's fault: its view of the chain moves on (the lifecycle
            // counts it towards a denial instead).
            return .refused(node: node, forItself: reason != .conditionsFalse, missing: [], reason: reason.rawValue)
        case .request:
            return nil
        }
    }

    mutating func finish(request: Int, message: [UInt8], signers: [Int], _ io: inout ClientIO) -> AttemptOutcome {
        guard let attempt = attempts[request] else { return .failure(ClientFailure(.invalidSignature), invalid: true) }
        let (roster, commitment) = (attempt.roster, attempt.commitment)
        let scratch = costs.meter(io.meter)
        costs.chargeOpening(io.meter, shares: attempt.shares.count)
        let shares = attempt.shares.compactMap { node, share -> (share: TDH2.DecryptionShare, verificationShare: Point)? in
            guard let identifier = roster.identifier(of: NodeID(node)) else { return nil }
            return (share, commitment.evaluate(at: identifier.scalar, meter: scratch))
        }
        guard let plaintext = try? TDH2.combine(shares, threshold: shares.count, ciphertext: attempt.ciphertext, meter: scratch),
              plaintext == attempt.plaintext else {
            return .failure(ClientFailure(.invalidSignature), invalid: true)
        }
        io.released(Decryption(request: request, client: io.client.id, conditions: attempt.conditions, ciphertext: attempt.ciphertext,
                                plaintext: plaintext, shares: zip(attempt.shares, shares).map { (node: $0.node, share: $0.share, verificationShare: $1.verificationShare) }))
        return .success(signature: Hashing.sha256(plaintext, meter: io.meter))
    }

    mutating func end(request: Int) { attempts[request] = nil }

    mutating func keyChanged() {}
}

/// What a client got under access conditions (content opened, a JWT signed): what
/// `access.respected` judges.
public protocol AccessRelease: Sendable {
    var request: Int { get }
    var client: ClientID { get }
    var conditions: AccessCondition? { get }
    /// The nodes whose answers made it.
    var nodes: [Int] { get }
    /// What was released, for messages ("content", "a JWT").
    var what: String { get }
}

/// A decryption a client completed: what decryptions.jsonl records.
public struct Decryption: AccessRelease {
    public let request: Int
    public let client: ClientID
    public let conditions: AccessCondition?
    public let ciphertext: TDH2.Ciphertext
    public let plaintext: [UInt8]
    /// The shares combined, by node, with the verification share each was checked against.
    public let shares: [(node: Int, share: TDH2.DecryptionShare, verificationShare: Point)]

    public var nodes: [Int] { shares.map(\.node) }
    public var what: String { "content" }
}
