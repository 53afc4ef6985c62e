import Protocols
import Simulation
import ThresholdCrypto

/// Converts an endpoint's crypto meter into busy time with a cost table.
public struct CryptoCostModel: Sendable {
    public let table: CostTable
    let names = CryptoOperation.allCases.map(\.name)

    public init(table: CostTable) { self.table = table }

    /// Drains the meter into `totals` and returns the time the work it counted takes.
    public func charge(_ meter: CostMeter, into totals: inout [Int]) -> SimDuration {
        let counts = meter.drain()
        for index in counts.indices { totals[index] += counts[index] }
        return table.cost(names: names, counts: counts)
    }
}

extension SimDuration {
    init(_ duration: Duration) {
        let components = duration.components
        self.init(nanoseconds: components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
    }
}
