import ThresholdCrypto

/// Byzantine signers, for either flow: each rewrites what the honest signer would send.
public struct SigningAdversary<Signer: SigningFlowService>: Adversary {
    public typealias Service = Signer

    public enum Behaviour: Sendable, Equatable {
        /// Sends a wrong signature share; the client proves it.
        case badSignatureShare
        /// Commits but never sends its share.
        case withholdShare
        /// Sends commitments to nonces it never uses to every other co-signer; proven by the client.
        case equivocateCommitments
        /// Replays its messages from the previous request instead of answering.
        case replayOldMessages
        /// Holds every message until `holdFor` has passed (just before the client's timeout).
        case delayUntilTimeout(holdFor: Duration)
        /// Lit flow: quotes its co-signers' commitments to the client with their points changed
        /// and their signatures kept, hoping the client blames their shares.
        case frameCommitments
        /// Sends the requests it is given on to the other nodes (to reopen their sessions), and
        /// requests in the client's name for the next request number (to claim it first).
        case stealSession
        /// Coordinator flow: commits under another signer's identifier.
        case coordinatorImpersonate
    }

    public static var catalogue: [BehaviourDescription] {
        [
            BehaviourDescription("bad-signature-share", provable: true,
                                 "signing: sends a wrong signature share; the client proves it and retries without it"),
            BehaviourDescription("withhold-share", provable: false,
                                 "signing: commits but never sends its share; the client times out and retries without it"),
            BehaviourDescription("equivocate-commitments", provable: true,
                                 "signing: sends different nonce commitments to different co-signers; proven by the client"),
            BehaviourDescription("replay-old-messages", provable: false,
                                 "signing: replays its messages from the previous request instead of answering"),
            BehaviourDescription("delay-until-timeout", provable: false,
                                 "signing: holds every message until just before the client's timeout"),
            BehaviourDescription("frame-commitments", provable: true,
                                 "signing (lit): quotes co-signers' commitments with changed points and their old signatures; the client proves the forgery"),
            BehaviourDescription("steal-session", provable: false,
                                 "signing: replays clients' requests to other nodes and forges requests for their next ids; nodes drop them"),
            BehaviourDescription("coordinator-impersonate", provable: true,
                                 "signing (coordinator): commits under another signer's identifier; the client proves it and leaves it out"),
        ]
    }

    /// - Parameter clientTimeout: what `delay-until-timeout` holds messages for, less a second.
    public static func behaviour(for choice: BehaviourChoice, clientTimeout: Duration) -> Behaviour? {
        switch choice.name {
        case "bad-signature-share": .badSignatureShare
        case "withhold-share": .withholdShare
        case "equivocate-commitments": .equivocateCommitments
        case "replay-old-messages": .replayOldMessages
        case "delay-until-timeout": .delayUntilTimeout(holdFor: max(.zero, clientTimeout - .seconds(1)))
        case "frame-commitments": .frameCommitments
        case "steal-session": .stealSession
        case "coordinator-impersonate": .coordinatorImpersonate
        default: nil
        }
    }

    public let behaviour: Behaviour
    public private(set) var actedProvably = false
    /// replay-old-messages: what this node sent for the previous attempt it answered.
    var previousBatch: (id: AttemptID, effects: [Effect])?
    var replayedFor: Set<AttemptID> = []
    /// delay-until-timeout: held sends by release timer.
    var held: [UInt64: [Effect]] = [:]
    var nextHold: UInt64 = 0
    /// steal-session: requests seen, to pass on.
    var requestsSeen: [SignRequest] = []

    public init(_ behaviour: Behaviour) { self.behaviour = behaviour }

    static func attempt(of effect: Effect) -> AttemptID? {
        switch effect {
        case let .send(message, _), let .broadcast(message, _):
            switch message {
            case let .commitment(m): m.id
            case let .share(m): m.id
            case let .refusal(m): m.id
            default: nil
            }
        default: nil
        }
    }

    static func isMessage(_ effect: Effect) -> Bool {
        switch effect {
        case .send, .broadcast: true
        default: false
        }
    }

    public mutating func rewrite(_ effects: [Effect], _ context: ServiceContext) -> [Effect] {
        let meter = context.meter
        switch behaviour {
        case .badSignatureShare:
            return effects.map { effect in
                guard case let .send(.share(share), receiver) = effect else { return effect }
                actedProvably = true
                let wrong = SignatureShareMessage(id: share.id, signer: context.me, requestDigest: share.requestDigest, listDigest: share.listDigest,
                                                  share: share.share + .one, commitments: share.commitments)
                return .send(.share(wrong.signed(by: context.identity, meter: meter)), to: receiver)
            }
        case .withholdShare:
            return effects.filter { if case .send(.share, _) = $0 { false } else { true } }
        case .equivocateCommitments:
            var result = [Effect]()
            for effect in effects {
                // Co-signers with odd ids get commitments to nonces this node never uses.
                guard case let .broadcast(.commitment(commitment), to) = effect else {
                    result.append(effect)
                    continue
                }
                var rng = context.random
                let fake = FROST<FROSTSecp256k1>.nonces(identifier: commitment.commitment.identifier, hiding: .randomNonZero(using: &rng),
                                                        binding: .randomNonZero(using: &rng), meter: meter)
                let other = SignedCommitment(id: commitment.id, signer: context.me, keyHash: commitment.keyHash, commitment: fake.commitment)
                    .signed(by: context.identity, meter: meter)
                for peer in to where peer != context.me {
                    if peer.value % 2 == 1 { actedProvably = true }
                    result.append(.send(.commitment(peer.value % 2 == 1 ? other : commitment), to: .node(peer)))
                }
            }
            return result
        case .replayOldMessages:
            guard let current = effects.lazy.compactMap(Self.attempt).first else { return effects }
            let sent = effects.filter(Self.isMessage)
            defer { if previousBatch?.id != current { previousBatch = (current, sent) } }
            guard let previous = previousBatch, previous.id != current, !replayedFor.contains(current) else {
                return effects.filter { !Self.isMessage($0) }
            }
            replayedFor.insert(current)
            return effects.filter { !Self.isMessage($0) } + previous.effects
        case .frameCommitments:
            return frame(effects, context)
        case .stealSession:
            return steal(effects, context, peers: context.keys.current()?.roster.members ?? [])
        case .coordinatorImpersonate:
            return impersonate(effects, context)
        case let .delayUntilTimeout(holdFor):
            let sent = effects.filter(Self.isMessage)
            guard !sent.isEmpty else { return effects }
            nextHold += 1
            held[nextHold] = sent
            return effects.filter { !Self.isMessage($0) } + [.setTimer(.adversary(nextHold), after: holdFor)]
        }
    }

    public mutating func intercept(_ message: Signer.Message, from sender: EndpointID) -> Bool {
        if case .stealSession = behaviour, case let .request(request) = message { requestsSeen.append(request) }
        return true
    }

    public mutating func timerFired(_ id: UInt64, _ context: ServiceContext) -> [Effect] {
        held.removeValue(forKey: id) ?? []
    }

    /// The share message to the client, quoting every co-signer's commitment with its hiding
    /// and binding points swapped and its signature kept.
    mutating func frame(_ effects: [Effect], _ context: ServiceContext) -> [Effect] {
        effects.map { effect in
            guard case let .send(.share(share), to) = effect else { return effect }
            let doctored = share.commitments.map { quoted -> SignedCommitment in
                guard quoted.signer != context.me else { return quoted }
                let swapped = FROSTCommitment(identifier: quoted.commitment.identifier, hiding: quoted.commitment.binding,
                                              binding: quoted.commitment.hiding)
                return SignedCommitment(id: quoted.id, signer: quoted.signer, keyHash: quoted.keyHash, commitment: swapped, signature: quoted.signature)
            }
            actedProvably = true
            let message = SignatureShareMessage(id: share.id, signer: context.me, requestDigest: share.requestDigest,
                                                listDigest: SignatureShareMessage.listDigest(doctored, meter: context.meter), share: share.share,
                                                commitments: doctored)
                .signed(by: context.identity, meter: context.meter)
            return .send(.share(message), to: to)
        }
    }

    /// Every request seen goes on to every other node once it was answered (sessions there may
    /// have ended), and a request for the client's next request number, signed by this node.
    mutating func steal(_ effects: [Effect], _ context: ServiceContext, peers: [NodeID]) -> [Effect] {
        var result = effects
        for request in requestsSeen {
            let session = request.id.session
            let next = SessionID(protocolName: session.protocolName, epoch: session.epoch, initiator: session.initiator, counter: session.counter + 1)
            let claimed = SignRequest(id: AttemptID(session: next, attempt: 1), message: request.message, scheme: request.scheme,
                                      signers: request.signers, waitMilliseconds: request.waitMilliseconds)
                .signed(by: context.identity, meter: context.meter)
            for peer in peers where peer != context.me {
                result.append(.send(.request(request), to: .node(peer)))
                result.append(.send(.request(claimed), to: .node(peer)))
            }
        }
        requestsSeen = []
        return result
    }

    /// Its commitment to the client under the identifier of the next signer in the roster.
    mutating func impersonate(_ effects: [Effect], _ context: ServiceContext) -> [Effect] {
        effects.map { effect in
            guard case let .send(.commitment(commitment), to) = effect, to.client != nil,
                  let key = context.keys.current(), let mine = key.roster.position(of: context.me) else { return effect }
            let other = key.roster.identifier(at: (mine + 1) % key.roster.count)
            let forged = FROSTCommitment(identifier: other.scalar, hiding: commitment.commitment.hiding, binding: commitment.commitment.binding)
            actedProvably = true
            return .send(.commitment(SignedCommitment(id: commitment.id, signer: context.me, keyHash: commitment.keyHash, commitment: forged)
                .signed(by: context.identity, meter: context.meter)), to: to)
        }
    }
}
