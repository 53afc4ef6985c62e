import Foundation

/// A point in virtual time: integer nanoseconds since the start of the simulation.
/// There is no wall clock below the command-line tool; everything is ordered by these.
public struct SimInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = SimInstant(nanoseconds: 0)
    /// Later than any event a simulation schedules.
    public static let distantFuture = SimInstant(nanoseconds: .max / 4)

    @inlinable public static func < (a: SimInstant, b: SimInstant) -> Bool { a.nanoseconds < b.nanoseconds }
    @inlinable public static func + (a: SimInstant, d: SimDuration) -> SimInstant {
        SimInstant(nanoseconds: a.nanoseconds &+ d.nanoseconds)
    }
    @inlinable public static func - (a: SimInstant, b: SimInstant) -> SimDuration {
        SimDuration(nanoseconds: a.nanoseconds &- b.nanoseconds)
    }

    public var milliseconds: Double { Double(nanoseconds) / 1e6 }
    public var description: String { SimDuration(nanoseconds: nanoseconds).description }
}

/// A length of virtual time in integer nanoseconds.
public struct SimDuration: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = SimDuration(nanoseconds: 0)
    public static func microseconds(_ value: Int64) -> SimDuration { SimDuration(nanoseconds: value * 1_000) }
    public static func milliseconds(_ value: Int64) -> SimDuration { SimDuration(nanoseconds: value * 1_000_000) }
    public static func seconds(_ value: Int64) -> SimDuration { SimDuration(nanoseconds: value * 1_000_000_000) }

    @inlinable public static func < (a: SimDuration, b: SimDuration) -> Bool { a.nanoseconds < b.nanoseconds }
    @inlinable public static func + (a: SimDuration, b: SimDuration) -> SimDuration {
        SimDuration(nanoseconds: a.nanoseconds &+ b.nanoseconds)
    }
    @inlinable public static func - (a: SimDuration, b: SimDuration) -> SimDuration {
        SimDuration(nanoseconds: a.nanoseconds &- b.nanoseconds)
    }
    @inlinable public static func * (a: SimDuration, factor: Int64) -> SimDuration {
        SimDuration(nanoseconds: a.nanoseconds &* factor)
    }

    public var milliseconds: Double { Double(nanoseconds) / 1e6 }

    /// The largest unit that divides the value exactly: "30s", "250ms", "1500us", "7ns".
    public var description: String {
        for (unit, size) in [("h", Int64(3_600_000_000_000)), ("m", 60_000_000_000), ("s", 1_000_000_000),
                             ("ms", 1_000_000), ("us", 1_000)] where nanoseconds != 0 && nanoseconds % size == 0 {
            return "\(nanoseconds / size)\(unit)"
        }
        return "\(nanoseconds)ns"
    }

    /// Parses "30s", "250ms", "1.5s", "10us", "7ns", "2m", "1h" exactly (no floating point:
    /// a decimal fraction is scaled by the unit in integers and must come out whole).
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Int64)] = [("ns", 1), ("us", 1_000), ("µs", 1_000), ("ms", 1_000_000),
                                        ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000)]
        // Longest suffix first so "ms" is not read as "s".
        for (suffix, scale) in units.sorted(by: { $0.0.count > $1.0.count }) where trimmed.hasSuffix(suffix) {
            let number = String(trimmed.dropLast(suffix.count))
            guard let value = Decimal64(parsing: number), let scaled = value.scaled(by: scale) else { return nil }
            self.init(nanoseconds: scaled)
            return
        }
        return nil
    }
}

/// A non-negative decimal number read without floating point: digits and at most one point.
public struct Decimal64 {
    var integer: Int64
    var fraction: Int64
    var fractionDigits: Int

    public init?(parsing text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !text.isEmpty, parts.count <= 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }), !parts[0].isEmpty,
              parts.count == 1 || !parts[1].isEmpty,
              parts[0].count <= 15, parts.count == 1 || parts[1].count <= 15,
              let integer = Int64(parts[0])
        else { return nil }
        self.integer = integer
        fraction = parts.count == 2 ? Int64(parts[1])! : 0
        fractionDigits = parts.count == 2 ? parts[1].count : 0
    }

    /// value × scale when that is a whole number that fits, else nil.
    public func scaled(by scale: Int64) -> Int64? {
        let (whole, overflow) = integer.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        var divisor: Int64 = 1
        for _ in 0..<fractionDigits { divisor *= 10 }
        let (part, overflow2) = fraction.multipliedReportingOverflow(by: scale)
        guard !overflow2, part % divisor == 0 else { return nil }
        return whole + part / divisor
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

