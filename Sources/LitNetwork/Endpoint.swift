import Simulation

/// What the engine hosts: a node or a client (both classes, mutated in place).
public enum LitEndpoint: SimulatedProcess {
    case node(LitNode)
    case client(LitClient)

    public mutating func start(_ context: inout ProcessContext<LitMessage>) {
        switch self {
        case let .node(node): node.start(&context)
        case let .client(client): client.start(&context)
        }
    }

    public mutating func receive(_ message: LitMessage, from sender: Int, _ context: inout ProcessContext<LitMessage>) {
        switch self {
        case let .node(node): node.receive(message, from: sender, &context)
        case let .client(client): client.receive(message, from: sender, &context)
        }
    }

    public mutating func timerFired(_ timer: TimerID, _ context: inout ProcessContext<LitMessage>) {
        switch self {
        case let .node(node): node.timerFired(timer, &context)
        case let .client(client): client.timerFired(timer, &context)
        }
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
