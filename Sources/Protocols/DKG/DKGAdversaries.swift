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
        /// Waits for every honest dealer's share, then echoes each share's signed header as a
        /// round-1 broadcast of that dealer, as is and relabelled as round 1 (the echo forgery
        /// of the safety review).
        case forgeEcho
        /// Sends its round-1 broadcast to `targets` only; everything else as an honest node.
        case splitBroadcast(targets: [NodeID])
        /// Votes to each peer the digest that peer voted (with the unsafe `threshold` rule and a
        /// split broadcast, that splits the key; with `quorum` it cannot). Two different votes
        /// meet in the certificates honest nodes forward.
        case doubleVote
        /// Both of the above: the split-key attack of the safety review in one node (with a
        /// second double voter it splits the key under the unsafe `threshold` rule).
        case splitKey(targets: [NodeID])
        /// With the other nodes of the same behaviour (`colluders`): the first and second add
        /// and subtract one error to the shares of `targets` (all peers when empty), which
        /// cancels in their aggregated check; the first then claims the second sent it no
        /// share, and the second never justifies, so it is dropped (cancelling shares, H1).
        case cancellingShares(colluders: [NodeID], targets: [NodeID])
        /// Equivocates (one broadcast to the lower half, another to the upper) and sends each of
        /// `targets` a share from the broadcast it did not see, hoping judges who hold the other
        /// convict the complaining target of a false complaint.
        case equivocateComplaint(targets: [NodeID])
        /// In an epoch transition, deals its sharing shifted by a constant (shares consistent
        /// with the shifted commitments, proof redone where it covers C₀): accepted, it would
        /// change the group key. At genesis it is an honest dealing.
        case changeKey
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
        BehaviourDescription("dkg-forge-echo", provable: true,
                             "DKG: echoes honest dealers' share signatures as their round-1 broadcasts; rejected by the signed header, the forger proven"),
        BehaviourDescription("dkg-split-broadcast", takesTargets: true, provable: false,
                             "DKG: sends its round-1 broadcast to its targets only; honest nodes fetch it or all leave it out"),
        BehaviourDescription("dkg-double-vote", provable: true,
                             "DKG: votes two transcripts to the two halves of its peers; proven by the forwarded votes"),
        BehaviourDescription("dkg-split-key", takesTargets: true, provable: true,
                             "DKG: split broadcast to its targets and double votes together (the split-key reproduction); proven by forwarded votes"),
        BehaviourDescription("dkg-cancelling-shares", takesTargets: true, provable: true,
                             "DKG, two or more colluders: share errors that cancel, then one colluder dropped; caught share by share, both proven"),
        BehaviourDescription("dkg-equivocate-complaint", takesTargets: true, provable: true,
                             "DKG: equivocates and sends its targets shares of the other broadcast to frame their complaints; the dealer is proven"),
        BehaviourDescription("dkg-change-key", provable: true,
                             "DKG, epoch transitions: deals a sharing shifted by a constant, which would change the group key; rejected by its C₀, proven"),
    ]

    /// - Parameter colluders: every node given the same behaviour (for collusion behaviours).
    public static func behaviour(for choice: BehaviourChoice, colluders: [NodeID] = []) -> Behaviour? {
        switch choice.name {
        case "dkg-bad-share": .badShare(targets: choice.targets)
        case "dkg-bad-proof": .badProof
        case "dkg-extra-commitments": .extraCommitments
        case "dkg-equivocate": .equivocate
        case "dkg-false-complaint": .falseComplaint(targets: choice.targets)
        case "dkg-withhold-share": .withholdShare(targets: choice.targets)
        case "dkg-forge-echo": .forgeEcho
        case "dkg-split-broadcast": .splitBroadcast(targets: choice.targets)
        case "dkg-double-vote": .doubleVote
        case "dkg-split-key": .splitKey(targets: choice.targets)
        case "dkg-cancelling-shares": .cancellingShares(colluders: colluders.sorted(), targets: choice.targets)
        case "dkg-equivocate-complaint": .equivocateComplaint(targets: choice.targets)
        case "dkg-change-key": .changeKey
        default: nil
        }
    }

    public let behaviour: Behaviour
    let configuration: DKGConfiguration
    /// The equivocator's second polynomial.
    var alternate: Polynomial?
    var alternateHash: [UInt8]?
    /// Shares this node received, by dealer (the echo forger's raw material).
    var sharesReceived: [NodeID: DKGShare] = [:]
    /// The round-1 headers the forger holds (its own and those it received), by dealer.
    var roundOneHeaders: [NodeID: SignedStatement] = [:]
    /// The forger's echo, held until every honest dealer's share is in: to whom it goes.
    var heldEcho: [NodeID]?
    /// The double voter's votes to send back: digest → voters, in arrival order.
    var votesSeen: [(digest: [UInt8], voters: [NodeID])] = []
    var pendingVotes: [(digest: [UInt8], to: NodeID)] = []
    public private(set) var actedProvably = false

    public init(_ behaviour: Behaviour, configuration: DKGConfiguration) {
        self.behaviour = behaviour
        self.configuration = configuration
    }

    func isTarget(_ list: [NodeID]) -> (NodeID) -> Bool {
        list.isEmpty ? { _ in true } : { list.contains($0) }
    }

    var roster: Roster { configuration.roster }
    func upperHalf(_ node: NodeID) -> Bool { (roster.position(of: node) ?? 0) >= roster.count / 2 }

    public mutating func intercept(_ message: DKGMessage, from sender: EndpointID) -> Bool {
        switch (behaviour, message) {
        case let (.forgeEcho, .share(share)):
            sharesReceived[share.sender] = share
        case let (.forgeEcho, .commitments(package)):
            roundOneHeaders[package.sender] = roundOneHeaders[package.sender] ?? package.statement(meter: CostMeter())
        case let (.doubleVote, .agreement(vote)), let (.splitKey, .agreement(vote)):
            if let index = votesSeen.firstIndex(where: { $0.digest == vote.digest }) {
                if !votesSeen[index].voters.contains(vote.sender) {
                    votesSeen[index].voters.append(vote.sender)
                    pendingVotes.append((vote.digest, vote.sender))
                }
            } else {
                votesSeen.append((vote.digest, [vote.sender]))
                pendingVotes.append((vote.digest, vote.sender))
            }
        default:
            break
        }
        return true
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
                let wrong = DKGShare(session: share.session, sender: me, receiver: node, commitmentHash: share.commitmentHash, share: share.share + .one)
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
            let roster = roster
            return equivocate(effects, sharesFromAlternate: { (roster.position(of: $0) ?? 0) >= roster.count / 2 }, context)
        case let .equivocateComplaint(list):
            // Targets in the lower half hold the first broadcast; each gets a share of the second.
            let target = isTarget(list)
            let roster = roster
            let upperHalf: (NodeID) -> Bool = { (roster.position(of: $0) ?? 0) >= roster.count / 2 }
            return equivocate(effects, sharesFromAlternate: { upperHalf($0) != target($0) }, context)
        case let .falseComplaint(list):
            let target = isTarget(list)
            return effects.map { effect in
                guard case let .broadcast(.complaints(message), to) = effect else { return effect }
                let added = roster.members.filter { $0 != me && target($0) }.map { DKGComplaint.missingShare(dealer: $0) }
                let forged = DKGComplaints(session: message.session, sender: me, complaints: message.complaints + added)
                return .broadcast(.complaints(forged.signed(by: identity, meter: meter)), to: to)
            }
        case let .withholdShare(list):
            let target = isTarget(list)
            return effects.filter { effect in
                if case let .send(.share, receiver) = effect, let node = receiver.node, target(node) { return false }
                if case .broadcast(.justification, _) = effect { return false }
                return true
            }
        case .forgeEcho:
            return forgeEchoes(effects, context)
        case let .splitBroadcast(list):
            return splitBroadcast(effects, to: isTarget(list))
        case .doubleVote:
            return voteBack(effects, context)
        case let .splitKey(list):
            return voteBack(splitBroadcast(effects, to: isTarget(list)), context)
        case let .cancellingShares(colluders, list):
            return cancel(effects, colluders: colluders, targets: isTarget(list), context)
        case .changeKey:
            return changeKey(effects, context)
        }
    }

    /// Shifts the dealing by 7: C₀ + 7·G, every share + 7, a new proof where the proof covers
    /// C₀ (an old member's reshare dealing: it proves old share + 7).
    mutating func changeKey(_ effects: [Effect], _ context: ServiceContext) -> [Effect] {
        guard configuration.dealing.previous != nil else { return effects }
        let meter = context.meter
        let shift = Scalar(7)
        return effects.map { effect in
            switch effect {
            case let .broadcast(.commitments(package), to):
                var coefficients = package.commitment.coefficients
                coefficients[0] = Point.sum([coefficients[0], Point.base(shift, meter: meter)], meter: meter)
                let commitment = VSSCommitment(coefficients: coefficients)
                var proof = package.proof
                if configuration.dealing.dealsOldShare(context.me),
                   let old = context.keys.share(configuration.key, epoch: Epoch(package.session.epoch.value - 1))?.secretShare {
                    var rng = context.random
                    proof = SchnorrProof.prove(secret: old + shift, publicKey: commitment.publicKey,
                                               context: DKGParticipant.proofContext(session: package.session, identifier: roster.identifier(of: context.me)!),
                                               using: &rng, meter: meter)
                }
                let shifted = DKGCommitments(session: package.session, sender: context.me, commitment: commitment, proof: proof).signed(by: context.identity, meter: meter)
                alternateHash = Hashing.sha256(shifted.body, meter: meter)
                actedProvably = true
                return .broadcast(.commitments(shifted), to: to)
            case let .send(.share(share), receiver):
                guard let alternateHash else { return effect }
                let shifted = DKGShare(session: share.session, sender: context.me, receiver: share.receiver, commitmentHash: alternateHash,
                                       share: share.share + shift)
                return .send(.share(shifted.signed(by: context.identity, meter: meter)), to: receiver)
            default:
                return effect
            }
        }
    }

    func splitBroadcast(_ effects: [Effect], to target: (NodeID) -> Bool) -> [Effect] {
        effects.map { effect in
            guard case let .broadcast(.commitments(package), to) = effect else { return effect }
            return .broadcast(.commitments(package), to: to.filter(target))
        }
    }

    /// Sends no vote of its own; each peer gets back the digest that peer voted, once, so every
    /// group of honest nodes with one digest counts this node as agreeing with it.
    mutating func voteBack(_ effects: [Effect], _ context: ServiceContext) -> [Effect] {
        var result = effects.filter { if case .broadcast(.agreement, _) = $0 { false } else { true } }
        for (digest, voter) in pendingVotes {
            let vote = DKGAgreement(session: configuration.session, sender: context.me, digest: digest).signed(by: context.identity, meter: context.meter)
            result.append(.send(.agreement(vote), to: .node(voter)))
            if votesSeen.count > 1 { actedProvably = true }
        }
        pendingVotes = []
        return result
    }

    /// One set of commitments to the lower half of the peers, another to the upper half; the
    /// shares for which `sharesFromAlternate` holds come from the other polynomial.
    mutating func equivocate(_ effects: [Effect], sharesFromAlternate: (NodeID) -> Bool, _ context: ServiceContext) -> [Effect] {
        let meter = context.meter
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
                alternateHash = Hashing.sha256(other.body, meter: meter)
                actedProvably = true
                for peer in to where peer != context.me {
                    result.append(.send(.commitments(upperHalf(peer) ? other : package), to: .node(peer)))
                }
            case let .send(.share(share), receiver) where receiver.node.map(sharesFromAlternate) == true:
                guard let alternate, let alternateHash, let identifier = roster.identifier(of: receiver.node!) else {
                    result.append(effect)
                    continue
                }
                let other = DKGShare(session: share.session, sender: context.me, receiver: receiver.node!, commitmentHash: alternateHash,
                                     share: alternate.evaluate(at: identifier.scalar))
                result.append(.send(.share(other.signed(by: context.identity, meter: meter)), to: receiver))
            default:
                result.append(effect)
            }
        }
        return result
    }

    /// Holds its echo (digest) until a share from every other dealer has arrived, then sends
    /// everyone an echo list with, in place of each such dealer's round-1 header, that dealer's
    /// share header: as it is, or relabelled as round 1 (which breaks its signature),
    /// alternately. It never sends its digest, so the forged list is what the others check.
    mutating func forgeEchoes(_ effects: [Effect], _ context: ServiceContext) -> [Effect] {
        var result = [Effect]()
        for effect in effects {
            switch effect {
            case let .broadcast(.commitments(own), _):
                roundOneHeaders[context.me] = own.statement(meter: CostMeter())
                result.append(effect)
            case let .broadcast(.echoDigest, to):
                heldEcho = to
            case .send(.echoes, _):
                break
            default:
                result.append(effect)
            }
        }
        guard let to = heldEcho, roster.members.allSatisfy({ $0 == context.me || sharesReceived[$0] != nil }) else { return result }
        heldEcho = nil
        let honest = roster.members.compactMap { roundOneHeaders[$0] }
        let forged = honest.enumerated().map { index, echo -> SignedStatement in
            guard let dealer = echo.header.sender.node, let share = sharesReceived[dealer] else { return echo }
            let statement = share.statement(meter: context.meter)
            guard index % 2 == 0 else { return statement }
            let relabelled = SignedHeader(protocolName: dkgProtocol, kind: DKGCommitments.kind, session: statement.header.session,
                                          sender: statement.header.sender, bodyHash: statement.header.bodyHash)
            return SignedStatement(header: relabelled, signature: statement.signature)
        }
        actedProvably = true
        let list = DKGEchoes(session: configuration.session, sender: context.me, echoes: forged).signed(by: context.identity, meter: context.meter)
        result.append(.broadcast(.echoes(list), to: to))
        return result
    }

    /// Cancelling shares (H1): colluders 0 and 1 add and subtract one error for the targets;
    /// colluder 0 claims colluder 1 sent it nothing; colluder 1 never justifies.
    mutating func cancel(_ effects: [Effect], colluders: [NodeID], targets: (NodeID) -> Bool, _ context: ServiceContext) -> [Effect] {
        guard let role = colluders.firstIndex(of: context.me), role < 2, colluders.count >= 2 else { return effects }
        let meter = context.meter
        // Both colluders derive the same error from the session.
        var writer = ByteWriter()
        configuration.session.write(&writer)
        let error = Hashing.hashToScalar(writer.bytes, domain: Array("LitSim cancelling-shares error".utf8), meter: meter)
        let partner = colluders[1 - role]
        var result = [Effect]()
        for effect in effects {
            switch effect {
            case let .send(.share(share), receiver) where receiver.node.map { targets($0) && !colluders.contains($0) } == true:
                actedProvably = true
                let altered = DKGShare(session: share.session, sender: context.me, receiver: share.receiver, commitmentHash: share.commitmentHash,
                                       share: role == 0 ? share.share + error : share.share - error)
                result.append(.send(.share(altered.signed(by: context.identity, meter: meter)), to: receiver))
            case let .broadcast(.complaints(message), to) where role == 0:
                let forged = DKGComplaints(session: message.session, sender: context.me,
                                           complaints: message.complaints + [.missingShare(dealer: partner)])
                result.append(.broadcast(.complaints(forged.signed(by: context.identity, meter: meter)), to: to))
            case .broadcast(.justification, _) where role == 1:
                continue
            default:
                result.append(effect)
            }
        }
        return result
    }
}
