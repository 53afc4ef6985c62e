/// A one-way delay distribution. Draws come from the sender's network stream and are
/// rounded to whole nanoseconds, never below `minimum`.
public enum LatencyDistribution: Hashable, Sendable {
    case constant(SimDuration)
    case uniform(min: SimDuration, max: SimDuration)
    case normal(mean: SimDuration, standardDeviation: SimDuration, minimum: SimDuration)
    /// Parameterised by the mean and standard deviation of the delay itself (not of its log).
    case lognormal(mean: SimDuration, standardDeviation: SimDuration, minimum: SimDuration)
    case exponential(mean: SimDuration, minimum: SimDuration)

    /// - Complexity: O(1); normal and lognormal draws use the polar method (a few draws).
    public func sample(using rng: inout RandomStream) -> SimDuration {
        switch self {
        case let .constant(value):
            return value
        case let .uniform(min, max):
            guard max > min else { return min }
            let span = UInt64(max.nanoseconds - min.nanoseconds) + 1
            return SimDuration(nanoseconds: min.nanoseconds + Int64(rng.next(below: span)))
        case let .normal(mean, deviation, minimum):
            let value = Double(mean.nanoseconds) + Double(deviation.nanoseconds) * Self.standardNormal(&rng)
            return Self.clamp(value, minimum)
        case let .lognormal(mean, deviation, minimum):
            let m = Double(mean.nanoseconds)
            let s = Double(deviation.nanoseconds)
            guard m > 0 else { return minimum }
            let sigmaSquared = DeterministicMath.log(1 + (s * s) / (m * m))
            let mu = DeterministicMath.log(m) - sigmaSquared / 2
            let value = DeterministicMath.exp(mu + DeterministicMath.sqrt(sigmaSquared) * Self.standardNormal(&rng))
            return Self.clamp(value, minimum)
        case let .exponential(mean, minimum):
            // 1 − U lies in (0, 1], so the logarithm is finite.
            let u = 1 - rng.nextUnitInterval()
            return Self.clamp(-Double(mean.nanoseconds) * DeterministicMath.log(u), minimum)
        }
    }

    /// The mean delay, for reports and sanity checks.
    public var mean: SimDuration {
        switch self {
        case let .constant(value): value
        case let .uniform(min, max): SimDuration(nanoseconds: (min.nanoseconds + max.nanoseconds) / 2)
        case let .normal(mean, _, _), let .lognormal(mean, _, _), let .exponential(mean, _): mean
        }
    }

    /// Marsaglia's polar method: only log and sqrt, both deterministic here.
    static func standardNormal(_ rng: inout RandomStream) -> Double {
        while true {
            let u = 2 * rng.nextUnitInterval() - 1
            let v = 2 * rng.nextUnitInterval() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                return u * DeterministicMath.sqrt(-2 * DeterministicMath.log(s) / s)
            }
        }
    }

    static func clamp(_ value: Double, _ minimum: SimDuration) -> SimDuration {
        guard value.isFinite, value < 9e15 else { return SimDuration(nanoseconds: 9_000_000_000_000_000) }
        return SimDuration(nanoseconds: max(minimum.nanoseconds, Int64(value.rounded())))
    }
}

/// Where each endpoint is and the one-way delay between regions, plus jitter.
public struct RegionLatency: Hashable, Sendable {
    /// Region index of every endpoint (nodes first, then clients).
    public var regionOfEndpoint: [Int]
    /// One-way delay between regions, [from][to].
    public var oneWay: [[SimDuration]]
    /// Added uniformly in [0, jitter].
    public var jitter: SimDuration
    /// Each region's name, by index (for reports).
    public var names: [String]

    public init(regionOfEndpoint: [Int], oneWay: [[SimDuration]], jitter: SimDuration, names: [String] = []) {
        self.names = names
        self.regionOfEndpoint = regionOfEndpoint
        self.oneWay = oneWay
        self.jitter = jitter
    }

    func sample(from: Int, to: Int, using rng: inout RandomStream) -> SimDuration {
        let base = oneWay[regionOfEndpoint[from]][regionOfEndpoint[to]]
        guard jitter.nanoseconds > 0 else { return base }
        return base + SimDuration(nanoseconds: Int64(rng.next(below: UInt64(jitter.nanoseconds) + 1)))
    }
}

/// The built-in table of one-way latencies between cloud regions.
///
/// Source: the average round-trip times between AWS regions in "Latency Between AWS Global
/// Regions" (2017), as tabulated at acomputerscientistlearnsaws.blogspot.com/2017/04/aws-regions.html,
/// halved for one way: us-east = N. Virginia, us-west = Oregon, eu-west = Ireland,
/// eu-central = Frankfurt, ap-northeast = Tokyo, ap-southeast = Singapore, sa-east = São Paulo.
/// ap-south (Mumbai) is not in that table; its figures are estimates of the same kind
/// (public cloudping medians) and are marked as such below. Within a region: 0.5 ms.
public enum BuiltInRegions {
    public static let names = ["us-east", "us-west", "eu-west", "eu-central",
                               "ap-southeast", "ap-northeast", "ap-south", "sa-east"]

    /// Where the figures come from, for `litsim regions`.
    public static let source = """
        AWS inter-region round trips, "Latency Between AWS Global Regions" (2017),         acomputerscientistlearnsaws.blogspot.com/2017/04/aws-regions.html, halved for one way         (us-east = N. Virginia, us-west = Oregon, eu-west = Ireland, eu-central = Frankfurt,         ap-northeast = Tokyo, ap-southeast = Singapore, sa-east = São Paulo); ap-south (Mumbai)         figures are estimates from public cloudping medians (marked *); within a region 0.5 ms.
        """

    /// Whether the round trip between two regions is an estimate rather than the cited table.
    public static func isEstimate(_ a: String, _ b: String) -> Bool { a != b && (a == "ap-south" || b == "ap-south") }

    /// Round trips in milliseconds, upper triangle, in `names` order.
    static let roundTripMilliseconds: [String: Double] = [
        "us-east|us-west": 86.98, "us-east|eu-west": 80.55, "us-east|eu-central": 88.66,
        "us-east|ap-southeast": 216.7, "us-east|ap-northeast": 145.3, "us-east|sa-east": 119.5,
        "us-west|eu-west": 137.0, "us-west|eu-central": 159.5, "us-west|ap-southeast": 161.4,
        "us-west|ap-northeast": 89.1, "us-west|sa-east": 182.7,
        "eu-west|eu-central": 19.56, "eu-west|ap-southeast": 239.0, "eu-west|ap-northeast": 212.4,
        "eu-west|sa-east": 191.3,
        "eu-central|ap-southeast": 325.9, "eu-central|ap-northeast": 236.5, "eu-central|sa-east": 194.9,
        "ap-southeast|ap-northeast": 73.79, "ap-southeast|sa-east": 328.1,
        "ap-northeast|sa-east": 256.8,
        // Estimates (not in the cited table): Mumbai to the others.
        "us-east|ap-south": 190.0, "us-west|ap-south": 220.0, "eu-west|ap-south": 122.0,
        "eu-central|ap-south": 112.0, "ap-southeast|ap-south": 58.0, "ap-northeast|ap-south": 128.0,
        "ap-south|sa-east": 300.0,
    ]

    /// One-way delays between the named regions (all built-in unless `custom` says otherwise).
    public static func oneWayMatrix(for regions: [String]) -> [[SimDuration]]? {
        var matrix = [[SimDuration]]()
        for from in regions {
            var row = [SimDuration]()
            for to in regions {
                guard names.contains(from), names.contains(to) else { return nil }
                if from == to {
                    row.append(.microseconds(500))
                    continue
                }
                let key = names.firstIndex(of: from)! < names.firstIndex(of: to)! ? "\(from)|\(to)" : "\(to)|\(from)"
                // Half the round trip, in whole microseconds.
                row.append(.microseconds(Int64((roundTripMilliseconds[key]! * 500).rounded())))
            }
            matrix.append(row)
        }
        return matrix
    }
}
