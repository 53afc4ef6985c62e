import Crypto
import Simulation

/// swift-crypto's SHA-256 (BoringSSL, with the CPU's SHA instructions where there are any) for
/// the trace digest of a network run: about four times the engine's own Swift SHA-256, and the
/// same digest (checked against it in TraceDigestTests).
public struct SwiftCryptoSHA256: TraceDigestFunction, @unchecked Sendable {
    // @unchecked: SHA256 does not say Sendable on Linux, but it is a value (its context is
    // copied before a shared one is written), and a recorder belongs to one run.
    private var hasher = SHA256()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }

    public func finalize() -> [UInt8] { Array(hasher.finalize()) }
}
