import Protocols
import Simulation
import ThresholdCrypto

/// `action`: a Lit Action (Lit's executeJs). The request goes to `threshold` signers; each runs
/// the program on its own view of the world and answers with its response and the digest (and
/// scheme) each of its signing steps signed, while its ECDSA or FROST signer sends the shares.
/// The client combines shares per signature *per distinct digest*: a digest whose shares reach
/// the threshold gives a signature (checked under the PKP key, or the network key for FROST);
/// when none does, the nodes computed different messages and the request fails as `diverged`
/// — conclusively, since Lit's SDK has no consensus to retry into. The response is the most
/// common one (Lit's client picks one).
struct ActionKind: RequestKind {
    struct Attempt {
        let request: ActionRequest
        let publicKey: Point
        var responses: [Int: ActionResponse] = [:]
        /// Per signature index, each node's share.
        var shares: [Int: [Int: (share: Scalar, bigR: Point)]] = [:]
        /// Per signature index, each node's FROST share (a `sign` step's).
        var frostShares: [Int: [Int: SignatureShareMessage]] = [:]

        /// Whether `node`'s share for signature `index`, in the scheme it said, is in.
        func hasShare(_ index: Int, from node: Int, scheme: String) -> Bool {
            scheme == DelegatedSignature.ecdsa ? shares[index]?[node] != nil : frostShares[index]?[node] != nil
        }
    }

    let op = "action"
    let protocolName = actionProtocol
    var producesSignatures: Bool { false }

    /// Each workload entry's requests (by global number), its program and the texts of the
    /// program's secrets (the client's alone: see `ActionProgram.secrets`).
    let programs: [(requests: Range<Int>, program: ActionProgram, secrets: [String])]
    let signerWait: UInt32
    /// The signing steps' ECDSA: Lit's (t signers) or the paper's (2t − 1).
    let variant: DamFast.Variant
    var attempts: [Int: Attempt] = [:]

    init(programs: [(requests: Range<Int>, program: ActionProgram, secrets: [String])], cosignerWait: SimDuration, variant: DamFast.Variant) {
        self.programs = programs
        self.variant = variant
        signerWait = UInt32(clamping: cosignerWait.nanoseconds / 1_000_000)
    }

    func signersNeeded(threshold: Int) -> Int { variant == .paper ? 2 * threshold - 1 : threshold }

    func attempt(of message: any WireMessage) -> AttemptID? {
        if let message = message as? ActionMessage, case .response = message { return message.attempt }
        if let message = message as? SigningMessage<LitFlow> {
            switch message.payload {
            case let .share(share): return DelegatedSignature.origin(of: share.id, delegatedBy: actionProtocol).attempt
            case let .refusal(refusal): return DelegatedSignature.origin(of: refusal.id, delegatedBy: actionProtocol).attempt
            default: return nil
            }
        }
        guard let message = message as? ECDSAMessage else { return nil }
        switch message {
        case let .share(id, _, _), let .refusal(id, _, _): return DelegatedSignature.origin(of: id, delegatedBy: actionProtocol).attempt
        default: return nil
        }
    }

    mutating func begin(_ id: AttemptID, message: [UInt8], candidates: [Int], threshold: Int, _ io: inout ClientIO) -> [Int] {
        guard let (_, program, secrets) = programs.first(where: { $0.requests.contains(Int(id.request)) }), !io.rootKeys.isEmpty,
              let networkKey = io.groupCommitment?.publicKey else { return [] }
        let signers = Array(candidates.prefix(signersNeeded(threshold: threshold))).sorted()
        let keyID = Array("pkp-action-\(program.name)".utf8)
        let draw = io.client.random.next()
        let nonce = (0..<8).map { UInt8(truncatingIfNeeded: draw >> (8 * $0)) }
        // Its secrets encrypted to the network key afresh, each labelled for this program alone.
        let ciphertexts = zip(program.secrets, secrets).map { name, text in
            TDH2.encrypt(Array(text.utf8), label: ActionProgram.secretLabel(programHash: program.hash, secret: name, meter: io.meter), publicKey: networkKey,
                         using: &io.client.random, meter: io.meter)
        }
        let request = ActionRequest(id: id, program: program.name, programHash: program.hash, signers: signers.map(NodeID.init), keyID: keyID,
                                    nonce: nonce, waitMilliseconds: signerWait, ciphertexts: ciphertexts)
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
        case let frost as SigningMessage<LitFlow>:
            switch frost.payload {
            case let .share(share):
                let index = DelegatedSignature.origin(of: share.id, delegatedBy: actionProtocol).index
                guard share.signer.value == node, attempt.frostShares[index]?[node] == nil else { return nil }
                attempt.frostShares[index, default: [:]][node] = share
            case let .refusal(refusal):
                guard refusal.signer.value == node else { return nil }
                return .refused(node: node, forItself: refusal.reason != .missingCommitments, missing: refusal.missing.map(\.value),
                                reason: refusal.reason.rawValue)
            default:
                return nil
            }
        default:
            return nil
        }
        // Answered once its response and a share for each digest it reported are in.
        guard let response = attempt.responses[node], response.error == nil,
              response.digests.indices.allSatisfy({ attempt.hasShare($0, from: node, scheme: response.schemes[$0]) }) else { return nil }
        return .answered(node: node)
    }

    mutating func finish(request: Int, message: [UInt8], signers: [Int], _ io: inout ClientIO) -> AttemptOutcome {
        guard let attempt = attempts[request] else { return .failure(ClientFailure(.invalidSignature), invalid: true) }
        let answers = signers.map { node in
            var answer = ActionAnswer(node: node, response: attempt.responses[node]?.value?.description, error: attempt.responses[node]?.error,
                                      digests: attempt.responses[node]?.digests ?? [])
            answer.schemes = attempt.responses[node]?.schemes ?? []
            return answer
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
            // Shares grouped by the digest (and scheme) their node computed; the largest group
            // (ties: the smallest digest) is the one that can reach the threshold.
            var groups: [SignedDigest: [Int]] = [:]
            for node in signers {
                guard let response = attempt.responses[node], index < response.digests.count else { continue }
                groups[SignedDigest(digest: response.digests[index], scheme: response.schemes[index]), default: []].append(node)
            }
            let ranked = groups.sorted { a, b in
                if a.value.count != b.value.count { return a.value.count > b.value.count }
                return a.key.digest != b.key.digest ? a.key.digest.lexicographicallyPrecedes(b.key.digest) : a.key.scheme < b.key.scheme
            }
            guard let (key, nodes) = ranked.first, nodes.count >= threshold else {
                return .conclusive(ClientFailure(.diverged, nodes: signers))
            }
            let digest = key.digest
            if let scheme = SigningScheme(rawValue: key.scheme) {
                guard let accepted = frostSignature(scheme, index: index, digest: digest, nodes: nodes, attempt, request: request, &io) else {
                    return .failure(ClientFailure(.invalidSignature), invalid: true)
                }
                if index == 0 { first = accepted.signature }
                combined.append(accepted)
                continue
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

    /// A `sign` step's FROST signature: every signer's share over one commitment list (Lit's
    /// flow: the list is every signer's commitment, so all must have signed this digest), the
    /// list the same in every share, the aggregate checked under the network key. What a
    /// Byzantine signer could put in its list or share only makes the check fail.
    func frostSignature(_ scheme: SigningScheme, index: Int, digest: [UInt8], nodes: [Int], _ attempt: Attempt, request: Int,
                        _ io: inout ClientIO) -> AcceptedSignature? {
        let shares = nodes.compactMap { attempt.frostShares[index]?[$0] }
        guard shares.count == nodes.count, let list = shares.first?.commitments, let groupCommitment = io.groupCommitment, let roster = io.roster,
              list.map(\.signer) == attempt.request.signers.sorted(), shares.allSatisfy({ $0.commitments == list && $0.id == list[0].id }),
              list.allSatisfy({ $0.id == shares[0].id }) else { return nil }
        let signature = switch scheme {
        case .frostSecp256k1: FROSTSignKind.combined(FROST<FROSTSecp256k1>.self, shares: shares.map(\.share), list: list, message: digest, groupCommitment, roster,
                                                     meter: io.meter, memo: io.memo)?.signature
        case .frostTaproot: FROSTSignKind.combined(FROST<FROSTTaproot>.self, shares: shares.map(\.share), list: list, message: digest, groupCommitment, roster,
                                                   meter: io.meter, memo: io.memo)?.signature
        }
        guard let signature else { return nil }
        let key = groupCommitment.publicKey
        var accepted = AcceptedSignature(request: request, kind: .frost(scheme),
                                         publicKey: (scheme == .frostTaproot ? try? key.xOnly() : try? key.compressed()) ?? [],
                                         message: digest, signature: signature, signers: nodes)
        accepted.fromAction = true
        return accepted
    }

    /// What a node says it signed for one signature: the digest, in a scheme.
    struct SignedDigest: Hashable {
        let digest: [UInt8]
        let scheme: String
    }

    mutating func end(request: Int) { attempts[request] = nil }

    mutating func keyChanged() {}
}
