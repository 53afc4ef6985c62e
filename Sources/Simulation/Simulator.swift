/// Per-endpoint settings the engine applies.
public struct EndpointSettings: Hashable, Sendable {
    /// Compute time is multiplied by this factor, in thousandths (1000 = as measured,
    /// 3000 = three times slower), so it stays integer arithmetic.
    public var cpuFactorPermille: Int64

    public init(cpuFactorPermille: Int64 = 1000) {
        precondition(cpuFactorPermille > 0, "CPU factor must be positive")
        self.cpuFactorPermille = cpuFactorPermille
    }
}

/// Why a run ended.
public enum StopReason: String, Sendable {
    /// No events were left.
    case quiescent = "quiescent"
    /// The next event lay past the simulated-time limit.
    case timeLimit = "time-limit"
    /// The event limit was reached.
    case eventLimit = "event-limit"
    /// A process asked to stop.
    case requested = "requested"
}

/// Counts the engine keeps for metrics and reports.
public struct EngineCounters: Sendable {
    public var events: UInt64 = 0
    public var messagesSent: UInt64 = 0
    public var messagesDelivered: UInt64 = 0
    public var messagesDropped: UInt64 = 0
    public var messagesDuplicated: UInt64 = 0
    public var bytesSent: UInt64 = 0
    /// Indexed by DropReason.rawValue.
    public var dropsByReason = [UInt64](repeating: 0, count: DropReason.allCases.count + 1)
    public var sentMessagesByEndpoint: [UInt64]
    public var sentBytesByEndpoint: [UInt64]
    public var receivedMessagesByEndpoint: [UInt64]
    public var receivedBytesByEndpoint: [UInt64]
    public var busyNanosecondsByEndpoint: [Int64]

    init(endpoints: Int) {
        sentMessagesByEndpoint = Array(repeating: 0, count: endpoints)
        sentBytesByEndpoint = Array(repeating: 0, count: endpoints)
        receivedMessagesByEndpoint = Array(repeating: 0, count: endpoints)
        receivedBytesByEndpoint = Array(repeating: 0, count: endpoints)
        busyNanosecondsByEndpoint = Array(repeating: 0, count: endpoints)
    }
}

/// The discrete-event engine: a virtual clock, an event queue ordered by (time, sequence),
/// one host per endpoint with an inbox, the network model and the fault schedule.
///
/// A host handles one input at a time. The compute time its process charges (times the host's
/// CPU factor) keeps it busy; inputs arriving meanwhile wait in its inbox, and the messages
/// and timers it produced take effect when the compute ends. Nothing here reads a wall clock.
///
/// A struct, not a class: the run loop then touches its state through statically checked
/// accesses instead of a dynamic exclusivity check per property access (about 40% of the
/// engine's time per event when it was a class).
public struct Simulator<Process: SimulatedProcess> {
    public typealias Message = Process.Message

    enum Event {
        case start(host: Int32)
        /// `senderIncarnation` and `sentAt` let a delivery be voided when the sender crashed
        /// before the end of the compute that produced it.
        case deliver(to: Int32, from: Int32, id: UInt64, message: Message, duplicate: Bool,
                     senderIncarnation: UInt32, sentAt: SimInstant)
        case timer(host: Int32, id: TimerID, token: UInt64, incarnation: UInt32)
        case ready(host: Int32, incarnation: UInt32)
        case crash(host: Int32)
        case restart(host: Int32)
        case pause(host: Int32)
        case resume(host: Int32)
    }

    enum InboxItem {
        case message(from: Int32, message: Message)
        case timer(TimerID)
    }

    struct Host {
        var up = true
        var paused = false
        var busyUntil = SimInstant.zero
        var readyScheduled = false
        var incarnation: UInt32 = 0
        var inbox: [InboxItem] = []
        var inboxHead = 0
        var timerTokens: UInt64 = 0
        /// id → the last token cancelled; timers with that id and a token up to it are void.
        var cancelledUpTo: [TimerID: UInt64] = [:]
        var uplinkFreeAt = SimInstant.zero
        var cpuFactorPermille: Int64
        /// When each past incarnation ended (index = incarnation).
        var incarnationEndedAt: [SimInstant] = []

        var inboxIsEmpty: Bool { inboxHead == inbox.count }

        mutating func popInbox() -> InboxItem? {
            guard inboxHead < inbox.count else { return nil }
            let item = inbox[inboxHead]
            inboxHead += 1
            if inboxHead == inbox.count {
                inbox.removeAll(keepingCapacity: true)
                inboxHead = 0
            }
            return item
        }
    }

    public private(set) var processes: [Process]
    public private(set) var now = SimInstant.zero
    public private(set) var counters: EngineCounters
    public private(set) var trace: TraceRecorder
    public let network: NetworkModel
    public let faults: FaultSchedule

    var queue = EventQueue<Event>()
    var hosts: [Host]
    var networkStreams: [RandomStream]
    var lastArrivalOnLink: [Int64]
    var nextMessageID: UInt64 = 1
    var actionBuffer: [ProcessAction<Message>] = []
    var started = false
    var stopRequested = false

    public var endpointCount: Int { processes.count }

    /// - Parameters:
    ///   - processes: one per endpoint, endpoint id = index.
    ///   - randomTree: the network draws come from `.network` streams, one per sender, so
    ///     one endpoint's traffic does not shift another's draws.
    public init(
        processes: [Process], network: NetworkModel, faults: FaultSchedule = FaultSchedule(),
        settings: [EndpointSettings]? = nil, randomTree: RandomTree, trace: TraceRecorder = TraceRecorder()
    ) {
        let count = processes.count
        precondition(settings == nil || settings!.count == count, "one EndpointSettings per process")
        self.processes = processes
        self.network = network
        self.faults = faults
        self.trace = trace
        counters = EngineCounters(endpoints: count)
        hosts = (0..<count).map { Host(cpuFactorPermille: settings?[$0].cpuFactorPermille ?? 1000) }
        networkStreams = (0..<count).map { randomTree.stream(.network, $0) }
        lastArrivalOnLink = network.reorder ? [] : Array(repeating: 0, count: count * count)
    }

    /// Runs until no events are left, the next event is past `stop`, `maxEvents` events have
    /// run in total, or a process asks to stop. It can be called again to continue.
    @discardableResult
    public mutating func run(until stop: SimInstant, maxEvents: UInt64 = .max) -> StopReason {
        if !started { scheduleStart() }
        stopRequested = false
        while let next = queue.nextTime() {
            if next > stop {
                now = max(now, stop)
                return .timeLimit
            }
            if counters.events >= maxEvents { return .eventLimit }
            let (time, event) = queue.popFirst()!
            now = time
            counters.events &+= 1
            dispatch(event)
            if stopRequested { return .requested }
        }
        return .quiescent
    }

    private mutating func scheduleStart() {
        started = true
        for host in hosts.indices { queue.schedule(.start(host: Int32(host)), at: .zero) }
        for fault in faults.hostFaults {
            switch fault {
            case let .crash(endpoints, at, restart):
                for endpoint in endpoints where hosts.indices.contains(endpoint) {
                    queue.schedule(.crash(host: Int32(endpoint)), at: at)
                    if let restart { queue.schedule(.restart(host: Int32(endpoint)), at: restart) }
                }
            case let .pause(endpoints, window):
                for endpoint in endpoints where hosts.indices.contains(endpoint) {
                    queue.schedule(.pause(host: Int32(endpoint)), at: window.start)
                    queue.schedule(.resume(host: Int32(endpoint)), at: window.end)
                }
            }
        }
    }

    // MARK: Dispatch

    private mutating func dispatch(_ event: Event) {
        switch event {
        case let .start(host):
            let index = Int(host)
            trace.record(.start, time: now, endpoint: index)
            runHandler(index, request: nil) { process, context in process.start(&context) }
        case let .deliver(to, from, id, message, duplicate, senderIncarnation, sentAt):
            let sender = Int(from)
            if senderIncarnation != hosts[sender].incarnation,
               hosts[sender].incarnationEndedAt[Int(senderIncarnation)] < sentAt {
                drop(id: id, from: sender, to: Int(to), bytes: message.wireSize, reason: .senderDown, kind: message.traceKind, request: message.traceRequest)
                return
            }
            deliver(to: Int(to), from: sender, id: id, message: message, duplicate: duplicate)
        case let .timer(host, id, token, incarnation):
            let index = Int(host)
            guard hosts[index].incarnation == incarnation, hosts[index].up else { return }
            if !hosts[index].cancelledUpTo.isEmpty, let cancelled = hosts[index].cancelledUpTo[id], token <= cancelled {
                return
            }
            arrive(index, .timer(id))
        case let .ready(host, incarnation):
            let index = Int(host)
            guard hosts[index].incarnation == incarnation else { return }
            hosts[index].readyScheduled = false
            processInbox(index)
        case let .crash(host):
            crash(Int(host))
        case let .restart(host):
            restart(Int(host))
        case let .pause(host):
            let index = Int(host)
            hosts[index].paused = true
            trace.record(.pause, time: now, endpoint: index)
        case let .resume(host):
            let index = Int(host)
            hosts[index].paused = false
            trace.record(.resume, time: now, endpoint: index)
            processInbox(index)
        }
    }

    private mutating func deliver(to receiver: Int, from sender: Int, id: UInt64, message: Message, duplicate: Bool) {
        let bytes = message.wireSize
        guard hosts[receiver].up else {
            drop(id: id, from: sender, to: receiver, bytes: bytes, reason: .receiverDown, kind: message.traceKind, request: message.traceRequest)
            return
        }
        counters.messagesDelivered &+= 1
        counters.receivedMessagesByEndpoint[receiver] &+= 1
        counters.receivedBytesByEndpoint[receiver] &+= UInt64(bytes)
        trace.record(duplicate ? .duplicate : .deliver, time: now, endpoint: receiver, peer: sender,
                     messageID: id, bytes: bytes, label: message.traceKind, fingerprint: message.traceFingerprint, request: message.traceRequest)
        arrive(receiver, .message(from: Int32(sender), message: message))
    }

    /// An input reached a live host: handle it now if the host is idle, else queue it.
    private mutating func arrive(_ index: Int, _ item: InboxItem) {
        if case let .timer(id) = item {
            trace.record(.timer, time: now, endpoint: index, messageID: id)
        }
        if hosts[index].paused || now < hosts[index].busyUntil || !hosts[index].inboxIsEmpty {
            hosts[index].inbox.append(item)
            scheduleReady(index)
        } else {
            handle(index, item)
        }
    }

    private mutating func processInbox(_ index: Int) {
        guard hosts[index].up, !hosts[index].paused else { return }
        if now < hosts[index].busyUntil {
            scheduleReady(index)
            return
        }
        if let item = hosts[index].popInbox() { handle(index, item) }
        if !hosts[index].inboxIsEmpty { scheduleReady(index) }
    }

    private mutating func scheduleReady(_ index: Int) {
        guard !hosts[index].readyScheduled, !hosts[index].paused, hosts[index].up else { return }
        hosts[index].readyScheduled = true
        queue.schedule(.ready(host: Int32(index), incarnation: hosts[index].incarnation),
                       at: max(now, hosts[index].busyUntil))
    }

    private mutating func handle(_ index: Int, _ item: InboxItem) {
        switch item {
        case let .message(from, message):
            runHandler(index, request: message.traceRequest) { process, context in process.receive(message, from: Int(from), &context) }
        case let .timer(id):
            runHandler(index, request: nil) { process, context in process.timerFired(id, &context) }
        }
    }

    /// Runs one handler of a host's process and applies its actions at the end of its compute.
    /// `request`: the client request the input belongs to, for the compute span's trace event.
    private mutating func runHandler(_ index: Int, request: @autoclosure () -> TraceRequest?,
                                     _ body: (inout Process, inout ProcessContext<Message>) -> Void) {
        var context = ProcessContext<Message>(now: now, endpoint: index, event: counters.events, actions: actionBuffer,
                                              cpuFactorPermille: hosts[index].cpuFactorPermille)
        actionBuffer = []
        body(&processes[index], &context)
        let busy = context.effectTime - now
        if busy.nanoseconds > 0 {
            hosts[index].busyUntil = now + busy
            counters.busyNanosecondsByEndpoint[index] &+= busy.nanoseconds
            trace.record(.compute, time: now, endpoint: index, duration: busy, request: request())
        }
        let end = now + busy
        for action in context.actions {
            switch action {
            case let .send(message, receiver):
                transmit(message, from: index, to: receiver, at: end)
            case let .setTimer(id, delay):
                hosts[index].timerTokens &+= 1
                queue.schedule(.timer(host: Int32(index), id: id, token: hosts[index].timerTokens,
                                      incarnation: hosts[index].incarnation), at: end + delay)
            case let .cancelTimer(id):
                hosts[index].cancelledUpTo[id] = hosts[index].timerTokens
            case let .output(text):
                trace.record(.output, time: end, endpoint: index, text: text)
            case .stopSimulation:
                stopRequested = true
            }
        }
        context.actions.removeAll(keepingCapacity: true)
        actionBuffer = context.actions
        if busy.nanoseconds > 0 && !hosts[index].inboxIsEmpty { scheduleReady(index) }
    }

    // MARK: Network

    /// send → uplink serialisation → partition and loss checks → latency → clog hold → FIFO →
    /// delivery (and perhaps a duplicate).
    private mutating func transmit(_ message: Message, from sender: Int, to receiver: Int, at time: SimInstant) {
        precondition(receiver >= 0 && receiver < hosts.count, "a process sent to endpoint \(receiver), which does not exist")
        let bytes = message.wireSize
        let id = nextMessageID
        nextMessageID &+= 1
        counters.messagesSent &+= 1
        counters.bytesSent &+= UInt64(bytes)
        counters.sentMessagesByEndpoint[sender] &+= 1
        counters.sentBytesByEndpoint[sender] &+= UInt64(bytes)
        trace.record(.send, time: time, endpoint: sender, peer: receiver, messageID: id, bytes: bytes,
                     label: message.traceKind, fingerprint: message.traceFingerprint, request: message.traceRequest)

        var departure = time
        let serialisation = network.serialisationDelay(bytes: bytes)
        if serialisation.nanoseconds > 0 {
            departure = max(time, hosts[sender].uplinkFreeAt) + serialisation
            hosts[sender].uplinkFreeAt = departure
        }

        var loss = network.loss
        var latencyOverride: LatencyDistribution?
        if faults.affectsLinks {
            for partition in faults.partitions where partition.window.contains(time) && partition.cuts(from: sender, to: receiver) {
                drop(id: id, from: sender, to: receiver, bytes: bytes, reason: .partition, kind: message.traceKind, request: message.traceRequest, at: time)
                return
            }
            for link in faults.linkOverrides where link.from == sender && link.to == receiver && link.window.contains(time) {
                if let linkLoss = link.loss { loss = linkLoss }
                if let linkLatency = link.latency { latencyOverride = linkLatency }
            }
        }
        // Each transmission may be lost; a reliable transport sends it again after its timeout.
        var transmissions = 0
        while networkStreams[sender].happens(loss) {
            drop(id: id, from: sender, to: receiver, bytes: bytes, reason: .loss, kind: message.traceKind, request: message.traceRequest, at: departure)
            guard let timeout = network.retransmission, transmissions < network.maxRetransmissions else { return }
            transmissions += 1
            departure = departure + timeout
        }
        let arrival = arrivalTime(from: sender, to: receiver, departure: departure, latencyOverride: latencyOverride)
        let incarnation = hosts[sender].incarnation
        queue.schedule(.deliver(to: Int32(receiver), from: Int32(sender), id: id, message: message, duplicate: false,
                                senderIncarnation: incarnation, sentAt: time), at: arrival)
        if networkStreams[sender].happens(network.duplicate) {
            counters.messagesDuplicated &+= 1
            let second = arrivalTime(from: sender, to: receiver, departure: departure, latencyOverride: latencyOverride)
            queue.schedule(.deliver(to: Int32(receiver), from: Int32(sender), id: id, message: message, duplicate: true,
                                    senderIncarnation: incarnation, sentAt: time), at: second)
        }
    }

    private mutating func arrivalTime(from sender: Int, to receiver: Int, departure: SimInstant,
                             latencyOverride: LatencyDistribution?) -> SimInstant {
        let latency: SimDuration
        if let latencyOverride {
            latency = latencyOverride.sample(using: &networkStreams[sender])
        } else {
            switch network.latency {
            case let .distribution(distribution):
                latency = distribution.sample(using: &networkStreams[sender])
            case let .regions(regions):
                latency = regions.sample(from: sender, to: receiver, using: &networkStreams[sender])
            }
        }
        var arrival = departure + latency
        // A clogged link holds what was sent into it and releases it when the clog clears.
        for clog in faults.clogs where clog.from == sender && clog.to == receiver && clog.window.contains(departure) {
            arrival = max(arrival, clog.window.end + latency)
        }
        if !network.reorder {
            let link = sender * hosts.count + receiver
            arrival = SimInstant(nanoseconds: max(arrival.nanoseconds, lastArrivalOnLink[link]))
            lastArrivalOnLink[link] = arrival.nanoseconds
        }
        return arrival
    }

    private mutating func drop(id: UInt64, from sender: Int, to receiver: Int, bytes: Int, reason: DropReason,
                      kind: StaticString, request: @autoclosure () -> TraceRequest? = nil, at time: SimInstant? = nil) {
        counters.messagesDropped &+= 1
        counters.dropsByReason[Int(reason.rawValue)] &+= 1
        trace.record(.drop, time: time ?? now, endpoint: receiver, peer: sender, messageID: id, bytes: bytes,
                     label: kind, dropReason: reason, request: request())
    }

    // MARK: Host faults

    private mutating func crash(_ index: Int) {
        guard hosts[index].up else { return }
        hosts[index].up = false
        hosts[index].incarnationEndedAt.append(now)
        hosts[index].incarnation &+= 1
        hosts[index].inbox.removeAll()
        hosts[index].inboxHead = 0
        hosts[index].cancelledUpTo.removeAll()
        hosts[index].readyScheduled = false
        hosts[index].busyUntil = now
        processes[index].crash()
        trace.record(.crash, time: now, endpoint: index)
    }

    private mutating func restart(_ index: Int) {
        guard !hosts[index].up else { return }
        hosts[index].up = true
        trace.record(.restart, time: now, endpoint: index)
        runHandler(index, request: nil) { process, context in process.restart(&context) }
    }

    /// Whether an endpoint is currently up (not crashed).
    public func isUp(_ endpoint: Int) -> Bool { hosts[endpoint].up }
}
