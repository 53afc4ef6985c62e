/// A half-open window of virtual time [start, end).
public struct TimeWindow: Hashable, Sendable {
    public var start: SimInstant
    public var end: SimInstant

    public init(start: SimInstant, end: SimInstant) {
        self.start = start
        self.end = end
    }

    public init(at start: SimDuration, for length: SimDuration) {
        self.start = SimInstant(nanoseconds: start.nanoseconds)
        end = self.start + length
    }

    @inlinable public func contains(_ time: SimInstant) -> Bool { time >= start && time < end }
}

/// A network partition: messages from one side to the other are dropped while it lasts.
public struct Partition: Hashable, Sendable {
    public enum Shape: Hashable, Sendable {
        /// Endpoints in different groups cannot talk, in either direction. Endpoints in no
        /// group (clients, usually) are not affected.
        case groups([[Int]])
        /// Messages from `from` to `to` are dropped; the other direction works.
        case oneWay(from: [Int], to: [Int])
    }

    public var window: TimeWindow
    public var shape: Shape

    public init(window: TimeWindow, shape: Shape) {
        self.window = window
        self.shape = shape
    }

    func cuts(from sender: Int, to receiver: Int) -> Bool {
        switch shape {
        case let .groups(groups):
            guard let a = groups.firstIndex(where: { $0.contains(sender) }),
                  let b = groups.firstIndex(where: { $0.contains(receiver) }) else { return false }
            return a != b
        case let .oneWay(from, to):
            return from.contains(sender) && to.contains(receiver)
        }
    }
}

/// A clogged link: messages are held, not lost, and all arrive once it clears.
public struct Clog: Hashable, Sendable {
    public var window: TimeWindow
    public var from: Int
    public var to: Int

    public init(window: TimeWindow, from: Int, to: Int) {
        self.window = window
        self.from = from
        self.to = to
    }
}

/// Different loss or latency on one directed link for a while.
public struct LinkOverride: Hashable, Sendable {
    public var window: TimeWindow
    public var from: Int
    public var to: Int
    public var loss: Probability?
    public var latency: LatencyDistribution?

    public init(window: TimeWindow, from: Int, to: Int, loss: Probability? = nil, latency: LatencyDistribution? = nil) {
        self.window = window
        self.from = from
        self.to = to
        self.loss = loss
        self.latency = latency
    }
}

/// What happens to hosts, and when.
public enum HostFault: Hashable, Sendable {
    /// Crash at `at` (volatile state and inbox lost); restart at `restart` if given.
    case crash(endpoints: [Int], at: SimInstant, restart: SimInstant?)
    /// Stop handling anything (a GC pause, a hung VM) for the window; the inbox keeps filling.
    case pause(endpoints: [Int], window: TimeWindow)
}

/// Every fault of a run as data: TigerBeetle's rule, faults are values, not code paths.
public struct FaultSchedule: Hashable, Sendable {
    public var partitions: [Partition] = []
    public var clogs: [Clog] = []
    public var linkOverrides: [LinkOverride] = []
    public var hostFaults: [HostFault] = []

    public init(partitions: [Partition] = [], clogs: [Clog] = [], linkOverrides: [LinkOverride] = [], hostFaults: [HostFault] = []) {
        self.partitions = partitions
        self.clogs = clogs
        self.linkOverrides = linkOverrides
        self.hostFaults = hostFaults
    }

    var affectsLinks: Bool { !partitions.isEmpty || !clogs.isEmpty || !linkOverrides.isEmpty }
}

/// The network every message crosses.
public struct NetworkModel: Hashable, Sendable {
    public enum Latency: Hashable, Sendable {
        case distribution(LatencyDistribution)
        case regions(RegionLatency)
    }

    public var latency: Latency
    /// Per-endpoint uplink in bits per second; nil is unlimited (no serialisation delay).
    public var uplinkBitsPerSecond: Int64?
    public var loss: Probability
    public var duplicate: Probability
    /// false: each directed link delivers in sending order (FIFO).
    public var reorder: Bool
    /// nil: a lost message is gone (datagrams). Otherwise a reliable transport, as TCP is:
    /// each lost transmission is sent again after this timeout, up to `maxRetransmissions`
    /// times, so loss becomes delay. Partitions still drop (the connection is broken).
    public var retransmission: SimDuration?
    public var maxRetransmissions: Int

    public init(
        latency: Latency = .distribution(.constant(.milliseconds(1))),
        uplinkBitsPerSecond: Int64? = nil, loss: Probability = .never, duplicate: Probability = .never,
        reorder: Bool = false, retransmission: SimDuration? = nil, maxRetransmissions: Int = 5
    ) {
        self.latency = latency
        self.uplinkBitsPerSecond = uplinkBitsPerSecond
        self.loss = loss
        self.duplicate = duplicate
        self.reorder = reorder
        self.retransmission = retransmission
        self.maxRetransmissions = maxRetransmissions
    }

    /// Time to put `bytes` on a link of this uplink, rounded up to a nanosecond.
    public func serialisationDelay(bytes: Int) -> SimDuration {
        guard let bits = uplinkBitsPerSecond, bits > 0, bytes > 0 else { return .zero }
        let numerator = Int64(bytes) * 8 * 1_000_000_000
        return SimDuration(nanoseconds: (numerator + bits - 1) / bits)
    }
}
