import Protocols
import Simulation
import ThresholdCrypto

/// Converts an endpoint's crypto meter into busy time with a cost table.
public struct CryptoCostModel: Sendable {
    public let table: CostTable
    /// The table's price of each operation, in `CryptoOperation` order (looked up once: a
    /// handler is charged on every event).
    let nanoseconds: [Int64]

    public init(table: CostTable) {
        self.table = table
        nanoseconds = CryptoOperation.allCases.map { table.nanoseconds[$0.name] ?? 0 }
    }

    /// Drains the meter into `totals` and returns the time the work it counted takes (as
    /// `CostTable.cost` prices it).
    public func charge(_ meter: CostMeter, into totals: inout [Int]) -> SimDuration {
        var total: Int64 = 0
        meter.drain { operation, count in
            totals[operation] += count
            total &+= nanoseconds[operation] &* Int64(count)
        }
        return SimDuration(nanoseconds: total)
    }
}

extension SimDuration {
    init(_ duration: Duration) {
        let components = duration.components
        self.init(nanoseconds: components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
    }
}
