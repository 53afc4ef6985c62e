import ThresholdCrypto

/// Byzantine behaviour in Lit's ECDSA, rewriting what the honest signer sends.
public struct ECDSAAdversary: Adversary {
    public typealias Service = ECDSASigner

    public enum Behaviour: Sendable, Equatable {
        /// Sends the client a wrong signature share. Lit's client checks only the combined
        /// signature: the attempt fails and nobody can be named.
        case badSignatureShare
        /// Takes part in no presigning round: its peers time out and name it.
        case withholdPresign
    }

    public static let catalogue: [BehaviourDescription] = [
        BehaviourDescription("ecdsa-bad-signature-share", provable: false,
                             "ECDSA: sends a wrong signature share; the combined signature fails and, with no per-share check (Lit's client), nobody is named"),
        BehaviourDescription("withhold-presign", provable: false, "ECDSA: sends nothing in presigning rounds; peers time out and name it (not provable)"),
    ]

    public static func behaviour(for choice: BehaviourChoice) -> Behaviour? {
        switch choice.name {
        case "ecdsa-bad-signature-share": .badSignatureShare
        case "withhold-presign": .withholdPresign
        default: nil
        }
    }

    let behaviour: Behaviour
    public init(_ behaviour: Behaviour) { self.behaviour = behaviour }

    public mutating func rewrite(_ effects: [Effect], _ context: ServiceContext) -> [Effect] {
        effects.compactMap { effect in
            guard case let .send(message, to) = effect else { return effect }
            switch (behaviour, message) {
            case let (.badSignatureShare, .share(id, share, bigR)):
                return .send(.share(id: id, share: share + .one, bigR: bigR), to: to)
            case (.withholdPresign, .round1), (.withholdPresign, .round2), (.withholdPresign, .round3):
                return nil
            default:
                return effect
            }
        }
    }

    public var actedProvably: Bool { false }
}
