import Foundation

/// SplitMix64: seeds the other generators and derives child seeds. Written here (not the
/// standard library's generator) so that every platform draws the same numbers.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    @inlinable public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The SplitMix64 output function: a bijective avalanche of one word.
    @inlinable public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** (Blackman and Vigna): the generator every simulation stream draws from.
public struct RandomStream: RandomNumberGenerator, Sendable {
    @usableFromInline var s0, s1, s2, s3: UInt64

    /// Seeds the four words from SplitMix64, as the authors recommend (never all zero).
    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        s0 = seeder.next()
        s1 = seeder.next()
        s2 = seeder.next()
        s3 = seeder.next()
    }

    @inlinable public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    @inlinable func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform integer in 0..<bound by rejection (Lemire's method without the division in
    /// the common case), so no value is favoured.
    @inlinable public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return product.high
    }

    /// True with the given probability, decided in integers.
    @inlinable public mutating func happens(_ probability: Probability) -> Bool {
        switch probability.threshold {
        case 0: false
        case .max where probability.isCertain: true
        default: next() < probability.threshold
        }
    }

    /// A uniform double in [0, 1) with 53 random bits (for distribution shapes only; the
    /// results are rounded to integer nanoseconds before they reach any ordering).
    @inlinable public mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}

/// Which part of a simulation a stream serves. Streams are derived from the root seed by
/// (domain, index) alone, so adding node 11 changes no draw of nodes 0 to 10.
public enum StreamDomain: UInt64, Sendable {
    case network = 1
    case node = 2
    case client = 3
    case faults = 4
    case byzantine = 5
    case workload = 6
    case engine = 7
    /// Long-term identity keys (kept apart from a node's protocol randomness).
    case identity = 8
    /// Clients' identity keys (a client signs its requests).
    case clientIdentity = 9
    /// Each node's chain RPC (its lag behind the head).
    case chainRPC = 10
    /// The simulated chains' random reorgs, per chain.
    case chainBlocks = 11
    /// An equivocating node's twin (the explorer's generic `equivocate`).
    case twin = 12
    /// The explorer's draw of a scenario from its seed.
    case exploration = 13
    /// Lit Actions' external sources: a random-walk feed's steps, per source.
    case externalFeed = 14
    /// Each node's fetches of external sources (their jitter, skew and failures).
    case externalFetch = 15
}

/// The tree of independent streams under one root seed.
public struct RandomTree: Sendable {
    public let rootSeed: UInt64

    public init(rootSeed: UInt64) { self.rootSeed = rootSeed }

    public func seed(_ domain: StreamDomain, _ index: Int = 0) -> UInt64 {
        let domainSeed = SplitMix64.mix(rootSeed ^ SplitMix64.mix(domain.rawValue &* 0xD1B5_4A32_D192_ED03))
        return SplitMix64.mix(domainSeed ^ SplitMix64.mix(UInt64(truncatingIfNeeded: index) &+ 0x632B_E59B_D9B4_E019))
    }

    public func stream(_ domain: StreamDomain, _ index: Int = 0) -> RandomStream {
        RandomStream(seed: seed(domain, index))
    }
}

/// A probability as a 64-bit fixed-point threshold: an event happens when a uniform 64-bit
/// draw is below it. Built from decimal text or a ratio, never from a float, so fault
/// decisions are integer comparisons.
public struct Probability: Hashable, Sendable, CustomStringConvertible {
    public let threshold: UInt64
    public let isCertain: Bool
    /// The text it was made from, for reports.
    public let text: String

    public static let never = Probability(numerator: 0, denominator: 1)
    public static let always = Probability(numerator: 1, denominator: 1)

    /// numerator / denominator, which must lie in [0, 1].
    public init(numerator: UInt64, denominator: UInt64) {
        precondition(denominator > 0 && numerator <= denominator, "probability must lie in [0, 1]")
        isCertain = numerator == denominator
        text = denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)"
        if isCertain {
            threshold = .max
        } else {
            // floor(numerator · 2^64 / denominator), exact in 128-bit arithmetic.
            threshold = denominator.dividingFullWidth((high: numerator, low: 0)).quotient
        }
    }

    /// Parses "0.01", "1", "0", "1/3", "5%" exactly; nil when malformed or outside [0, 1].
    public init?(parsing raw: String) {
        let text = raw.trimmingCharacters(in: .whitespaces)
        if text.hasSuffix("%") {
            guard let decimal = Decimal64(parsing: String(text.dropLast())) else { return nil }
            self.init(decimal: decimal, extraScale: 100, text: text)
            return
        }
        let ratio = text.split(separator: "/")
        if ratio.count == 2 {
            guard let numerator = UInt64(ratio[0]), let denominator = UInt64(ratio[1]),
                  denominator > 0, numerator <= denominator else { return nil }
            self.init(numerator: numerator, denominator: denominator)
            return
        }
        guard let decimal = Decimal64(parsing: text) else { return nil }
        self.init(decimal: decimal, extraScale: 1, text: text)
    }

    private init?(decimal: Decimal64, extraScale: UInt64, text: String) {
        var denominator: UInt64 = extraScale
        for _ in 0..<decimal.fractionDigits { denominator *= 10 }
        var scale: UInt64 = 1
        for _ in 0..<decimal.fractionDigits { scale *= 10 }
        let numerator = UInt64(decimal.integer) * scale + UInt64(decimal.fraction)
        guard numerator <= denominator else { return nil }
        let value = Probability(numerator: numerator, denominator: denominator)
        threshold = value.threshold
        isCertain = value.isCertain
        self.text = text
    }

    public var description: String { text }
    /// For reports only.
    public var approximateValue: Double { isCertain ? 1 : Double(threshold) / 0x1.0p64 }
}

