import Simulation
import Testing
import ThresholdCrypto
@testable import Protocols

/// Epoch transitions: refresh (same members) and reshare (members change), checked against
/// the key they must keep and against the shares they must make useless.
@Suite struct TransitionDKGTests {
    /// Shares of one epoch as `SecretShare`s for reconstruction.
    func shares(_ dkg: LocalDKG, _ nodes: [Int]) -> [SecretShare] {
        nodes.map { SecretShare(identifier: Scalar(UInt64($0 + 1)), value: dkg.result($0)!.secretShare) }
    }

    func key(_ shares: [SecretShare]) throws -> Point {
        let meter = CostMeter()
        return Point.base(try Shamir.reconstruct(shares, meter: meter), meter: meter)
    }

    @Test func refreshKeepsTheKeyAndMakesOldSharesUselessWithNewOnes() throws {
        var genesis = LocalDKG(participants: 7, threshold: 4, seed: 81)
        genesis.run()
        var refresh = LocalDKG(after: genesis, members: Array(0..<7), threshold: 4)
        refresh.run()
        #expect(refresh.configuration.dealing == .refresh(previous: genesis.honestResults[0].groupCommitment))
        let groupKey = genesis.honestResults[0].groupPublicKey
        let results = refresh.honestResults
        #expect(results.count == 7 && results.allSatisfy { $0.groupPublicKey == groupKey && $0.shareIsConsistent && $0.accused.isEmpty })
        #expect((0..<7).allSatisfy { refresh.result($0)!.secretShare != genesis.result($0)!.secretShare }, "every share changed")
        #expect(try key(shares(refresh, [0, 2, 4, 6])) == groupKey)
        #expect(try key(shares(refresh, [1, 3, 5, 6])) == groupKey)
        let mixed = shares(genesis, [0, 1]) + shares(refresh, [2, 3])
        #expect(try key(mixed) != groupKey, "two old and two new shares reconstruct nothing")
        let meter = CostMeter()
        for node in 0..<7 {
            #expect(results[node].verificationShare(of: NodeID(node), meter: meter) == Point.base(results[node].secretShare, meter: meter))
        }
        // The new share is installed for epoch 1; epoch 0 stays active until the network advances.
        let keys = refresh.harness.contexts[NodeID(3)]!.keys
        #expect(keys.epochs() == [Epoch(0), Epoch(1)] && keys.activeEpoch == Epoch(0))
        keys.activate(Epoch(1))
        #expect(keys.current()?.secretShare == refresh.result(3)!.secretShare)
    }

    /// Nodes 7 and 8 leave (epoch 1), then come back as newcomers while 5 and 6 leave (epoch
    /// 2), with a new threshold each time: the key is carried through both.
    @Test func reshareCarriesTheKeyAcrossLeavesAndJoins() throws {
        var genesis = LocalDKG(participants: 9, threshold: 5, seed: 82)
        genesis.run()
        let groupKey = genesis.honestResults[0].groupPublicKey
        var shrink = LocalDKG(after: genesis, members: Array(0..<7), threshold: 4)
        shrink.run()
        var rejoin = LocalDKG(after: shrink, members: [0, 1, 2, 3, 4, 7, 8], threshold: 5)
        rejoin.run()
        for (dkg, count) in [(shrink, 7), (rejoin, 7)] {
            #expect(dkg.honestResults.count == count && dkg.honestResults.allSatisfy { $0.groupPublicKey == groupKey && $0.shareIsConsistent })
            #expect(dkg.honestResults.allSatisfy { $0.accused.isEmpty && $0.qualified.count == count })
        }
        #expect(try key(shares(shrink, [0, 2, 4, 6])) == groupKey)
        #expect(try key(shares(rejoin, [1, 2, 4, 7, 8])) == groupKey, "the newcomers' shares work")
        #expect(try key(shares(rejoin, [1, 2, 4, 7])) != groupKey, "four are below the new threshold")
        #expect(try key(shares(genesis, [7, 8]) + shares(rejoin, [0, 1, 2])) != groupKey, "the newcomers' old shares are useless")
        #expect(rejoin.harness.contexts[NodeID(8)]!.keys.epochs() == [Epoch(0), Epoch(2)], "8 missed epoch 1")
    }

    /// Every provable DKG behaviour, applied to a refresh and to a reshare, is caught as at
    /// genesis: the culprit is proven (re-checkable against the earlier epoch's commitment)
    /// and excluded, and honest nodes keep the key.
    @Test(arguments: [DKGAdversary.Behaviour.badShare(targets: []), .badProof, .extraCommitments, .equivocate, .changeKey])
    func aByzantineDealerInATransitionIsCaught(_ behaviour: DKGAdversary.Behaviour) throws {
        var genesis = LocalDKG(participants: 8, threshold: 4, seed: 83)
        genesis.run()
        let groupKey = genesis.honestResults[0].groupPublicKey
        for members in [Array(0..<8), [0, 1, 2, 3, 4, 5, 6]] {
            // Node 2 (an old member) misbehaves.
            var transition = LocalDKG(after: genesis, members: members, threshold: 4, behaviours: [2: behaviour])
            transition.run()
            let results = transition.honestResults
            #expect(results.count == members.count - 1, "\(behaviour) over \(members)")
            #expect(results.allSatisfy { $0.groupPublicKey == groupKey && $0.shareIsConsistent && !$0.qualified.contains(NodeID(2)) })
            #expect(transition.accusedByHonest.keys.sorted() == [NodeID(2)], "\(transition.accusedByHonest)")
            #expect(transition.everyAccusationReChecks)
            let honest = transition.honest
            #expect(try key(shares(transition, Array(honest.prefix(4)))) == groupKey)
        }
    }

    /// A reshare needs the old threshold of old members: with too few of them qualified the
    /// key cannot be carried over, and every node fails rather than inventing a new key.
    @Test func aReshareWithTooFewOldMembersFails() {
        var genesis = LocalDKG(participants: 8, threshold: 5, seed: 84)
        genesis.run()
        // Only 0..<4 stay: four old members, below the old threshold of 5.
        var transition = LocalDKG(after: genesis, members: [0, 1, 2, 3], threshold: 3)
        transition.run()
        #expect(transition.honestResults.isEmpty)
        #expect(transition.members.allSatisfy { transition.failure($0) == .tooFewQualified(4) }, "\(transition.members.map { transition.failure($0) as Any })")
    }

    /// The rest of the DKG catalogue in a reshare of ten (threshold 6): each misbehaviour has
    /// the outcome it has at genesis — the provable ones proven and re-checkable, the
    /// unprovable ones costing their author its dealing at most, and honest nodes agreeing on
    /// one key, the genesis key.
    @Test func theRestOfTheCatalogueInAReshareIsHandledAsAtGenesis() throws {
        let cases: [(name: String, behaviours: [Int: DKGAdversary.Behaviour], accused: Set<NodeID>)] = [
            ("false complaint", [9: .falseComplaint(targets: [0, 1])], []),
            ("withheld share", [9: .withholdShare(targets: [0])], []),
            ("forged echo", [9: .forgeEcho], [NodeID(9)]),
            ("split broadcast", [9: .splitBroadcast(targets: [0, 1, 2, 3, 4, 5, 6].map { NodeID($0) })], []),
            ("double vote", [9: .doubleVote], []),
            ("cancelling shares", [8: .cancellingShares(colluders: [NodeID(8), NodeID(9)], targets: []),
                                   9: .cancellingShares(colluders: [NodeID(8), NodeID(9)], targets: [])], [NodeID(8), NodeID(9)]),
            ("equivocate complaint", [9: .equivocateComplaint(targets: [0, 1])], [NodeID(9)]),
        ]
        var genesis = LocalDKG(participants: 11, threshold: 6, seed: 85)
        genesis.run()
        let groupKey = genesis.honestResults[0].groupPublicKey
        for (name, behaviours, accused) in cases {
            // Node 10 leaves: a reshare among 0..<10.
            var transition = LocalDKG(after: genesis, members: Array(0..<10), threshold: 6, behaviours: behaviours)
            transition.run()
            let results = transition.honestResults
            #expect(results.count == transition.honest.count, "\(name): every honest node finishes")
            #expect(Set(results.map(\.groupPublicKey)) == [groupKey] && results.allSatisfy(\.shareIsConsistent), "\(name)")
            #expect(Set(results.map(\.transcriptDigest)).count == 1, "\(name): one transcript")
            #expect(Set(transition.accusedByHonest.keys) == accused, "\(name): \(transition.accusedByHonest)")
            #expect(transition.everyAccusationReChecks, "\(name)")
            #expect(try key(shares(transition, Array(transition.honest.prefix(6)))) == groupKey, "\(name)")
        }
    }
}
