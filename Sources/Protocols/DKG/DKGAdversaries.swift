import ThresholdCrypto

/// Byzantine behaviour in the DKG, applied to what the honest participant would send (a node
/// controls its keys and signs whatever it sends); the honest code path never changes.
public struct DKGAdversary: Adversary {
    public typealias Service = DKGParticipant

    public enum Behaviour: Sendable, Equatable {
        /// Sends wrong shares to `targets` (all peers when empty).
        case badShare(targets: [NodeID])
        /// Broadcasts a proof of knowledge that does not verify.
        case badProof
        /// Commits to one coefficient more than the threshold (threshold raising).
        case extraCommitments
        /// Sends one set of commitments and shares to the lower half of its peers and another
        /// to the upper half.
        case equivocate
        /// Complains that `targets` (all peers when empty) sent no share, though they did.
        case falseComplaint(targets: [NodeID])
        /// Sends no share to `targets` (all peers when empty) and never justifies.
        case withholdShare(targets: [NodeID])
    }

    /// The catalogue entries (DESIGN.md §5), with the names scenarios use.
    public static let catalogue: [BehaviourDescription] = [
        BehaviourDescription("dkg-bad-share", takesTargets: true, provable: true,
                             "DKG: sends wrong shares to its targets (all peers if none); proven by the signed share"),
        BehaviourDescription("dkg-bad-proof", provable: true, "DKG: broadcasts a proof of knowledge that does not verify; proven"),
        BehaviourDescription("dkg-extra-commitments", provable: true,
                             "DKG: commits to threshold + 1 coefficients (threshold raising); rejected, proven"),
        BehaviourDescription("dkg-equivocate", provable: true,
                             "DKG: different commitments and shares to the two halves of its peers; proven by echoes"),
        BehaviourDescription("dkg-false-complaint", takesTargets: true, provable: false,
                             "DKG: claims its targets sent no share; they justify; not provable, so not accused"),
        BehaviourDescription("dkg-withhold-share", takesTargets: true, provable: false,
                             "DKG: sends no share to its targets and never justifies; excluded, not accused"),
    ]

    public static func behaviour(for choice: BehaviourChoice) -> Behaviour? {
        switch choice.name {
        case "dkg-bad-share": .badShare(targets: choice.targets)
        case "dkg-bad-proof": .badProof
        case "dkg-extra-commitments": .extraCommitments
        case "dkg-equivocate": .equivocate
        case "dkg-false-complaint": .falseComplaint(targets: choice.targets)
        case "dkg-withhold-share": .withholdShare(targets: choice.targets)
        default: nil
        }
    }

    public let behaviour: Behaviour
    let configuration: DKGConfiguration
    /// The equivocator's second polynomial.
    var alternate: Polynomial?
    public private(set) var actedProvably = false

    public init(_ behaviour: Behaviour, configuration: DKGConfiguration) {
        self.behaviour = behaviour
        self.configuration = configuration
    }

    func isTarget(_ list: [NodeID]) -> (NodeID) -> Bool {
        list.isEmpty ? { _ in true } : { list.contains($0) }
    }

    public mutating func rewrite(_ effects: [Effect], _ context: ServiceContext) -> [Effect] {
        let meter = context.meter
        let me = context.me
        let identity = context.identity
        switch behaviour {
        case let .badShare(list):
            let target = isTarget(list)
            return effects.map { effect in
                guard case let .send(.share(share), receiver) = effect, let node = receiver.node, target(node) else { return effect }
                actedProvably = true
                let wrong = DKGShare(session: share.session, sender: me, receiver: node, share: share.share + .one)
                return .send(.share(wrong.signed(by: identity, meter: meter)), to: receiver)
            }
        case .badProof:
            return effects.map { effect in
                guard case let .broadcast(.commitments(package), to) = effect else { return effect }
                actedProvably = true
                let broken = SchnorrProof(commitment: package.proof.commitment, response: package.proof.response + .one)
                let forged = DKGCommitments(session: package.session, sender: me, commitment: package.commitment, proof: broken)
                return .broadcast(.commitments(forged.signed(by: identity, meter: meter)), to: to)
            }
        case .extraCommitments:
            return effects.map { effect in
                guard case let .broadcast(.commitments(package), to) = effect else { return effect }
                actedProvably = true
                let raised = VSSCommitment(coefficients: package.commitment.coefficients + [Point.base(Scalar(7), meter: meter)])
                let forged = DKGCommitments(session: package.session, sender: me, commitment: raised, proof: package.proof)
                return .broadcast(.commitments(forged.signed(by: identity, meter: meter)), to: to)
            }
        case .equivocate:
            return equivocate(effects, context)
        case let .falseComplaint(list):
            let target = isTarget(list)
            return effects.map { effect in
                guard case let .broadcast(.complaints(message), to) = effect else { return effect }
                let added = configuration.roster.members.filter { $0 != me && target($0) }.map { DKGComplaint.missingShare(dealer: $0) }
                let forged = DKGComplaints(session: message.session, sender: me, complaints: message.complaints + added, echoes: message.echoes)
                return .broadcast(.complaints(forged.signed(by: identity, meter: meter)), to: to)
            }
        case let .withholdShare(list):
            let target = isTarget(list)
            return effects.filter { effect in
                if case let .send(.share, receiver) = effect, let node = receiver.node, target(node) { return false }
                if case .broadcast(.justification, _) = effect { return false }
                return true
            }
        }
    }

    /// One set of commitments and shares to the lower half of the peers, another to the upper.
    mutating func equivocate(_ effects: [Effect], _ context: ServiceContext) -> [Effect] {
        let meter = context.meter
        let roster = configuration.roster
        let upperHalf: (NodeID) -> Bool = { (roster.position(of: $0) ?? 0) >= roster.count / 2 }
        var result = [Effect]()
        for effect in effects {
            switch effect {
            case let .broadcast(.commitments(package), to):
                var rng = context.random
                let alternate = Polynomial.random(constant: .randomNonZero(using: &rng), threshold: configuration.threshold, using: &rng)
                self.alternate = alternate
                let commitment = alternate.commitment(meter: meter)
                let proof = SchnorrProof.prove(
                    secret: alternate.constant, publicKey: commitment.publicKey,
                    context: DKGParticipant.proofContext(session: package.session, identifier: roster.identifier(of: context.me)!),
                    using: &rng, meter: meter)
                let other = DKGCommitments(session: package.session, sender: context.me, commitment: commitment, proof: proof)
                    .signed(by: context.identity, meter: meter)
                actedProvably = true
                for peer in to where peer != context.me {
                    result.append(.send(.commitments(upperHalf(peer) ? other : package), to: .node(peer)))
                }
            case let .send(.share(share), receiver) where receiver.node.map(upperHalf) == true:
                guard let alternate, let identifier = roster.identifier(of: receiver.node!) else {
                    result.append(effect)
                    continue
                }
                let other = DKGShare(session: share.session, sender: context.me, receiver: receiver.node!,
                                     share: alternate.evaluate(at: identifier.scalar))
                result.append(.send(.share(other.signed(by: context.identity, meter: meter)), to: receiver))
            default:
                result.append(effect)
            }
        }
        return result
    }
}
