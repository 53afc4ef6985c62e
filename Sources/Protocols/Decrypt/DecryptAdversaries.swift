import ThresholdCrypto

/// Decryption misbehaviour.
public struct DecryptAdversary: Adversary {
    public typealias Service = DecryptService

    public enum Behaviour: Sendable {
        /// Sends a share that fails its proof (uⱼ + G): the client's check names it.
        case badShare
    }

    public static let catalogue: [BehaviourDescription] = [
        BehaviourDescription("decrypt-bad-share", provable: false,
                             "decryption: a share that fails its proof; the client checks every share and leaves the sender out"),
        BehaviourDescription("ignore-conditions", provable: false,
                             "decryption: releases its share although the access conditions are false in its view (alone it cannot open content; a threshold of them can, and access.violations reports it)"),
    ]

    public static func behaviour(for choice: BehaviourChoice) -> Behaviour? {
        choice.name == "decrypt-bad-share" ? .badShare : nil
    }

    let behaviour: Behaviour
    public init(_ behaviour: Behaviour) { self.behaviour = behaviour }

    public mutating func rewrite(_ effects: [Effect], _ context: ServiceContext) -> [Effect] {
        effects.map { effect in
            guard case let .send(.share(id, share), to) = effect else { return effect }
            let wrong = TDH2.DecryptionShare(id: share.id, ui: share.ui.adding(.generator, meter: context.meter), e: share.e, f: share.f)
            return .send(.share(id: id, share: wrong), to: to)
        }
    }

    public var actedProvably: Bool { false }
}
