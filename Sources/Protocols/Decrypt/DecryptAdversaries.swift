import ThresholdCrypto

/// Decryption misbehaviour.
public struct DecryptAdversary: Adversary {
    public typealias Service = DecryptService

    public enum Behaviour: Sendable {
        /// Sends a share that fails its proof (uⱼ + G): the client's check names it.
        case badShare
        /// Says the conditions are false whatever its view says (a "no" nobody can tell from a
        /// lagging RPC's): more of them than n − threshold deny every request.
        case denyConditions
    }

    /// Not an effect rewrite: the services (decryption, and ECDSA for JWTs) skip their own
    /// condition check, since only they hold what a share needs.
    public static let ignoreConditions = "ignore-conditions"

    public static let catalogue: [BehaviourDescription] = [
        BehaviourDescription("decrypt-bad-share", provable: false,
                             "decryption: a share that fails its proof; the client checks every share and leaves the sender out"),
        BehaviourDescription("deny-conditions", provable: false,
                             "decryption: refuses every request as if its conditions were false; up to n − threshold of them deny nothing"),
        BehaviourDescription(ignoreConditions, provable: false,
                             "decryption and JWTs: releases its decryption share or signs the JWT although the access conditions are false in its view (alone it cannot release anything; a threshold of them can, and access.violations reports it)"),
    ]

    public static func behaviour(for choice: BehaviourChoice) -> Behaviour? {
        switch choice.name {
        case "decrypt-bad-share": .badShare
        case "deny-conditions": .denyConditions
        default: nil
        }
    }

    let behaviour: Behaviour
    public init(_ behaviour: Behaviour) { self.behaviour = behaviour }

    public mutating func rewrite(_ effects: [Effect], _ context: ServiceContext) -> [Effect] {
        effects.map { effect in
            guard case let .send(.share(id, share), to) = effect else { return effect }
            if behaviour == .denyConditions { return .send(.refusal(id: id, reason: .conditionsFalse), to: to) }
            let wrong = TDH2.DecryptionShare(id: share.id, ui: share.ui.adding(.generator, meter: context.meter), e: share.e, f: share.f)
            return .send(.share(id: id, share: wrong), to: to)
        }
    }

    public var actedProvably: Bool { false }
}
