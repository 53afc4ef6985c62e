/// Keccak-256 as Ethereum uses it: the Keccak submission's padding (0x01 … 0x80), not the
/// FIPS 202 SHA3-256 padding (0x06 … 0x80). Rate 136 bytes, capacity 512 bits, output 32 bytes.
public enum Keccak {
    /// Round constants of Keccak-f[1600] (the Keccak reference, ι step).
    static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]

    /// Rotation offsets of the ρ step, by lane index x + 5y.
    static let rotations: [UInt64] = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14]

    static func permute(_ a: inout [UInt64]) {
        var b = [UInt64](repeating: 0, count: 25)
        var c = [UInt64](repeating: 0, count: 5)
        for round in 0..<24 {
            // θ
            for x in 0..<5 { c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] }
            for x in 0..<5 {
                let d = c[(x + 4) % 5] ^ rotate(c[(x + 1) % 5], 1)
                for y in stride(from: 0, to: 25, by: 5) { a[x + y] ^= d }
            }
            // ρ and π: B[y, 2x + 3y] = rot(A[x, y], r[x, y])
            for x in 0..<5 {
                for y in 0..<5 { b[y + 5 * ((2 * x + 3 * y) % 5)] = rotate(a[x + 5 * y], rotations[x + 5 * y]) }
            }
            // χ
            for y in stride(from: 0, to: 25, by: 5) {
                for x in 0..<5 { a[x + y] = b[x + y] ^ (~b[(x + 1) % 5 + y] & b[(x + 2) % 5 + y]) }
            }
            // ι
            a[0] ^= roundConstants[round]
        }
    }

    @inline(__always) static func rotate(_ value: UInt64, _ amount: UInt64) -> UInt64 {
        amount == 0 ? value : (value << amount) | (value >> (64 - amount))
    }

    /// Keccak-256 of `message` (counted as one hash on the meter).
    /// Each 136-byte block is counted as one hash block (a permutation costs about what a
    /// SHA-256 compression does).
    public static func keccak256(_ message: [UInt8], meter: CostMeter) -> [UInt8] {
        let rate = 136
        var state = [UInt64](repeating: 0, count: 25)
        var padded = message
        padded.append(0x01)
        while padded.count % rate != 0 { padded.append(0) }
        padded[padded.count - 1] |= 0x80
        for blockStart in stride(from: 0, to: padded.count, by: rate) {
            for lane in 0..<(rate / 8) {
                var word: UInt64 = 0
                for byte in 0..<8 { word |= UInt64(padded[blockStart + 8 * lane + byte]) << (8 * UInt64(byte)) }
                state[lane] ^= word
            }
            permute(&state)
            meter.count(.hashBlock)
        }
        var out = [UInt8]()
        out.reserveCapacity(32)
        for lane in 0..<4 {
            for byte in 0..<8 { out.append(UInt8(truncatingIfNeeded: state[lane] >> (8 * UInt64(byte)))) }
        }
        return out
    }
}
