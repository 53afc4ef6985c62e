/// The hash behind the trace digest: SHA-256 (FIPS 180-4). The engine imports no
/// cryptography module, so it carries its own (`SoftwareSHA256`, tested against FIPS
/// vectors); a host with a faster one hands it to `TraceRecorder` (LitNetwork hands over
/// swift-crypto's, which uses the CPU's SHA instructions). Any function here must be exactly
/// SHA-256: a digest does not depend on which computed it.
public protocol TraceDigestFunction: Sendable {
    /// Appends bytes to the message.
    mutating func update(_ bytes: UnsafeRawBufferPointer)
    /// SHA-256 of the message so far (more may be appended afterwards).
    func finalize() -> [UInt8]
}

/// Gathers the trace's many small fields and hands them to the digest function 4 KiB at a time.
public struct TraceHasher: Sendable {
    private var function: any TraceDigestFunction
    private var pending: [UInt8] = []

    public init(_ function: any TraceDigestFunction = SoftwareSHA256()) {
        self.function = function
        pending.reserveCapacity(4096 + 64)
    }

    public mutating func update(_ bytes: some Sequence<UInt8>) {
        pending.append(contentsOf: bytes)
        flushIfFull()
    }

    @inline(__always) mutating func append(_ byte: UInt8) {
        pending.append(byte)
    }

    public mutating func update(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { pending.append(contentsOf: $0) }
        flushIfFull()
    }

    public mutating func update(_ value: Int64) { update(UInt64(bitPattern: value)) }

    public mutating func update(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { pending.append(contentsOf: $0) }
    }

    @inline(__always) private mutating func flushIfFull() {
        if pending.count >= 4096 { flush() }
    }

    private mutating func flush() {
        pending.withUnsafeBytes { function.update($0) }
        pending.removeAll(keepingCapacity: true)
    }

    public func finalize() -> [UInt8] {
        var copy = self
        copy.flush()
        return copy.function.finalize()
    }
}

/// SHA-256 in Swift, one 64-byte block at a time.
public struct SoftwareSHA256: TraceDigestFunction {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19)
    /// The bytes after the last whole block (fewer than 64).
    private var partial: [UInt8] = []
    private var length: UInt64 = 0

    public init() {}

    static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var rest = bytes[...]
        if !partial.isEmpty {
            let taken = min(64 - partial.count, rest.count)
            partial.append(contentsOf: rest.prefix(taken))
            rest = rest.dropFirst(taken)
            guard partial.count == 64 else { return }
            partial.withUnsafeBytes { compressBlocks(UnsafeRawBufferPointer(rebasing: $0[...])) }
            partial.removeAll(keepingCapacity: true)
        }
        let whole = rest.count / 64 * 64
        compressBlocks(UnsafeRawBufferPointer(rebasing: rest.prefix(whole)))
        partial.append(contentsOf: rest.dropFirst(whole))
    }

    public func finalize() -> [UInt8] {
        var copy = self
        let bitLength = length &* 8
        var tail = partial + [0x80]
        while tail.count % 64 != 56 { tail.append(0) }
        withUnsafeBytes(of: bitLength.bigEndian) { tail.append(contentsOf: $0) }
        tail.withUnsafeBytes { copy.compressBlocks($0) }
        let s = copy.state
        return [s.0, s.1, s.2, s.3, s.4, s.5, s.6, s.7].flatMap { word in
            (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * UInt32($0))) }
        }
    }

    /// Compresses `bytes`, a whole number of blocks.
    private mutating func compressBlocks(_ bytes: UnsafeRawBufferPointer) {
        let blocks = bytes.count / 64
        guard blocks > 0 else { return }
        var state = self.state
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        Self.k.withUnsafeBufferPointer { k in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                for block in 0..<blocks { Self.compress(&state, base + 64 * block, w, k) }
            }
        }
        self.state = state
    }

    static func compress(
        _ state: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
        _ block: UnsafePointer<UInt8>, _ w: UnsafeMutableBufferPointer<UInt32>, _ k: UnsafeBufferPointer<UInt32>
    ) {
        for i in 0..<16 {
            w[i] = UInt32(block[4 * i]) << 24 | UInt32(block[4 * i + 1]) << 16
                | UInt32(block[4 * i + 2]) << 8 | UInt32(block[4 * i + 3])
        }
        for i in 16..<64 {
            let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
            let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
            w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
        }
        var (a, b, c, d, e, f, g, h) = state
        for i in 0..<64 {
            let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
            let choice = (e & f) ^ (~e & g)
            let t1 = h &+ s1 &+ choice &+ k[i] &+ w[i]
            let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
            let majority = (a & b) ^ (a & c) ^ (b & c)
            let t2 = s0 &+ majority
            h = g; g = f; f = e; e = d &+ t1
            d = c; c = b; b = a; a = t1 &+ t2
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d,
                 state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ h)
    }

    @inline(__always) private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
}
