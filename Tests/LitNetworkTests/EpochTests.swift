import Protocols
import Simulation
import Testing
import ThresholdCrypto
@testable import LitNetwork

/// Epochs on the whole network: the staking contract, transitions, clients following them.
@Suite struct EpochTests {
    func run(nodes: Int = 7, validators: [Int]? = nil, seed: UInt64, length: Int64 = 60, stop: Int64 = 200, rate: Int64 = 2,
             membership: [MembershipChange] = [], pings: PingPolicy? = nil, behaviours: [Int: ByzantineBehaviour] = [:],
             wire: Bool = false, staleEpochFor: SimDuration = .zero, keepPrevious: Int = 2) -> RunReport {
        print("epochs run n=\(nodes) seed \(seed) length \(length)s stop \(stop)s")
        var clients = ClientSpecification(count: 2)
        clients.staleEpochFor = staleEpochFor
        var specification = NetworkSpecification(
            nodes: nodes, seed: seed, network: NetworkModel(latency: .distribution(.constant(.milliseconds(20)))), behaviours: behaviours,
            // Requests end 60 s before `stop`, so retries after a 20 s timeout still finish.
            clients: clients, workload: WorkloadSpecification(count: Int(rate * (stop - 60)), rate: (numerator: rate, denominator: 1)),
            stop: .seconds(stop), wireEncoded: wire)
        specification.epochs = EpochSpecification(length: .seconds(length), validators: validators ?? Array(0..<nodes), membership: membership,
                                                  pings: pings)
        specification.epochs?.keepPrevious = keepPrevious
        return runNetwork(specification)
    }

    func chain(_ report: RunReport) -> [TransitionRecord] { report.transitions }

    /// Three refreshes under load: every request succeeds, signatures verify under the genesis
    /// key (the oracle checks each), and no request is refused for its epoch.
    @Test(arguments: [false, true])
    func refreshesKeepTheKeyAndEveryRequestSucceeds(wire: Bool) {
        let report = run(seed: 1, wire: wire)
        #expect(report.metric("epoch.count") == .integer(3))
        #expect(report.metric("epoch.aborts") == .integer(0))
        #expect(report.metric("sign.success_rate") == .number(1), "\(report.requests.filter { $0.outcome != .success }.map(\.failure))")
        #expect(report.metric("sign.failed_at_switch") == .integer(0))
        #expect(report.metric("safety.violations") == .integer(0), "\(report.violations)")
        #expect(report.signatures.count == report.requests.count)
        // Clients moved on: requests started well after the second switch ran in epoch 2.
        let late = report.requests.filter { $0.start.nanoseconds > 125_000_000_000 }
        #expect(!late.isEmpty && Set(late.flatMap(\.attemptLog).map(\.epoch)) == [Epoch(2)])
    }

    /// Two join (epoch 1) and two leave (epoch 2): the key is carried through both reshares,
    /// the leavers are out of the roster, and requests in flight across the switches succeed.
    @Test func joinsAndLeavesReshareTheKey() {
        let report = run(nodes: 9, validators: Array(0..<7), seed: 2,
                         membership: [MembershipChange(at: .seconds(50), join: [7, 8]), MembershipChange(at: .seconds(110), leave: [2, 3])])
        let advanced = report.transitions.filter { $0.outcome == .advanced }
        #expect(advanced.map(\.next) == [Array(0..<9), [0, 1, 4, 5, 6, 7, 8], [0, 1, 4, 5, 6, 7, 8]])
        #expect(advanced.map(\.threshold) == [6, 4, 4])
        #expect(report.metric("sign.success_rate") == .number(1))
        #expect(report.metric("safety.violations") == .integer(0), "\(report.violations)")
        // Signers of epoch-2 attempts are epoch-2 validators only.
        let lastEpoch = report.requests.flatMap(\.attemptLog).filter { $0.epoch == Epoch(2) }
        #expect(!lastEpoch.isEmpty && lastEpoch.allSatisfy { Set($0.nodes).isSubset(of: [0, 1, 4, 5, 6, 7, 8]) })
    }

    /// A validator that falls silent before a transition: the transition cannot finish (every
    /// next validator must be ready); the others stop hearing its pings and vote it out; the
    /// chain kicks it, relocks without it and advances.
    @Test func aSilentValidatorIsKickedAndTheNetworkAdvancesWithoutIt() {
        var silent = ByzantineBehaviour.silent
        silent.window = TimeWindow(at: .seconds(50), for: .seconds(1000))
        let report = run(seed: 3, stop: 260, rate: 1, pings: PingPolicy(), behaviours: [5: silent])
        #expect(report.metric("kick.nodes") == .list([5]))
        #expect(report.metric("epoch.aborts") == .integer(1), "the locked attempt is abandoned at the kick")
        let first = report.transitions.first { $0.outcome == .advanced }
        #expect(first?.next == [0, 1, 2, 3, 4, 6] && first?.attempt == 2)
        // Kicked once 6 of 7 pings in 90 s went unanswered: 72 s after it fell silent, give or take a ping.
        let kickedAt = report.kicks.first?.at.nanoseconds ?? 0
        #expect(kickedAt > 110_000_000_000 && kickedAt < 140_000_000_000, "kicked at \(kickedAt)")
        #expect(report.metric("sign.success_rate") == .number(1))
        #expect(report.metric("safety.violations") == .integer(0))
    }

    /// A Byzantine node that deals a shifted sharing in every transition is proven by a
    /// third-party re-check (against the epoch before) and excluded as a dealer; it still
    /// receives its share, so every transition completes, and the key never changes.
    @Test func aKeyChangingDealerIsCaughtInTheTransition() {
        let report = run(seed: 4, stop: 200, behaviours: [2: .changeKey])
        #expect(report.accused == [2], "\(report.accusations.map(\.code))")
        #expect(report.accusations.allSatisfy { $0.code == "dkg/wrong-constant" })
        #expect(report.metric("blame.precision") == .number(1))
        #expect(report.metric("safety.violations") == .integer(0), "\(report.violations)")
        #expect(report.metric("epoch.count") == .integer(3) && report.metric("epoch.aborts") == .integer(0))
        #expect(report.metric("sign.success_rate") == .number(1))
    }

    /// A mobile adversary: five of ten nodes (threshold 6) compromised for ten seconds in one
    /// epoch, the other five in a later one. Nodes keep the shares of two earlier epochs (Lit),
    /// so the second five still hold the first epoch's sharing: ten shares of it, exposed.
    /// Keeping one earlier epoch closes that two-epoch gap; keeping none closes even adjacent
    /// epochs (at the price of refusing requests in flight across a switch).
    @Test func theLedgerSeesWhatAMobileAdversaryCollectsAcrossEpochs() {
        func mobile(first: Int64, second: Int64, keep: Int) -> [Epoch] {
            var behaviours = [Int: ByzantineBehaviour]()
            for node in 0..<10 {
                var compromised = ByzantineBehaviour.compromised
                compromised.window = TimeWindow(at: .seconds(node < 5 ? first : second), for: .seconds(10))
                behaviours[node] = compromised
            }
            let report = run(nodes: 10, seed: 6, stop: 260, rate: 1, behaviours: behaviours, keepPrevious: keep)
            #expect(report.metric("epoch.count") == .integer(4) && report.metric("safety.violations") == .integer(0))
            #expect(report.metric("safety.key_exposed") == .integer(Int64(report.exposedEpochs.count)))
            return report.exposedEpochs
        }
        // Epoch 1 runs from 60 s, epoch 3 from 180 s, epoch 2 from 120 s.
        #expect(mobile(first: 70, second: 190, keep: 2) == [Epoch(1)], "Lit keeps two: the first epoch's sharing is exposed")
        #expect(mobile(first: 70, second: 190, keep: 1).isEmpty)
        #expect(mobile(first: 70, second: 130, keep: 1) == [Epoch(1)], "adjacent epochs with one kept")
        #expect(mobile(first: 70, second: 130, keep: 0).isEmpty)
    }

    /// The same scenario and seed in two runs: identical digests (epochs add an endpoint and
    /// periodic timers; nothing may depend on iteration order).
    @Test func epochRunsAreDeterministic() {
        let membership = [MembershipChange(at: .seconds(70), join: [7])]
        let first = run(nodes: 8, validators: Array(0..<7), seed: 5, membership: membership, pings: PingPolicy())
        let second = run(nodes: 8, validators: Array(0..<7), seed: 5, membership: membership, pings: PingPolicy())
        #expect(first.traceDigest == second.traceDigest)
        #expect(first.metric("epoch.count") == .integer(3))
    }

    /// Lit's two root keys through a refresh and a reshare (node 5 leaves, 6 joins): each root
    /// gets its own transition session, the chain advances only when every root is ready, and
    /// every PKP key stays what it was at genesis (the signature oracle derives each from the
    /// genesis roots; epoch.key_unchanged checks every root's verification shares).
    @Test func twoRootKeysSurviveRefreshAndReshare() throws {
        print("epochs with two root keys, n=7 seed 12")
        var ecdsa = WorkloadSpecification(count: 60, rate: (numerator: 1, denominator: 2))
        ecdsa.op = .signECDSA(keys: 5)
        var specification = NetworkSpecification(nodes: 7, seed: 12, network: NetworkModel(latency: .distribution(.constant(.milliseconds(20)))),
                                                 clients: ClientSpecification(count: 1), workload: ecdsa, stop: .seconds(200))
        specification.epochs = EpochSpecification(length: .seconds(60), validators: [0, 1, 2, 3, 4, 5],
                                                  membership: [MembershipChange(at: .seconds(90), join: [6], leave: [5])])
        specification.rootKeys = 2
        let report = runNetwork(specification)
        #expect(report.metric("epoch.count") == .integer(3))
        #expect(report.metric("safety.violations") == .integer(0), "\(report.violations)")
        #expect(report.metric("ecdsa.success_rate") == .number(1))
        // Five key ids, five keys, the same before and after the switches.
        let byKey = Dictionary(grouping: report.signatures, by: \.publicKey)
        #expect(byKey.count == 5)
        let epochsSigned = Set(report.requests.flatMap { $0.attemptLog.map(\.epoch) })
        #expect(epochsSigned.count >= 2, "signed in epochs \(epochsSigned.sorted())")
    }
}
