import ThresholdCrypto

/// Runs several instances of one service without the simulator, for unit tests (in the spirit
/// of swift-nio's `EmbeddedEventLoop`): messages are delivered in FIFO order; when none is
/// left, the pending timer due first fires (messages take no time; a timer is due its delay
/// after the timer that was firing when it was set; ties in the order set), and delivery resumes.
/// Messages to clients are collected, not delivered. Tests may drop or rewrite messages in flight.
public struct ServiceHarness<Service: NodeService> {
    public struct Envelope {
        public let to: EndpointID
        public let from: EndpointID
        public var message: Service.Message
    }

    public var services: [NodeID: Service]
    public let contexts: [NodeID: ServiceContext]
    public let nodes: [NodeID]
    /// Nodes that are down: they neither start nor receive.
    public var down: Set<NodeID> = []
    public private(set) var queue: [Envelope] = []
    public private(set) var head = 0
    public private(set) var timers: [(node: NodeID, timer: Service.Timer)] = []
    /// When each pending timer is due (parallel to `timers`), and the harness's clock: the due
    /// time of the timer that fired last.
    private var due: [Duration] = []
    public private(set) var now: Duration = .zero
    public private(set) var outputs: [(node: NodeID, output: Service.Output)] = []
    public private(set) var accusations: [(by: NodeID, accusation: Accusation)] = []
    public private(set) var notes: [String] = []
    /// Signatures a node delegated to its other services (not delivered: one service is hosted).
    public private(set) var delegations: [(node: NodeID, signature: DelegatedSignature)] = []
    /// Messages and bytes sent to nodes (broadcasts count once per receiver).
    public private(set) var messages = 0
    public private(set) var bytes = 0
    /// What the services sent to clients.
    public private(set) var toClients: [Envelope] = []
    /// Rewrites (or, returning nil, drops) a message just before delivery.
    public var inFlight: ((Envelope) -> Envelope?)?

    /// - Parameters:
    ///   - contexts: each node's context (identity, keys, meter, randomness).
    ///   - make: each node's service.
    public init(contexts: [ServiceContext], make: (NodeID) -> Service) {
        nodes = contexts.map(\.me)
        var byNode = [NodeID: ServiceContext]()
        var made = [NodeID: Service]()
        for context in contexts {
            byNode[context.me] = context
            made[context.me] = make(context.me)
        }
        self.contexts = byNode
        services = made
    }

    /// Contexts for nodes 0..<count: identity keys from `identitySecret`, randomness from
    /// `random`, a fresh meter and key store each, one shared memo; the directory also holds
    /// the keys of `clients`.
    public static func contexts(count: Int, identitySecret: (NodeID) -> Scalar, random: (NodeID) -> ServiceRandom,
                                clients: [NodeIdentity] = [], memo: CryptoMemo? = nil) -> [ServiceContext] {
        let meter = CostMeter()
        let identities = (0..<count).map { NodeIdentity(secret: identitySecret(NodeID($0)), meter: meter) }
        let directory = IdentityDirectory(keys: identities.map(\.publicKey), clientKeys: clients.map(\.publicKey))
        return (0..<count).map {
            ServiceContext(me: NodeID($0), identity: identities[$0], directory: directory, meter: CostMeter(), random: random(NodeID($0)),
                           keys: KeyStore(), memo: memo)
        }
    }

    public var live: [NodeID] { nodes.filter { !down.contains($0) } }

    public mutating func start() {
        for node in live { apply(services[node]!.start(contexts[node]!), from: node) }
    }

    /// Delivers one message to `to` from `from` by hand.
    public mutating func deliver(_ message: Service.Message, to node: NodeID, from sender: EndpointID) {
        guard !down.contains(node) else { return }
        apply(services[node]!.receive(message, from: sender, contexts[node]!), from: node)
    }

    /// Hands `node` a signature another of its services delegated (as its host does).
    public mutating func delegate(_ signature: DelegatedSignature, to node: NodeID) {
        guard !down.contains(node) else { return }
        apply(services[node]!.delegated(signature, contexts[node]!), from: node)
    }

    /// Tells every live node its key store changed (as a finished DKG does).
    public mutating func keysChanged() {
        for node in live { apply(services[node]!.keysChanged(contexts[node]!), from: node) }
    }

    /// Delivers every queued message, firing timers whenever the queue runs dry, until nothing
    /// is left (or `timerLimit` timers fired: a service that retries forever stops there).
    public mutating func run(timerLimit: Int = .max) {
        var fired = 0
        while true {
            while head < queue.count {
                let envelope = queue[head]
                head += 1
                guard let node = envelope.to.node, !down.contains(node) else { continue }
                guard let delivered = inFlight.map({ $0(envelope) }) ?? envelope else { continue }
                deliver(delivered.message, to: node, from: delivered.from)
            }
            guard !timers.isEmpty, fired < timerLimit else { return }
            fired += 1
            // The first due; the first set among equals.
            let next = due.indices.min { (due[$0], $0) < (due[$1], $1) }!
            now = due.remove(at: next)
            let (node, timer) = timers.remove(at: next)
            if !down.contains(node) { apply(services[node]!.timerFired(timer, contexts[node]!), from: node) }
        }
    }

    mutating func cancel(_ timer: Service.Timer, of node: NodeID) {
        guard let index = timers.firstIndex(where: { $0.node == node && $0.timer == timer }) else { return }
        timers.remove(at: index)
        due.remove(at: index)
    }

    public mutating func apply(_ effects: [Service.Effect], from node: NodeID) {
        var keysChanged = false
        for effect in effects {
            switch effect {
            case let .send(message, to):
                enqueue(message, to: to, from: node)
            case let .broadcast(message, to):
                for peer in to where peer != node { enqueue(message, to: .node(peer), from: node) }
            case let .setTimer(timer, after):
                cancel(timer, of: node)
                timers.append((node, timer))
                due.append(now + after)
            case let .cancelTimer(timer):
                cancel(timer, of: node)
            case let .output(output):
                outputs.append((node, output))
                keysChanged = true
            case let .accuse(accusation):
                accusations.append((node, accusation))
            case let .note(text):
                notes.append("\(node.value): \(text)")
            case let .delegate(signature):
                delegations.append((node, signature))
            }
        }
        if keysChanged { apply(services[node]!.keysChanged(contexts[node]!), from: node) }
    }

    mutating func enqueue(_ message: Service.Message, to: EndpointID, from node: NodeID) {
        let envelope = Envelope(to: to, from: .node(node), message: message)
        guard to.node != nil else {
            toClients.append(envelope)
            return
        }
        messages += 1
        bytes += message.wireSize
        queue.append(envelope)
    }

    /// The outputs of `node`, in order.
    public func outputs(of node: NodeID) -> [Service.Output] { outputs.filter { $0.node == node }.map(\.output) }
}
