import Protocols
import Simulation
import ThresholdCrypto

/// `action`: a Lit Action (Lit's executeJs). The request goes to `threshold` signers; each runs
/// the program on its own view of the world and answers with its response and the digest each
/// of its signing steps signed, while its ECDSA signer sends the shares. The client combines
/// shares per signature *per distinct digest*: a digest whose shares reach the threshold gives
/// a signature (checked under the PKP key); when none does, the nodes computed different
/// messages and the request fails as `diverged` — conclusively, since Lit's SDK has no
/// consensus to retry into. The response is the most common one (Lit's client picks one).
struct ActionKind: RequestKind {
    struct Attempt {
        let request: ActionRequest
        let publicKey: Point
        var responses: [Int: ActionResponse] = [:]
        /// Per signature index, each node's share.
        var shares: [Int: [Int: (share: Scalar, bigR: Point)]] = [:]
    }

    let op = "action"
    let protocolName = actionProtocol
    var producesSignatures: Bool { false }

    /// Each workload entry's requests (by global number) and its program.
    let programs: [(requests: Range<Int>, program: ActionProgram)]
    let signerWait: UInt32
    /// The signing steps' ECDSA: Lit's (t signers) or the paper's (2t − 1).
    let variant: DamFast.Variant
    var attempts: [Int: Attempt] = [:]

    init(programs: [(requests: Range<Int>, program: ActionProgram)], cosignerWait: SimDuration, variant: DamFast.Variant) {
        self.programs = programs
        self.variant = variant
        signerWait = UInt32(clamping: cosignerWait.nanoseconds / 1_000_000)
    }

    func signersNeeded(threshold: Int) -> Int { variant == .paper ? 2 * threshold - 1 : threshold }

    func attempt(of message: any WireMessage) -> AttemptID? {
        if let message = message as? ActionMessage, case .response = message { return message.attempt }
        guard let message = message as? ECDSAMessage else { return nil }
        switch message {
        case let .share(id, _, _), let .refusal(id, _, _): return DelegatedSignature.origin(of: id, delegatedBy: actionProtocol).attempt
        default: return nil
        }
    }

    mutating func begin(_ id: AttemptID, message: [UInt8], candidates: [Int], threshold: Int, _ io: inout ClientIO) -> [Int] {
        guard let program = programs.first(where: { $0.requests.contains(Int(id.request)) })?.program, !io.rootKeys.isEmpty else { return [] }
        let signers = Array(candidates.prefix(signersNeeded(threshold: threshold))).sorted()
        let keyID = Array("pkp-action-\(program.name)".utf8)
        let draw = io.client.random.next()
        let nonce = (0..<8).map { UInt8(truncatingIfNeeded: draw >> (8 * $0)) }
        let request = ActionRequest(id: id, program: program.name, programHash: program.hash, signers: signers.map(NodeID.init), keyID: keyID,
                                    nonce: nonce, waitMilliseconds: signerWait)
        attempts[Int(id.request)] = Attempt(request: request, publicKey: ECDSASignKind.pkpKey(keyID: keyID, &io))
        for signer in signers { io.send(ActionMessage.request(request), to: signer) }
        return signers
    }

    mutating func receive(_ message: any WireMessage, from node: Int, request: Int, _ io: inout ClientIO) -> AttemptAnswer? {
        guard var attempt = attempts[request], attempt.request.signers.contains(NodeID(node)) else { return nil }
        defer { attempts[request] = attempt }
        switch message {
        case let ActionMessage.response(_, response):
            guard attempt.responses[node] == nil else { return nil }
            attempt.responses[node] = response
            if let error = response.error {
                // Only what is the node's own (no such program, not a signer) leaves it out of
                // this request: a type error or an overflow may come from a peer's value, a failed
                // fetch is one draw; a timeout names the peers it waited for.
                let own = [ActionService.unknownProgram, ActionError.cannotSign.code].contains(error)
                return .refused(node: node, forItself: own, missing: response.missing.map(\.value), reason: "action-\(error)")
            }
        case let ECDSAMessage.share(id, share, bigR):
            let index = DelegatedSignature.origin(of: id, delegatedBy: actionProtocol).index
            guard attempt.shares[index]?[node] == nil else { return nil }
            attempt.shares[index, default: [:]][node] = (share, bigR)
        case let ECDSAMessage.refusal(_, reason, missing):
            let forItself = [.noKey, .notASigner].contains(reason)
            return .refused(node: node, forItself: forItself, missing: missing.map(\.value), reason: reason.rawValue)
        default:
            return nil
        }
        // Answered once its response and a share for each digest it reported are in.
        guard let response = attempt.responses[node], response.error == nil,
              response.digests.indices.allSatisfy({ attempt.shares[$0]?[node] != nil }) else { return nil }
        return .answered(node: node)
    }

    mutating func finish(request: Int, message: [UInt8], signers: [Int], _ io: inout ClientIO) -> AttemptOutcome {
        guard let attempt = attempts[request] else { return .failure(ClientFailure(.invalidSignature), invalid: true) }
        let answers = signers.map { node in
            ActionAnswer(node: node, response: attempt.responses[node]?.value?.description, error: attempt.responses[node]?.error,
                         digests: attempt.responses[node]?.digests ?? [])
        }
        let values = signers.compactMap { attempt.responses[$0]?.value }
        let response = values.isEmpty ? nil : (try? ActionReduction.majority.reduce(values))?.description
        let threshold = signers.count
        // Tokens are kept only when the whole attempt succeeded.
        var jwts: [String] = []
        var succeeded = false
        defer { io.recordAnswers(answers, response: response, jwts: succeeded ? jwts : [], request: request) }
        let signatures = signers.map { attempt.responses[$0]?.digests.count ?? 0 }.max() ?? 0
        // Accepted only once every signature of the attempt combined.
        var combined: [AcceptedSignature] = []
        var first: [UInt8] = []
        for index in 0..<signatures {
            // Shares grouped by the digest their node computed; the largest group (ties: the
            // smallest digest) is the one that can reach the threshold.
            var groups: [[UInt8]: [Int]] = [:]
            for node in signers {
                guard let digests = attempt.responses[node]?.digests, index < digests.count else { continue }
                groups[digests[index], default: []].append(node)
            }
            let ranked = groups.sorted { a, b in a.value.count != b.value.count ? a.value.count > b.value.count : a.key.lexicographicallyPrecedes(b.key) }
            guard let (digest, nodes) = ranked.first, nodes.count >= threshold else {
                return .conclusive(ClientFailure(.diverged, nodes: signers))
            }
            let shares = nodes.compactMap { attempt.shares[index]?[$0] }
            guard shares.count == nodes.count, let signature = try? DamFast.combine(shares, digest: digest, publicKey: attempt.publicKey, meter: io.meter) else {
                return .failure(ClientFailure(.invalidSignature), invalid: true)
            }
            let ethereum = signature.ethereum
            if index == 0 { first = ethereum }
            // A `jwt` step: the signing input whose SHA-256 is the digest (checked: a node could
            // send any input), then the compact JWS with r ‖ s.
            let inputs = nodes.compactMap { attempt.responses[$0]?.jwtInputs[index] }.filter { !$0.isEmpty }
            if let input = inputs.first(where: { Hashing.sha256(Array($0.utf8), meter: io.meter) == digest }) {
                jwts.append(input + "." + Base64URL.encode(Array(ethereum.prefix(64))))
            }
            var accepted = AcceptedSignature(request: request, kind: .ecdsa(recoveryID: ethereum[64] - 27), publicKey: (try? attempt.publicKey.compressed()) ?? [],
                                             message: digest, signature: Array(ethereum.prefix(64)), signers: nodes)
            accepted.keyID = attempt.request.keyID
            accepted.fromAction = true
            combined.append(accepted)
        }
        for accepted in combined { io.accepted(accepted) }
        succeeded = true
        // requests.csv's signature: the first one (none for an action that signs nothing).
        return .success(signature: first)
    }

    mutating func end(request: Int) { attempts[request] = nil }

    mutating func keyChanged() {}
}
