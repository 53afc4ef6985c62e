import Crypto
import Foundation
import Testing
@testable import LitNetwork
import Protocols
import Simulation
import ThresholdCrypto

/// Lit Actions on the network: nodes run the program, sign through their ECDSA signers, and
/// the client combines per digest.
@Suite struct ActionNetworkTests {
    /// A price oracle on 7 nodes: a random-walk feed each node fetches `skew` apart, signed to
    /// two decimals; `coordination` goes before the signing step (none, run-once, collect).
    /// `frost`: the signing step is a FROST `sign` in that scheme (else `sign-ecdsa`).
    func priceOracle(_ coordination: String, seed: UInt64, byzantine: [Int: ByzantineBehaviour] = [:], requests: Int = 12,
                     variant: DamFast.Variant = .lit, frost: SigningScheme? = nil) -> RunReport {
        let fetch = ActionStep.fetch(name: "price", source: "feed")
        let quote = try! ActionExpression(parsing: "format(price, 2)")
        let sign: ActionStep = frost.map { .sign(message: quote, scheme: $0) } ?? .signECDSA(message: quote)
        let steps: [ActionStep] = switch coordination {
        case "run-once": [.runOnce(steps: [fetch], result: "price"), sign, .respond(quote)]
        case "collect": [fetch, .broadcastAndCollect(name: "price", value: .variable("price"), reduce: .median), sign, .respond(quote)]
        default: [fetch, sign, .respond(quote)]
        }
        var workload = WorkloadSpecification(count: requests, rate: (2, 1))
        workload.op = .action(program: "oracle")
        var specification = NetworkSpecification(nodes: 7, seed: seed, network: NetworkModel(latency: .distribution(.uniform(min: .milliseconds(10), max: .milliseconds(60)))),
                                                 behaviours: byzantine, clients: ClientSpecification(count: 2), workloads: [workload], stop: .seconds(20))
        specification.actions = [ActionProgram(name: "oracle", steps: steps)]
        specification.ecdsaVariant = variant
        if variant == .paper { specification.threshold = .fixed(4) }
        var feed = ExternalSourceSpecification(name: "feed", value: .randomWalk(start: try! ActionNumber(3000), step: ActionNumber(raw: 500_000_000),
                                                                                every: .milliseconds(100)))
        feed.skew = .milliseconds(300)
        specification.externalSources = [feed]
        return runNetwork(specification)
    }

    @Test func withoutCoordinationNodesDivergeAndWithItEveryRequestIsSigned() {
        print("seeds 11, 12, 13")
        let alone = priceOracle("none", seed: 11)
        #expect(alone.metric("action.diverged")!.numeric! > 0, "\(alone.metrics)")
        // What each node answered is kept (actions.jsonl): a diverged request's answers name
        // more than one digest, and its response is the most common answer.
        for record in alone.requests where record.failure?.code == .diverged {
            #expect(Set(record.actionAnswers.flatMap(\.digests)).count > 1 && record.actionAnswers.count == alone.threshold)
            let counts = Dictionary(record.actionAnswers.compactMap(\.response).map { ($0, 1) }, uniquingKeysWith: +)
            #expect(record.response.flatMap { counts[$0] } == counts.values.max())
        }
        for (coordination, seed) in [("run-once", UInt64(12)), ("collect", 13)] {
            let report = priceOracle(coordination, seed: seed)
            #expect(report.metric("action.diverged") == .integer(0) && report.metric("action.succeeded") == .integer(12), "\(coordination)")
            // One ECDSA signature per request, each checked by the signature oracle with libsecp256k1
            // under the PKP key (apart from the code that combined it), over the Keccak-256 of the
            // price text the nodes agreed on.
            #expect(report.signatures.count == 12 && report.violations.isEmpty, "\(coordination): \(report.violations)")
            for signature in report.signatures {
                let response = report.requests.first { $0.index == signature.request }
                #expect(response?.outcome == .success)
                #expect(signature.message.count == 32 && signature.keyID == Array("pkp-action-oracle".utf8))
            }
        }
    }

    /// A `sign` step signs with FROST under the network key, through the lit-flow signer: one
    /// signature per request in either scheme, each checked by the signature oracle (the
    /// RFC 9591 one by an independent verifier, BIP-340 by libsecp256k1's) over the SHA-256
    /// (swift-crypto's here) of the price text the client got; without coordination the
    /// signers' messages differ and requests diverge, none signed.
    @Test func frostSignStepsSignUnderTheNetworkKeyAndDivergeWithoutCoordination() throws {
        print("seeds 41, 42, 43")
        for (scheme, seed) in [(SigningScheme.frostSecp256k1, UInt64(41)), (.frostTaproot, 42)] {
            let report = priceOracle("run-once", seed: seed, frost: scheme)
            #expect(report.metric("action.succeeded") == .integer(12) && report.violations.isEmpty, "\(scheme): \(report.metrics) \(report.violations)")
            #expect(report.signatures.count == 12 && report.signatures.allSatisfy { $0.kind == .frost(scheme) && $0.signers.count == report.threshold })
            for signature in report.signatures {
                let response = try #require(report.requests.first { $0.index == signature.request }?.response)
                #expect(signature.message == Array(SHA256.hash(data: Array(response.utf8))))
            }
            let answers = report.requests.flatMap(\.actionAnswers)
            #expect(!answers.isEmpty && answers.allSatisfy { $0.schemes == [scheme.rawValue] })
        }
        let alone = priceOracle("none", seed: 43, frost: .frostTaproot)
        #expect(alone.metric("action.diverged")!.numeric! > 0 && alone.violations.isEmpty, "\(alone.metrics)")
        #expect(Double(alone.signatures.count) == alone.metric("action.succeeded")!.numeric!)
    }

    /// Under the paper's ECDSA an action's signing steps need 2t − 1 signers, as a request does.
    @Test func actionsSignUnderThePapersVariantToo() {
        let report = priceOracle("run-once", seed: 14, requests: 6, variant: .paper)
        #expect(report.metric("action.succeeded") == .integer(6) && report.violations.isEmpty, "\(report.metrics) \(report.violations)")
        #expect(report.signatures.allSatisfy { $0.signers.count == 7 })
    }

    @Test func theSameSeedGivesTheSameRunAndAnotherSeedAnother() {
        let first = priceOracle("collect", seed: 21, requests: 6)
        let again = priceOracle("collect", seed: 21, requests: 6)
        #expect(first.traceDigest == again.traceDigest && first.metrics.map(\.value) == again.metrics.map(\.value))
        #expect(priceOracle("collect", seed: 22, requests: 6).traceDigest != first.traceDigest)
    }

    /// A Byzantine run-once leader that tells each peer another price splits the honest signers:
    /// the requests it leads diverge, none is signed over a message fewer than the threshold
    /// computed, and nobody honest is blamed.
    @Test func anEquivocatingLeaderCannotGetAMessageSigned() {
        print("seed 31")
        let report = priceOracle("run-once", seed: 31, byzantine: [2: ByzantineBehaviour(name: "action-equivocate")!], requests: 20)
        #expect(report.metric("action.diverged")!.numeric! > 0 && report.metric("action.succeeded")!.numeric! > 0, "\(report.metrics)")
        #expect(report.violations.isEmpty && report.accused.isEmpty, "\(report.violations)")
    }

    /// A `decrypt` step: the client's API key, encrypted to the network key for this action, is
    /// opened by the signers among themselves and used (its hash goes into the signed text).
    /// An equivocating signer's decryption shares fail their proofs: under the paper's ECDSA
    /// (2t − 1 signers) the honest shares are enough at once; under Lit's (t signers) the
    /// honest nodes name it missing and the client's retries leave it out. Every request signs.
    @Test func decryptStepsOpenTheClientsSecretAmongTheSignersDespiteABadShare() {
        print("seeds 51, 52, 53")
        for (variant, byzantine, seed) in [(DamFast.Variant.lit, false, UInt64(51)), (.paper, true, 52), (.lit, true, 53)] {
            var workload = WorkloadSpecification(count: 8, rate: (2, 1))
            workload.op = .action(program: "keyed")
            var specification = NetworkSpecification(nodes: 7, seed: seed, network: NetworkModel(latency: .distribution(.uniform(min: .milliseconds(10), max: .milliseconds(60)))),
                                                     behaviours: byzantine ? [2: ByzantineBehaviour(name: "action-equivocate")!] : [:],
                                                     clients: ClientSpecification(count: 1), workloads: [workload], stop: .seconds(30))
            specification.actions = [ActionProgram(name: "keyed", steps: [
                .decrypt(name: "key", secret: "api-key"),
                .signECDSA(message: try! ActionExpression(parsing: "'quote ' + sha256(key)")),
                .respond(.variable("key")),
            ], secrets: ["api-key"])]
            specification.actionSecrets = ["keyed": ["sk-live-3f9a61c2"]]
            specification.ecdsaVariant = variant
            if variant == .paper { specification.threshold = .fixed(4) }
            let report = runNetwork(specification)
            let label = "\(variant) byzantine: \(byzantine)"
            #expect(report.metric("action.succeeded") == .integer(8) && report.violations.isEmpty, "\(label): \(report.metrics) \(report.violations)")
            #expect(report.requests.allSatisfy { $0.response == "sk-live-3f9a61c2" }, "\(label)")
            #expect(report.metric("action.step_ms.decrypt")!.numeric! > 0)
            if byzantine && variant == .lit {
                #expect(report.requests.contains { $0.attempts > 1 }, "the Byzantine signer stalled a first attempt")
            }
        }
    }

    /// The oracle itself: a signature combining an honest share over a digest that node never
    /// computed is a violation, as is one over a digest too few nodes computed.
    @Test func theOracleCatchesASignatureOverAMessageHonestNodesDidNotCompute() {
        let oracle = ActionMessageOracle()
        let facts = RunFacts(specification: NetworkSpecification(nodes: 4), threshold: 3, directory: IdentityDirectory(keys: []), byzantine: [NodeID(3)])
        let id = AttemptID(session: SessionID(protocolName: actionProtocol, epoch: .genesis, initiator: .client(ClientID(0)), counter: 9), attempt: 1)
        let good = Array(repeating: UInt8(1), count: 32), other = Array(repeating: UInt8(2), count: 32)
        for node in [0, 1] { #expect(oracle.observe(.output(node: NodeID(node), ActionOutput.computed(id, index: 0, digest: good)), facts).isEmpty) }
        #expect(oracle.observe(.output(node: NodeID(2), ActionOutput.computed(id, index: 0, digest: other)), facts).isEmpty)
        func accepted(_ digest: [UInt8], signers: [Int]) -> AcceptedSignature {
            var signature = AcceptedSignature(request: 9, kind: .ecdsa(recoveryID: 0), publicKey: [], message: digest, signature: [], signers: signers)
            signature.fromAction = true
            return signature
        }
        // Two honest nodes computed it and the Byzantine node signed: the threshold of 3.
        #expect(oracle.observe(.accepted(accepted(good, signers: [0, 1, 3])), facts).isEmpty)
        // Node 2 computed another digest: its share in this signature was not over what it computed.
        #expect(oracle.observe(.accepted(accepted(good, signers: [0, 1, 2])), facts).count == 1)
        // Only node 2 computed `other`: with the Byzantine node, 2 < 3.
        #expect(oracle.observe(.accepted(accepted(other, signers: [2, 3])), facts).count == 1)
        // Signatures of other kinds are not its business.
        var plain = accepted(other, signers: [2])
        plain.fromAction = false
        #expect(oracle.observe(.accepted(plain), facts).isEmpty)
    }

    /// A random walk is one feed for the run: every node reads the same value at the same time,
    /// and the walk moves by at most its step per tick.
    @Test func aRandomWalkIsTheSameFeedForEveryNode() {
        var source = ExternalSourceSpecification(name: "feed", value: .randomWalk(start: try! ActionNumber(100), step: ActionNumber(raw: 250_000_000),
                                                                                  every: .milliseconds(100)))
        source.latency = .milliseconds(40)
        let feeds = ExternalFeeds([source], stop: .seconds(10), chains: nil, random: RandomTree(rootSeed: 5))
        let walk = feeds.walks["feed"]!
        #expect(walk.count == 102 && walk[0] == (try! ActionNumber(100)))
        #expect(zip(walk, walk.dropFirst()).allSatisfy { abs($0.raw - $1.raw) <= 250_000_000 } && Set(walk).count > 10)
        let views = (0..<3).map { NodeExternalView(feeds: feeds, node: $0, random: RandomTree(rootSeed: 5)) }
        for view in views { view.now = SimInstant(nanoseconds: 1_000_000_000) }
        let answers = views.map { $0.fetch("feed")! }
        // No jitter or skew: every node's fetch is answered 40 ms later with the value then.
        #expect(answers.allSatisfy { $0.delay == .milliseconds(40) && $0.value == .number(walk[10]) })
        #expect(views[0].fetch("missing") == nil)
    }
}
