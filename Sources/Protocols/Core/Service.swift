import ThresholdCrypto

/// A protocol participant hosted by a node: a sans-IO state machine with its own message
/// type, typed timers and outputs (DESIGN.md §4). It never sees the engine, the clock or the
/// network; the node delivers its inputs and carries out its effects. What services share
/// (the identity key, the key store, the meter, randomness) comes in the context.
public protocol NodeService {
    associatedtype Message: WireMessage
    associatedtype Timer: Hashable & Sendable
    associatedtype Output: Sendable
    typealias Effect = ServiceEffect<Message, Timer, Output>

    mutating func start(_ context: ServiceContext) -> [Effect]
    mutating func receive(_ message: Message, from sender: EndpointID, _ context: ServiceContext) -> [Effect]
    mutating func timerFired(_ timer: Timer, _ context: ServiceContext) -> [Effect]
    /// The node's key store changed (a DKG finished, say): a service waiting for a key goes on.
    mutating func keysChanged(_ context: ServiceContext) -> [Effect]
    /// Another service of this node delegates a signature (see `DelegatedSignature`); a
    /// service that does not sign its scheme ignores it.
    mutating func delegated(_ signature: DelegatedSignature, _ context: ServiceContext) -> [Effect]
    /// The node crashed: volatile state is lost (the key store, being durable, is not).
    mutating func crash()
}

extension NodeService {
    public mutating func start(_ context: ServiceContext) -> [Effect] { [] }
    public mutating func keysChanged(_ context: ServiceContext) -> [Effect] { [] }
    public mutating func delegated(_ signature: DelegatedSignature, _ context: ServiceContext) -> [Effect] { [] }
    public mutating func crash() {}
}

/// What a service asks its host to do.
public enum ServiceEffect<Message, Timer, Output> {
    case send(Message, to: EndpointID)
    /// To each of `to` but the sender itself.
    case broadcast(Message, to: [NodeID])
    /// Fires `timerFired(timer)` after `after`. Setting a timer that is pending replaces it.
    case setTimer(Timer, after: Duration)
    case cancelTimer(Timer)
    case output(Output)
    /// A proof that a node misbehaved, which any third party can re-check.
    case accuse(Accusation)
    /// Something worth a line in the trace (never a secret).
    case note(String)
    /// Offers a signature to sign on a client's behalf to this node's other services, at once
    /// (an action's signing step; the signer of its scheme takes it).
    case delegate(DelegatedSignature)

    /// The same effect with its message and timer types mapped (for wrappers such as adversaries).
    public func map<M2, T2>(message: (Message) -> M2, timer: (Timer) -> T2) -> ServiceEffect<M2, T2, Output> {
        switch self {
        case let .send(m, to): .send(message(m), to: to)
        case let .broadcast(m, to): .broadcast(message(m), to: to)
        case let .setTimer(t, after): .setTimer(timer(t), after: after)
        case let .cancelTimer(t): .cancelTimer(timer(t))
        case let .output(o): .output(o)
        case let .accuse(a): .accuse(a)
        case let .note(n): .note(n)
        case let .delegate(d): .delegate(d)
        }
    }
}

extension ServiceEffect: Sendable where Message: Sendable, Timer: Sendable, Output: Sendable {}

/// A random number generator a host hands to its services: a class so services can pass it
/// `inout` without owning it; the host seeds it from the node's own stream.
public final class ServiceRandom: RandomNumberGenerator {
    private let source: () -> UInt64
    public init(_ source: @escaping () -> UInt64) { self.source = source }
    public func next() -> UInt64 { source() }
}

/// What a node's services share. One per node, owned by the node's host.
public final class ServiceContext {
    public let me: NodeID
    public let identity: NodeIdentity
    public let directory: IdentityDirectory
    /// Crypto work counts here; the host turns it into busy time after each input.
    public let meter: CostMeter
    public let random: ServiceRandom
    /// Durable: key shares by key and epoch.
    public let keys: KeyStore
    /// Shared by the nodes of one run so identical checks are computed once (each meter pays).
    public let memo: CryptoMemo?
    /// What the node knows of the staking contract: the transition locked, the last advance.
    public let epochs = EpochBook()
    /// Whether the node's Byzantine behaviour is in force for the input being handled (a
    /// scenario may limit it to a window); the host sets it before each input.
    public var byzantineActive = true
    /// The node's chain RPC, for access conditions (nil: the run declares no chains).
    public var chains: (any ChainView)?
    /// The node's view of external data sources, for Lit Actions (nil: the run declares none).
    public var external: (any ExternalData)?

    public init(me: NodeID, identity: NodeIdentity, directory: IdentityDirectory, meter: CostMeter, random: ServiceRandom,
                keys: KeyStore, memo: CryptoMemo?) {
        self.me = me
        self.identity = identity
        self.directory = directory
        self.meter = meter
        self.random = random
        self.keys = keys
        self.memo = memo
    }
}

/// Which key: the network has a few (FROST's group key now; ECDSA root keys later).
public struct KeyID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: UInt32
    public init(_ value: UInt32) { self.value = value }
    public static let group = KeyID(0)
    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
    public var description: String { "key \(value)" }
}

/// One node's share of one key in one epoch.
public struct KeyShare: Sendable {
    public let key: KeyID
    public let roster: Roster
    public let identifier: Identifier
    /// Secret. Never printed or traced.
    public let secretShare: Scalar
    /// The Feldman commitment of the shared polynomial: its constant is the group key, and
    /// every member's verification share derives from it.
    public let groupCommitment: VSSCommitment

    /// The DKG session that made it and its transcript digest (what a node signals ready with).
    public let session: SessionID?
    public let transcriptDigest: [UInt8]

    public init(key: KeyID, roster: Roster, identifier: Identifier, secretShare: Scalar, groupCommitment: VSSCommitment,
                session: SessionID? = nil, transcriptDigest: [UInt8] = []) {
        self.session = session
        self.transcriptDigest = transcriptDigest
        self.key = key
        self.roster = roster
        self.identifier = identifier
        self.secretShare = secretShare
        self.groupCommitment = groupCommitment
    }

    public var epoch: Epoch { roster.epoch }
    public var groupKey: Point { groupCommitment.publicKey }
    public var threshold: Int { groupCommitment.threshold }

    /// A member's public verification share (computed once per host with `memo`; `meter` pays
    /// for it either way).
    /// - Complexity: threshold − 1 point multiplications.
    public func verificationShare(of node: NodeID, meter: CostMeter, memo: CryptoMemo? = nil) -> Point? {
        roster.identifier(of: node).map { groupCommitment.verificationShare(at: $0, meter: meter, memo: memo) }
    }
}

extension VSSCommitment {
    /// The verification share at `identifier`: every node checking the same member's shares
    /// against the same commitment computes it once per host with `memo` (each still pays).
    /// The memo names the sharing by its first and last non-constant coefficients (C₀ is the
    /// same group key in every epoch).
    public func verificationShare(at identifier: Identifier, meter: CostMeter, memo: CryptoMemo?) -> Point {
        let compute = { (local: CostMeter) in self.evaluate(at: identifier.scalar, meter: local) }
        guard let memo else { return compute(meter) }
        let key = [coefficients.dropFirst().first, coefficients.last].map { ($0.flatMap { try? $0.compressed() }) ?? [] } + [identifier.scalar.bytes]
        return memo.verificationShares.value(for: MemoKey(key), meter: meter, compute: compute)
    }
}

/// A node's key shares, by key and epoch. Durable: a crash does not lose it.
public final class KeyStore {
    private var shares: [KeyID: [KeyShare]] = [:]
    /// The epoch the network runs in, as this node last learnt it: a genesis share activates
    /// epoch 0; every later epoch waits for the chain's advance (a transition's share may be
    /// from an attempt that is abandoned).
    public private(set) var activeEpoch: Epoch?
    /// How many epochs before the active one a node keeps shares of (Lit: 2) and, if at least
    /// one, answers requests for the one before (requests in flight across a switch).
    public let keepPrevious: Int

    public init(keepPrevious: Int = 2) {
        self.keepPrevious = keepPrevious
    }

    public func install(_ share: KeyShare) {
        var list = shares[share.key] ?? []
        list.removeAll { $0.epoch == share.epoch }
        list.append(share)
        list.sort { $0.epoch < $1.epoch }
        shares[share.key] = list
        if activeEpoch == nil, share.epoch == .genesis { activeEpoch = share.epoch }
    }

    /// The network advanced to `epoch`: its shares become current, and shares older than
    /// epoch − `keepPrevious` are deleted (Lit's nodes keep two).
    public func activate(_ epoch: Epoch) {
        activeEpoch = epoch
        for key in shares.keys.sorted() { shares[key]?.removeAll { $0.epoch.value + UInt64(keepPrevious) < epoch.value } }
    }

    /// The active epoch's share of `key`.
    public func current(_ key: KeyID = .group) -> KeyShare? {
        guard let activeEpoch else { return nil }
        return share(key, epoch: activeEpoch)
    }

    public func share(_ key: KeyID, epoch: Epoch) -> KeyShare? { shares[key]?.first { $0.epoch == epoch } }

    /// The share a request for `epoch` is answered with: the active epoch's or the one before
    /// (requests in flight across a switch), never older.
    public func usable(_ key: KeyID = .group, epoch: Epoch) -> KeyShare? {
        guard let activeEpoch, epoch == activeEpoch || (keepPrevious >= 1 && epoch.value + 1 == activeEpoch.value) else { return nil }
        return share(key, epoch: epoch)
    }

    /// Every epoch this node holds a share of `key` for, oldest first.
    public func epochs(_ key: KeyID = .group) -> [Epoch] { (shares[key] ?? []).map(\.epoch) }
}
