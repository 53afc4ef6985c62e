/// Messages that came before their request or generation, kept for when it comes. Bounded:
/// at most `limit` runs (the oldest dropped), each run holding at most `perRun` messages, and
/// a sender may open at most `perSender` runs — so one peer flooding made-up ids cannot push
/// out the runs honest peers started.
struct EarlyMessages {
    let limit: Int
    let perSender: Int
    private var messages: [PresignID: [(ECDSAMessage, NodeID)]] = [:]
    /// Runs in the order they were opened, and who opened each.
    private var order: [PresignID] = []
    private var opener: [PresignID: NodeID] = [:]
    private var opened: [NodeID: Int] = [:]

    init(limit: Int = 1_000, perSender: Int = 64) {
        self.limit = limit
        self.perSender = perSender
    }

    mutating func keep(_ message: ECDSAMessage, for id: PresignID, from node: NodeID, perRun: Int) {
        if messages[id] == nil {
            guard opened[node, default: 0] < perSender else { return }
            if order.count >= limit { _ = take(order[0]) }
            order.append(id)
            opener[id] = node
            opened[node, default: 0] += 1
            messages[id] = []
        }
        if messages[id]!.count < perRun { messages[id]!.append((message, node)) }
    }

    /// The run's messages, in arrival order; the run is forgotten.
    mutating func take(_ id: PresignID) -> [(ECDSAMessage, NodeID)] {
        guard let kept = messages.removeValue(forKey: id) else { return [] }
        order.removeAll { $0 == id }
        if let node = opener.removeValue(forKey: id) { opened[node]! -= 1 }
        return kept
    }

    /// Pool generations with a message kept, oldest first, whose first message from their
    /// initiator is a round 1 (a generation this node may join).
    func waitingGenerations() -> [SessionID] {
        order.compactMap { id in
            guard case let .pool(tag) = id, let initiator = tag.initiator.node,
                  messages[id]!.contains(where: { if case .round1 = $0.0 { $0.1 == initiator } else { false } }) else { return nil }
            return tag
        }
    }

    var isEmpty: Bool { messages.isEmpty }

    /// Whether anything is kept for `id`.
    func holds(_ id: PresignID) -> Bool { messages[id] != nil }
}
