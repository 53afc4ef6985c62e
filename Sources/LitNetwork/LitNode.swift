import Protocols
import Simulation
import ThresholdCrypto

/// A Lit node: it runs the genesis DKG, then answers handshakes and signs. Its crypto work is
/// metered and charged to its own virtual clock. A class, so the engine mutates it in place.
public final class LitNode {
    public let id: Int
    public let behaviour: ByzantineBehaviour?
    /// The DKG in progress; volatile (lost in a crash before it finishes).
    public private(set) var dkg: DKGNode?
    public private(set) var dkgResult: DKGResult?
    public private(set) var dkgFailure: DKGFailure?
    public private(set) var dkgFinishedAt: SimInstant?
    public private(set) var crashedDuringDKG = false
    public private(set) var signer: Signer
    /// Every crypto operation this node performed, by `CryptoOperation`.
    public private(set) var operationTotals = Array(repeating: 0, count: CryptoOperation.allCases.count)
    public private(set) var dkgMessagesSent = 0
    public private(set) var dkgBytesSent = 0
    /// When this node entered each DKG phase (for the report's DKG timeline).
    public private(set) var dkgPhases: [(phase: String, at: SimInstant)] = []
    /// Whether a signing misbehaviour actually happened (a wrong share or two commitments sent).
    public private(set) var actedProvably = false
    /// Messages from the network that did not decode (wire: encoded).
    public internal(set) var undecodableMessages = 0
    /// Whether messages travel as bytes (`network.wire: encoded`).
    var encodesWire = false
    let participants: Int
    let identity: NodeIdentity
    let meter = CostMeter()
    let costs: CryptoCostModel
    var random: RandomStream
    let delayUntil: SimDuration
    var pendingHandshakes: [Int] = []
    /// replay-old-messages: what this node sent for the previous attempt it answered.
    var previousBatch: (id: SigningRequestID, sends: [(SigningMessage, Int)])?
    var replayedFor: Set<SigningRequestID> = []
    /// delay-until-timeout: held sends by release timer.
    var held: [UInt64: [(SigningMessage, Int)]] = [:]
    var nextHold: UInt64 = 0

    public init(id: Int, participants: Int, dkg: DKGNode, identity: NodeIdentity, identityKeys: [[UInt8]], roundTimeout: SimDuration,
                behaviour: ByzantineBehaviour?, costs: CryptoCostModel, random: RandomStream, clientTimeout: SimDuration, memo: CryptoMemo? = nil) {
        self.id = id
        self.participants = participants
        self.dkg = dkg
        self.identity = identity
        self.behaviour = behaviour
        self.costs = costs
        self.random = random
        signer = Signer(me: id, identity: identity, identityKeys: identityKeys, roundTimeout: .nanoseconds(roundTimeout.nanoseconds), memo: memo)
        delayUntil = SimDuration(nanoseconds: max(0, clientTimeout.nanoseconds - 1_000_000_000))
    }

    var isSilent: Bool { behaviour == .silent }

    func chargeWork(_ context: inout ProcessContext<LitMessage>) {
        context.charge(costs.charge(meter, into: &operationTotals))
    }

    /// corrupt-bytes: one to three bytes of every outgoing encoding flipped.
    func corrupt(_ message: LitMessage) -> LitMessage {
        guard behaviour == .corruptBytes, case var .wire(bytes) = message, !bytes.isEmpty else { return message }
        for _ in 0...(random.next() % 3) {
            bytes[Int(random.next(below: UInt64(bytes.count)))] ^= UInt8(truncatingIfNeeded: 1 + random.next(below: 255))
        }
        return .wire(bytes)
    }

    func start(_ context: inout ProcessContext<LitMessage>) {
        guard var node = dkg else { return }
        let actions = node.start(using: &random, meter: meter)
        dkg = node
        applyDKG(actions, &context)
    }

    func receive(_ message: LitMessage, from sender: Int, _ context: inout ProcessContext<LitMessage>) {
        switch message {
        case let .dkg(inner):
            guard var node = dkg else { return }
            let actions = node.receive(inner, from: sender, meter: meter)
            dkg = node
            applyDKG(actions, &context)
        case .wire:
            return  // decoded by the endpoint before it gets here
        case let .signing(inner):
            guard !isSilent else { return }
            var actions = [SignerAction]()
            switch inner {
            case .handshakeRequest:
                if let result = dkgResult {
                    actions.append(.send(.handshakeResponse(HandshakeResponse(node: id, groupCommitment: result.groupCommitment)), to: sender))
                } else {
                    pendingHandshakes.append(sender)
                }
            case let .request(request):
                actions = signer.handleRequest(request, from: sender, using: &random, meter: meter)
            case let .commitment(commitment):
                actions = signer.handleCommitment(commitment, from: sender, meter: meter)
            case let .package(package):
                actions = signer.handlePackage(package, from: sender, meter: meter)
            case .handshakeResponse, .share, .refusal:
                actions = [.note("sign: node \(id) ignored a client-bound message from \(sender)")]
            }
            applySigning(actions, &context)
        }
    }

    func timerFired(_ timer: TimerID, _ context: inout ProcessContext<LitMessage>) {
        let (kind, payload) = TimerKind.split(timer)
        switch kind {
        case .dkgRound:
            guard let round = DKGRound(rawValue: UInt8(truncatingIfNeeded: payload)), var node = dkg else { return }
            let actions = node.timerFired(round, meter: meter)
            dkg = node
            applyDKG(actions, &context)
        case .signingSession:
            applySigning(signer.timerFired(SigningRequestID(timerPayload: payload)), &context)
        case .delayedRelease:
            for (message, receiver) in held.removeValue(forKey: payload) ?? [] { context.send(.signing(message), to: receiver) }
        default:
            break
        }
    }

    /// Round state of an unfinished DKG and signing sessions are volatile; the key is durable.
    func crash() {
        if dkgResult == nil {
            dkg = nil
            crashedDuringDKG = true
        }
        signer.crash()
        held = [:]
        pendingHandshakes = []
    }

    // MARK: Actions

    func applyDKG(_ actions: [DKGAction], _ context: inout ProcessContext<LitMessage>) {
        context.charge(costs.charge(meter, into: &operationTotals))
        if let phase = dkg?.phase, "\(phase)" != dkgPhases.last?.phase { dkgPhases.append(("\(phase)", context.effectTime)) }
        for action in actions {
            switch action {
            case let .broadcast(message):
                for peer in 0..<participants where peer != id { sendDKG(message, to: peer, &context) }
            case let .send(message, to):
                sendDKG(message, to: to, &context)
            case let .setTimer(round, after):
                context.setTimer(TimerKind.dkgRound.id(UInt64(round.rawValue)), after: SimDuration(after))
            case let .output(result):
                dkgResult = result
                dkgFinishedAt = context.effectTime
                // A share that does not match its verification share would only produce invalid
                // signature shares (and get this honest node blamed): it abstains instead.
                if result.shareIsConsistent {
                    signer.install(SignerKey(identifier: Scalar(UInt64(id + 1)), secretShare: result.secretShare,
                                             groupCommitment: result.groupCommitment))
                } else {
                    context.output("dkg: this node's share is inconsistent; it will not sign")
                }
                context.output("dkg finished: \(result.qualified.count) qualified")
                if !isSilent {
                    for client in pendingHandshakes {
                        context.send(.signing(.handshakeResponse(HandshakeResponse(node: id, groupCommitment: result.groupCommitment))), to: client)
                    }
                }
                pendingHandshakes = []
            case let .abort(failure):
                dkgFailure = failure
                context.output("dkg failed: \(failure)")
            case let .note(text):
                context.output(text)
            }
        }
    }

    func sendDKG(_ message: DKGMessage, to receiver: Int, _ context: inout ProcessContext<LitMessage>) {
        dkgMessagesSent += 1
        dkgBytesSent += message.wireSize
        context.send(.dkg(message), to: receiver)
    }

    func applySigning(_ actions: [SignerAction], _ context: inout ProcessContext<LitMessage>) {
        var sends = [(SigningMessage, Int)]()
        for action in actions {
            switch action {
            case let .send(message, to): sends.append((message, to))
            case let .setTimer(id, after): context.setTimer(TimerKind.signingSession.id(id.timerPayload), after: SimDuration(after))
            case let .note(text): context.output(text)
            }
        }
        sends = misbehave(sends)
        context.charge(costs.charge(meter, into: &operationTotals))
        guard !sends.isEmpty else { return }
        if behaviour == .delayUntilTimeout, !sends.allSatisfy({ if case .handshakeResponse = $0.0 { true } else { false } }) {
            nextHold += 1
            held[nextHold] = sends
            context.setTimer(TimerKind.delayedRelease.id(nextHold), after: delayUntil)
            return
        }
        for (message, receiver) in sends { context.send(.signing(message), to: receiver) }
    }

    /// The signing behaviours, applied to what the honest signer would send.
    func misbehave(_ sends: [(SigningMessage, Int)]) -> [(SigningMessage, Int)] {
        switch behaviour {
        case .badSignatureShare?:
            return sends.map { message, receiver in
                guard case let .share(share) = message else { return (message, receiver) }
                actedProvably = true
                let wrong = SignatureShareMessage(id: share.id, signer: id, share: share.share + .one, commitments: share.commitments, signature: [])
                return (.share(wrong.signed(by: identity, meter: meter)), receiver)
            }
        case .withholdShare?:
            return sends.filter { if case .share = $0.0 { false } else { true } }
        case .equivocateCommitments?:
            return sends.map { message, receiver in
                // Every other co-signer gets commitments to nonces this node never uses.
                guard case let .commitment(commitment) = message, receiver < participants, receiver % 2 == 1 else { return (message, receiver) }
                actedProvably = true
                let fake = FROST<FROSTSecp256k1>.nonces(identifier: commitment.commitment.identifier, hiding: .randomNonZero(using: &random),
                                                        binding: .randomNonZero(using: &random), meter: meter)
                let other = SignedCommitment(id: commitment.id, signer: id, commitment: fake.commitment, signature: []).signed(by: identity, meter: meter)
                return (.commitment(other), receiver)
            }
        case .replayOldMessages?:
            guard let current = sends.compactMap({ requestID(of: $0.0) }).first else { return sends }
            defer { if previousBatch?.id != current { previousBatch = (current, sends) } }
            guard let previous = previousBatch, previous.id != current, !replayedFor.contains(current) else { return [] }
            replayedFor.insert(current)
            return previous.sends
        default:
            return sends
        }
    }

    func requestID(of message: SigningMessage) -> SigningRequestID? {
        switch message {
        case let .commitment(m): m.id
        case let .share(m): m.id
        case let .refusal(m): m.id
        default: nil
        }
    }
}
