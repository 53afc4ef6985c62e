import Testing
@testable import LitNetwork
import Simulation

/// A network run's trace digest is computed with swift-crypto's SHA-256, the engine's own runs
/// with its Swift SHA-256: the two must be the same function, or digests would depend on
/// which host computed them.
@Suite struct TraceDigestTests {
    @Test func swiftCryptoAndTheEnginesSHA256GiveTheSameDigests() {
        let seed: UInt64 = 9
        print("seed \(seed)")
        var rng = RandomStream(seed: seed)
        for trial in 0..<40 {
            var software = TraceHasher(SoftwareSHA256()), library = TraceHasher(SwiftCryptoSHA256())
            // Streams from empty to about 40 KiB, in pieces of every kind the trace writes.
            let pieces = trial == 0 ? 0 : Int(rng.next(below: 2000))
            for _ in 0..<pieces {
                switch rng.next(below: 3) {
                case 0:
                    let value = rng.next()
                    software.update(value)
                    library.update(value)
                case 1:
                    let value = UInt32(truncatingIfNeeded: rng.next())
                    software.update(value)
                    library.update(value)
                default:
                    let bytes = (0..<Int(rng.next(below: 100))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                    software.update(bytes)
                    library.update(bytes)
                }
                if rng.next(below: 500) == 0 { #expect(software.finalize() == library.finalize()) }
            }
            #expect(software.finalize() == library.finalize(), "trial \(trial)")
            #expect(software.finalize().count == 32)
        }
    }
}
