import LitNetwork
import Simulation

/// Result of the hold model through the engine, beside a bare array-heap loop doing the
/// same work in the same process.
public struct HoldModelResult: Sendable {
    public let events: Int
    public let checksum: Int64
    public let engineEventsPerSecond: Double
    public let bareLoopEventsPerSecond: Double
    public let bareChecksum: Int64
}

/// Runs the hold model of `events` pops through the real engine (timers of one process) and
/// through a bare loop, each timed with the monotonic clock; the faster of three runs is kept.
/// With `digest`, the trace digest is computed as in a network run (swift-crypto's SHA-256).
public func runHoldModel(events: Int, digest: Bool = false) -> HoldModelResult {
    let clock = ContinuousClock()
    var best = Double.infinity
    var checksum: Int64 = 0
    for _ in 0..<3 {
        let process = HoldModelProcess(totalEvents: events)
        var simulator = Simulator(processes: [process], network: NetworkModel(),
                                  randomTree: RandomTree(rootSeed: 0),
                                  trace: TraceRecorder(retention: digest ? .digestOnly : .disabled, digestFunction: SwiftCryptoSHA256()))
        let elapsed = clock.measure { simulator.run(until: .distantFuture) }
        checksum = simulator.processes[0].checksum
        best = min(best, seconds(elapsed))
    }
    var bareBest = Double.infinity
    var bareChecksum: Int64 = 0
    for _ in 0..<3 {
        var result: Int64 = 0
        let elapsed = clock.measure { result = bareHoldLoop(events: events) }
        bareChecksum = result
        bareBest = min(bareBest, seconds(elapsed))
    }
    return HoldModelResult(events: events, checksum: checksum, engineEventsPerSecond: Double(events) / best,
                           bareLoopEventsPerSecond: Double(events) / bareBest, bareChecksum: bareChecksum)
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// The same model on a minimal binary heap of (time, sequence) pairs: the yardstick.
func bareHoldLoop(events: Int) -> Int64 {
    let delays = HoldModelProcess.delays
    var heap = [(time: Int64, sequence: Int64)]()
    heap.reserveCapacity(10_001)
    var sequence: Int64 = 0
    func less(_ a: (time: Int64, sequence: Int64), _ b: (time: Int64, sequence: Int64)) -> Bool {
        a.time < b.time || (a.time == b.time && a.sequence < b.sequence)
    }
    func push(_ entry: (time: Int64, sequence: Int64)) {
        heap.append(entry)
        var index = heap.count - 1
        while index > 0 {
            let parent = (index - 1) / 2
            guard less(entry, heap[parent]) else { break }
            heap[index] = heap[parent]
            index = parent
        }
        heap[index] = entry
    }
    func pop() -> (time: Int64, sequence: Int64) {
        let first = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            var index = 0
            let count = heap.count
            while true {
                let left = 2 * index + 1
                guard left < count else { break }
                var child = left
                if left + 1 < count && less(heap[left + 1], heap[left]) { child = left + 1 }
                guard less(heap[child], last) else { break }
                heap[index] = heap[child]
                index = child
            }
            heap[index] = last
        }
        return first
    }
    for index in 0..<10_000 {
        push((delays[index], sequence))
        sequence += 1
    }
    var created = 10_000
    var checksum: Int64 = 0
    for popped in 0..<events {
        let (time, _) = pop()
        if popped < 100_000 { checksum &+= time }
        push((time + delays[created & 65535], sequence))
        sequence += 1
        created += 1
    }
    return checksum
}
