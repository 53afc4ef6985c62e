/// One timed operation: the median over several batches of the time per iteration.
public struct Measurement: Sendable {
    public let name: String
    public let nanosecondsPerOperation: Double
    public let note: String

    public init(name: String, nanosecondsPerOperation: Double, note: String = "") {
        self.name = name
        self.nanosecondsPerOperation = nanosecondsPerOperation
        self.note = note
    }
}

/// Keeps results alive so the optimiser cannot drop the work being timed.
@usableFromInline nonisolated(unsafe) var benchmarkSink: UInt64 = 0

/// Times `body` (which does `iterations` operations) over `batches` runs and returns the
/// median nanoseconds per operation. Medians resist the occasional scheduler hiccup.
public func measure(
    _ name: String, iterations: Int, batches: Int = 7, note: String = "", _ body: () -> UInt64
) -> Measurement {
    benchmarkSink &+= body()  // warm-up
    let clock = ContinuousClock()
    var samples = [Double]()
    for _ in 0..<batches {
        var result: UInt64 = 0
        let elapsed = clock.measure { result = body() }
        benchmarkSink &+= result
        let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        samples.append(nanoseconds / Double(iterations))
    }
    samples.sort()
    return Measurement(name: name, nanosecondsPerOperation: samples[samples.count / 2], note: note)
}

/// A fixed-width text table of measurements.
public func formatMeasurements(_ measurements: [Measurement]) -> String {
    let width = max(10, measurements.map(\.name.count).max() ?? 0)
    var lines = ["\("operation".padding(toLength: width, withPad: " ", startingAt: 0))  ns/op         note"]
    for m in measurements {
        let value = String(describing: (m.nanosecondsPerOperation * 10).rounded() / 10)
        lines.append("\(m.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(value.padding(toLength: 12, withPad: " ", startingAt: 0))  \(m.note)")
    }
    return lines.joined(separator: "\n")
}
