import Foundation
import ThresholdCrypto

/// SplitMix64 for seeded tests. Every seeded test prints its seed so a failure can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64, test: String = #function) {
        state = seed
        print("\(test): seed \(seed) (set LITSIM_TEST_SEED to replay another)")
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(below bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}

/// The seed for seeded tests: LITSIM_TEST_SEED if set, else a fixed default.
func testSeed(default value: UInt64) -> UInt64 {
    ProcessInfo.processInfo.environment["LITSIM_TEST_SEED"].flatMap(UInt64.init) ?? value
}

func fixture(_ name: String) throws -> Data {
    guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
        throw FixtureMissing(name: name)
    }
    return try Data(contentsOf: url)
}

struct FixtureMissing: Error { let name: String }

func hex(_ string: String) -> [UInt8] { try! [UInt8](hex: string) }
func scalar(_ string: String) -> Scalar { try! Scalar(bytes: hex(string)) }
