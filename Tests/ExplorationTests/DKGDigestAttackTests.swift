import Foundation
import Testing
import LitNetwork
import Scenario
import Simulation

/// The DKG's digest echoes and vote summaries under attack: one Byzantine node (f = 2 at n = 7)
/// lying in the new messages, alone or with network faults, must never get an honest node
/// accused nor make honest nodes finish with different keys.
@Suite struct DKGDigestAttackTests {
    static let base = """
    name: digest-attack
    stop: 60s
    network: { nodes: 7, latency: { distribution: uniform, min: 5ms, max: 80ms } }
    protocol: { round_timeout: 2s }
    clients: { count: 1 }
    workload: [{ op: sign, count: 2 }]

    """

    /// Runs the attack over a few seeds; every honest node that finished holds one key. The
    /// `witness` message kind must have been sent in some seed: the attack reached the path it
    /// aims at, so the test can fail.
    func expectSafe(_ byzantine: String, faults: String = "", witness: String, seeds: ClosedRange<UInt64> = 1...6) throws {
        var reached = 0
        defer { #expect(reached > 0, "the attack never reached \(witness)") }
        for seed in seeds {
            let text = Self.base + "seed: \(seed)\n" + faults + "byzantine:\n" + byzantine
            let report = try run(text)
            let witnessed = report.coverage[CoverageKey(area: "dkg", category: "message", label: witness)] ?? 0
            print("seed \(seed): \(witness) sent \(witnessed) times; accused \(metric(report, "blame.accused").map { "\($0)" } ?? "-")")
            if witnessed > 0 { reached += 1 }
            #expect(metric(report, "safety.violations") == .integer(0), "seed \(seed): \(report.violations)")
            #expect(metric(report, "blame.precision") == .number(1), "seed \(seed): honest accused \(report.accusations)")
            let keys = Set(report.results.compactMap { $0?.groupPublicKey }.enumerated().filter { $0.offset != 6 }.map(\.element))
            #expect(keys.count <= 1, "seed \(seed): honest nodes hold \(keys.count) keys")
        }
    }

    @Test func twoDifferentEchoDigestsFromOneNode() throws {
        // Its twin (another dealing, so another digest) tells nodes 0–2 one view, the node the others another.
        try expectSafe("  - { nodes: [6], behaviour: equivocate, kind: dkg.echo-digest, targets: [0, 1, 2] }\n", witness: "dkg.echoes")
    }

    @Test func aSplitBroadcastWhoseListsNeverCome() throws {
        // Round 1 to nodes 0–2 only, and no echo list to anyone who asks: the others must fetch
        // from honest holders, or leave the dealer out together.
        try expectSafe("""
              - { nodes: [6], behaviour: subset-send, kind: dkg.commitments, targets: [0, 1, 2] }
              - { nodes: [6], behaviour: drop, kind: dkg.echoes }

            """, witness: "dkg.fetch")
    }

    @Test func listsLostOnALinkWhileDigestsDiffer() throws {
        // Faults alone: node 0 misses dealer 5's broadcast, and node 1's list to node 0 is lost.
        try expectSafe("  - { nodes: [6], behaviour: drop, kind: dkg.fetch }\n",
                       faults: "faults:\n  - { at: 0s, for: 300ms, link: { from: 5, to: 0, loss: 1 } }\n  - { at: 0s, for: 3s, link: { from: 1, to: 0, loss: 1 } }\n", witness: "dkg.fetch")
    }

    @Test func twoVoteSummariesAndNoAnswers() throws {
        // Different summaries to two halves, a double vote, and vote requests never answered.
        try expectSafe("""
              - { nodes: [6], behaviour: equivocate, kind: dkg.vote-summary, targets: [0, 1, 2] }
              - { nodes: [6], behaviour: drop, kind: dkg.certificate }
              - { nodes: [6], behaviour: replay, kind: dkg.vote-request }

            """, witness: "dkg.vote-request")
    }

    @Test func aReplayedEchoDigestAndDuplicatedRequests() throws {
        try expectSafe("""
              - { nodes: [6], behaviour: duplicate, kind: dkg.vote-request }
              - { nodes: [6], behaviour: delay, kind: dkg.echo-digest, delay: 1500ms }

            """, witness: "dkg.echo-digest")
    }
}
