import ThresholdCrypto

/// A number in a Lit Action: fixed point with nine decimals in an Int64 (±9.2 × 10⁹). No
/// floating point, so every node of every run on every machine computes the same digits, and
/// an overflow is an error, never a wrap. (Lit's actions are JavaScript doubles; the model
/// keeps what matters here — rounding and formatting are where nodes' values part — exact.)
public struct ActionNumber: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The value times 10⁹.
    public let raw: Int64
    public static let scale: Int64 = 1_000_000_000
    public static let decimals = 9

    public init(raw: Int64) { self.raw = raw }

    public init(_ integer: Int) throws(ActionError) {
        let (value, overflow) = Int64(integer).multipliedReportingOverflow(by: Self.scale)
        guard !overflow else { throw .overflow("\(integer)") }
        raw = value
    }

    /// Parses `-12.345`: digits, at most one point, at most nine decimals.
    public init?(parsing text: Substring) {
        var digits = text
        let negative = digits.first == "-"
        if negative { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].allSatisfy(\.isASCII), parts[0].allSatisfy(\.isNumber),
              let whole = Int64(parts[0]) else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let decimals = parts[1]
            guard !decimals.isEmpty, decimals.count <= Self.decimals, decimals.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int64(decimals) else { return nil }
            fraction = value * Self.power(Self.decimals - decimals.count)
        }
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: Self.scale)
        guard !overflow, scaled <= Int64.max - fraction else { return nil }
        raw = negative ? -(scaled + fraction) : scaled + fraction
    }

    static func power(_ exponent: Int) -> Int64 { (0..<exponent).reduce(Int64(1)) { value, _ in value * 10 } }

    public static func < (a: Self, b: Self) -> Bool { a.raw < b.raw }

    public static func + (a: Self, b: Self) throws(ActionError) -> Self {
        let (sum, overflow) = a.raw.addingReportingOverflow(b.raw)
        guard !overflow else { throw .overflow("\(a) + \(b)") }
        return Self(raw: sum)
    }

    public static func - (a: Self, b: Self) throws(ActionError) -> Self {
        let (difference, overflow) = a.raw.subtractingReportingOverflow(b.raw)
        guard !overflow else { throw .overflow("\(a) - \(b)") }
        return Self(raw: difference)
    }

    /// Truncated towards zero at the ninth decimal (as every operation here rounds only where
    /// `round` says so).
    public static func * (a: Self, b: Self) throws(ActionError) -> Self {
        let product = a.raw.multipliedFullWidth(by: b.raw)
        return try divide(high: product.high, low: product.low, by: scale, what: "\(a) * \(b)")
    }

    public static func / (a: Self, b: Self) throws(ActionError) -> Self {
        guard b.raw != 0 else { throw .divisionByZero }
        let numerator = a.raw.multipliedFullWidth(by: scale)
        return try divide(high: numerator.high, low: numerator.low, by: b.raw, what: "\(a) / \(b)")
    }

    /// The remainder with the sign of the dividend (JavaScript's `%`).
    public static func % (a: Self, b: Self) throws(ActionError) -> Self {
        guard b.raw != 0 else { throw .divisionByZero }
        // (Int64.min % −1 overflows in Swift; its remainder is 0.)
        let (remainder, overflow) = a.raw.remainderReportingOverflow(dividingBy: b.raw)
        return Self(raw: overflow ? 0 : remainder)
    }

    /// (high, low) / divisor, truncated, as a 128-bit signed division.
    static func divide(high: Int64, low: UInt64, by divisor: Int64, what: String) throws(ActionError) -> Self {
        let negative = (high < 0) != (divisor < 0)
        // Magnitudes: |(high, low)| and |divisor| (neither is Int64.min after the guard below).
        var magnitudeHigh = UInt64(bitPattern: high)
        var magnitudeLow = low
        if high < 0 {
            magnitudeLow = ~magnitudeLow &+ 1
            magnitudeHigh = ~magnitudeHigh &+ (magnitudeLow == 0 ? 1 : 0)
        }
        let magnitudeDivisor = divisor.magnitude
        guard magnitudeHigh < magnitudeDivisor else { throw .overflow(what) }
        let (quotient, _) = magnitudeDivisor.dividingFullWidth((magnitudeHigh, magnitudeLow))
        guard quotient <= UInt64(Int64.max) else { throw .overflow(what) }
        return Self(raw: negative ? -Int64(quotient) : Int64(quotient))
    }

    /// Rounded to `digits` decimals (0…9), halves away from zero.
    public func rounded(_ digits: Int, _ rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero) throws(ActionError) -> Self {
        guard (0...Self.decimals).contains(digits) else { throw .badArgument("round to \(digits) decimals (0…9)") }
        let step = Self.power(Self.decimals - digits)
        let remainder = raw % step
        var away: Int64 = 0
        switch rule {
        case .down: if remainder < 0 { away = -step }
        case .up: if remainder > 0 { away = step }
        default: if remainder != 0, remainder.magnitude * 2 >= UInt64(step) { away = remainder > 0 ? step : -step }
        }
        // (Not `self` in the message: describing a number rounds it.)
        let (rounded, overflow) = (raw - remainder).addingReportingOverflow(away)
        guard !overflow else { throw .overflow("rounding to \(digits) decimals") }
        return Self(raw: rounded)
    }

    /// Exactly `digits` decimals (rounded first), like JavaScript's `toFixed` (a negative value
    /// that rounds to zero keeps its sign: `format(-0.004, 2)` is "-0.00").
    public func formatted(_ digits: Int) throws(ActionError) -> String {
        let value = try rounded(digits)
        let whole = value.raw.magnitude / UInt64(Self.scale)
        let sign = raw < 0 ? "-" : ""
        guard digits > 0 else { return "\(sign)\(whole)" }
        let fraction = value.raw.magnitude % UInt64(Self.scale) / UInt64(Self.power(Self.decimals - digits))
        let padded = String(repeating: "0", count: digits - String(fraction).count) + String(fraction)
        return "\(sign)\(whole).\(padded)"
    }

    /// The shortest decimal form: no trailing zeros, no point for a whole number.
    public var description: String {
        var text = (try? formatted(Self.decimals)) ?? "\(raw)e-9"
        guard text.contains(".") else { return text }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}

/// A value an action computes: a number, a string or a boolean. Strings are equal when their
/// UTF-8 bytes are (as JavaScript compares code units, and as their hashes differ otherwise),
/// not by Swift's canonical equivalence.
public enum ActionValue: Hashable, Sendable, CustomStringConvertible {
    case number(ActionNumber)
    case string(String)
    case bool(Bool)

    public static func == (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case let (.number(x), .number(y)): x == y
        case let (.string(x), .string(y)): x.utf8.elementsEqual(y.utf8)
        case let (.bool(x), .bool(y)): x == y
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case let .number(number):
            hasher.combine(0)
            hasher.combine(number)
        case let .string(text):
            hasher.combine(1)
            for byte in text.utf8 { hasher.combine(byte) }
        case let .bool(flag):
            hasher.combine(2)
            hasher.combine(flag)
        }
    }

    public var typeName: String {
        switch self {
        case .number: "number"
        case .string: "string"
        case .bool: "bool"
        }
    }

    /// As `str()` and a response show it.
    public var description: String {
        switch self {
        case let .number(number): number.description
        case let .string(text): text
        case let .bool(flag): flag ? "true" : "false"
        }
    }

    /// Bytes it takes in the action's memory (the 256 MB limit) and on the wire.
    public var size: Int {
        switch self {
        case .number: 8
        case let .string(text): text.utf8.count
        case .bool: 1
        }
    }

    public func encode(_ writer: inout ByteWriter) {
        switch self {
        case let .number(number):
            writer.append(UInt8(0))
            writer.append(UInt64(bitPattern: number.raw))
        case let .string(text):
            writer.append(UInt8(1))
            writer.append(UInt32(text.utf8.count))
            writer.append(bytes: Array(text.utf8))
        case let .bool(flag):
            writer.append(UInt8(2))
            writer.append(UInt8(flag ? 1 : 0))
        }
    }

    /// Strings longer than `ActionLimits.lit.stringBytes` are no honest node's.
    public static func decode(_ reader: inout ByteReader) throws(WireError) -> ActionValue {
        switch try reader.byte() {
        case 0: return .number(ActionNumber(raw: Int64(bitPattern: try reader.uint64())))
        case 1:
            let count = Int(try reader.uint32())
            guard count <= ActionLimits.lit.stringBytes, count <= reader.bytes.count - reader.offset else {
                throw .countTooLarge(what: "string bytes", count: count)
            }
            return .string(try reader.utf8(count, what: "an action value"))
        case 2:
            let flag = try reader.byte()
            guard flag <= 1 else { throw .invalidValue("boolean \(flag)") }
            return .bool(flag == 1)
        case let kind: throw .unknownKind(kind)
        }
    }
}

/// Why an action stopped on a node: typed, with a stable code (metrics and responses carry it).
public enum ActionError: Error, Hashable, Sendable, CustomStringConvertible {
    case parse(String, column: Int)
    case unknownVariable(String)
    case unknownFunction(String)
    case arity(String, expected: String, got: Int)
    case typeMismatch(String)
    case badArgument(String)
    case divisionByZero
    case overflow(String)
    case fetchFailed(source: String)
    /// Lit's limits: 50 fetches, 10 signatures, 30 s, 256 MB.
    case tooManyFetches(limit: Int)
    case tooManySignatures(limit: Int)
    case timedOut(limitMilliseconds: Int64)
    case outOfMemory(limitBytes: Int)
    /// A `run-once` leader's or a `broadcast-and-collect` peer's value did not come in time.
    case peerTimedOut(step: String)
    /// Peers' decryption shares whose proofs failed leave too few for the threshold.
    case invalidPeerShares(step: String)
    /// The node cannot sign (no key share, or not a signer of the request).
    case cannotSign
    /// A `decrypt` step's ciphertext is not this program's secret (its label binds it to
    /// another program or secret): no share is released.
    case decryptDenied(secret: String)
    /// A `decrypt` step's ciphertext is missing or invalid, or its content is not text.
    case decryptFailed(secret: String, reason: String)

    /// The stable code (`action.failed` by reason).
    public var code: String {
        switch self {
        case .parse: "parse"
        case .unknownVariable: "unknown-variable"
        case .unknownFunction: "unknown-function"
        case .arity: "arity"
        case .typeMismatch: "type"
        case .badArgument: "bad-argument"
        case .divisionByZero: "division-by-zero"
        case .overflow: "overflow"
        case .fetchFailed: "fetch-failed"
        case .tooManyFetches: "too-many-fetches"
        case .tooManySignatures: "too-many-signatures"
        case .timedOut: "timeout"
        case .outOfMemory: "out-of-memory"
        case .peerTimedOut: "peer-timeout"
        case .invalidPeerShares: "invalid-share"
        case .cannotSign: "cannot-sign"
        case .decryptDenied: "decrypt-denied"
        case .decryptFailed: "decrypt-failed"
        }
    }

    public var description: String {
        switch self {
        case let .parse(message, column): "column \(column): \(message)"
        case let .unknownVariable(name): "unknown variable '\(name)'"
        case let .unknownFunction(name): "unknown function '\(name)'"
        case let .arity(name, expected, got): "\(name) takes \(expected) arguments, got \(got)"
        case let .typeMismatch(what): "type error: \(what)"
        case let .badArgument(what): "bad argument: \(what)"
        case .divisionByZero: "division by zero"
        case let .overflow(what): "number overflow in \(what)"
        case let .fetchFailed(source): "fetch of '\(source)' failed"
        case let .tooManyFetches(limit): "more than \(limit) fetches"
        case let .tooManySignatures(limit): "more than \(limit) signatures"
        case let .timedOut(limit): "ran longer than \(limit) ms"
        case let .outOfMemory(limit): "held more than \(limit) bytes"
        case let .peerTimedOut(step): "\(step): a peer's value did not come in time"
        case let .invalidPeerShares(step): "\(step): peers' shares failed their proofs, too few are left"
        case .cannotSign: "this node cannot sign (no key share, or not a signer)"
        case let .decryptDenied(secret): "the ciphertext sent as '\(secret)' is not this program's secret"
        case let .decryptFailed(secret, reason): "cannot decrypt '\(secret)': \(reason)"
        }
    }
}

/// Lit's limits on one action run (LIT-FACTS.md, "Access control and Lit Actions").
public struct ActionLimits: Hashable, Sendable {
    public var fetches = 50
    public var signatures = 10
    public var milliseconds: Int64 = 30_000
    /// The action's memory, modelled as the bytes of the values it holds.
    public var memoryBytes = 256 * 1024 * 1024
    /// No single string is longer (bounds what a peer's message may carry).
    public var stringBytes = 1024 * 1024

    public static let lit = ActionLimits()
}
