/// Logarithm and exponential built only from IEEE 754 addition, multiplication and
/// division, which every platform rounds identically, so latency draws (and therefore event
/// order) are the same on Linux and macOS. The platform's libm makes no such promise.
enum DeterministicMath {
    static let ln2 = 0.693_147_180_559_945_3

    /// Natural logarithm for x > 0 (accurate to about 1e-15 relative).
    static func log(_ x: Double) -> Double {
        precondition(x > 0 && x.isFinite, "log needs a positive finite number")
        // x = m · 2^e with m in [1, 2), read from the bits.
        var exponent = Int(x.exponent)
        var mantissa = x.significand
        if mantissa > 1.414_213_562_373_095 {  // centre m on 1 for faster convergence
            mantissa /= 2
            exponent += 1
        }
        // ln(m) = 2·atanh(s), s = (m − 1)/(m + 1), |s| < 0.172.
        let s = (mantissa - 1) / (mantissa + 1)
        let s2 = s * s
        var term = s
        var sum = 0.0
        var k = 1.0
        while true {
            let next = sum + term / k
            if next == sum { break }
            sum = next
            term *= s2
            k += 2
        }
        return 2 * sum + Double(exponent) * ln2
    }

    /// e^x for |x| < 700.
    static func exp(_ x: Double) -> Double {
        precondition(x.isFinite && abs(x) < 700, "exp argument out of range")
        // x = k·ln2 + r with |r| ≤ ln2/2; e^x = 2^k · e^r.
        let k = (x / ln2).rounded()
        let r = x - k * ln2
        var term = 1.0
        var sum = 1.0
        var n = 1.0
        while true {
            term *= r / n
            let next = sum + term
            if next == sum { break }
            sum = next
            n += 1
        }
        return Double(sign: .plus, exponent: Int(k), significand: sum)
    }

    /// Square root is correctly rounded by IEEE 754 on every platform.
    static func sqrt(_ x: Double) -> Double { x.squareRoot() }
}
