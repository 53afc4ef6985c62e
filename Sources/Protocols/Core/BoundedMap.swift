/// A dictionary that keeps at most `limit` entries, forgetting the oldest inserted first: what a
/// Byzantine peer or client can make a node remember must stay bounded, and flooding it may
/// only push out the oldest entries.
public struct BoundedMap<Key: Hashable, Value> {
    public let limit: Int
    /// Each value with the number of its insertion.
    private var values: [Key: (inserted: Int, value: Value)] = [:]
    /// Insertions in order, from `head` on (a removed or re-inserted key's old insertion stays
    /// until it reaches the front, and is then skipped).
    private var order: [(key: Key, inserted: Int)] = []
    private var head = 0
    private var insertions = 0

    public init(limit: Int) {
        precondition(limit > 0, "a bounded map keeps something")
        self.limit = limit
    }

    public var count: Int { values.count }

    public subscript(key: Key) -> Value? {
        get { values[key]?.value }
        set {
            guard let newValue else {
                values[key] = nil
                return
            }
            if let kept = values[key] {
                values[key] = (kept.inserted, newValue)
                return
            }
            values[key] = (insertions, newValue)
            order.append((key, insertions))
            insertions += 1
            while values.count > limit, head < order.count {
                let oldest = order[head]
                if values[oldest.key]?.inserted == oldest.inserted { values[oldest.key] = nil }
                head += 1
            }
            // Now and then keep only the live insertions (at most `limit`): amortised O(1) per
            // insertion, and removed keys do not pile up.
            if order.count - head > 2 * limit || head > limit {
                order = order[head...].filter { values[$0.key]?.inserted == $0.inserted }
                head = 0
            }
        }
    }

    @discardableResult
    public mutating func removeValue(forKey key: Key) -> Value? { values.removeValue(forKey: key)?.value }

    public mutating func removeAll() {
        values = [:]
        order = []
        head = 0
    }
}
