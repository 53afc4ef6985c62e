import Foundation
import Testing
import Exploration
import LitNetwork
import Scenario
import Simulation
import Yams

/// Runs a scenario text to its end.
func run(_ text: String) throws -> RunReport {
    var specification = try ScenarioLoader.load(data: Data(text.utf8), file: "test.yaml").specification
    specification.coverage = true
    return runNetwork(specification)
}

func metric(_ report: RunReport, _ name: String) -> MetricValue? { report.metrics.first { $0.name == name }?.value }

let fourNodes = """
name: generic
seed: 5
stop: 60s
network: { nodes: 4, latency: { distribution: constant, value: 10ms } }
protocol: { round_timeout: 2s }

"""

/// The generic actions do what they say, on one message kind only, and leave the protocol
/// code honest (what they cause is the protocol's ordinary reaction).
@Suite struct GenericActionTests {
    func sent(_ report: RunReport, _ kind: String) -> Int {
        report.coverage[CoverageKey(area: String(kind.prefix { $0 != "." }), category: "message", label: kind)] ?? 0
    }

    @Test func anHonestRunSendsEachRoundOnceToEveryPeer() throws {
        let report = try run(fourNodes)
        // Round 1 is one broadcast per dealer: n · (n − 1) messages.
        #expect(sent(report, "dkg.commitments") == 12)
        #expect(sent(report, "dkg.share") == 12)
        #expect(metric(report, "dkg.completed") == .bool(true))
    }

    @Test func dropSendsNothingOfItsKind() throws {
        let report = try run(fourNodes + "byzantine: [{ nodes: [3], behaviour: drop, kind: dkg.commitments }]\n")
        #expect(sent(report, "dkg.commitments") == 9)
        #expect(sent(report, "dkg.share") == 12, "shares are another kind: node 3 still deals them")
        #expect(metric(report, "dkg.completed") == .bool(true))
        #expect(metric(report, "dkg.qualified") == .integer(3))
    }

    @Test func subsetSendReachesOnlyItsTargets() throws {
        let report = try run(fourNodes + "byzantine: [{ nodes: [3], behaviour: subset-send, kind: dkg.commitments, targets: [0] }]\n")
        // Nodes 1 and 2 see echoes of a broadcast they lack and fetch it from both echoers:
        // node 0 forwards it, node 3's answer is round-1 again and goes to node 0 only. So
        // 9 + 1 + 2 round-1 messages, and node 3 is dealt with by all.
        #expect(sent(report, "dkg.fetch") == 4)
        #expect(sent(report, "dkg.commitments") == 12)
        #expect(metric(report, "dkg.qualified") == .integer(4))
        #expect(metric(report, "safety.violations") == .integer(0))
    }

    @Test func duplicateSendsTwice() throws {
        let report = try run(fourNodes + "byzantine: [{ nodes: [3], behaviour: duplicate, kind: dkg.share }]\n")
        #expect(sent(report, "dkg.share") == 15)
        #expect(metric(report, "dkg.qualified") == .integer(4), "a repeated share changes nothing")
    }

    @Test func delayBeyondTheRoundLeavesTheDealerOut() throws {
        let late = try run(fourNodes + "byzantine: [{ nodes: [3], behaviour: delay, kind: dkg.commitments, delay: 10s }]\n")
        #expect(metric(late, "dkg.qualified") == .integer(3))
        let early = try run(fourNodes + "byzantine: [{ nodes: [3], behaviour: delay, kind: dkg.commitments, delay: 5ms }]\n")
        #expect(metric(early, "dkg.qualified") == .integer(4))
    }

    @Test func aWindowLimitsTheAction() throws {
        // The DKG is over long before 30 s: an action that starts then changes nothing in it.
        let report = try run(fourNodes + "byzantine: [{ nodes: [3], behaviour: drop, kind: dkg.commitments, at: 30s }]\n")
        #expect(sent(report, "dkg.commitments") == 12)
    }

    @Test func equivocateSendsTheTwinsValidMessagesAndIsProven() throws {
        let report = try run(fourNodes + "byzantine: [{ nodes: [3], behaviour: equivocate, kind: dkg.commitments, targets: [0, 1] }]\n")
        // Every peer still gets one round-1 broadcast from node 3, two of them the twin's.
        #expect(sent(report, "dkg.commitments") == 12)
        #expect(report.accusations.contains { $0.node == 3 && $0.code == "dkg/equivocation" })
        #expect(metric(report, "dkg.qualified") == .integer(3))
        #expect(metric(report, "safety.violations") == .integer(0))
    }

    @Test func replaySendsTheFirstMessageAgainBesideTheNext() throws {
        let text = fourNodes.replacingOccurrences(of: "stop: 60s", with: "stop: 60s\nclients: { count: 1 }\nworkload: [{ op: sign, count: 3 }]")
        let honest = try run(text)
        let replayed = try run(text + "byzantine: [{ nodes: [3], behaviour: replay, kind: sign.commitment }]\n")
        #expect(sent(replayed, "sign.commitment") > sent(honest, "sign.commitment"))
        #expect(metric(replayed, "sign.success_rate") == .number(1))
        #expect(metric(replayed, "safety.violations") == .integer(0))
    }

    @Test func behavioursListTheGenericActions() {
        for verb in MessageAction.Verb.allCases { #expect(ByzantineBehaviour.catalogue.contains { $0.name == verb.rawValue }) }
        #expect(MessageAction.kinds.contains("dkg.commitments") && MessageAction.kinds.contains("ecdsa.presign-2"))
    }
}

@Suite struct EncoderTests {
    @Test func durationsAreWrittenExactly() {
        for value in [SimDuration.zero, SimDuration(nanoseconds: 17), .milliseconds(250), .seconds(3), .milliseconds(1500), .seconds(7200), SimDuration(nanoseconds: 1_000_001)] {
            let text = ScenarioEncoder.duration(value)
            let scenario = try? ScenarioLoader.load(data: Data("name: x\nprotocol: { round_timeout: \(text) }\n".utf8), file: "x.yaml")
            #expect(value == .zero || scenario?.specification.roundTimeout == value, "\(value) → \(text)")
        }
    }

    /// Every fault shape the decoder knows, written and read back.
    @Test func everyFaultShapeRoundTrips() throws {
        let window = TimeWindow(at: .milliseconds(100), for: .seconds(2))
        let schedule = FaultSchedule(
            partitions: [Partition(window: window, shape: .groups([[0, 1], [2, 3]])), Partition(window: window, shape: .oneWay(from: [0], to: [1, 4]))],
            clogs: [Clog(window: window, from: 1, to: 2)],
            linkOverrides: [LinkOverride(window: window, from: 2, to: 0, loss: Probability(parsing: "0.25"), latency: .constant(.milliseconds(70)))],
            hostFaults: [.crash(endpoints: [3], at: SimInstant(nanoseconds: 5_000_000), restart: SimInstant(nanoseconds: 9_000_000_000)),
                         .pause(endpoints: [2], window: window)])
        let base = try #require(try Yams.compose(yaml: "name: x\nstop: 60s\nnetwork: { nodes: 4 }\nclients: { count: 1 }\n"))
        let text = try ScenarioEncoder.text(ScenarioEncoder.setting("faults", to: ScenarioEncoder.faults(schedule), in: base))
        #expect(try ScenarioLoader.load(data: Data(text.utf8), file: "x.yaml").specification.faults == schedule, "\(text)")
    }
}
