import Protocols
import Simulation
import Testing
import ThresholdCrypto
@testable import LitNetwork

/// Threshold decryption under access conditions evaluated by each node on its own chain view.
@Suite struct AccessControlTests {
    /// "client-0 owns nft #1" on `ethereum`.
    static let ownsNFT = AccessCondition.call(ContractCall(chain: "ethereum", contract: "nft", method: .ownerOf, parameters: ["1"],
                                                           comparator: .equal, value: ContractCall.userAddress)!)

    /// One client decrypting every ~second from 20 s; the NFT is bought at 30 s (block 3, at 36 s).
    func run(seed: UInt64 = 42, lag: ClosedRange<Int> = 0...3, events: [ChainEvent] = [], behaviours: [Int: ByzantineBehaviour] = [:],
             conditions: AccessCondition? = ownsNFT, jwt: Bool = false, pool: PresignPool = .disabled,
             costs: DecryptionCostProfile = .secp256k1) -> RunReport {
        print("access run seed \(seed) lag \(lag) \(jwt ? "jwt" : "decrypt")")
        var decrypt = WorkloadSpecification(count: 40, rate: (1, 1), start: .at(.seconds(20)))
        decrypt.op = jwt ? .jwt(conditions: conditions!) : .decrypt(conditions: conditions)
        var specification = NetworkSpecification(nodes: 10, seed: seed, network: NetworkModel(latency: .distribution(.constant(.milliseconds(20)))),
                                                 behaviours: behaviours, clients: ClientSpecification(count: 1, timeout: .seconds(5)),
                                                 workload: decrypt, stop: .seconds(80))
        let purchase = ChainEvent(at: .seconds(30), chain: "ethereum", action: .transfer(contract: "nft", token: "1", from: nil, to: "client-0", amount: nil))
        specification.presignPool = pool
        specification.decryptionCosts = costs
        specification.access = AccessSpecification(chains: [SimulatedChainSpecification(name: "ethereum", blockTime: .seconds(12))],
                                                   events: [purchase] + events, rpc: RPCSpecification(lagBlocks: lag, latency: .milliseconds(50)))
        return runNetwork(specification)
    }

    @Test func beforeThePurchaseEveryRequestIsDeniedAndAfterItEveryOneOpens() throws {
        let report = run(lag: 0...0)
        #expect(report.metric("safety.violations") == .integer(0), "\(report.violations)")
        let decrypts = report.requests.filter { $0.op == "decrypt" }
        #expect(decrypts.count == 40)
        // Lag 0: every node sees block 3 from 36 s (plus the RPC's 50 ms).
        for request in decrypts {
            let visible = request.start.nanoseconds >= 36_000_000_000
            #expect(request.outcome == (visible ? .success : .denied), "request \(request.index) at \(request.start.milliseconds) ms: \(request.outcome)")
        }
        #expect(decrypts.contains { $0.outcome == .denied } && decrypts.contains { $0.outcome == .success })
        #expect(report.metric("decrypt.denied")?.numeric == Double(decrypts.filter { $0.outcome == .denied }.count))
        #expect(report.metric("access.disagreement") == .integer(0), "with no lag the nodes never disagree")
        // From the block (36 s) to the first opening.
        let grant = try #require(report.metric("access.time_to_grant_ms")?.numeric)
        let firstOpen = try #require(decrypts.filter { $0.outcome == .success }.compactMap(\.end).min())
        // (The request ends a moment after the content opened: the client checked the shares.)
        #expect(abs(grant - Double(firstOpen.nanoseconds - 36_000_000_000) / 1e6) < 5, "grant \(grant) ms")
        #expect(report.decryptions.count == decrypts.filter { $0.outcome == .success }.count)
    }

    @Test func lagDelaysTheGrantAndMakesNodesDisagree() throws {
        let prompt = run(lag: 0...0), lagging = run(lag: 0...3)
        let fast = try #require(prompt.metric("access.time_to_grant_ms")?.numeric)
        let slow = try #require(lagging.metric("access.time_to_grant_ms")?.numeric)
        // Threshold 6 of 10 must see the block: with lags of up to three blocks that takes longer.
        #expect(slow > fast + 5_000, "grant \(fast) ms without lag, \(slow) ms with")
        #expect((lagging.metric("access.disagreement")?.numeric ?? 0) > 0)
        #expect(lagging.metric("safety.violations") == .integer(0), "\(lagging.violations)")
    }

    @Test func aReorgThatUndoesThePurchaseDeniesEverything() {
        // The purchase's block (3, at 36 s) is orphaned at 40 s and never returns.
        let report = run(lag: 0...3, events: [ChainEvent(at: .seconds(40), chain: "ethereum", action: .reorg(depth: 1))])
        #expect(report.metric("decrypt.succeeded") == .integer(0))
        #expect(report.metric("safety.violations") == .integer(0), "\(report.violations)")
    }

    @Test func oneNodeIgnoringConditionsOpensNothingAThresholdOpensAndIsReported() throws {
        let ignore = try #require(ByzantineBehaviour(name: "ignore-conditions"))
        let one = run(lag: 0...0, behaviours: [4: ignore])
        #expect(one.metric("access.violations") == .integer(0))
        #expect(one.violations.filter { $0.oracle == "access.respected" }.isEmpty)
        #expect(one.requests.filter { $0.start.nanoseconds < 36_000_000_000 }.allSatisfy { $0.outcome == .denied })
        // Six of ten, the threshold: everything before the purchase opens, and the oracle says so.
        let six = run(lag: 0...0, behaviours: Dictionary(uniqueKeysWithValues: (0..<6).map { ($0, ignore) }))
        let early = six.requests.filter { $0.start.nanoseconds < 36_000_000_000 }
        #expect(!early.isEmpty && early.allSatisfy { $0.outcome == .success })
        #expect(six.metric("access.violations") == .integer(Int64(early.count)))
        #expect(six.violations.filter { $0.oracle == "access.respected" }.count == early.count)
    }

    @Test func upToNMinusThresholdNodesSayingNoDenyNothing() throws {
        // n = 10, threshold 6: four liars saying "no" cannot deny; after the purchase every
        // request still opens with the six honest nodes' shares.
        let liar = try #require(ByzantineBehaviour(name: "deny-conditions"))
        let four = run(lag: 0...0, behaviours: Dictionary(uniqueKeysWithValues: [1, 3, 5, 8].map { ($0, liar) }))
        for request in four.requests {
            #expect(request.outcome == (request.start.nanoseconds >= 36_000_000_000 ? .success : .denied), "request \(request.index)")
        }
        // Five deny everything: at most five could say yes.
        let five = run(lag: 0...0, behaviours: Dictionary(uniqueKeysWithValues: [1, 3, 5, 7, 8].map { ($0, liar) }))
        #expect(five.requests.allSatisfy { $0.outcome == .denied })
    }

    @Test func afterABadShareAndANoTheRetryStillAsksEnoughNodes() throws {
        // Right after the block some nodes still say no; with a bad share on top an attempt
        // fails. The retry must ask enough nodes (a "no" is not the node's fault: it is not
        // left out for good), and once every view holds (48 s with lags of 0 or 1) all open.
        let bad = try #require(ByzantineBehaviour(name: "decrypt-bad-share"))
        for seed: UInt64 in 1...4 {
            let report = run(seed: seed, lag: 0...1, behaviours: [7: bad])
            for request in report.requests {
                #expect(request.failure?.code != .tooFewNodes, "seed \(seed) request \(request.index): \(request.failure?.description ?? "")")
                if request.start.nanoseconds >= 48_000_000_000 { #expect(request.outcome == .success, "seed \(seed) request \(request.index)") }
            }
            #expect(report.metric("safety.violations") == .integer(0), "seed \(seed): \(report.violations)")
        }
    }

    @Test func aBadShareIsLeftOutAndEveryDecryptionOpens() throws {
        let bad = try #require(ByzantineBehaviour(name: "decrypt-bad-share"))
        let report = run(lag: 0...0, behaviours: [2: bad, 7: bad], conditions: nil)
        #expect(report.metric("decrypt.succeeded") == .integer(40))
        #expect(report.decryptions.allSatisfy { !$0.shares.contains { $0.node == 2 || $0.node == 7 } })
        #expect(report.metric("safety.violations") == .integer(0), "\(report.violations)")
    }

    @Test func jwtsAreDeniedBeforeThePurchaseSignedAfterItAndAThresholdOfLiarsIsReported() throws {
        let report = run(lag: 0...0, jwt: true)
        #expect(report.metric("safety.violations") == .integer(0), "\(report.violations)")
        for request in report.requests {
            let visible = request.start.nanoseconds >= 36_000_000_000
            #expect(request.outcome == (visible ? .success : .denied), "request \(request.index) at \(request.start.milliseconds) ms: \(request.outcome)")
        }
        #expect(report.jwts.count == report.requests.filter { $0.outcome == .success }.count)
        #expect(report.jwts.allSatisfy { $0.jwt.split(separator: ".").count == 3 })
        // With pooled presignatures: the leader hands one out, every signer still asks its RPC.
        let pooled = run(lag: 0...0, jwt: true, pool: PresignPool(min: 1, max: 2, concurrency: 1))
        for request in pooled.requests {
            #expect(request.outcome == (request.start.nanoseconds >= 36_000_000_000 ? .success : .denied), "pooled request \(request.index)")
        }
        #expect((pooled.metric("presign.hits")?.numeric ?? 0) > 0)
        let ignore = try #require(ByzantineBehaviour(name: "ignore-conditions"))
        let six = run(lag: 0...0, behaviours: Dictionary(uniqueKeysWithValues: (0..<6).map { ($0, ignore) }), jwt: true)
        // Signed before the block (36 s): no taking part node's view held during the attempt.
        let early = six.requests.filter { ($0.end?.nanoseconds ?? .max) < 36_000_000_000 && $0.outcome == .success }
        #expect(!early.isEmpty)
        #expect(six.metric("access.violations") == .integer(Int64(early.count)))
    }

    @Test func theBLSProfileChargesLitsSchemeInsteadOfTDH2() throws {
        let secp = run(lag: 0...0), bls = run(lag: 0...0, costs: .bls12381)
        let total = { (report: RunReport, operation: CryptoOperation) in report.operationTotals[operation.rawValue] }
        // Nodes: one hash to G2 and one G2 multiplication per share released; nothing else BLS.
        let released = bls.decryptions.count
        #expect(total(bls, .blsHashToG2) >= released * bls.threshold && total(bls, .blsHashToG2) == total(bls, .blsG2Multiply))
        #expect(total(bls, .blsMillerLoop) == 0, "pairings are the client's")
        #expect(CryptoOperation.allCases.filter { $0.name.hasPrefix("bls_") }.allSatisfy { total(secp, $0) == 0 })
        // Same outcomes, later: pairings cost more than TDH2's point multiplications.
        #expect(secp.requests.map(\.outcome) == bls.requests.map(\.outcome))
        let fast = try #require(secp.metric("decrypt.latency_ms.p50")?.numeric), slow = try #require(bls.metric("decrypt.latency_ms.p50")?.numeric)
        #expect(slow > fast + 2, "p50 \(fast) ms with TDH2's costs, \(slow) ms with BLS12-381's")
    }

    @Test func randomReorgsTakeTransactionsOutAndPutThemBack() {
        let chain = SimulatedChainSpecification(name: "ethereum", blockTime: .seconds(12), reorgProbability: .always, reorgDepth: 1...1)
        let purchase = ChainEvent(at: .seconds(30), chain: "ethereum", action: .transfer(contract: "nft", token: "1", from: nil, to: "client-0", amount: nil))
        let chains = SimulatedChains(AccessSpecification(chains: [chain], events: [purchase]), nodes: 1, stop: .seconds(120), random: RandomTree(rootSeed: 5))
        let owns = { (seconds: Int64) in chains.holds(Self.ownsNFT, for: "client-0", at: SimInstant(nanoseconds: seconds * 1_000_000_000), lag: 0) }
        // Block 3 (36 s) holds it; the reorg half a block later orphans block 3, and block 4
        // (48 s) brings it back — to be orphaned at 54 s and so on: visible in every first half.
        #expect(!owns(35) && owns(37) && !owns(43) && owns(49) && !owns(55))
    }

    @Test func balancesCountFungibleTokensAndRevertUncoveredTransfers() {
        let chain = SimulatedChainSpecification(name: "ethereum", blockTime: .seconds(1))
        let events = [
            ChainEvent(at: .seconds(1), chain: "ethereum", action: .transfer(contract: "usdc", token: nil, from: nil, to: "client-1", amount: 100)),
            ChainEvent(at: .seconds(2), chain: "ethereum", action: .transfer(contract: "usdc", token: nil, from: "client-1", to: "client-2", amount: 150)),
            ChainEvent(at: .seconds(3), chain: "ethereum", action: .transfer(contract: "usdc", token: nil, from: "client-1", to: "client-2", amount: 60)),
        ]
        let chains = SimulatedChains(AccessSpecification(chains: [chain], events: events), nodes: 1, stop: .seconds(10), random: RandomTree(rootSeed: 1))
        let atLeast = { (holder: String, amount: Int64) in
            AccessCondition.call(ContractCall(chain: "ethereum", contract: "usdc", method: .balanceOf, parameters: [ContractCall.userAddress],
                                              comparator: .greaterOrEqual, value: String(amount))!)
        }
        let at = SimInstant(nanoseconds: 5_000_000_000)
        #expect(chains.holds(atLeast("client-1", 40), for: "client-1", at: at, lag: 0))
        #expect(!chains.holds(atLeast("client-1", 41), for: "client-1", at: at, lag: 0), "the 150 transfer reverted, the 60 went through")
        #expect(chains.holds(atLeast("client-2", 60), for: "client-2", at: at, lag: 0))
        // The same two seconds earlier, through an RPC two blocks behind: only the mint.
        #expect(chains.holds(atLeast("client-1", 100), for: "client-1", at: at, lag: 3))
    }
}
