import ThresholdCrypto

/// Lit Action misbehaviour. Neither is provable: actions have no consensus, so a node that
/// reports or signs something else is indistinguishable from one that fetched another value.
public struct ActionAdversary: Adversary {
    public typealias Service = ActionService

    public enum Behaviour: Sendable {
        /// Sends each peer a different `run-once` result and `broadcast-and-collect` value
        /// (a number plus the peer's number plus one, in whole units), to split the honest nodes,
        /// and each a different decryption share whose proof fails.
        case equivocate
        /// Signs the digest of a message of its own choosing in every signing step, and reports
        /// that digest to the client.
        case signOther
    }

    public static let catalogue: [BehaviourDescription] = [
        BehaviourDescription("action-equivocate", provable: false,
                             "Lit Actions: sends each peer a different run-once result and broadcast-and-collect value (as run-once leader it decides what the others sign), and decryption shares whose proofs fail"),
        BehaviourDescription("action-sign-other", provable: false,
                             "Lit Actions: signs a message of its own choosing in every signing step; the client cannot combine it with honest shares"),
    ]

    public static func behaviour(for choice: BehaviourChoice) -> Behaviour? {
        switch choice.name {
        case "action-equivocate": .equivocate
        case "action-sign-other": .signOther
        default: nil
        }
    }

    let behaviour: Behaviour
    public init(_ behaviour: Behaviour) { self.behaviour = behaviour }

    /// The digest it signs instead of the honest one.
    static func forged(_ id: AttemptID, index: Int, meter: CostMeter) -> [UInt8] {
        Keccak.keccak256(Array("byzantine \(id) \(index)".utf8), meter: meter)
    }

    public mutating func rewrite(_ effects: [Effect], _ context: ServiceContext) -> [Effect] {
        effects.flatMap { effect -> [Effect] in
            switch (behaviour, effect) {
            case let (.equivocate, .broadcast(.runOnceResult(id, block, value), to)):
                return to.filter { $0 != context.me }.map { .send(.runOnceResult(id: id, block: block, value: Self.skewed(value, for: $0)), to: .node($0)) }
            case let (.equivocate, .broadcast(.collected(id, step, value), to)):
                return to.filter { $0 != context.me }.map { .send(.collected(id: id, step: step, value: Self.skewed(value, for: $0)), to: .node($0)) }
            case let (.equivocate, .broadcast(.decryptionShare(id, step, share), to)):
                return to.filter { $0 != context.me }.map { peer in
                    let wrong = TDH2.DecryptionShare(id: share.id, ui: share.ui, e: share.e + Scalar(UInt64(peer.value + 1)), f: share.f)
                    return .send(.decryptionShare(id: id, step: step, share: wrong), to: .node(peer))
                }
            case let (.signOther, .delegate(signature)):
                return [.delegate(signature.with(digest: Self.forged(signature.origin, index: signature.index, meter: context.meter)))]
            case let (.signOther, .send(.response(id, response), to)):
                let digests = response.digests.indices.map { Self.forged(id, index: $0, meter: context.meter) }
                return [.send(.response(id: id, ActionResponse(error: response.error, value: response.value, digests: digests, schemes: response.schemes)), to: to)]
            default:
                return [effect]
            }
        }
    }

    /// A different value for each peer.
    static func skewed(_ value: ActionValue, for peer: NodeID) -> ActionValue {
        switch value {
        case let .number(number): .number(ActionNumber(raw: number.raw &+ Int64(peer.value + 1) * ActionNumber.scale))
        case let .string(text): .string(text + "#\(peer.value)")
        case let .bool(flag): .bool(peer.value % 2 == 0 ? flag : !flag)
        }
    }

    public var actedProvably: Bool { false }
}
