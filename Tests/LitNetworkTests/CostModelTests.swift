import Testing
@testable import LitNetwork
import Simulation
import ThresholdCrypto

/// A handler's busy time: the meter's counts priced by the cost table.
@Suite struct CostModelTests {
    /// The model prices counts exactly as the table does by name, adds them to the totals and
    /// leaves the meter empty (seeded counts over every operation, the built-in table and one
    /// with operations missing).
    @Test func chargingPricesAsTheTableAndDrainsTheMeter() {
        let seed: UInt64 = 5
        print("seed \(seed)")
        var rng = RandomStream(seed: seed)
        let names = CryptoOperation.allCases.map(\.name)
        let partial = CostTable(source: "test", nanoseconds: ["point_multiply": 7, "hash_block": 3])
        for table in [CostTable.builtIn, partial] {
            let model = CryptoCostModel(table: table)
            var totals = Array(repeating: 0, count: names.count)
            var expectedTotals = totals
            for _ in 0..<50 {
                let meter = CostMeter()
                let counts = names.map { _ in rng.next(below: 3) == 0 ? 0 : Int(rng.next(below: 1000)) }
                for (operation, count) in zip(CryptoOperation.allCases, counts) { meter.count(operation, times: count) }
                #expect(model.charge(meter, into: &totals) == table.cost(names: names, counts: counts))
                for index in counts.indices { expectedTotals[index] += counts[index] }
                #expect(meter.total == 0)
                #expect(model.charge(meter, into: &totals) == .zero)
            }
            #expect(totals == expectedTotals && totals.contains { $0 > 0 })
        }
    }
}
