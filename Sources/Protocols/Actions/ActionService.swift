import ThresholdCrypto

public enum ActionOutput: Sendable, Equatable {
    case started(AttemptID)
    /// A step of the program ended on this node, taking `took` of modelled run time, or (nil)
    /// the time since the node's last `waiting` (a fetch, a peer's value). Per-step times come
    /// from these.
    case stepDone(AttemptID, kind: String, took: Duration?)
    case waiting(AttemptID)
    case fetched(AttemptID, source: String, failed: Bool)
    /// This node computed `digest` for its signature number `index` and asked its signer for
    /// a share over it (the action oracle counts honest nodes per digest).
    case computed(AttemptID, index: Int, digest: [UInt8])
    /// The run ended: nil, or the stable code of the error that stopped it.
    case finished(AttemptID, error: String?)
}

public enum ActionTimer: Hashable, Sendable {
    /// The modelled run time of the steps just executed is over: their effects go out.
    case compute(AttemptID)
    case fetch(AttemptID)
    case peerWait(AttemptID)
    /// Lit's 30 s limit.
    case deadline(AttemptID)
}

/// A node's side of Lit Actions: runs the program a client names, step by step, on this node's
/// view of external data; coordinates `run-once` and `broadcast-and-collect` with the other
/// nodes of the request; hands each signing step to the node's ECDSA or FROST signer as a
/// request over the digest *this* node computed; answers the client with its response and digests. No
/// consensus on the output (Lit's): the client sees whether the shares agree.
public struct ActionService: NodeService {
    public typealias Message = ActionMessage
    public typealias Timer = ActionTimer
    public typealias Output = ActionOutput

    /// One program's position: the steps of a block and the next one to run.
    struct Frame {
        let steps: [ActionStep]
        var index = 0
        /// A `run-once` block this node leads: when it ends, the value of `result` goes out.
        var leading: (block: Int, result: String)?
    }

    enum Wait {
        case fetch(name: String, source: String, value: ActionValue??)
        case runOnce(block: Int, result: String)
        case collect(step: Int, name: String, reduce: ActionReduction)
        case decrypt(step: Int, name: String)
    }

    struct Run {
        let request: ActionRequest
        let program: ActionProgram
        var variables: [String: ActionValue] = [:]
        var memory = 0
        var frames: [Frame]
        var fetches = 0
        var digests: [[UInt8]] = []
        /// Per signature: a JWT's signing input (empty for a plain signature).
        var jwtInputs: [String] = []
        /// Per signature: the scheme it is signed in.
        var schemes: [String] = []
        var response: ActionValue?
        var waiting: Wait?
        /// Effects held until the modelled run time of the steps that made them has passed.
        var held: [Effect] = []
        /// Whether a batch of steps is running (its effects held): a peer's value only waits.
        var computing = false
        /// `run-once` results and collected values that came before this node reached the step.
        var results: [Int: ActionValue] = [:]
        var collected: [Int: [NodeID: ActionValue]] = [:]
        /// Per `decrypt` step, the decryption shares in (each checked as it came), by node.
        var decryptionShares: [Int: [NodeID: TDH2.DecryptionShare]] = [:]
        /// Per `decrypt` step, the peers whose share failed its proof: never checked again.
        var badShares: [Int: Set<NodeID>] = [:]
    }

    let programs: [String: ActionProgram]
    var runs: [AttemptID: Run] = [:]
    /// Requests started (each runs once, ever, as a signer's request does).
    var handled: Set<AttemptID> = []
    /// Peer messages for runs not started yet. Bounded: at most 256 runs, each sender opening at
    /// most 32 and keeping at most `earlyPerSender` messages in each — one peer flooding
    /// made-up ids or values cannot push out what honest peers sent.
    var early = ActionService.earlyBuffer()
    static let earlyPerSender = 8

    /// The error code of a request naming a program this node does not have (or another version).
    public static let unknownProgram = "unknown-program"

    public init(programs: [ActionProgram]) {
        self.programs = Dictionary(programs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public mutating func crash() {
        runs = [:]
        early = Self.earlyBuffer()
    }

    static func earlyBuffer() -> EarlyMessages<AttemptID, ActionMessage> { EarlyMessages(limit: 256, perSender: 32) }

    public mutating func receive(_ message: ActionMessage, from sender: EndpointID, _ context: ServiceContext) -> [Effect] {
        switch message {
        case let .request(request):
            guard sender == .client(request.id.client) else { return [.note("action: dropped a request for another client from \(sender)")] }
            return start(request, context)
        case .runOnceResult, .collected, .decryptionShare:
            guard let node = sender.node else { return [] }
            let id = message.attempt
            guard runs[id] != nil else { return keepEarly(message, from: node, context) }
            return peerValue(message, from: node, context)
        case .response:
            return [.note("action: ignored a response meant for a client from \(sender)")]
        }
    }

    mutating func keepEarly(_ message: ActionMessage, from node: NodeID, _ context: ServiceContext) -> [Effect] {
        let id = message.attempt
        guard !handled.contains(id) else { return [] }
        early.keep(message, for: id, from: node, perRun: .max, perSenderInRun: Self.earlyPerSender)
        return []
    }

    mutating func start(_ request: ActionRequest, _ context: ServiceContext) -> [Effect] {
        let id = request.id
        guard handled.insert(id).inserted else { return [.note("action: ignored a repeat of \(id)")] }
        let kept = early.take(id)
        guard let program = programs[request.program], program.hash == request.programHash else {
            return [.send(.response(id: id, ActionResponse(error: Self.unknownProgram, value: nil, digests: [])), to: .client(id.client)),
                    .output(.finished(id, error: Self.unknownProgram))]
        }
        // (An attempt number too large to number its signatures is no honest client's.)
        guard request.signers.contains(context.me), request.nonce.count == 8, DelegatedSignature.fits(id) else {
            return fail(id, .cannotSign, run: nil)
        }
        runs[id] = Run(request: request, program: program, frames: [Frame(steps: program.steps)])
        var effects: [Effect] = [.output(.started(id)), .setTimer(.deadline(id), after: .milliseconds(program.limits.milliseconds))]
        for (message, node) in kept { effects += peerValue(message, from: node, context) }
        // The isolate's start-up is run time like a step's.
        return effects + advance(id, startup: program.costs.startup, context)
    }

    public mutating func timerFired(_ timer: ActionTimer, _ context: ServiceContext) -> [Effect] {
        switch timer {
        case let .compute(id):
            guard var run = runs[id] else { return [] }
            let held = run.held
            run.held = []
            run.computing = false
            runs[id] = run
            return held + beginWait(id, context)
        case let .fetch(id):
            guard var run = runs[id], case let .fetch(name, source, answer?) = run.waiting else { return [] }
            run.waiting = nil
            runs[id] = run
            guard let value = answer else { return [.output(.fetched(id, source: source, failed: true))] + fail(id, .fetchFailed(source: source), run: run) }
            return [.output(.fetched(id, source: source, failed: false)), .output(.stepDone(id, kind: "fetch", took: nil))]
                + bind(id, name, value, context) + advance(id, context)
        case let .peerWait(id):
            guard let run = runs[id], let waiting = run.waiting else { return [] }
            switch waiting {
            case let .runOnce(block, _):
                return fail(id, .peerTimedOut(step: "run-once"), run: run, missing: [run.request.leader(ofBlock: block, meter: context.meter)])
            case let .collect(step, _, _):
                let heard = run.collected[step] ?? [:]
                return fail(id, .peerTimedOut(step: "broadcast-and-collect"), run: run, missing: run.request.signers.filter { heard[$0] == nil })
            case let .decrypt(step, _):
                // (A peer whose share failed its proof is missing too: it never sent a valid one.)
                let heard = run.decryptionShares[step] ?? [:]
                return fail(id, .peerTimedOut(step: "decrypt"), run: run, missing: run.request.signers.filter { heard[$0] == nil })
            case .fetch: return []
            }
        case let .deadline(id):
            guard let run = runs[id] else { return [] }
            return fail(id, .timedOut(limitMilliseconds: run.program.limits.milliseconds), run: run)
        }
    }

    // MARK: Running

    /// Runs steps until one must wait (a fetch, a peer's value) or the program ends; their
    /// effects go out once their modelled run time has passed.
    mutating func advance(_ id: AttemptID, startup: Duration = .zero, _ context: ServiceContext) -> [Effect] {
        guard var run = runs[id] else { return [] }
        var time = startup
        var effects: [Effect] = []
        do {
            while run.waiting == nil {
                guard let step = try Self.next(&run, &effects, context) else { break }
                time += run.program.costs.step
                try execute(step, &run, &effects, context)
            }
        } catch {
            runs[id] = run
            return effects + fail(id, error, run: run)
        }
        let finished = run.waiting == nil
        if finished {
            effects.append(.send(.response(id: id, ActionResponse(error: nil, value: run.response, digests: run.digests, jwtInputs: run.jwtInputs,
                                                                        schemes: run.schemes)), to: .client(id.client)))
            effects += Self.declines(run)
        }
        runs[id] = run
        guard time > .zero else {
            if finished { runs[id] = nil }
            return effects + (finished ? end(id, error: nil) : beginWait(id, context))
        }
        // The run-time timer lets these out; a finished run ends when they are out.
        runs[id]?.held = effects + (finished ? [.output(.finished(id, error: nil)), .cancelTimer(.deadline(id))] : [])
        runs[id]?.computing = true
        if finished { runs[id]?.frames = [] }
        return [.setTimer(.compute(id), after: time)]
    }

    /// The next step to run, popping finished blocks (a led `run-once` block sends its result).
    static func next(_ run: inout Run, _ effects: inout [Effect], _ context: ServiceContext) throws(ActionError) -> ActionStep? {
        while let frame = run.frames.last {
            if frame.index < frame.steps.count {
                run.frames[run.frames.count - 1].index += 1
                return frame.steps[frame.index]
            }
            run.frames.removeLast()
            if let (block, result) = frame.leading {
                guard let value = run.variables[result] else { throw .unknownVariable(result) }
                let others = run.request.signers.filter { $0 != context.me }
                effects.append(.broadcast(.runOnceResult(id: run.request.id, block: UInt16(truncatingIfNeeded: block), value: value), to: others))
                // Its time is its steps'.
                effects.append(.output(.stepDone(run.request.id, kind: "run-once", took: .zero)))
            }
        }
        return nil
    }

    mutating func execute(_ step: ActionStep, _ run: inout Run, _ effects: inout [Effect], _ context: ServiceContext) throws(ActionError) {
        let id = run.request.id
        let meter = context.meter
        switch step {
        case let .fetch(name, source):
            guard run.fetches < run.program.limits.fetches else { throw .tooManyFetches(limit: run.program.limits.fetches) }
            run.fetches += 1
            // The fetch leaves once the steps before it have run (beginWait asks the source then).
            run.waiting = .fetch(name: name, source: source, value: nil)
            return
        case let .compute(name, expression):
            try assign(name, try expression.evaluate(run.variables, meter: meter), &run)
        case let .branch(condition, then, otherwise):
            guard case let .bool(holds) = try condition.evaluate(run.variables, meter: meter) else { throw .typeMismatch("if's condition must be a bool") }
            run.frames.append(Frame(steps: holds ? then : otherwise))
        case .signECDSA, .sign, .signJWT:
            guard run.digests.count < min(run.program.limits.signatures, DelegatedSignature.maximumPerAttempt) else { throw .tooManySignatures(limit: run.program.limits.signatures) }
            var digest: [UInt8]
            var input = ""
            var scheme = DelegatedSignature.ecdsa
            switch step {
            case let .signJWT(expression):
                input = Self.jwtSigningInput(try expression.evaluate(run.variables, meter: meter), program: run.program.name)
                digest = Hashing.sha256(Array(input.utf8), meter: meter)
            case let .signECDSA(message):
                digest = Keccak.keccak256(Array(try message.evaluate(run.variables, meter: meter).description.utf8), meter: meter)
            case let .sign(message, frost):
                digest = Hashing.sha256(Array(try message.evaluate(run.variables, meter: meter).description.utf8), meter: meter)
                scheme = frost.rawValue
            default:
                digest = []
            }
            let index = run.digests.count
            run.digests.append(digest)
            run.jwtInputs.append(input)
            run.schemes.append(scheme)
            effects.append(.output(.computed(id, index: index, digest: digest)))
            effects.append(.delegate(DelegatedSignature(scheme: scheme, origin: id, index: index, digest: digest, keyID: run.request.keyID,
                                                        signers: run.request.signers, nonce: run.request.nonce,
                                                        waitMilliseconds: run.request.waitMilliseconds)))
            // A peer that took another branch may sign this index with the other signer: this
            // node joins that one without signing, rather than be named missing in it.
            for signer in run.program.signers where signer != DelegatedSignature.signer(of: scheme) {
                effects.append(.delegate(Self.declined(index, to: signer, run)))
            }
        case let .runOnce(steps, result, block):
            if run.request.leader(ofBlock: block, meter: meter) == context.me {
                // Its time is its steps'; the block's end sends the result (see `next`).
                run.frames.append(Frame(steps: steps, leading: (block, result)))
            } else if let value = run.results.removeValue(forKey: block) {
                try assign(result, value, &run)
                effects.append(.output(.stepDone(id, kind: "run-once", took: run.program.costs.step)))
            } else {
                run.waiting = .runOnce(block: block, result: result)
            }
            return
        case let .broadcastAndCollect(name, expression, reduce, step):
            let value = try expression.evaluate(run.variables, meter: meter)
            run.collected[step, default: [:]][context.me] = value
            effects.append(.broadcast(.collected(id: id, step: UInt16(truncatingIfNeeded: step), value: value), to: run.request.signers))
            run.waiting = .collect(step: step, name: name, reduce: reduce)
            try collectIfComplete(&run, &effects, took: run.program.costs.step)
            return
        case let .decrypt(name, secret, step):
            let (ciphertext, key, identifier) = try Self.secret(secret, of: run, context)
            var rng = context.random
            let share: TDH2.DecryptionShare
            do {
                share = try TDH2.share(ciphertext, secretShare: key.secretShare, id: identifier.scalar, using: &rng, meter: meter)
            } catch {
                throw .decryptFailed(secret: secret, reason: "the ciphertext's proof fails")
            }
            run.decryptionShares[step, default: [:]][context.me] = share
            effects.append(.broadcast(.decryptionShare(id: id, step: UInt16(truncatingIfNeeded: step), share: share), to: run.request.signers))
            run.waiting = .decrypt(step: step, name: name)
            try decryptIfComplete(&run, &effects, took: run.program.costs.step, context)
            return
        case let .respond(expression):
            run.response = try expression.evaluate(run.variables, meter: meter)
        }
        effects.append(.output(.stepDone(id, kind: step.kind, took: run.program.costs.step)))
    }

    /// A JWT's signing input: base64url(header) "." base64url(claims), the claims naming the
    /// action and carrying the value (a JSON number, string or boolean).
    static func jwtSigningInput(_ value: ActionValue, program: String) -> String {
        let json = switch value {
        case let .string(text): JSONText.quoted(text)
        default: value.description
        }
        let claims = #"{"iss":"# + JSONText.quoted("LitSim action " + program) + #","value":"# + json + "}"
        return Base64URL.encode(Array(JWTClaims.header.utf8)) + "." + Base64URL.encode(Array(claims.utf8))
    }

    /// Binds a variable, within the memory limit.
    func assign(_ name: String, _ value: ActionValue, _ run: inout Run) throws(ActionError) {
        run.memory += value.size - (run.variables[name]?.size ?? 0)
        guard run.memory <= run.program.limits.memoryBytes else { throw .outOfMemory(limitBytes: run.program.limits.memoryBytes) }
        run.variables[name] = value
    }

    mutating func bind(_ id: AttemptID, _ name: String, _ value: ActionValue, _ context: ServiceContext) -> [Effect] {
        guard var run = runs[id] else { return [] }
        do {
            try assign(name, value, &run)
        } catch {
            return fail(id, error, run: run)
        }
        runs[id] = run
        return []
    }

    /// The run waits: a fetch asks its source now; a peer's value that came while the steps
    /// before ran lets it go on at once; else it waits up to `peerWait`.
    mutating func beginWait(_ id: AttemptID, _ context: ServiceContext) -> [Effect] {
        guard var run = runs[id] else { return [] }
        guard let waiting = run.waiting else {
            // Finished: the response went out with the held effects.
            runs[id] = nil
            return []
        }
        switch waiting {
        case let .fetch(name, source, _):
            guard let answer = context.external?.fetch(source) else { return fail(id, .fetchFailed(source: source), run: run) }
            run.waiting = .fetch(name: name, source: source, value: .some(answer.value))
            runs[id] = run
            return [.output(.waiting(id)), .setTimer(.fetch(id), after: answer.delay)]
        case .runOnce, .collect, .decrypt:
            // (resume answers nothing unless the values are in, or cannot come.)
            let resumed = resumeOrGiveUp(id, context)
            return [.output(.waiting(id))] + (resumed.isEmpty ? [.setTimer(.peerWait(id), after: Self.peerWait(run))] : resumed)
        }
    }

    /// How long a node waits for a peer's value: `peer_wait`, and at most half the signers'
    /// wait, so a node a Byzantine peer stalls gives up (naming it) and declines its signatures
    /// before its co-signers' presigning times out on it.
    static func peerWait(_ run: Run) -> Duration {
        min(run.program.costs.peerWait, .milliseconds(Int64(run.request.waitMilliseconds / 2)))
    }

    /// A `run-once` leader's result or a peer's collected value: kept, and the run goes on if
    /// it was waiting for it (not while the steps before its wait are still running).
    mutating func peerValue(_ message: ActionMessage, from node: NodeID, _ context: ServiceContext) -> [Effect] {
        guard var run = runs[message.attempt], run.request.signers.contains(node), node != context.me else { return [] }
        switch message {
        case let .runOnceResult(_, block, value):
            // Only the block's leader speaks for it, once; only blocks the program has.
            guard Int(block) < run.program.runOnceBlocks, run.request.leader(ofBlock: Int(block), meter: context.meter) == node,
                  run.results[Int(block)] == nil else { return [] }
            run.results[Int(block)] = value
        case let .collected(_, step, value):
            guard Int(step) < run.program.collectSteps, run.collected[Int(step)]?[node] == nil else { return [] }
            run.collected[Int(step), default: [:]][node] = value
        case let .decryptionShare(_, step, share):
            // Kept only if its proof holds for the sender's verification share and identifier:
            // a bad share counts as none (the sender is then missing when the wait ends).
            guard Int(step) < run.program.decryptSecrets.count, run.decryptionShares[Int(step)]?[node] == nil,
                  run.badShares[Int(step)]?.contains(node) != true,
                  let (ciphertext, key, _) = try? Self.secret(run.program.decryptSecrets[Int(step)], of: run, context),
                  share.id == key.roster.identifier(of: node)?.scalar,
                  let verificationShare = key.verificationShare(of: node, meter: context.meter, memo: context.memo) else { return [] }
            guard TDH2.verify(share, for: ciphertext, verificationShare: verificationShare, meter: context.meter) else {
                run.badShares[Int(step), default: []].insert(node)
                runs[message.attempt] = run
                return (run.computing ? [] : resumeOrGiveUp(message.attempt, context)) + [.note("action: dropped \(node)'s decryption share for \(message.attempt), whose proof fails")]
            }
            run.decryptionShares[Int(step), default: [:]][node] = share
        default:
            return []
        }
        runs[message.attempt] = run
        return run.computing ? [] : resume(message.attempt, context)
    }

    /// `resume`, or — when shares whose proofs failed leave a `decrypt` wait too few to reach
    /// the threshold — the run stops now, naming their senders (the proof is definitive: no
    /// point waiting out `peer_wait`).
    mutating func resumeOrGiveUp(_ id: AttemptID, _ context: ServiceContext) -> [Effect] {
        let resumed = resume(id, context)
        guard resumed.isEmpty, let run = runs[id], case let .decrypt(step, _)? = run.waiting, let bad = run.badShares[step],
              let (_, key, _) = try? Self.secret(run.program.decryptSecrets[step], of: run, context) else { return resumed }
        let heard = run.decryptionShares[step] ?? [:]
        guard heard.count + run.request.signers.count(where: { heard[$0] == nil && !bad.contains($0) }) < key.threshold else { return resumed }
        return fail(id, .invalidPeerShares(step: "decrypt"), run: run, missing: bad.sorted())
    }

    /// Goes on past a `run-once` or `broadcast-and-collect` wait whose values are all in.
    mutating func resume(_ id: AttemptID, _ context: ServiceContext) -> [Effect] {
        guard var run = runs[id] else { return [] }
        var effects: [Effect] = []
        do {
            switch run.waiting {
            case let .runOnce(block, result)?:
                guard let value = run.results.removeValue(forKey: block) else { return [] }
                run.waiting = nil
                try assign(result, value, &run)
                effects.append(.output(.stepDone(id, kind: "run-once", took: nil)))
            case .collect?:
                try collectIfComplete(&run, &effects, took: nil)
                guard run.waiting == nil else { return [] }
            case .decrypt?:
                try decryptIfComplete(&run, &effects, took: nil, context)
                guard run.waiting == nil else { return [] }
            default:
                return []
            }
        } catch {
            return fail(id, error, run: run)
        }
        runs[id] = run
        return effects + [.cancelTimer(.peerWait(id))] + advance(id, context)
    }

    /// Once every signer's value for the awaited step is in: bind the reduction.
    func collectIfComplete(_ run: inout Run, _ effects: inout [Effect], took: Duration?) throws(ActionError) {
        guard case let .collect(step, name, reduce)? = run.waiting, let values = run.collected[step],
              values.count == run.request.signers.count else { return }
        run.waiting = nil
        try assign(name, try reduce.reduce(values.keys.sorted().map { values[$0]! }), &run)
        run.collected[step] = nil
        effects.append(.output(.stepDone(run.request.id, kind: "broadcast-and-collect", took: took)))
    }

    /// The request's ciphertext of `secret`, if it is this program's (its label), with the key
    /// share and identifier this node decrypts with.
    static func secret(_ secret: String, of run: Run, _ context: ServiceContext) throws(ActionError) -> (TDH2.Ciphertext, KeyShare, Identifier) {
        guard let index = run.program.secrets.firstIndex(of: secret), index < run.request.ciphertexts.count else {
            throw .decryptFailed(secret: secret, reason: "the request carries no ciphertext for it")
        }
        let ciphertext = run.request.ciphertexts[index]
        guard ciphertext.label == ActionProgram.secretLabel(programHash: run.program.hash, secret: secret, meter: context.meter) else {
            throw .decryptDenied(secret: secret)
        }
        guard let key = context.keys.usable(.group, epoch: run.request.id.session.epoch), let identifier = key.roster.identifier(of: context.me) else {
            throw .cannotSign
        }
        return (ciphertext, key, identifier)
    }

    /// Once `threshold` valid decryption shares for the awaited step are in (this node's own
    /// among them): bind the secret's text.
    func decryptIfComplete(_ run: inout Run, _ effects: inout [Effect], took: Duration?, _ context: ServiceContext) throws(ActionError) {
        guard case let .decrypt(step, name)? = run.waiting, let shares = run.decryptionShares[step] else { return }
        let secret = run.program.decryptSecrets[step]
        let (ciphertext, key, _) = try Self.secret(secret, of: run, context)
        guard shares.count >= key.threshold else { return }
        run.waiting = nil
        // The lowest-numbered signers' shares (any `threshold` give the same content).
        let used = shares.keys.sorted().prefix(key.threshold).map { shares[$0]! }
        let plaintext: [UInt8]
        do {
            plaintext = try TDH2.combine(verified: used, threshold: key.threshold, ciphertext: ciphertext, meter: context.meter)
        } catch {
            throw .decryptFailed(secret: secret, reason: "the content does not open")
        }
        guard let text = String(validating: plaintext, as: UTF8.self) else { throw .decryptFailed(secret: secret, reason: "its content is not text") }
        try assign(name, .string(text), &run)
        run.decryptionShares[step] = nil
        effects.append(.output(.stepDone(run.request.id, kind: "decrypt", took: took)))
    }

    mutating func fail(_ id: AttemptID, _ error: ActionError, run: Run?, missing: [NodeID] = []) -> [Effect] {
        runs[id] = nil
        let response = ActionResponse(error: error.code, value: nil, digests: run?.digests ?? [], missing: missing, jwtInputs: run?.jwtInputs ?? [],
                                      schemes: run?.schemes ?? [])
        return [.send(.response(id: id, response), to: .client(id.client)), .output(.finished(id, error: error.code)), .note("action: \(id) stopped: \(error)")]
            + (run.map(Self.declines) ?? [])
            + [.cancelTimer(.deadline(id)), .cancelTimer(.peerWait(id)), .cancelTimer(.fetch(id)), .cancelTimer(.compute(id))]
    }

    /// The signatures a run that ended will never delegate (its peers may have): the signer
    /// drops what they sent for them.
    static func declines(_ run: Run) -> [Effect] {
        let possible = min(run.program.signatureSteps, run.program.limits.signatures, DelegatedSignature.maximumPerAttempt)
        guard run.digests.count < possible else { return [] }
        return (run.digests.count..<possible).flatMap { index in run.program.signers.map { .delegate(declined(index, to: $0, run)) } }
    }

    /// Signature `index` of the run, declined to `signer` (see `DelegatedSignature.declined`).
    static func declined(_ index: Int, to signer: String, _ run: Run) -> DelegatedSignature {
        DelegatedSignature(scheme: signer, origin: run.request.id, index: index, digest: [], keyID: run.request.keyID, signers: run.request.signers,
                           nonce: run.request.nonce, waitMilliseconds: run.request.waitMilliseconds, declined: true)
    }

    func end(_ id: AttemptID, error: String?) -> [Effect] {
        [.output(.finished(id, error: error)), .cancelTimer(.deadline(id))]
    }
}
