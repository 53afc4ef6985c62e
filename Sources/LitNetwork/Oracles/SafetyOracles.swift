import Protocols
import Simulation
import ThresholdCrypto

/// A DKG an honest node finished, genesis or transition (with its session for transitions).
/// A finished DKG in a node's output: its session (nil: the network key's genesis), the root
/// key it made or re-keyed, and the result.
func finishedDKG(_ output: any Sendable) -> (session: SessionID?, key: KeyID, result: DKGResult)? {
    if case let .finished(result)? = output as? DKGOutcome { return (nil, .group, result) }
    if let root = output as? RootKeyOutcome, case let .finished(result) = root.outcome { return (root.session, root.key, result) }
    if let transition = output as? TransitionOutcome, case let .finished(result) = transition.outcome { return (transition.session, transition.key, result) }
    return nil
}

/// `dkg.agreement`: no two honest nodes finish one DKG session (genesis, or one attempt of an
/// epoch transition) with a different group key, qualified set or group commitment (hence
/// verification shares).
final class DKGAgreementOracle: Oracle {
    let name = "dkg.agreement"
    var first: [SessionID?: (node: NodeID, result: DKGResult)] = [:]

    func observe(_ event: ObservedEvent, _ facts: RunFacts) -> [String] {
        guard case let .output(node, output) = event, let (session, _, result) = finishedDKG(output), facts.isHonest(node) else { return [] }
        guard let held = first[session] else {
            first[session] = (node, result)
            return []
        }
        if result.groupPublicKey != held.result.groupPublicKey || result.qualified != held.result.qualified
            || result.groupCommitment != held.result.groupCommitment {
            return ["\(node) finished \(session.map(\.description) ?? "the genesis DKG") with a different key or qualified set than \(held.node)"]
        }
        return []
    }
}

/// `epoch.key_unchanged`: every epoch transition an honest node finishes keeps the group key
/// of genesis; at the end, a threshold of each epoch's verification shares interpolate to it,
/// and half old, half new verification shares (distinct identifiers) do not.
final class EpochKeyOracle: Oracle {
    let name = "epoch.key_unchanged"
    /// Each root key's genesis key (the network key is key 0).
    var genesisKeys: [KeyID: Point] = [:]
    /// The first honest result of each epoch, per root key.
    var byEpoch: [KeyID: [Epoch: DKGResult]] = [:]

    func observe(_ event: ObservedEvent, _ facts: RunFacts) -> [String] {
        guard case let .output(node, output) = event, let (_, key, result) = finishedDKG(output), facts.isHonest(node) else { return [] }
        let epoch = result.roster.epoch
        if epoch == .genesis, genesisKeys[key] == nil { genesisKeys[key] = result.groupPublicKey }
        if byEpoch[key, default: [:]][epoch] == nil { byEpoch[key, default: [:]][epoch] = result }
        guard epoch > .genesis, let genesisKey = genesisKeys[key], result.groupPublicKey != genesisKey else { return [] }
        return ["\(node) finished \(epoch) with another \(key) than genesis"]
    }

    func finish(_ facts: RunFacts, nodes: [LitNode]) -> [String] {
        byEpoch.keys.sorted().flatMap { check(byEpoch[$0]!, key: genesisKeys[$0], name: $0 == .group ? "" : " (\($0))") }
    }

    func check(_ byEpoch: [Epoch: DKGResult], key genesisKey: Point?, name: String) -> [String] {
        let meter = CostMeter()
        var found = [String]()
        let epochs = byEpoch.keys.sorted()
        for (index, epoch) in epochs.enumerated() where epoch > .genesis {
            let result = byEpoch[epoch]!
            let members = result.roster.members
            guard let key = genesisKey, members.count >= result.threshold else { continue }
            let sample = Array(members.prefix(result.threshold))
            if interpolate(sample.map { ($0, result) }, meter) != key { found.append("\(epoch)'s verification shares do not interpolate to the key\(name)") }
            // Old shares with new ones: the previous epoch's for the first half of the sample.
            guard index > 0, let previous = byEpoch[epochs[index - 1]] else { continue }
            let old = sample.prefix(result.threshold / 2).filter { previous.roster.contains($0) }
            guard !old.isEmpty else { continue }
            let mixed = old.map { ($0, previous) } + sample.filter { !old.contains($0) }.map { ($0, result) }
            if interpolate(mixed, meter) == key { found.append("\(epochs[index - 1])'s shares still combine with \(epoch)'s\(name)") }
        }
        return found
    }

    func interpolate(_ shares: [(NodeID, DKGResult)], _ meter: CostMeter) -> Point? {
        guard let lambdas = try? Lagrange.coefficients(for: shares.map { $0.1.roster.identifier(of: $0.0)!.scalar }, meter: meter) else { return nil }
        return Point.sum(zip(shares, lambdas).compactMap { share, lambda in
            share.1.verificationShare(of: share.0, meter: meter)?.multiplied(by: lambda, meter: meter)
        }, meter: meter)
    }
}

/// `dkg.usable`: a DKG honest nodes finish leaves at least `threshold` honest nodes with
/// shares consistent with their verification shares (else it must not count as complete), each
/// share matches its verification share, and the verification shares interpolate to the key.
final class DKGUsableOracle: Oracle {
    let name = "dkg.usable"

    func observe(_ event: ObservedEvent, _ facts: RunFacts) -> [String] {
        guard case let .output(node, output) = event, case let .finished(result)? = output as? DKGOutcome, facts.isHonest(node),
              result.shareIsConsistent else { return [] }
        let meter = CostMeter()
        if Point.base(result.secretShare, meter: meter) != result.verificationShare(of: node, meter: meter) {
            return ["\(node)'s share does not match its verification share"]
        }
        return []
    }

    func finish(_ facts: RunFacts, nodes: [LitNode]) -> [String] {
        let honest = nodes.filter { facts.isHonest($0.id) }
        let finished = honest.compactMap { node in
            node.observer.dkgOutcomes(of: node.id).lazy.compactMap { if case let .finished(r) = $0.outcome { r } else { nil } }.last
        }
        guard let result = finished.first else { return [] }
        // The protocol claims completion when every honest node that did not crash finished
        // with one transcript; then at least a threshold of them must be able to sign. (Under
        // partitions some may simply not have finished: that is liveness, measured elsewhere.)
        let live = honest.filter { !$0.crashed }
        let claimed = finished.count >= live.count && Set(finished.map(\.transcriptDigest)).count == 1
        let usable = finished.filter(\.shareIsConsistent).count
        if claimed, usable < result.threshold {
            return ["every honest node finished the DKG but only \(usable) hold consistent shares, fewer than the threshold \(result.threshold)"]
        }
        // t of the first honest result's verification shares must interpolate to its key.
        let meter = CostMeter()
        let sample = Array(result.roster.members.prefix(result.threshold))
        guard sample.count == result.threshold,
              let lambdas = try? Lagrange.coefficients(for: sample.map { result.roster.identifier(of: $0)!.scalar }, meter: meter)
        else { return [] }
        let interpolated = Point.sum(zip(sample, lambdas).map { node, lambda in
            result.verificationShare(of: node, meter: meter)!.multiplied(by: lambda, meter: meter)
        }, meter: meter)
        return interpolated == result.groupPublicKey ? [] : ["verification shares do not interpolate to the group key"]
    }
}

/// `blame.precision`: no honest node or client ever accuses an honest node, and every such
/// accusation's evidence re-checks for a third party against the public parameters
/// (Byzantine nodes may claim anything; their claims convict nobody).
final class BlamePrecisionOracle: Oracle {
    let name = "blame.precision"
    var parameters: PublicParameters?

    func observe(_ event: ObservedEvent, _ facts: RunFacts) -> [String] {
        // What becomes public: the genesis key commitment once an honest node finishes; a
        // transition's roster and threshold, and the key commitment it reshares, when the chain
        // locks it (its evidence is judged against the epoch before).
        if case let .output(node, output) = event, facts.isHonest(node) {
            if parameters == nil, case let .finished(result)? = output as? DKGOutcome {
                parameters = facts.parameters.with(groupCommitment: result.groupCommitment, of: result.roster.epoch)
            }
            switch output as? EpochEvent {
            case let .locked(lock)?:
                // Every root key's session of the transition.
                for key in 0...lock.previousRoots.count {
                    parameters = (parameters ?? facts.parameters).with(transition: lock, session: transitionSession(lock, key: KeyID(UInt32(key))))
                }
            case let .advanced(advance)?:
                // Signing evidence of an epoch is judged against its roster and key.
                parameters = (parameters ?? facts.parameters).with(roster: advance.roster, threshold: advance.threshold)
                    .with(groupCommitment: advance.groupCommitment, of: advance.epoch)
            default:
                break
            }
        }
        guard case let .accusation(accuser, accusation) = event, accuser.node.map(facts.isHonest) ?? true else { return [] }
        var found = [String]()
        if facts.isHonest(accusation.node) { found.append("honest \(accusation.node) was accused by \(accuser): \(accusation.code)") }
        if !accusation.evidence.verify(parameters ?? facts.parameters, meter: CostMeter()) {
            found.append("\(accuser)'s evidence against \(accusation.node) (\(accusation.code)) does not re-check")
        }
        return found
    }
}

/// `signature.valid`: every signature a client accepts verifies with code independent of the
/// code that accepted it (IndependentVerifier), under the key the honest nodes agreed on.
final class SignatureValidityOracle: Oracle {
    let name = "signature.valid"
    var agreedKey: [UInt8]?
    /// Further root keys by number, as the first honest node to finish each reported them.
    var agreedRoots: [UInt32: [UInt8]] = [:]

    func observe(_ event: ObservedEvent, _ facts: RunFacts) -> [String] {
        switch event {
        case let .output(node, output):
            if agreedKey == nil, facts.isHonest(node), case let .finished(result)? = output as? DKGOutcome {
                agreedKey = (try? result.groupPublicKey.compressed()) ?? []
            }
            if let root = output as? RootKeyOutcome, agreedRoots[root.key.value] == nil, facts.isHonest(node), case let .finished(result) = root.outcome {
                agreedRoots[root.key.value] = (try? result.groupPublicKey.compressed()) ?? []
            }
            return []
        case let .accepted(signature):
            guard let agreedKey else { return ["request \(signature.request) accepted before any honest node finished a DKG"] }
            let valid: Bool
            switch signature.kind {
            case .frost(.frostSecp256k1):
                valid = signature.publicKey == agreedKey
                    && IndependentVerifier.frostSecp256k1(publicKey: signature.publicKey, message: signature.message, signature: signature.signature)
            case .frost(.frostTaproot):
                valid = signature.publicKey == Array(agreedKey.dropFirst())
                    && IndependentVerifier.bip340(publicKeyX: signature.publicKey, message: signature.message, signature: signature.signature)
            case let .ecdsa(recoveryID):
                // The PKP key derived from the agreed roots and the signature's key id (one root:
                // the agreed key), a JWT's plus the public JWT tweak — both computed here with
                // libsecp256k1 directly. Verified, and recovered with its recovery id.
                let roots = [agreedKey] + (1..<max(1, facts.specification.rootKeys)).compactMap { agreedRoots[UInt32($0)] }
                guard roots.count == max(1, facts.specification.rootKeys) else {
                    return ["request \(signature.request) accepted before honest nodes finished every root key's DKG"]
                }
                let pkp = IndependentVerifier.pkpKey(roots: roots, keyID: signature.keyID)
                let expected = signature.keyID == JWTClaims.keyID ? pkp.flatMap(IndependentVerifier.jwtKey) : pkp
                valid = signature.publicKey == expected
                    && IndependentVerifier.ecdsa(publicKey: signature.publicKey, digest: signature.message, signature: signature.signature, recoveryID: recoveryID)
            }
            return valid ? [] : ["request \(signature.request)'s accepted signature does not verify under the agreed key"]
        case .accusation, .released:
            return []
        }
    }
}

/// `nonce.unique`: no node releases two shares for one attempt (each attempt has its own
/// single-use nonces), no ECDSA pool presignature signs for two attempts (single use: two
/// signatures from one presignature share k up to δ), and no two accepted signatures share R.
final class NonceUniquenessOracle: Oracle {
    let name = "nonce.unique"
    var signed: Set<AttemptKey> = []
    var nonces: Set<[UInt8]> = []
    var presignatureUses: [SessionID: AttemptID] = [:]

    struct AttemptKey: Hashable {
        let node: NodeID
        let attempt: AttemptID
    }

    func observe(_ event: ObservedEvent, _ facts: RunFacts) -> [String] {
        switch event {
        case let .output(node, output):
            guard facts.isHonest(node) else { return [] }
            if case let .signed(attempt)? = output as? SignerOutput {
                return signed.insert(AttemptKey(node: node, attempt: attempt)).inserted ? [] : ["\(node) signed \(attempt) twice"]
            }
            guard case let .signed(attempt, _, presign)? = output as? ECDSASignerOutput else { return [] }
            var found = signed.insert(AttemptKey(node: node, attempt: attempt)).inserted ? [] : ["\(node) signed \(attempt) twice"]
            if case let .pool(tag) = presign {
                if let earlier = presignatureUses[tag], earlier != attempt {
                    found.append("\(node) signed \(attempt) with \(presign), already used for \(earlier)")
                }
                presignatureUses[tag] = presignatureUses[tag] ?? attempt
            }
            return found
        case let .accepted(signature):
            // R's encoding: 33 bytes (FROST secp256k1), 32 (BIP-340's x, ECDSA's r).
            let r = Array(signature.signature.prefix(signature.kind == .frost(.frostSecp256k1) ? 33 : 32))
            return nonces.insert(r).inserted ? [] : ["request \(signature.request)'s signature reuses an earlier R"]
        case .accusation, .released:
            return []
        }
    }
}

/// `access.respected`: no content is opened (and no JWT signed) while its conditions were false
/// in the view of every node whose share made it, throughout the attempt (from its start to the
/// release): an honest node releases only after its own view said yes within that window, so
/// then only nodes that ignored the conditions took part. (An honest node whose RPC lags can release
/// legitimately after the head changed: that is `access.violations_at_head`, reported, not a
/// safety violation.)
final class AccessOracle: Oracle {
    static let name = "access.respected"
    var name: String { Self.name }

    func observe(_ event: ObservedEvent, _ facts: RunFacts) -> [String] {
        guard case let .released(release, start, time) = event, let conditions = release.conditions, let chains = facts.chains,
              !chains.heldInSomeView(of: release.nodes, conditions, for: release.client.address, from: start, through: time) else { return [] }
        return ["request \(release.request) by \(release.client) got \(release.what) from nodes \(release.nodes) although its conditions were false in every node's view from \(start.milliseconds) ms to \(time.milliseconds) ms"]
    }
}
