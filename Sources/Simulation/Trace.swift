/// What a trace event records.
public enum TraceKind: UInt8, Sendable, CaseIterable {
    case start = 1, send, deliver, drop, duplicate, timer, crash, restart, pause, resume, output, compute

    public var name: String {
        switch self {
        case .start: "start"
        case .send: "send"
        case .deliver: "deliver"
        case .drop: "drop"
        case .duplicate: "duplicate"
        case .timer: "timer"
        case .crash: "crash"
        case .restart: "restart"
        case .pause: "pause"
        case .resume: "resume"
        case .output: "output"
        case .compute: "compute"
        }
    }
}

/// Why the network did not deliver a message.
public enum DropReason: UInt8, Sendable, CaseIterable {
    case loss = 1
    case partition
    case receiverDown
    /// The sender crashed while computing, before the message left.
    case senderDown

    public var name: String {
        switch self {
        case .loss: "loss"
        case .partition: "partition"
        case .receiverDown: "receiver-down"
        case .senderDown: "sender-down"
        }
    }
}

/// One event of the trace, as kept when an export asks for the full trace.
public struct TraceEvent: Sendable, Equatable {
    public var time: SimInstant
    public var kind: TraceKind
    /// Where it happened: the sender of a send, the receiver of a delivery.
    public var endpoint: Int
    /// The other side of a message, or -1.
    public var peer: Int
    /// Links a send to its delivery, duplicate or drop; 0 when not a message.
    public var messageID: UInt64
    public var bytes: Int
    /// Message kind, timer id, or output text.
    public var label: String
    public var dropReason: DropReason?
    /// Length of a compute span.
    public var duration: SimDuration
    /// The message's content fingerprint (0 when not a message).
    public var fingerprint: UInt64
    /// The client request and attempt a message, or the compute that handled one, belongs to.
    public var request: TraceRequest? = nil
}

/// Records every event into a canonical SHA-256 digest, and keeps the events themselves only
/// when an export asks for them (so memory stays flat on long runs otherwise).
public struct TraceRecorder: Sendable {
    public enum Retention: Sendable, Equatable {
        /// Nothing recorded, not even the digest (engine benchmarks only).
        case disabled
        case digestOnly
        /// Keep at most `limit` events (the digest still covers all of them).
        case events(limit: Int)
    }

    public let retention: Retention
    public private(set) var events: [TraceEvent] = []
    public private(set) var eventCount: UInt64 = 0
    /// Events not kept because of the limit.
    public private(set) var omittedCount: UInt64 = 0
    private var hasher: TraceHasher

    /// - Parameter digestFunction: the SHA-256 the digest is computed with (see
    ///   `TraceDigestFunction`; every one gives the same digest).
    public init(retention: Retention = .digestOnly, digestFunction: any TraceDigestFunction = SoftwareSHA256()) {
        self.retention = retention
        hasher = TraceHasher(digestFunction)
    }

    /// The canonical encoding, big-endian: kind (1 byte), time (8), endpoint (4), peer (4),
    /// message id (8), bytes (4), drop reason (1), duration (8), content fingerprint (8),
    /// label length (4), then the label's UTF-8 bytes (the length keeps labels apart).
    mutating func record(_ kind: TraceKind, time: SimInstant, endpoint: Int, peer: Int = -1, messageID: UInt64 = 0,
                         bytes: Int = 0, label: StaticString = "", dropReason: DropReason? = nil,
                         duration: SimDuration = .zero, fingerprint: UInt64 = 0, request: @autoclosure () -> TraceRequest? = nil) {
        label.withUTF8Buffer { buffer in
            digest(kind, time, endpoint, peer, messageID, bytes, dropReason, duration, fingerprint, buffer)
        }
        guard case .events = retention else { return }
        keep(TraceEvent(time: time, kind: kind, endpoint: endpoint, peer: peer, messageID: messageID, bytes: bytes,
                        label: label.description, dropReason: dropReason, duration: duration, fingerprint: fingerprint,
                        request: request()))
    }

    mutating func record(_ kind: TraceKind, time: SimInstant, endpoint: Int, text: String) {
        var text = text
        text.withUTF8 { digest(kind, time, endpoint, -1, 0, 0, nil, .zero, 0, $0) }
        guard case .events = retention else { return }
        keep(TraceEvent(time: time, kind: kind, endpoint: endpoint, peer: -1, messageID: 0, bytes: 0,
                        label: text, dropReason: nil, duration: .zero, fingerprint: 0))
    }

    mutating func digest(
        _ kind: TraceKind, _ time: SimInstant, _ endpoint: Int, _ peer: Int, _ messageID: UInt64, _ bytes: Int,
        _ dropReason: DropReason?, _ duration: SimDuration, _ fingerprint: UInt64, _ label: UnsafeBufferPointer<UInt8>
    ) {
        eventCount &+= 1
        guard retention != .disabled else { return }
        hasher.append(kind.rawValue)
        hasher.update(time.nanoseconds)
        hasher.update(UInt32(truncatingIfNeeded: endpoint))
        hasher.update(UInt32(truncatingIfNeeded: peer))
        hasher.update(messageID)
        hasher.update(UInt32(truncatingIfNeeded: bytes))
        hasher.append(dropReason?.rawValue ?? 0)
        hasher.update(duration.nanoseconds)
        hasher.update(fingerprint)
        hasher.update(UInt32(truncatingIfNeeded: label.count))
        hasher.update(label)
    }

    mutating func keep(_ event: TraceEvent) {
        guard case let .events(limit) = retention else { return }
        if events.count < limit { events.append(event) } else { omittedCount &+= 1 }
    }

    /// Hex SHA-256 of the canonical trace so far.
    public var digestHex: String {
        hasher.finalize().map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
