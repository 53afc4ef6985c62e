import ThresholdCrypto

/// A timer of a service wrapped by an adversary: the service's own, or the adversary's.
public enum WrappedTimer<Inner: Hashable & Sendable>: Hashable, Sendable {
    case service(Inner)
    case adversary(UInt64)
}

/// Byzantine behaviour for one service: it sees what the honest service would do and decides
/// what the node does instead (a node controls its keys and signs whatever it sends). Honest
/// code paths contain no Byzantine branches; every behaviour is one of these (DESIGN.md §4).
public protocol Adversary: Sendable {
    associatedtype Service: NodeService
    typealias Effect = ServiceEffect<Service.Message, WrappedTimer<Service.Timer>, Service.Output>

    /// Sees every input first (an adversary may remember what it was sent); returns whether
    /// the service sees it at all.
    mutating func intercept(_ message: Service.Message, from sender: EndpointID) -> Bool
    /// What the node does, given what the honest service would do.
    mutating func rewrite(_ effects: [Effect], _ context: ServiceContext) -> [Effect]
    /// One of the adversary's own timers fired.
    mutating func timerFired(_ id: UInt64, _ context: ServiceContext) -> [Effect]
    /// Whether it has done something a third party could prove (blame recall counts these).
    var actedProvably: Bool { get }
}

extension Adversary {
    public mutating func intercept(_ message: Service.Message, from sender: EndpointID) -> Bool { true }
    public mutating func timerFired(_ id: UInt64, _ context: ServiceContext) -> [Effect] { [] }
}

/// A service run by a Byzantine node.
public struct Adversarial<A: Adversary>: NodeService {
    public typealias Message = A.Service.Message
    public typealias Timer = WrappedTimer<A.Service.Timer>
    public typealias Output = A.Service.Output

    public private(set) var service: A.Service
    public private(set) var adversary: A

    public init(_ service: A.Service, adversary: A) {
        self.service = service
        self.adversary = adversary
    }

    static func wrap(_ effects: [A.Service.Effect]) -> [Effect] {
        effects.map { $0.map(message: { $0 }, timer: { WrappedTimer.service($0) }) }
    }

    /// What the node does: the adversary's rewrite while its behaviour is in force, else the
    /// honest effects (the service always computes honestly, so it can resume either way).
    mutating func act(_ effects: [A.Service.Effect], _ context: ServiceContext) -> [Effect] {
        context.byzantineActive ? adversary.rewrite(Self.wrap(effects), context) : Self.wrap(effects)
    }

    public mutating func start(_ context: ServiceContext) -> [Effect] {
        act(service.start(context), context)
    }

    public mutating func receive(_ message: Message, from sender: EndpointID, _ context: ServiceContext) -> [Effect] {
        // The adversary sees every input (it may remember it); it drops one only while in force.
        guard adversary.intercept(message, from: sender) || !context.byzantineActive else { return [] }
        return act(service.receive(message, from: sender, context), context)
    }

    public mutating func timerFired(_ timer: Timer, _ context: ServiceContext) -> [Effect] {
        switch timer {
        case let .service(inner): act(service.timerFired(inner, context), context)
        // Its own timers carry out what it decided while in force.
        case let .adversary(id): adversary.timerFired(id, context)
        }
    }

    public mutating func keysChanged(_ context: ServiceContext) -> [Effect] {
        act(service.keysChanged(context), context)
    }

    public mutating func delegated(_ signature: DelegatedSignature, _ context: ServiceContext) -> [Effect] {
        act(service.delegated(signature, context), context)
    }

    public mutating func crash() { service.crash() }
}

/// A service that can say whether its adversary did something provable (blame recall).
public protocol ReportsProvableMisbehaviour {
    var actedProvably: Bool { get }
}

extension Adversarial: ReportsProvableMisbehaviour {
    public var actedProvably: Bool { adversary.actedProvably }
}

/// Sends nothing at all, in any service.
public struct Silent<Service: NodeService>: Adversary {
    public init() {}
    public mutating func intercept(_ message: Service.Message, from sender: EndpointID) -> Bool { false }
    public mutating func rewrite(_ effects: [Effect], _ context: ServiceContext) -> [Effect] {
        // Outputs stay (they are the node's own state), nothing leaves the node.
        effects.filter { if case .output = $0 { true } else { false } }
    }
    public var actedProvably: Bool { false }
}

/// A behaviour of the Byzantine catalogue, as `litsim behaviours` lists it.
public struct BehaviourDescription: Sendable {
    public let name: String
    public let takesTargets: Bool
    /// Whether what it does leaves evidence that proves it (blame recall counts these).
    public let provable: Bool
    public let summary: String

    public init(_ name: String, takesTargets: Bool = false, provable: Bool, _ summary: String) {
        self.name = name
        self.takesTargets = takesTargets
        self.provable = provable
        self.summary = summary
    }
}

/// A behaviour chosen for a node in a scenario: its catalogue name and targets.
public struct BehaviourChoice: Hashable, Sendable {
    public let name: String
    public let targets: [NodeID]

    public init(name: String, targets: [NodeID] = []) {
        self.name = name
        self.targets = targets
    }

    /// Whether `node` is targeted (every node when no targets are listed).
    public func targets(_ node: NodeID) -> Bool { targets.isEmpty || targets.contains(node) }
}
