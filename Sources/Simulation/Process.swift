/// A message as the engine sees it: its exact size on the wire (from the real encoding) and
/// a short kind for the trace. The payload itself travels as a typed Swift value.
public protocol SimMessage {
    var wireSize: Int { get }
    var traceKind: StaticString { get }
    /// A few bytes that change with the message's contents (for signed messages, part of the
    /// signature), so that the trace digest covers what was said and not only when.
    var traceFingerprint: UInt64 { get }
    /// The client request and attempt the message belongs to, if any (kept on trace events
    /// for `litsim explain`; not part of the digest, which the fingerprint already covers).
    var traceRequest: TraceRequest? { get }
}

extension SimMessage {
    public var traceFingerprint: UInt64 { 0 }
    public var traceRequest: TraceRequest? { nil }
}

/// A client request and one of its attempts, as trace events name them.
public struct TraceRequest: Hashable, Sendable {
    public let request: Int
    public let attempt: Int

    public init(request: Int, attempt: Int) {
        self.request = request
        self.attempt = attempt
    }
}

/// A timer's name, chosen by the process that sets it.
public typealias TimerID = UInt64

/// A participant the engine hosts: a node or a client. It is a sans-IO state machine: it sees
/// inputs and a context, never the engine, the clock or the network, and answers with actions
/// recorded in the context. Its randomness is a stream it owns, handed to it at creation.
public protocol SimulatedProcess {
    associatedtype Message: SimMessage

    mutating func start(_ context: inout ProcessContext<Message>)
    mutating func receive(_ message: Message, from sender: Int, _ context: inout ProcessContext<Message>)
    mutating func timerFired(_ timer: TimerID, _ context: inout ProcessContext<Message>)
    /// The host crashed: drop volatile state, keep durable state.
    mutating func crash()
    /// The host came back after a crash, with its durable state.
    mutating func restart(_ context: inout ProcessContext<Message>)
}

extension SimulatedProcess {
    public mutating func crash() {}
    public mutating func restart(_ context: inout ProcessContext<Message>) { start(&context) }
}

/// What a process asked for while handling one input.
public enum ProcessAction<Message> {
    case send(Message, to: Int)
    case setTimer(TimerID, after: SimDuration)
    case cancelTimer(TimerID)
    case output(String)
    case stopSimulation
}

/// The view a process gets while it handles one input, and where its actions are collected.
/// Actions take effect when the handler's compute time has passed: a node computes, then
/// its messages leave.
public struct ProcessContext<Message> {
    /// When the input arrived (compute time starts here).
    public let now: SimInstant
    /// This process's endpoint id.
    public let endpoint: Int
    /// The number of the event being handled (1 for the first): with `now`, where in a run
    /// something happened (oracles record both).
    public let event: UInt64
    @usableFromInline var actions: [ProcessAction<Message>]
    /// Modelled compute time charged so far, before the host's CPU factor.
    public private(set) var compute: SimDuration = .zero

    /// This host's CPU factor in thousandths (the engine scales `compute` by it).
    public let cpuFactorPermille: Int64

    @usableFromInline init(now: SimInstant, endpoint: Int, event: UInt64 = 0, actions: [ProcessAction<Message>], cpuFactorPermille: Int64 = 1000) {
        self.now = now
        self.endpoint = endpoint
        self.event = event
        self.actions = actions
        self.cpuFactorPermille = cpuFactorPermille
    }

    /// When this handler's compute ends, which is when its messages leave and its outputs
    /// happen: now + compute × CPU factor.
    public var effectTime: SimInstant {
        now + SimDuration(nanoseconds: compute.nanoseconds * cpuFactorPermille / 1000)
    }

    @inlinable public mutating func send(_ message: Message, to receiver: Int) {
        actions.append(.send(message, to: receiver))
    }

    /// Fires `after` the handler's compute time has passed. Setting an id that is already
    /// pending adds a second timer; cancel first to replace it.
    @inlinable public mutating func setTimer(_ timer: TimerID, after delay: SimDuration) {
        actions.append(.setTimer(timer, after: delay))
    }

    /// Cancels every pending timer with this id.
    public mutating func cancelTimer(_ timer: TimerID) { actions.append(.cancelTimer(timer)) }

    /// Busy time for crypto or other work done in this handler.
    public mutating func charge(_ duration: SimDuration) { compute = compute + duration }

    /// A protocol output for the trace (no secrets: traces are published).
    public mutating func output(_ text: String) { actions.append(.output(text)) }

    /// Ends the run after this handler (for example when every client has finished).
    public mutating func stopSimulation() { actions.append(.stopSimulation) }

    /// How many actions have been recorded so far (a mark for `mapSends(from:_:)`).
    public var actionCount: Int { actions.count }

    /// Rewrites the messages of the sends recorded since `start` (for example into their wire
    /// encoding); a nil result removes that send.
    public mutating func mapSends(from start: Int, _ transform: (Message, Int) -> Message?) {
        var kept = Array(actions[..<start])
        for action in actions[start...] {
            guard case let .send(message, receiver) = action else {
                kept.append(action)
                continue
            }
            if let replaced = transform(message, receiver) { kept.append(.send(replaced, to: receiver)) }
        }
        actions = kept
    }
}
