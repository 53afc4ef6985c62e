// Small protocols the engine is tested and benchmarked with. They are real processes run by
// the real engine, not mocks: ping/echo, gossip, a toy quorum, and the classic hold model.

/// A toy message with a size and a payload of a few integers.
public struct ToyMessage: SimMessage, Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case ping, echo, rumour, vote, decide, data }
    public var kind: Kind
    public var value: Int
    public var sequence: Int
    public var size: Int

    public init(kind: Kind, value: Int = 0, sequence: Int = 0, size: Int = 64) {
        self.kind = kind
        self.value = value
        self.sequence = sequence
        self.size = size
    }

    public var wireSize: Int { size }
    public var traceFingerprint: UInt64 { UInt64(bitPattern: Int64(value &* 31 &+ sequence)) }
    public var traceKind: StaticString {
        switch kind {
        case .ping: "toy.ping"
        case .echo: "toy.echo"
        case .rumour: "toy.rumour"
        case .vote: "toy.vote"
        case .decide: "toy.decide"
        case .data: "toy.data"
        }
    }
}

/// Sends `count` pings to `peer` (one every `interval`) and records when echoes and pings
/// arrive; answers every ping with an echo. Charges `computePerMessage` for each input.
/// `received` is volatile; `durableHandledCount` (every message handled) survives crashes.
public struct PingEchoProcess: SimulatedProcess {
    public var peer: Int?
    public var count: Int
    public var interval: SimDuration
    public var size: Int
    public var computePerMessage: SimDuration
    public var received: [(from: Int, sequence: Int, at: SimInstant, kind: ToyMessage.Kind)] = []
    public var durableHandledCount = 0
    public var random: RandomStream
    /// Draws made at start (to check stream independence).
    public var startDraws: [UInt64] = []

    public init(peer: Int?, count: Int = 0, interval: SimDuration = .milliseconds(1), size: Int = 64,
                computePerMessage: SimDuration = .zero, random: RandomStream) {
        self.peer = peer
        self.count = count
        self.interval = interval
        self.size = size
        self.computePerMessage = computePerMessage
        self.random = random
    }

    public mutating func start(_ context: inout ProcessContext<ToyMessage>) {
        startDraws = (0..<4).map { _ in random.next() }
        if peer != nil, count > 0 { context.setTimer(0, after: .zero) }
    }

    public mutating func timerFired(_ timer: TimerID, _ context: inout ProcessContext<ToyMessage>) {
        guard let peer else { return }
        context.send(ToyMessage(kind: .ping, sequence: Int(timer), size: size), to: peer)
        if Int(timer) + 1 < count { context.setTimer(timer + 1, after: interval) }
    }

    public mutating func receive(_ message: ToyMessage, from sender: Int, _ context: inout ProcessContext<ToyMessage>) {
        context.charge(computePerMessage)
        received.append((sender, message.sequence, context.now, message.kind))
        durableHandledCount += 1
        if message.kind == .ping {
            context.send(ToyMessage(kind: .echo, sequence: message.sequence, size: message.size), to: sender)
        }
    }

    public mutating func crash() { received = [] }
}

/// Push gossip: the origin starts a rumour; every node that first hears it forwards it to
/// `fanout` peers drawn from its own stream.
public struct GossipProcess: SimulatedProcess {
    public let nodeCount: Int
    public let fanout: Int
    public let isOrigin: Bool
    public var heardAt: SimInstant?
    public var random: RandomStream

    public init(nodeCount: Int, fanout: Int, isOrigin: Bool, random: RandomStream) {
        self.nodeCount = nodeCount
        self.fanout = fanout
        self.isOrigin = isOrigin
        self.random = random
    }

    public mutating func start(_ context: inout ProcessContext<ToyMessage>) {
        if isOrigin { spread(&context) }
    }

    public mutating func receive(_ message: ToyMessage, from sender: Int, _ context: inout ProcessContext<ToyMessage>) {
        context.charge(.microseconds(50))
        if heardAt == nil { spread(&context) }
    }

    public mutating func timerFired(_ timer: TimerID, _ context: inout ProcessContext<ToyMessage>) {}

    mutating func spread(_ context: inout ProcessContext<ToyMessage>) {
        heardAt = context.now
        context.output("heard rumour")
        for _ in 0..<fanout {
            let target = Int(random.next(below: UInt64(nodeCount)))
            if target != context.endpoint { context.send(ToyMessage(kind: .rumour, size: 128), to: target) }
        }
    }
}

/// A toy quorum: a leader asks everyone to vote; it decides once `quorum` votes arrived, or
/// gives up when its timer fires first.
public struct QuorumProcess: SimulatedProcess {
    public let nodeCount: Int
    public let quorum: Int
    public let isLeader: Bool
    public let timeout: SimDuration
    public var votes: Set<Int> = []
    public var decidedAt: SimInstant?
    public var gaveUp = false

    public init(nodeCount: Int, quorum: Int, isLeader: Bool, timeout: SimDuration) {
        self.nodeCount = nodeCount
        self.quorum = quorum
        self.isLeader = isLeader
        self.timeout = timeout
    }

    public mutating func start(_ context: inout ProcessContext<ToyMessage>) {
        guard isLeader else { return }
        for peer in 0..<nodeCount where peer != context.endpoint { context.send(ToyMessage(kind: .vote), to: peer) }
        votes.insert(context.endpoint)
        context.setTimer(1, after: timeout)
    }

    public mutating func receive(_ message: ToyMessage, from sender: Int, _ context: inout ProcessContext<ToyMessage>) {
        context.charge(.microseconds(100))
        switch message.kind {
        case .vote where !isLeader:
            context.send(ToyMessage(kind: .decide, value: 1), to: sender)
        case .decide where isLeader && decidedAt == nil && !gaveUp:
            votes.insert(sender)
            if votes.count >= quorum {
                decidedAt = context.now
                context.cancelTimer(1)
                context.output("decided with \(votes.count) votes")
            }
        default:
            break
        }
    }

    public mutating func timerFired(_ timer: TimerID, _ context: inout ProcessContext<ToyMessage>) {
        if decidedAt == nil {
            gaveUp = true
            context.output("quorum timed out")
        }
    }
}

/// The hold model (a standard event-set benchmark): `initialEvents` pending events; each
/// step takes the earliest and schedules one more at now + DELAY[k mod 65536], k counting
/// events created so far; DELAY[i] = 1 + (i-th SplitMix64 output, seed 42) mod 1000.
/// It runs as timers of one process, through the real engine's queue and dispatch.
public struct HoldModelProcess: SimulatedProcess {
    public typealias Message = ToyMessage
    public static let delays: [Int64] = {
        var generator = SplitMix64(seed: 42)
        return (0..<65536).map { _ in 1 + Int64(generator.next() % 1000) }
    }()

    public let initialEvents: Int
    public let totalEvents: Int
    public let checksumEvents: Int
    public private(set) var created = 0
    public private(set) var popped = 0
    public private(set) var checksum: Int64 = 0
    let delays = HoldModelProcess.delays

    public init(initialEvents: Int = 10_000, totalEvents: Int, checksumEvents: Int = 100_000) {
        self.initialEvents = initialEvents
        self.totalEvents = totalEvents
        self.checksumEvents = checksumEvents
    }

    public mutating func start(_ context: inout ProcessContext<ToyMessage>) {
        for index in 0..<initialEvents { context.setTimer(0, after: SimDuration(nanoseconds: delays[index])) }
        created = initialEvents
    }

    public mutating func timerFired(_ timer: TimerID, _ context: inout ProcessContext<ToyMessage>) {
        if popped < checksumEvents { checksum &+= context.now.nanoseconds }
        popped += 1
        if popped >= totalEvents {
            context.stopSimulation()
            return
        }
        context.setTimer(0, after: SimDuration(nanoseconds: delays[created & 65535]))
        created += 1
    }

    public mutating func receive(_ message: ToyMessage, from sender: Int, _ context: inout ProcessContext<ToyMessage>) {}
}

/// A complete toy run for determinism checks: gossip among `nodes` endpoints with lognormal
/// latency, 1% loss, 1% duplication, a partition and a crash. Returns the trace digest.
public func runToyGossip(nodes: Int, seed: UInt64) -> (digest: String, events: UInt64, stop: StopReason) {
    let tree = RandomTree(rootSeed: seed)
    let processes = (0..<nodes).map { GossipProcess(nodeCount: nodes, fanout: 4, isOrigin: $0 == 0, random: tree.stream(.node, $0)) }
    let network = NetworkModel(
        latency: .distribution(.lognormal(mean: .milliseconds(40), standardDeviation: .milliseconds(10), minimum: .milliseconds(1))),
        uplinkBitsPerSecond: 1_000_000_000, loss: Probability(numerator: 1, denominator: 100),
        duplicate: Probability(numerator: 1, denominator: 100))
    let half = Array(0..<(nodes / 2))
    let faults = FaultSchedule(
        partitions: [Partition(window: TimeWindow(at: .milliseconds(50), for: .milliseconds(60)),
                               shape: .groups([half, Array((nodes / 2)..<nodes)]))],
        hostFaults: [.crash(endpoints: [nodes - 1], at: SimInstant(nanoseconds: 30_000_000), restart: SimInstant(nanoseconds: 90_000_000))])
    var simulator = Simulator(processes: processes, network: network, faults: faults, randomTree: tree)
    let stop = simulator.run(until: SimInstant(nanoseconds: 10_000_000_000))
    return (simulator.trace.digestHex, simulator.counters.events, stop)
}
