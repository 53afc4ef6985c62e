import Protocols
import Simulation
import ThresholdCrypto

/// Everything that travels between Lit endpoints: a typed message of a registered protocol,
/// or (with `network.wire: encoded`) its bytes, which the receiver decodes and validates.
public enum LitMessage: SimMessage, Sendable {
    case typed(any WireMessage)
    /// Real bytes, and the kind and request of the message they were encoded from (for the trace).
    case wire([UInt8], kind: StaticString, request: TraceRequest?)

    public var wireSize: Int {
        switch self {
        case let .typed(message): message.wireSize
        case let .wire(bytes, _, _): bytes.count
        }
    }

    public var traceKind: StaticString {
        switch self {
        case let .typed(message): message.traceKind
        case let .wire(_, kind, _): kind
        }
    }

    public var traceRequest: TraceRequest? {
        switch self {
        case let .typed(message): message.clientAttempt.map { TraceRequest(request: $0.request, attempt: $0.attempt) }
        case let .wire(_, _, request): request
        }
    }

    /// Eight bytes that change with the contents.
    public var traceFingerprint: UInt64 {
        switch self {
        case let .typed(message): message.traceFingerprint
        case let .wire(bytes, _, _): bytes.suffix(8).reduce(0) { $0 << 8 | UInt64($1) }
        }
    }

    /// The wire form of a typed message.
    public var encoded: LitMessage {
        switch self {
        case let .typed(message): .wire(message.encoded, kind: message.traceKind, request: LitMessage.typed(message).traceRequest)
        case .wire: self
        }
    }
}

/// Where nodes and clients sit in the engine: nodes 0..<nodes, then the clients. The one place
/// that maps between engine indices and typed endpoints.
public struct EndpointLayout: Sendable {
    public let nodes: Int
    public let clients: Int
    /// Whether the run has the staking contract's chain (epochs); it comes after the clients.
    public let hasChain: Bool

    public init(nodes: Int, clients: Int, hasChain: Bool = false) {
        self.nodes = nodes
        self.clients = clients
        self.hasChain = hasChain
    }

    public var count: Int { nodes + clients + (hasChain ? 1 : 0) }

    public func index(of endpoint: EndpointID) -> Int {
        switch endpoint {
        case let .node(node): node.value
        case let .client(client): nodes + client.value
        case .chain: nodes + clients
        }
    }

    public func endpoint(at index: Int) -> EndpointID? {
        if index >= 0 && index < nodes { return .node(NodeID(index)) }
        if index >= nodes && index < nodes + clients { return .client(ClientID(index - nodes)) }
        if hasChain, index == nodes + clients { return .chain }
        return nil
    }
}

/// A service's effect with its types erased, for the node that hosts several services.
enum HostEffect {
    case send(any WireMessage, to: EndpointID)
    case broadcast(any WireMessage, to: [NodeID])
    case setTimer(AnyHashable, after: Duration)
    case cancelTimer(AnyHashable)
    case output(any Sendable)
    case accuse(Accusation)
    case note(String)
    case delegate(DelegatedSignature)
}

/// One hosted service behind a type-erased face: the node routes to it by protocol tag and
/// never needs to know what it is.
protocol AnyServiceHost: AnyObject {
    var protocolName: ProtocolName { get }
    func start(_ context: ServiceContext) -> [HostEffect]
    func receive(_ message: any WireMessage, from sender: EndpointID, _ context: ServiceContext) -> [HostEffect]
    func timerFired(_ timer: AnyHashable, _ context: ServiceContext) -> [HostEffect]
    func keysChanged(_ context: ServiceContext) -> [HostEffect]
    func delegated(_ signature: DelegatedSignature, _ context: ServiceContext) -> [HostEffect]
    func crash()
    /// Whether the node's adversary in this service did something provable.
    var actedProvably: Bool { get }
}


final class ServiceHost<Service: NodeService>: AnyServiceHost {
    var service: Service

    init(_ service: Service) { self.service = service }

    var protocolName: ProtocolName { Service.Message.protocolName }

    static func erase(_ effects: [Service.Effect]) -> [HostEffect] {
        effects.map { effect in
            switch effect {
            case let .send(message, to): .send(message, to: to)
            case let .broadcast(message, to): .broadcast(message, to: to)
            case let .setTimer(timer, after): .setTimer(AnyHashable(timer), after: after)
            case let .cancelTimer(timer): .cancelTimer(AnyHashable(timer))
            case let .output(output): .output(output)
            case let .accuse(accusation): .accuse(accusation)
            case let .note(text): .note(text)
            case let .delegate(signature): .delegate(signature)
            }
        }
    }

    func start(_ context: ServiceContext) -> [HostEffect] { Self.erase(service.start(context)) }

    func receive(_ message: any WireMessage, from sender: EndpointID, _ context: ServiceContext) -> [HostEffect] {
        guard let typed = message as? Service.Message else { return [] }
        return Self.erase(service.receive(typed, from: sender, context))
    }

    func timerFired(_ timer: AnyHashable, _ context: ServiceContext) -> [HostEffect] {
        guard let typed = timer.base as? Service.Timer else { return [] }
        return Self.erase(service.timerFired(typed, context))
    }

    func keysChanged(_ context: ServiceContext) -> [HostEffect] { Self.erase(service.keysChanged(context)) }

    func delegated(_ signature: DelegatedSignature, _ context: ServiceContext) -> [HostEffect] { Self.erase(service.delegated(signature, context)) }

    func crash() { service.crash() }

    var actedProvably: Bool { (service as? ReportsProvableMisbehaviour)?.actedProvably ?? false }
}
