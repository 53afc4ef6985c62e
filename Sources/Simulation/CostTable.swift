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
        ].merging(blsFigures) { measured, _ in measured })

    /// BLS12-381 with blst, for `nodes.cost_profile: bls12-381`: blst publishes no figures
    /// (its README points at its bindings' benchmarks), so these are blst's own code timed on
    /// the reference machine — blst v0.3.16-36-gdece82e (commit dece82e) built with its
    /// build.sh outside this repository, a small C harness over its public API (blst_p1_mult,
    /// blst_p2_mult, blst_hash_to_g2, blst_miller_loop, blst_final_exp on 255-bit scalars),
    /// cc -O2, AMD EPYC, 2 cores, medians of 9 batches, 2026-11-22. Nothing that builds blst is
    /// kept here (fetched code is read and measured, not built from this repository). A
    /// pairing is a Miller loop and a final exponentiation (505 µs).
    public static let blsFigures: [String: Int64] = [
        "bls_g1_multiply": 66_378,
        "bls_g2_multiply": 137_009,
        "bls_hash_to_g2": 144_959,
        "bls_miller_loop": 211_070,
        "bls_final_exponentiation": 293_978,
    ]

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
