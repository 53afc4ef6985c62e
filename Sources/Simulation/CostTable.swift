import Foundation

/// Nanoseconds of CPU per operation kind, by the names the crypto meter uses
/// (`point_multiply`, `base_multiply`, …). The engine imports no cryptography, so the table
/// is keyed by name; LitNetwork maps the meter's counts onto it.
public struct CostTable: Codable, Hashable, Sendable {
    /// Where the figures come from (machine, date, method).
    public var source: String
    /// Operation name → nanoseconds, kept sorted by name so the JSON is stable.
    public var nanoseconds: [String: Int64]

    public init(source: String, nanoseconds: [String: Int64]) {
        self.source = source
        self.nanoseconds = nanoseconds
    }

    /// Busy time for `counts[i]` operations named `names[i]`.
    public func cost(names: [String], counts: [Int]) -> SimDuration {
        var total: Int64 = 0
        for (name, count) in zip(names, counts) where count != 0 {
            total &+= (nanoseconds[name] ?? 0) &* Int64(count)
        }
        return SimDuration(nanoseconds: total)
    }

    /// Measured with `litsim calibrate` (release build, medians of timed batches) on the
    /// reference machine: 2 cores, x86_64, Swift 6.3.1, libsecp256k1 0.2.0, 2026-11-21. The
    /// same table is committed as reports/benchmarks/cost-table.json (`make reports`).
    public static let builtIn = CostTable(
        source: "built-in: litsim calibrate, release build, reference machine (2-core x86_64, libsecp256k1 0.2.0), 2026-11-21",
        nanoseconds: [
            "point_multiply": 24_549,
            "base_multiply": 16_346,
            "point_add": 1_828,
            "point_sum": 1_465,
            "point_sum_term": 211,
            "hash_block": 44,
            "scalar_inverse": 1_140,
            "point_decode": 3_907,
            "schnorr_verify": 31_678,
        ])

    /// Every operation free: pure network simulations (`nodes.cpu: none`).
    public static let zero = CostTable(source: "none: compute is free", nanoseconds: [:])

    public func encodedJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    public static func decode(_ data: Data) throws -> CostTable {
        try JSONDecoder().decode(CostTable.self, from: data)
    }
}
