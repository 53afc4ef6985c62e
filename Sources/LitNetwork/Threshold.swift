/// How many of n nodes must take part: Lit's rule, a fixed number, or a fraction.
public enum ThresholdRule: Hashable, Sendable, CustomStringConvertible {
    /// max(3, ⌊2n/3⌋): the JS SDK's rule and the contract's for n > 4 (LIT-FACTS: thresholds).
    case lit
    case fixed(Int)
    /// ⌈numerator·n / denominator⌉.
    case fraction(numerator: Int, denominator: Int)

    public func threshold(nodes n: Int) -> Int {
        switch self {
        case .lit: max(3, (2 * n) / 3)
        case let .fixed(value): value
        case let .fraction(numerator, denominator): (numerator * n + denominator - 1) / denominator
        }
    }

    public var description: String {
        switch self {
        case .lit: "lit"
        case let .fixed(value): "\(value)"
        case let .fraction(numerator, denominator): "\(numerator)/\(denominator)"
        }
    }
}
