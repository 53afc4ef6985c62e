import Protocols
import Simulation
import ThresholdCrypto

/// A generic adversary action (the explorer's): it needs no protocol knowledge, only a message
/// kind (the trace's name for it, `dkg.commitments`), and acts on what the node sends of that
/// kind while its window lasts. A node may carry several (one `equivocate` at most), applied in
/// the order written: the first that holds a message back decides. The protocol code stays honest.
public struct MessageAction: Hashable, Sendable {
    public enum Verb: String, Hashable, Sendable, CaseIterable {
        /// Sends nothing of the kind to `targets` (every receiver when empty).
        case drop
        /// Sends it `delay` later.
        case delay
        /// Sends it twice.
        case duplicate
        /// Sends it to `targets` only (nodes; clients still get theirs).
        case subsetSend = "subset-send"
        /// Twins: a second copy of the node, with the same identity and keys but its own
        /// randomness, hears everything; `targets` get the twin's messages of the kind and the
        /// others the node's own, so both halves see valid, signed, different messages.
        case equivocate
        /// Sends the first message of the kind it ever sent again beside each later, different
        /// one (from an earlier session, once the node has been through more than one).
        case replay
    }

    public var verb: Verb
    /// The trace's message kind, e.g. `dkg.commitments`, `sign.commitment`.
    public var kind: String
    public var targets: [Int]
    /// For `delay`.
    public var delay: SimDuration
    /// When it acts; nil: the whole run.
    public var window: TimeWindow?

    public init(_ verb: Verb, kind: String, targets: [Int] = [], delay: SimDuration = .zero, window: TimeWindow? = nil) {
        self.verb = verb
        self.kind = kind
        self.targets = targets
        self.delay = delay
        self.window = window
    }

    /// Whether the verb needs `targets` to mean anything.
    public static func needsTargets(_ verb: Verb) -> Bool { verb == .subsetSend || verb == .equivocate }

    func isActive(at time: SimInstant) -> Bool { window?.contains(time) ?? true }

    func targets(_ receiver: EndpointID) -> Bool {
        guard let node = receiver.node else { return targets.isEmpty }
        return targets.isEmpty || targets.contains(Int(node.value))
    }

    /// The catalogue entries (`litsim behaviours`).
    static let catalogue = [
        BehaviourDescription("drop", takesTargets: true, provable: false,
                             "generic: sends none of its messages of `kind` (to `targets`, or anyone)"),
        BehaviourDescription("delay", takesTargets: true, provable: false, "generic: sends its messages of `kind` `delay` late"),
        BehaviourDescription("duplicate", takesTargets: true, provable: false, "generic: sends each of its messages of `kind` twice"),
        BehaviourDescription("subset-send", takesTargets: true, provable: false,
                             "generic: sends its messages of `kind` to `targets` only"),
        BehaviourDescription("equivocate", takesTargets: true, provable: false,
                             "generic (Twins): a twin with the node's identity and its own randomness sends `targets` its messages of `kind`, the node the rest"),
        BehaviourDescription("replay", takesTargets: true, provable: false,
                             "generic: sends the first message of `kind` it ever sent again beside every later, different one"),
    ]

    /// Every message kind a registered protocol sends (the values `kind` may take).
    public static var kinds: [String] { ServiceRegistration.all().flatMap(\.messageKinds) }
}

/// A second copy of a node's services for `equivocate` (Twins): same identity and keys at the
/// start, its own key store and randomness. It hears every input the node hears; of its
/// effects only its timers and its messages of the action's kind to the action's targets
/// leave it.
final class NodeTwin {
    let context: ServiceContext
    let randomness: RandomBox
    let services: [AnyServiceHost]
    let action: MessageAction

    init(context: ServiceContext, randomness: RandomBox, services: [AnyServiceHost], action: MessageAction) {
        self.context = context
        self.randomness = randomness
        self.services = services
        self.action = action
    }
}
