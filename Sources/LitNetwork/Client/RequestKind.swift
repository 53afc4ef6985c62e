import Protocols
import Simulation
import ThresholdCrypto

/// What the client's lifecycle hands a request kind while it handles one input: the engine
/// context, and the client's own means (sending to nodes, blaming, its meter and its key).
struct ClientIO {
    let client: LitClient
    var engine: ProcessContext<LitMessage>

    var meter: CostMeter { client.meter }
    /// The run's memo of work the nodes (and other clients) did already (nil: none).
    var memo: CryptoMemo? { client.memo }
    var groupCommitment: VSSCommitment? { client.groupCommitment }
    var roster: Roster? { client.roster }
    /// Every ECDSA root key, the group key first.
    var rootKeys: [Point] { client.rootKeys }
    var directory: IdentityDirectory { client.directory }
    /// The client's own identity key: it signs its requests.
    var identity: NodeIdentity { client.identity }

    mutating func send(_ message: any WireMessage, to node: Int) { client.send(message, to: node, &engine) }

    /// A proof of misbehaviour: the culprit is left out of this client's later attempts.
    mutating func blame(_ evidence: any Evidence) { client.blame(evidence, &engine) }

    /// Content the client opened or a JWT it received (the access oracle judges it).
    mutating func released(_ release: any AccessRelease) { client.released(release, &engine) }

    /// What the nodes of an action's attempt answered, and the response picked (actions.jsonl).
    mutating func recordAnswers(_ answers: [ActionAnswer], response: String?, jwts: [String], request: Int) {
        client.requests[request]?.record.actionAnswers = answers
        client.requests[request]?.record.response = response
        client.requests[request]?.record.actionJWTs = jwts
    }

    /// A signature the kind made other than its request's own (a JWT's), for the oracles.
    mutating func accepted(_ signature: AcceptedSignature) {
        client.observer.accepted(signature, at: engine.effectTime, event: engine.event, &engine)
    }
}

/// What a node's message meant for an attempt, as the lifecycle needs to know it.
enum AttemptAnswer {
    /// The node took part in a first round (a FROST commitment): it is alive and willing.
    case acknowledged(node: Int)
    /// `node` took part in the first round, and with it the kind chose the nodes whose final
    /// answers complete the attempt (coordinator flow).
    case finalSet([Int], acknowledged: Int)
    /// The node's final answer arrived.
    case answered(node: Int)
    /// The node declined: for a reason of its own (no key, ...) or because of `missing` peers;
    /// `reason` is its stable code.
    case refused(node: Int, forItself: Bool, missing: [Int], reason: String)
    /// For a kind that asks every node: these nodes' answers (the last from `node`) are enough;
    /// combine them now, whatever the others still say.
    case combine(signers: [Int], node: Int)
}

/// How a finished attempt ended, from the kind's point of view.
enum AttemptOutcome {
    case success(signature: [UInt8])
    /// `invalid` failures (bad shares, equivocation) draw on the SDK's separate retry budget.
    case failure(ClientFailure, invalid: Bool)
    /// The nodes answered and the answers settle it: the request fails without a retry (an
    /// action whose nodes computed different messages would only diverge again).
    case conclusive(ClientFailure)
}

/// One kind of client request (`sign` now; `sign-ecdsa`, `decrypt` and `jwt` later): what an
/// attempt sends, what the nodes' answers mean, and how the answers are combined. Everything
/// else — handshake, node selection, timeouts, retries with backoff, exclusions, blame
/// bookkeeping, records — is the client's lifecycle and the same for every kind.
protocol RequestKind {
    /// The `op` of the workload entries it serves (requests.csv's `op` column).
    var op: String { get }
    /// The protocol its attempts' sessions belong to.
    var protocolName: ProtocolName { get }
    /// Starts attempt `id` over `candidates` (preferred first, at least `threshold` of them);
    /// returns the nodes whose final answers complete it, or [] when they are chosen later.
    mutating func begin(_ id: AttemptID, message: [UInt8], candidates: [Int], threshold: Int, _ io: inout ClientIO) -> [Int]
    /// A node's message of this kind about one of this client's attempts (already checked to
    /// be the current attempt of `request`); nil when it changes nothing.
    mutating func receive(_ message: any WireMessage, from node: Int, request: Int, _ io: inout ClientIO) -> AttemptAnswer?
    /// Every node of the final set answered: combine, verify, blame what is provable.
    mutating func finish(request: Int, message: [UInt8], signers: [Int], _ io: inout ClientIO) -> AttemptOutcome
    /// The attempt of `request` is over (finished, failed or timed out): forget its state.
    mutating func end(request: Int)
    /// The attempt a message of this kind belongs to, if it is one.
    func attempt(of message: any WireMessage) -> AttemptID?
    /// The client moved to another epoch's key: forget what was derived from the old one.
    mutating func keyChanged()
    /// How many signers an attempt needs for a key of `threshold`.
    func signersNeeded(threshold: Int) -> Int
    /// Whether a success is a signature (checked by the signature oracle, in signatures.jsonl).
    var producesSignatures: Bool { get }
    /// Whether an attempt goes to every available node at once (Lit's SDK for decryption),
    /// completing with the first answers that suffice.
    var asksEveryNode: Bool { get }
    /// The refusal code that means "no" rather than "cannot": when so many nodes give it that
    /// the attempt cannot complete, the request is denied, not retried.
    var denialReason: String? { get }
}

extension RequestKind {
    func signersNeeded(threshold: Int) -> Int { threshold }
    var producesSignatures: Bool { true }
    var asksEveryNode: Bool { false }
    var denialReason: String? { nil }
}
