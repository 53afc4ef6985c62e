import ThresholdCrypto

public enum DecryptOutput: Sendable, Equatable {
    /// This node released its decryption share for the attempt; `conditionsHeld` is what its
    /// own view of the chain said (false only for a node that ignores conditions).
    case released(AttemptID, conditionsHeld: Bool)
    /// It evaluated the conditions false and refused.
    case denied(AttemptID)
}

/// A node's side of threshold decryption: for a client's valid ciphertext whose label is the
/// hash of the conditions sent with it, it asks its own chain RPC whether the conditions hold
/// for the client (waiting the RPC's latency) and, if they do, returns one decryption share
/// with its proof for the request's epoch, once per attempt. A false evaluation is a typed
/// refusal.
public struct DecryptService: NodeService {
    public typealias Message = DecryptMessage
    public typealias Output = DecryptOutput

    /// An evaluation under way at the node's RPC.
    public struct Timer: Hashable, Sendable {
        let attempt: AttemptID
    }

    /// Releases shares whatever the conditions say (`ignore-conditions`, while in force).
    let ignoreConditions: Bool
    /// Attempts answered or being evaluated: a repeated request gets nothing more.
    var answered: Set<AttemptID> = []
    /// Requests waiting for the RPC's answer.
    var evaluating: [AttemptID: (ciphertext: TDH2.Ciphertext, conditions: AccessCondition)] = [:]

    /// What its work costs (TDH2's own, or Lit's BLS-IBE's).
    let costs: DecryptionCostProfile

    public init(ignoreConditions: Bool = false, costs: DecryptionCostProfile = .secp256k1) {
        self.ignoreConditions = ignoreConditions
        self.costs = costs
    }

    public mutating func receive(_ message: DecryptMessage, from sender: EndpointID, _ context: ServiceContext) -> [Effect] {
        guard case let .request(id, ciphertext, conditions) = message else { return [.note("decrypt: ignored a message meant for a client from \(sender)")] }
        guard sender == .client(id.client) else { return [.note("decrypt: dropped a request for another client from \(sender)")] }
        guard answered.insert(id).inserted else { return [] }
        guard ciphertext.label == AccessCondition.label(conditions, meter: context.meter) else {
            return [.send(.refusal(id: id, reason: .wrongLabel), to: sender)]
        }
        guard let conditions else { return release(id, ciphertext, conditionsHeld: true, context) }
        guard let rpc = context.chains else { return [.send(.refusal(id: id, reason: .conditionsFalse), to: sender), .output(.denied(id))] }
        evaluating[id] = (ciphertext, conditions)
        return [.setTimer(Timer(attempt: id), after: rpc.latency)]
    }

    public mutating func timerFired(_ timer: Timer, _ context: ServiceContext) -> [Effect] {
        guard let (ciphertext, conditions) = evaluating.removeValue(forKey: timer.attempt) else { return [] }
        let id = timer.attempt
        let held = context.chains?.holds(conditions, for: id.client.address) ?? false
        guard held || (ignoreConditions && context.byzantineActive) else {
            return [.send(.refusal(id: id, reason: .conditionsFalse), to: .client(id.client)), .output(.denied(id))]
        }
        return release(id, ciphertext, conditionsHeld: held, context)
    }

    func release(_ id: AttemptID, _ ciphertext: TDH2.Ciphertext, conditionsHeld: Bool, _ context: ServiceContext) -> [Effect] {
        let client = EndpointID.client(id.client)
        guard let key = context.keys.usable(.group, epoch: id.session.epoch), let identifier = key.roster.identifier(of: context.me) else {
            return [.send(.refusal(id: id, reason: .noKey), to: client)]
        }
        var rng = context.random
        guard let share = try? TDH2.share(ciphertext, secretShare: key.secretShare, id: identifier.scalar, using: &rng,
                                          meter: costs.meter(context.meter)) else {
            return [.send(.refusal(id: id, reason: .invalidCiphertext), to: client)]
        }
        costs.chargeShare(context.meter)
        return [.send(.share(id: id, share: share), to: client), .output(.released(id, conditionsHeld: conditionsHeld))]
    }

    public mutating func crash() {
        answered = []
        evaluating = [:]
    }
}
