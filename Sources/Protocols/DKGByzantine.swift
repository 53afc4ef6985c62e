import ThresholdCrypto

/// How a node behaves in the DKG. Byzantine behaviours are applied to what the honest state
/// machine would send (a node controls its keys and signs whatever it sends); the honest code
/// path itself never changes.
public enum DKGBehaviour: Sendable, Equatable {
    case honest
    /// Sends nothing at all.
    case silent
    /// Sends wrong shares to `targets` (all peers when empty).
    case badShare(targets: [Int])
    /// Broadcasts a proof of knowledge that does not verify.
    case badProof
    /// Commits to one coefficient more than the threshold (threshold raising).
    case extraCommitments
    /// Sends one set of commitments and shares to the lower half of its peers and another to
    /// the upper half.
    case equivocate
    /// Complains that `targets` (all peers when empty) sent no share, though they did.
    case falseComplaint(targets: [Int])
    /// Sends no share to `targets` (all peers when empty) and never justifies.
    case withholdShare(targets: [Int])
}

/// A DKG participant with a behaviour.
public struct DKGNode: Sendable {
    public private(set) var participant: DKGParticipant
    public let behaviour: DKGBehaviour
    let identity: NodeIdentity
    /// The equivocator's second polynomial.
    var alternate: Polynomial?

    public init(configuration: DKGConfiguration, me: Int, identity: NodeIdentity, behaviour: DKGBehaviour = .honest) {
        participant = DKGParticipant(configuration: configuration, me: me, identity: identity)
        self.behaviour = behaviour
        self.identity = identity
    }

    public var phase: DKGParticipant.Phase { participant.phase }

    public mutating func start<R: RandomNumberGenerator>(using rng: inout R, meter: CostMeter) -> [DKGAction] {
        guard behaviour != .silent else { return [] }
        if behaviour == .equivocate {
            let configuration = participant.configuration
            alternate = Polynomial.random(constant: .randomNonZero(using: &rng), threshold: configuration.threshold, using: &rng)
        }
        let actions = participant.start(using: &rng, meter: meter)
        return transform(actions, using: &rng, meter: meter)
    }

    public mutating func receive(_ message: DKGMessage, from sender: Int, meter: CostMeter) -> [DKGAction] {
        guard behaviour != .silent else { return [] }
        var noRandomness = NoRandomness()
        return transform(participant.receive(message, from: sender, meter: meter), using: &noRandomness, meter: meter)
    }

    public mutating func timerFired(_ round: DKGRound, meter: CostMeter) -> [DKGAction] {
        guard behaviour != .silent else { return [] }
        var noRandomness = NoRandomness()
        return transform(participant.timerFired(round, meter: meter), using: &noRandomness, meter: meter)
    }

    func targets(_ list: [Int]) -> (Int) -> Bool {
        list.isEmpty ? { _ in true } : { list.contains($0) }
    }

    func transform<R: RandomNumberGenerator>(_ actions: [DKGAction], using rng: inout R, meter: CostMeter) -> [DKGAction] {
        let configuration = participant.configuration
        let me = participant.me
        switch behaviour {
        case .honest, .silent:
            return actions
        case let .badShare(list):
            let isTarget = targets(list)
            return actions.map { action in
                guard case let .send(.share(share), receiver) = action, isTarget(receiver) else { return action }
                let wrong = DKGShare(session: share.session, sender: me, receiver: receiver, share: share.share + .one, signature: [])
                return .send(DKGMessage.share(wrong).signed(by: identity, meter: meter), to: receiver)
            }
        case .badProof:
            return actions.map { action in
                guard case let .broadcast(.commitments(package)) = action else { return action }
                let broken = SchnorrProof(commitment: package.proof.commitment, response: package.proof.response + .one)
                let forged = DKGCommitments(session: package.session, sender: me, commitment: package.commitment, proof: broken, signature: [])
                return .broadcast(DKGMessage.commitments(forged).signed(by: identity, meter: meter))
            }
        case .extraCommitments:
            return actions.map { action in
                guard case let .broadcast(.commitments(package)) = action else { return action }
                let extra = Point.base(Scalar(7), meter: meter)
                let raised = VSSCommitment(coefficients: package.commitment.coefficients + [extra])
                let forged = DKGCommitments(session: package.session, sender: me, commitment: raised, proof: package.proof, signature: [])
                return .broadcast(DKGMessage.commitments(forged).signed(by: identity, meter: meter))
            }
        case .equivocate:
            guard let alternate else { return actions }
            let upperHalf: (Int) -> Bool = { $0 >= configuration.participants / 2 }
            var result = [DKGAction]()
            for action in actions {
                switch action {
                case let .broadcast(.commitments(package)):
                    let commitment = alternate.commitment(meter: meter)
                    let proof = SchnorrProof.prove(
                        secret: alternate.constant, publicKey: commitment.publicKey,
                        context: DKGParticipant.proofContext(session: package.session, identifier: configuration.identifier(of: me)),
                        using: &rng, meter: meter)
                    let other = DKGMessage.commitments(DKGCommitments(session: package.session, sender: me, commitment: commitment,
                                                                      proof: proof, signature: [])).signed(by: identity, meter: meter)
                    for peer in 0..<configuration.participants where peer != me {
                        result.append(.send(upperHalf(peer) ? other : .commitments(package), to: peer))
                    }
                case let .send(.share(share), receiver) where upperHalf(receiver):
                    let other = DKGShare(session: share.session, sender: me, receiver: receiver,
                                         share: alternate.evaluate(at: configuration.identifier(of: receiver)), signature: [])
                    result.append(.send(DKGMessage.share(other).signed(by: identity, meter: meter), to: receiver))
                default:
                    result.append(action)
                }
            }
            return result
        case let .falseComplaint(list):
            let isTarget = targets(list)
            return actions.map { action in
                guard case let .broadcast(.complaints(message)) = action else { return action }
                let accused = (0..<configuration.participants).filter { $0 != me && isTarget($0) }
                let existing = message.complaints
                let added = accused.map { DKGComplaint.missingShare(dealer: $0) }
                let forged = DKGComplaints(session: message.session, sender: me, complaints: existing + added,
                                           echoes: message.echoes, signature: [])
                return .broadcast(DKGMessage.complaints(forged).signed(by: identity, meter: meter))
            }
        case let .withholdShare(list):
            let isTarget = targets(list)
            return actions.filter { action in
                if case let .send(.share, receiver) = action, isTarget(receiver) { return false }
                if case .broadcast(.justification) = action { return false }
                return true
            }
        }
    }
}

/// Only the equivocator's first step draws randomness; later steps get this, which must not
/// be used (it traps if it is, which would be a bug in this file, not remote input).
struct NoRandomness: RandomNumberGenerator {
    mutating func next() -> UInt64 { preconditionFailure("DKGNode: randomness used after start") }
}
