/// The expensive operations the cryptography performs, as the cost model prices them.
public enum CryptoOperation: Int, CaseIterable, Sendable, Codable {
    /// P × k for an arbitrary point P (libsecp256k1 tweak_mul).
    case pointMultiply
    /// G × k (libsecp256k1 pubkey_create, precomputed tables).
    case baseMultiply
    /// One pairwise point addition (a combine call of two points).
    case pointAdd
    /// One call that sums many points (its fixed cost: one field inversion).
    case pointSum
    /// One point inside such a sum (its per-point cost: one mixed addition).
    case pointSumTerm
    /// One SHA-256 compression (a 64-byte block).
    case hashBlock
    case scalarInverse
    /// Parsing and validating an encoded point (a square root on decompression).
    case pointDecode
    /// One BIP-340 verification by libsecp256k1.
    case schnorrVerify
    /// BLS12-381 work nothing here computes: charged instead of TDH2's when a scenario models
    /// Lit's BLS identity-based encryption (`nodes.cost_profile: bls12-381`), at blst's speed.
    case blsG1Multiply
    case blsG2Multiply
    case blsHashToG2
    case blsMillerLoop
    case blsFinalExponentiation

    /// The name used in cost tables and reports.
    public var name: String {
        switch self {
        case .pointMultiply: "point_multiply"
        case .baseMultiply: "base_multiply"
        case .pointAdd: "point_add"
        case .pointSum: "point_sum"
        case .pointSumTerm: "point_sum_term"
        case .hashBlock: "hash_block"
        case .scalarInverse: "scalar_inverse"
        case .pointDecode: "point_decode"
        case .schnorrVerify: "schnorr_verify"
        case .blsG1Multiply: "bls_g1_multiply"
        case .blsG2Multiply: "bls_g2_multiply"
        case .blsHashToG2: "bls_hash_to_g2"
        case .blsMillerLoop: "bls_miller_loop"
        case .blsFinalExponentiation: "bls_final_exponentiation"
        }
    }
}

/// Counts the expensive operations done on behalf of one owner (a node, a client, a test).
///
/// Every primitive that costs more than a few hundred nanoseconds takes a meter and counts
/// into it; the simulator turns the counts into virtual busy time. There is no global meter:
/// each simulation owns its meters, so two simulations on two threads share nothing.
public final class CostMeter {
    private var counts: [Int]

    public init() {
        counts = Array(repeating: 0, count: CryptoOperation.allCases.count)
    }

    @inlinable @inline(__always)
    public func count(_ operation: CryptoOperation, times: Int = 1) {
        add(operation, times)
    }

    @usableFromInline func add(_ operation: CryptoOperation, _ times: Int) {
        counts[operation.rawValue] &+= times
    }

    public subscript(operation: CryptoOperation) -> Int { counts[operation.rawValue] }

    /// The total of every count, for quick "did anything happen" checks.
    public var total: Int { counts.reduce(0, +) }

    /// Counts in `CryptoOperation` order.
    public var snapshot: [Int] { counts }

    /// Adds counts taken from `snapshot` or `drain` of another meter (in `CryptoOperation` order).
    public func add(counts: [Int]) {
        for index in counts.indices where index < self.counts.count { self.counts[index] &+= counts[index] }
    }

    /// Hands each nonzero count since the last call to `body` (with its `CryptoOperation`
    /// raw value) and sets it to zero: the node host drains the meter after each handled
    /// message to charge its busy time.
    public func drain(_ body: (_ operation: Int, _ count: Int) -> Void) {
        for index in counts.indices where counts[index] != 0 {
            body(index, counts[index])
            counts[index] = 0
        }
    }
}

/// Remembers the results of deterministic crypto work within one simulation, and charges every
/// caller's meter exactly what computing it would have counted. Many simulated nodes do the
/// same check (each of n − 1 receivers verifies one broadcast signature): the host does it
/// once, while each node's virtual clock still pays for it. Owned by one run, never shared
/// between runs; only looked up, never iterated (so hashing order cannot leak into a run).
/// A memo key: byte strings (digests, keys, signatures, encodings) compared in full, hashed by
/// their lengths and at most their first 16 and last 8 bytes. Such bytes are uniform, so that
/// spreads them; hashing every byte of long keys was a tenth of a signing run at n = 100.
public struct MemoKey: Hashable, ExpressibleByArrayLiteral {
    public let parts: [[UInt8]]

    public init(_ parts: [[UInt8]]) { self.parts = parts }
    public init(arrayLiteral parts: [UInt8]...) { self.parts = parts }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(parts.count)
        for part in parts {
            hasher.combine(part.count)
            for byte in part.prefix(16) { hasher.combine(byte) }
            if part.count > 16 { for byte in part.suffix(Swift.min(8, part.count - 16)) { hasher.combine(byte) } }
        }
    }

    public static func == (a: Self, b: Self) -> Bool { a.parts == b.parts }
}

public final class MeteredMemo<Key: Hashable, Value>: @unchecked Sendable {
    private var entries: [Key: (value: Value, counts: [Int])] = [:]
    private var order: [Key] = []
    private var oldest = 0
    public let capacity: Int

    public init(capacity: Int = 200_000) {
        self.capacity = capacity
    }

    public func value(for key: Key, meter: CostMeter, compute: (CostMeter) -> Value) -> Value {
        if let entry = entries[key] {
            meter.add(counts: entry.counts)
            return entry.value
        }
        let local = CostMeter()
        let value = compute(local)
        let counts = local.snapshot
        meter.add(counts: counts)
        entries[key] = (value, counts)
        order.append(key)
        if order.count - oldest > capacity {
            entries[order[oldest]] = nil
            oldest += 1
            if oldest > capacity {
                order.removeFirst(oldest)
                oldest = 0
            }
        }
        return value
    }
}
