/// Peers' messages that came before the run they belong to (a request or generation this node
/// has not seen yet: latencies differ), kept for when it comes. Bounded: at most `limit` runs,
/// each holding at most `perRun` messages and `perSenderInRun` from one sender, and a sender
/// may open at most `perSender` runs — so one peer flooding made-up ids cannot push out the
/// runs honest peers started. When full, the oldest run of the sender that opened the most
/// goes: colluding flooders push out each other's runs before an honest peer's. ECDSA's signer,
/// the lit-flow FROST signer and Lit Actions keep theirs here.
public struct EarlyMessages<ID: Hashable, Message> {
    public let limit: Int
    public let perSender: Int
    private var messages: [ID: [(Message, NodeID)]] = [:]
    /// Runs in the order they were opened, and who opened each.
    public private(set) var order: [ID] = []
    private var opener: [ID: NodeID] = [:]
    private var opened: [NodeID: Int] = [:]

    public init(limit: Int, perSender: Int) {
        self.limit = limit
        self.perSender = perSender
    }

    public mutating func keep(_ message: Message, for id: ID, from node: NodeID, perRun: Int, perSenderInRun: Int = .max) {
        if messages[id] == nil {
            guard opened[node, default: 0] < perSender else { return }
            if order.count >= limit, let heaviest = opened.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key })?.key,
               let oldest = order.first(where: { opener[$0] == heaviest }) {
                _ = take(oldest)
            }
            order.append(id)
            opener[id] = node
            opened[node, default: 0] += 1
            messages[id] = []
        }
        guard messages[id]!.count < perRun, perSenderInRun == .max || messages[id]!.count(where: { $0.1 == node }) < perSenderInRun else { return }
        messages[id]!.append((message, node))
    }

    /// The run's messages, in arrival order; the run is forgotten.
    public mutating func take(_ id: ID) -> [(Message, NodeID)] {
        guard let kept = messages.removeValue(forKey: id) else { return [] }
        order.removeAll { $0 == id }
        if let node = opener.removeValue(forKey: id) { opened[node]! -= 1 }
        return kept
    }

    /// What is kept for `id`, in arrival order (left kept).
    public func kept(_ id: ID) -> [(Message, NodeID)] { messages[id] ?? [] }

    public var isEmpty: Bool { messages.isEmpty }

    /// Whether anything is kept for `id`.
    public func holds(_ id: ID) -> Bool { messages[id] != nil }
}
