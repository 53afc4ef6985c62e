import Protocols
import Simulation
import ThresholdCrypto

/// What the engine hosts: a node or a client (both classes, mutated in place).
public enum LitEndpoint: SimulatedProcess {
    case node(LitNode)
    case client(LitClient)

    public mutating func start(_ context: inout ProcessContext<LitMessage>) {
        switch self {
        case let .node(node): node.start(&context)
        case let .client(client): client.start(&context)
        }
        encodeSends(from: 0, &context)
    }

    public mutating func receive(_ message: LitMessage, from sender: Int, _ context: inout ProcessContext<LitMessage>) {
        var message = message
        if case let .wire(bytes) = message {
            guard let decoded = decode(bytes, from: sender, &context) else { return }
            message = decoded
        }
        let mark = context.actionCount
        switch self {
        case let .node(node): node.receive(message, from: sender, &context)
        case let .client(client): client.receive(message, from: sender, &context)
        }
        encodeSends(from: mark, &context)
    }

    /// With `network.wire: encoded`, what this endpoint sends leaves as bytes (and a
    /// `corrupt-bytes` node flips some of them on the way out).
    func encodeSends(from mark: Int, _ context: inout ProcessContext<LitMessage>) {
        switch self {
        case let .node(node):
            guard node.encodesWire else { return }
            context.mapSends(from: mark) { message, _ in node.corrupt(message.encoded) }
        case let .client(client):
            guard client.encodesWire else { return }
            context.mapSends(from: mark) { message, _ in message.encoded }
        }
    }

    /// Decodes and validates bytes from the network; the work is charged to this endpoint, and
    /// anything malformed is dropped with a note and counted.
    func decode(_ bytes: [UInt8], from sender: Int, _ context: inout ProcessContext<LitMessage>) -> LitMessage? {
        let meter: CostMeter
        switch self {
        case let .node(node): meter = node.meter
        case let .client(client): meter = client.meter
        }
        let result: LitMessage?
        do {
            switch try ProtocolWire.decode(bytes, meter: meter) {
            case let .dkg(message): result = .dkg(message)
            case let .signing(message): result = .signing(message)
            }
        } catch {
            context.output("dropped an undecodable message from \(sender): \(error)")
            result = nil
        }
        switch self {
        case let .node(node):
            if result == nil { node.undecodableMessages += 1 }
            node.chargeWork(&context)
        case let .client(client):
            if result == nil { client.undecodableMessages += 1 }
            client.chargeWork(&context)
        }
        return result
    }

    public mutating func timerFired(_ timer: TimerID, _ context: inout ProcessContext<LitMessage>) {
        switch self {
        case let .node(node): node.timerFired(timer, &context)
        case let .client(client): client.timerFired(timer, &context)
        }
        encodeSends(from: 0, &context)
    }

    public mutating func crash() {
        if case let .node(node) = self { node.crash() }
    }

    /// A restarted node keeps its key and answers new requests; it does not rejoin a DKG.
    public mutating func restart(_ context: inout ProcessContext<LitMessage>) {}

    public var node: LitNode? {
        if case let .node(node) = self { return node }
        return nil
    }

    public var client: LitClient? {
        if case let .client(client) = self { return client }
        return nil
    }
}
