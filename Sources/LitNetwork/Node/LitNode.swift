import Protocols
import Simulation
import ThresholdCrypto

/// A Lit node: it hosts the protocol services of a run, routes each message to its service by
/// protocol tag, carries out their effects, and owns what they share (identity key, key store,
/// meter, randomness). Its crypto work is charged to its own virtual clock. A class, so the
/// engine mutates it in place.
public final class LitNode {
    public let id: NodeID
    public let behaviour: ByzantineBehaviour?
    let layout: EndpointLayout
    let context: ServiceContext
    let services: [AnyServiceHost]
    /// Service index by protocol tag (looked up, never iterated).
    let serviceByTag: [UInt8: Int]
    let costs: CryptoCostModel
    let observer: RunObserver
    let randomness: RandomBox
    /// Whether messages travel as bytes (`network.wire: encoded`), and how to read them.
    let wire: WireRegistry?
    /// Every crypto operation this node performed, by `CryptoOperation`.
    public private(set) var operationTotals = Array(repeating: 0, count: CryptoOperation.allCases.count)
    /// Messages and bytes sent, by service (in `services` order).
    public private(set) var messagesSent: [Int]
    public private(set) var bytesSent: [Int]
    /// Messages from the network that did not decode (wire: encoded).
    public private(set) var undecodableMessages = 0
    public private(set) var crashed = false
    var timers = TimerTable()
    /// The node's chain RPC, whose clock the node sets before each input (nil: no chains).
    let chainView: NodeChainView?
    let externalView: NodeExternalView?
    /// Generic adversary actions on what it sends (empty for honest nodes).
    let actions: [MessageAction]
    /// The twin of an `equivocate` action; its services' timers are numbered after the node's.
    let twin: NodeTwin?
    /// `replay`: the first message of each replayed kind this node sent.
    var firstSent: [String: any WireMessage] = [:]
    /// `delay`: messages held back, by their send timer's key.
    var delayed: [UInt64: (message: any WireMessage, receiver: EndpointID, index: Int)] = [:]
    var nextDelayed: UInt64 = 0
    /// The timer table's service number for delayed sends.
    static let delayedSends = -1
    /// Messages sent by kind (the explorer's coverage).
    var kindsSent: KindCounter

    init(id: NodeID, behaviour: ByzantineBehaviour?, layout: EndpointLayout, context: ServiceContext, randomness: RandomBox,
         services: [AnyServiceHost], costs: CryptoCostModel, observer: RunObserver, wire: WireRegistry?, twin: NodeTwin? = nil) {
        actions = behaviour?.actions ?? []
        self.twin = twin
        kindsSent = KindCounter(observer.facts.specification)
        self.id = id
        self.behaviour = behaviour
        self.layout = layout
        self.context = context
        chainView = context.chains as? NodeChainView
        externalView = context.external as? NodeExternalView
        self.randomness = randomness
        self.services = services
        var byTag = [UInt8: Int]()
        for (index, service) in services.enumerated() {
            precondition(byTag[service.protocolName.tag] == nil, "two services with tag \(service.protocolName.tag)")
            byTag[service.protocolName.tag] = index
        }
        serviceByTag = byTag
        self.costs = costs
        self.observer = observer
        self.wire = wire
        messagesSent = Array(repeating: 0, count: services.count)
        bytesSent = Array(repeating: 0, count: services.count)
    }

    /// Messages and bytes this node's service for `protocolName` sent.
    public func sent(by protocolName: ProtocolName) -> (messages: Int, bytes: Int) {
        guard let index = serviceByTag[protocolName.tag], services[index].protocolName == protocolName else { return (0, 0) }
        return (messagesSent[index], bytesSent[index])
    }

    /// Whether this node's adversary did something provable in any service.
    public var actedProvably: Bool { services.contains { $0.actedProvably } }

    // MARK: Engine inputs

    /// Puts the node's Byzantine behaviour in or out of force for the input at hand.
    func enter(_ engine: ProcessContext<LitMessage>) {
        context.byzantineActive = behaviour?.isActive(at: engine.now) ?? false
        chainView?.now = engine.now
        (twin?.context.chains as? NodeChainView)?.now = engine.now
        externalView?.now = engine.now
        (twin?.context.external as? NodeExternalView)?.now = engine.now
    }

    func start(_ engine: inout ProcessContext<LitMessage>) {
        enter(engine)
        for index in services.indices { apply(services[index].start(context), of: index, &engine) }
        if let twin {
            for index in twin.services.indices { apply(twin.services[index].start(twin.context), of: services.count + index, &engine) }
        }
    }

    func receive(_ message: LitMessage, from sender: Int, _ engine: inout ProcessContext<LitMessage>) {
        guard let from = layout.endpoint(at: sender) else { return }
        enter(engine)
        let typed: any WireMessage
        switch message {
        case let .typed(inner):
            typed = inner
        case let .wire(bytes, _, _):
            guard let decoded = decode(bytes, from: from, &engine) else { return }
            typed = decoded
        }
        guard let index = serviceByTag[type(of: typed).protocolName.tag] else { return }
        apply(services[index].receive(typed, from: from, context), of: index, &engine)
        // The twin hears what the node hears (its services are in the same order).
        if let twin { apply(twin.services[index].receive(typed, from: from, twin.context), of: services.count + index, &engine) }
    }

    func timerFired(_ timer: TimerID, _ engine: inout ProcessContext<LitMessage>) {
        guard let (index, key) = timers.fired(timer) else { return }
        enter(engine)
        if index == Self.delayedSends {
            guard let held = delayed.removeValue(forKey: key.base as! UInt64) else { return }
            transmit(held.message, to: held.receiver, from: held.index, &engine)
        } else if index >= services.count, let twin {
            apply(twin.services[index - services.count].timerFired(key, twin.context), of: index, &engine)
        } else {
            apply(services[index].timerFired(key, context), of: index, &engine)
        }
    }

    /// Round state and sessions are volatile; the key store is durable.
    func crash() {
        crashed = true
        for service in services { service.crash() }
        for service in twin?.services ?? [] { service.crash() }
        timers = TimerTable()
        delayed = [:]
    }

    /// Decodes and validates bytes from the network, charging the work to this node; anything
    /// malformed is dropped with a note and counted.
    func decode(_ bytes: [UInt8], from sender: EndpointID, _ engine: inout ProcessContext<LitMessage>) -> (any WireMessage)? {
        defer { chargeWork(&engine) }
        do {
            return try (wire ?? ServiceRegistration.wireRegistry()).decode(bytes, meter: context.meter)
        } catch {
            undecodableMessages += 1
            engine.output("dropped an undecodable message from \(sender): \(error)")
            return nil
        }
    }

    func chargeWork(_ engine: inout ProcessContext<LitMessage>) {
        engine.charge(costs.charge(context.meter, into: &operationTotals))
    }

    // MARK: Effects

    /// Carries out a service's effects. `index` past the node's services is the twin's: its
    /// timers run, its messages of the action's kind go to the action's targets while the
    /// action is in force, and nothing else leaves it (its outputs, accusations and notes are
    /// not the node's).
    func apply(_ effects: [HostEffect], of index: Int, _ engine: inout ProcessContext<LitMessage>) {
        chargeWork(&engine)
        let ofTwin = index >= services.count
        var keysChanged = false
        for effect in effects {
            switch effect {
            case let .send(message, to):
                route(message, to: to, from: index, &engine)
            case let .broadcast(message, to):
                for peer in to where peer != id { route(message, to: .node(peer), from: index, &engine) }
            case let .setTimer(key, after):
                setTimer(key, after: after, service: index, &engine)
            case let .cancelTimer(key):
                cancelTimer(key, service: index, &engine)
            case let .output(output):
                if (output as? ChangesNodeState)?.changesNodeState == true { keysChanged = true }
                if !ofTwin { observer.output(output, from: id, at: engine.effectTime, event: engine.event, &engine) }
            case let .accuse(accusation):
                if !ofTwin { observer.accusation(accusation, by: .node(id), at: engine.effectTime, event: engine.event, &engine) }
            case let .note(text):
                if !ofTwin { engine.output(text) }
            case let .delegate(signature):
                // To every other service of the same copy, at once (the scheme's signer takes it).
                if ofTwin, let twin {
                    for other in twin.services.indices where other != index - services.count {
                        apply(twin.services[other].delegated(signature, twin.context), of: services.count + other, &engine)
                    }
                } else if !ofTwin {
                    for other in services.indices where other != index { apply(services[other].delegated(signature, context), of: other, &engine) }
                }
            }
        }
        // A new key is news for every service of the same copy (the handshake answers waiting clients).
        guard keysChanged else { return }
        if ofTwin, let twin {
            for other in twin.services.indices { apply(twin.services[other].keysChanged(twin.context), of: services.count + other, &engine) }
        } else if !ofTwin {
            for other in services.indices { apply(services[other].keysChanged(context), of: other, &engine) }
        }
    }

    /// A service's message on its way out: the node's own through its generic actions, the
    /// twin's only where its `equivocate` action sends it.
    func route(_ message: any WireMessage, to receiver: EndpointID, from index: Int, _ engine: inout ProcessContext<LitMessage>) {
        guard index >= services.count else { return send(message, to: receiver, from: index, &engine) }
        guard let twin, twin.action.isActive(at: engine.now), "\(message.traceKind)" == twin.action.kind, receiver.node != nil,
              twin.action.targets(receiver) else { return }
        transmit(message, to: receiver, from: index - services.count, &engine)
    }

    /// A service's timer (a second one with the same key replaces the first).
    func setTimer(_ key: AnyHashable, after: Duration, service index: Int, _ engine: inout ProcessContext<LitMessage>) {
        cancelTimer(key, service: index, &engine)
        engine.setTimer(timers.add(service: index, key: key), after: SimDuration(after))
    }

    func cancelTimer(_ key: AnyHashable, service index: Int, _ engine: inout ProcessContext<LitMessage>) {
        if let previous = timers.cancel(service: index, key: key) { engine.cancelTimer(previous) }
    }

    /// What the node sends, after its generic actions (if any) had their say.
    func send(_ message: any WireMessage, to receiver: EndpointID, from index: Int, _ engine: inout ProcessContext<LitMessage>) {
        guard !actions.isEmpty else { return transmit(message, to: receiver, from: index, &engine) }
        let kind = "\(message.traceKind)"
        var copies = 1
        var replay: (any WireMessage)?
        if firstSent[kind] == nil, actions.contains(where: { $0.verb == .replay && $0.kind == kind }) { firstSent[kind] = message }
        // In the order written: the first action that holds the message back decides.
        for action in actions where action.kind == kind {
            guard action.isActive(at: engine.now) else { continue }
            switch action.verb {
            case .drop:
                if action.targets(receiver) { return }
            case .subsetSend:
                if let node = receiver.node, !action.targets.contains(Int(node.value)) { return }
            case .equivocate:
                // The twin sends these.
                if receiver.node != nil, action.targets(receiver) { return }
            case .duplicate:
                if action.targets(receiver) { copies = 2 }
            case .replay:
                // Beside a later, different message (an identical one would only be a duplicate).
                if action.targets(receiver), let first = firstSent[kind], first.encoded != message.encoded { replay = first }
            case .delay:
                guard action.targets(receiver) else { continue }
                let key = nextDelayed
                nextDelayed += 1
                delayed[key] = (message, receiver, index)
                engine.setTimer(timers.add(service: Self.delayedSends, key: key), after: action.delay)
                return
            }
        }
        for _ in 0..<copies { transmit(message, to: receiver, from: index, &engine) }
        if let replay { transmit(replay, to: receiver, from: index, &engine) }
    }

    func transmit(_ message: any WireMessage, to receiver: EndpointID, from index: Int, _ engine: inout ProcessContext<LitMessage>) {
        messagesSent[index] += 1
        kindsSent.count(message)
        bytesSent[index] += message.wireSize
        var outgoing = LitMessage.typed(message)
        if wire != nil { outgoing = corrupt(outgoing.encoded) }
        engine.send(outgoing, to: layout.index(of: receiver))
    }

    /// corrupt-bytes: one to three bytes of every outgoing encoding flipped.
    func corrupt(_ message: LitMessage) -> LitMessage {
        guard behaviour?.name == ByzantineBehaviour.corruptBytes.name, context.byzantineActive, case .wire(var bytes, let kind, let request) = message, !bytes.isEmpty else { return message }
        for _ in 0...(randomness.next() % 3) {
            bytes[Int(randomness.next(below: UInt64(bytes.count)))] ^= UInt8(truncatingIfNeeded: 1 + randomness.next(below: 255))
        }
        return .wire(bytes, kind: kind, request: request)
    }
}

/// A node's or client's random stream, shared by reference with the services it hosts.
final class RandomBox {
    var stream: RandomStream
    init(_ stream: RandomStream) { self.stream = stream }
    func next() -> UInt64 { stream.next() }
    func next(below bound: UInt64) -> UInt64 { stream.next(below: bound) }
    var serviceRandom: ServiceRandom { ServiceRandom { [unowned self] in self.stream.next() } }
}

/// Engine timer ids for typed timer keys: each `setTimer` gets a fresh id, looked up in a
/// table when it fires. Nothing is packed into the id, so distinct keys never collide.
struct TimerTable {
    struct Key: Hashable {
        let service: Int
        let key: AnyHashable
    }

    private var byID: [TimerID: Key] = [:]
    private var idByKey: [Key: TimerID] = [:]
    private var next: TimerID = 1

    mutating func add(service: Int, key: AnyHashable) -> TimerID {
        precondition(next < TimerID.max, "timer ids exhausted")
        let id = next
        next += 1
        let entry = Key(service: service, key: key)
        byID[id] = entry
        idByKey[entry] = id
        return id
    }

    /// Forgets the pending timer with this key; returns its id so the engine can cancel it.
    mutating func cancel(service: Int, key: AnyHashable) -> TimerID? {
        guard let id = idByKey.removeValue(forKey: Key(service: service, key: key)) else { return nil }
        byID[id] = nil
        return id
    }

    /// The service and key of a timer that fired (nil for one cancelled or from before a crash).
    mutating func fired(_ id: TimerID) -> (Int, AnyHashable)? {
        guard let entry = byID.removeValue(forKey: id) else { return nil }
        idByKey[entry] = nil
        return (entry.service, entry.key)
    }
}
