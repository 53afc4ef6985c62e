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
        /// Sends a round-1 share that fails its commitments (to every peer).
        case presignBadShare
        /// Tells each peer a different R in round 2.
        case presignEquivocateR
        /// Sends a wrong W_j in round 2 (w·G = W then fails at every honest peer).
        case presignWrongW
        /// Shifts its round 2 consistently, (w_j + 1, W_j + G): w·G = W still holds; Lit's
        /// variant catches it at round 4, the paper's by checking the W_j's consistency.
        case presignShiftW
        /// Signs honestly but tells the client, again and again, that it timed out waiting for
        /// its targets (honest peers), to get them left out.
        case framePeers([NodeID])
    }

    public static let catalogue: [BehaviourDescription] = [
        BehaviourDescription("ecdsa-bad-signature-share", provable: false,
                             "ECDSA: sends a wrong signature share; the combined signature fails and, with no per-share check (Lit's client), nobody is named"),
        BehaviourDescription("withhold-presign", provable: false, "ECDSA: sends nothing in presigning rounds; peers time out and name it (not provable)"),
        BehaviourDescription("presign-bad-share", provable: false,
                             "ECDSA: round-1 shares that fail their commitments; every peer aborts (Lit's presign has no blame)"),
        BehaviourDescription("presign-equivocate-r", provable: false, "ECDSA: a different R to each peer in round 2; peers abort"),
        BehaviourDescription("presign-wrong-w", provable: false, "ECDSA: a wrong W_j in round 2; w·G = W fails at every peer, who aborts"),
        BehaviourDescription("presign-shift-w", provable: false,
                             "ECDSA: round 2 shifted consistently (w_j + 1, W_j + G), which passes w·G = W; caught at Lit's round 4 or the paper's W consistency check"),
        BehaviourDescription("ecdsa-frame-peers", takesTargets: true, provable: false,
                             "ECDSA: instead of its share, sends the client five refusals naming its targets; one refusal per node counts, so they stay in"),
    ]

    public static func behaviour(for choice: BehaviourChoice) -> Behaviour? {
        switch choice.name {
        case "ecdsa-bad-signature-share": .badSignatureShare
        case "withhold-presign": .withholdPresign
        case "presign-bad-share": .presignBadShare
        case "presign-equivocate-r": .presignEquivocateR
        case "presign-wrong-w": .presignWrongW
        case "ecdsa-frame-peers": .framePeers(choice.targets)
        case "presign-shift-w": .presignShiftW
        default: nil
        }
    }

    let behaviour: Behaviour
    public init(_ behaviour: Behaviour) { self.behaviour = behaviour }

    public mutating func rewrite(_ effects: [Effect], _ context: ServiceContext) -> [Effect] {
        effects.flatMap { effect -> [Effect] in
            guard case let .send(message, to) = effect else { return [effect] }
            return rewrite(message, to: to, context).map { .send($0, to: to) }
        }
    }

    func rewrite(_ message: ECDSAMessage, to: EndpointID, _ context: ServiceContext) -> [ECDSAMessage] {
        switch (behaviour, message) {
        case let (.badSignatureShare, .share(id, share, bigR)):
            return [.share(id: id, share: share + .one, bigR: bigR)]
        case (.withholdPresign, .round1), (.withholdPresign, .round2), (.withholdPresign, .round3):
            return []
        case let (.presignBadShare, .round1(payload)):
            var values = payload.shares.values
            values[0] = values[0] + .one
            return [.round1(PresignRound1(id: payload.id, commitments: payload.commitments, shares: DamFast.Shares(values: values)))]
        case let (.presignEquivocateR, .round2(id, bigR, bigW, w)):
            // Each peer its own R: R + (peer id)·G.
            let shift = Scalar(UInt64((to.node?.value ?? 0) + 1))
            return [.round2(id: id, bigR: bigR.adding(Point.base(shift, meter: context.meter), meter: context.meter), bigW: bigW, w: w)]
        case let (.presignWrongW, .round2(id, bigR, bigW, w)):
            return [.round2(id: id, bigR: bigR, bigW: bigW.adding(.generator, meter: context.meter), w: w)]
        case let (.presignShiftW, .round2(id, bigR, bigW, w)):
            return [.round2(id: id, bigR: bigR, bigW: bigW.adding(.generator, meter: context.meter), w: w + .one)]
        case let (.framePeers(targets), .share(id, _, _)):
            return Array(repeating: .refusal(id: id, reason: .presignTimeout, missing: targets), count: 5)
        default:
            return [message]
        }
    }

    public var actedProvably: Bool { false }
}
