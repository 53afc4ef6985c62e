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
