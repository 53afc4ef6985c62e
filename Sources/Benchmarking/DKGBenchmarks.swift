import LitNetwork
import Simulation
import ThresholdCrypto

/// One full simulated genesis DKG (every node verifying everything), timed on the wall clock.
public struct DKGBenchmarkRow: Sendable {
    public let nodes: Int
    public let threshold: Int
    public let wallSeconds: Double
    public let simulatedMilliseconds: Double
    public let messages: Int64
    public let bytes: Int64
    public let completed: Bool
    /// Crypto operations per node, averaged.
    public let pointMultiplicationsPerNode: Double
}

public func runDKGBenchmark(sizes: [Int], seed: UInt64 = 1) -> [DKGBenchmarkRow] {
    let clock = ContinuousClock()
    return sizes.map { n in
        var outcome: RunReport?
        let elapsed = clock.measure { outcome = runNetwork(NetworkSpecification(nodes: n, seed: seed)) }
        let report = outcome!
        let perNode = Double(report.pointMultiplications) / Double(n)
        return DKGBenchmarkRow(
            nodes: n, threshold: report.threshold, wallSeconds: seconds(elapsed),
            simulatedMilliseconds: report.metric("dkg.duration_ms")?.numeric ?? 0,
            messages: Int64(report.counters.messagesSent), bytes: Int64(report.counters.bytesSent),
            completed: report.metric("dkg.completed") == .bool(true), pointMultiplicationsPerNode: perNode)
    }
}

public func formatDKGBenchmark(_ rows: [DKGBenchmarkRow]) -> String {
    var lines = ["nodes  threshold  wall_s   sim_ms    messages  bytes       mults/node  completed"]
    for row in rows {
        lines.append([
            "\(row.nodes)".padding(toLength: 7, withPad: " ", startingAt: 0),
            "\(row.threshold)".padding(toLength: 11, withPad: " ", startingAt: 0),
            String(format: "%-8.2f", row.wallSeconds),
            String(format: "%-9.1f", row.simulatedMilliseconds),
            "\(row.messages)".padding(toLength: 10, withPad: " ", startingAt: 0),
            "\(row.bytes)".padding(toLength: 12, withPad: " ", startingAt: 0),
            String(format: "%-11.1f", row.pointMultiplicationsPerNode),
            "\(row.completed)",
        ].joined())
    }
    return lines.joined(separator: "\n")
}

/// An epoch transition next to the genesis DKG at the same size: each phase's wall time is the
/// difference between runs stopped after it (the engine, nodes and crypto of a whole network).
public struct TransitionBenchmarkRow: Sendable {
    public let nodes: Int
    /// `genesis`, `refresh` (same validators) or `reshare` (one leaves, one joins).
    public let phase: String
    public let wallSeconds: Double
    public let simulatedMilliseconds: Double
    public let messages: Int64
    public let bytes: Int64
}

public func runTransitionBenchmark(sizes: [Int], seed: UInt64 = 1) -> [TransitionBenchmarkRow] {
    let clock = ContinuousClock()
    var rows = [TransitionBenchmarkRow]()
    for n in sizes {
        // Validators 0..<n; node n joins and node 0 leaves before the second transition.
        func run(stop: Int64) -> (wall: Double, report: RunReport) {
            var specification = NetworkSpecification(nodes: n + 1, seed: seed, stop: .seconds(stop))
            specification.epochs = EpochSpecification(length: .seconds(10), validators: Array(0..<n),
                                                      membership: [MembershipChange(at: .seconds(15), join: [n], leave: [0])])
            var report: RunReport?
            let elapsed = clock.measure { report = runNetwork(specification) }
            return (seconds(elapsed), report!)
        }
        let phases = [run(stop: 9), run(stop: 19), run(stop: 29)]
        let transitions = phases[2].report.transitions.filter { $0.outcome == .advanced }
        for (index, name) in ["genesis", "refresh", "reshare"].enumerated() {
            let current = phases[index], previous = index > 0 ? phases[index - 1] : nil
            let simulated: Double = index == 0
                ? current.report.metric("dkg.duration_ms")?.numeric ?? 0
                : transitions.count >= index ? Double(transitions[index - 1].endedAt!.nanoseconds - transitions[index - 1].lockedAt.nanoseconds) / 1e6 : 0
            rows.append(TransitionBenchmarkRow(
                nodes: n, phase: name, wallSeconds: current.wall - (previous?.wall ?? 0), simulatedMilliseconds: simulated,
                messages: Int64(current.report.counters.messagesSent) - Int64(previous?.report.counters.messagesSent ?? 0),
                bytes: Int64(current.report.counters.bytesSent) - Int64(previous?.report.counters.bytesSent ?? 0)))
        }
    }
    return rows
}

public func formatTransitionBenchmark(_ rows: [TransitionBenchmarkRow]) -> String {
    var lines = ["nodes  phase    wall_s   sim_ms    messages  bytes"]
    for row in rows {
        lines.append([
            "\(row.nodes)".padding(toLength: 7, withPad: " ", startingAt: 0),
            row.phase.padding(toLength: 9, withPad: " ", startingAt: 0),
            String(format: "%-8.2f", row.wallSeconds),
            String(format: "%-9.1f", row.simulatedMilliseconds),
            "\(row.messages)".padding(toLength: 10, withPad: " ", startingAt: 0),
            "\(row.bytes)",
        ].joined())
    }
    return lines.joined(separator: "\n")
}
