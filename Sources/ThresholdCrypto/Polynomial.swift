/// A polynomial over the scalar field, constant term first: f(x) = a₀ + a₁x + … + a_{t-1}x^{t-1}.
/// A dealer's secret polynomial has degree threshold − 1, so threshold points determine it.
public struct Polynomial: Sendable {
    public let coefficients: [Scalar]

    public init(coefficients: [Scalar]) {
        precondition(!coefficients.isEmpty, "a polynomial has at least a constant term")
        self.coefficients = coefficients
    }

    /// A uniformly random polynomial with the given constant term and `threshold` coefficients.
    public static func random<R: RandomNumberGenerator>(
        constant: Scalar, threshold: Int, using rng: inout R
    ) -> Polynomial {
        precondition(threshold >= 1, "threshold must be at least 1")
        var coefficients = [constant]
        for _ in 1..<threshold { coefficients.append(Scalar.random(using: &rng)) }
        return Polynomial(coefficients: coefficients)
    }

    public var threshold: Int { coefficients.count }
    public var constant: Scalar { coefficients[0] }

    /// f(x) by Horner's rule.
    /// - Complexity: O(threshold) scalar multiplications.
    public func evaluate(at x: Scalar) -> Scalar {
        var result = Scalar.zero
        for coefficient in coefficients.reversed() { result = result * x + coefficient }
        return result
    }

    /// The Feldman commitment (a₀G, …, a_{t-1}G).
    /// - Complexity: `threshold` base multiplications.
    public func commitment(meter: CostMeter) -> VSSCommitment {
        VSSCommitment(coefficients: coefficients.map { Point.base($0, meter: meter) })
    }
}

/// Lagrange interpolation coefficients over distinct nonzero identifiers.
public enum Lagrange {
    /// λᵢ(x) = Πⱼ≠ᵢ (x − xⱼ) / (xᵢ − xⱼ) for every identifier, in the given order, with one
    /// modular inversion for all of them (Montgomery's trick).
    /// - Complexity: O(m²) scalar multiplications and one inversion, m = identifiers.count.
    public static func coefficients(
        for identifiers: [Scalar], at x: Scalar = .zero, meter: CostMeter
    ) throws(CryptoError) -> [Scalar] {
        try validate(identifiers)
        var numerators = [Scalar]()
        var denominators = [Scalar]()
        numerators.reserveCapacity(identifiers.count)
        denominators.reserveCapacity(identifiers.count)
        for (i, xi) in identifiers.enumerated() {
            var numerator = Scalar.one
            var denominator = Scalar.one
            for (j, xj) in identifiers.enumerated() where j != i {
                numerator *= x - xj
                denominator *= xi - xj
            }
            numerators.append(numerator)
            denominators.append(denominator)
        }
        let inverses = batchInverse(denominators, meter: meter)
        return zip(numerators, inverses).map { $0 * $1 }
    }

    /// The coefficient of one identifier within a set (RFC 9591 §4.2 derive_interpolating_value
    /// when x = 0).
    public static func coefficient(
        for identifier: Scalar, in identifiers: [Scalar], at x: Scalar = .zero, meter: CostMeter
    ) throws(CryptoError) -> Scalar {
        try validate(identifiers)
        guard identifiers.contains(identifier) else { throw .emptyInput("identifier in the set") }
        var numerator = Scalar.one
        var denominator = Scalar.one
        for xj in identifiers where xj != identifier {
            numerator *= x - xj
            denominator *= identifier - xj
        }
        // Distinct identifiers make every factor nonzero.
        return numerator * denominator.inverse(meter: meter)!
    }

    static func validate(_ identifiers: [Scalar]) throws(CryptoError) {
        guard !identifiers.isEmpty else { throw .emptyInput("identifier set") }
        guard !identifiers.contains(.zero) else { throw .zeroIdentifier }
        guard Set(identifiers).count == identifiers.count else { throw .duplicateIdentifier }
    }

    /// Inverts every (nonzero) value with a single inversion.
    /// - Complexity: 3(m − 1) multiplications and one inversion.
    static func batchInverse(_ values: [Scalar], meter: CostMeter) -> [Scalar] {
        guard !values.isEmpty else { return [] }
        var prefix = [Scalar]()
        prefix.reserveCapacity(values.count)
        var running = Scalar.one
        for value in values {
            running *= value
            prefix.append(running)
        }
        var inverse = running.inverse(meter: meter)!
        var result = [Scalar](repeating: .zero, count: values.count)
        for index in stride(from: values.count - 1, through: 1, by: -1) {
            result[index] = inverse * prefix[index - 1]
            inverse *= values[index]
        }
        result[0] = inverse
        return result
    }
}

/// One participant's point on a secret polynomial.
public struct SecretShare: Sendable, Equatable {
    public let identifier: Scalar
    public let value: Scalar

    public init(identifier: Scalar, value: Scalar) {
        self.identifier = identifier
        self.value = value
    }
}

/// Shamir secret sharing.
public enum Shamir {
    /// Splits `secret` so that any `threshold` of the shares reconstruct it.
    public static func split<R: RandomNumberGenerator>(
        secret: Scalar, threshold: Int, identifiers: [Scalar], using rng: inout R
    ) throws(CryptoError) -> (shares: [SecretShare], polynomial: Polynomial) {
        try Lagrange.validate(identifiers)
        guard threshold >= 1, threshold <= identifiers.count else {
            throw .invalidLength(what: "threshold", expected: identifiers.count, actual: threshold)
        }
        let polynomial = Polynomial.random(constant: secret, threshold: threshold, using: &rng)
        let shares = identifiers.map { SecretShare(identifier: $0, value: polynomial.evaluate(at: $0)) }
        return (shares, polynomial)
    }

    /// Interpolates f(0) from the shares. Threshold or more correct shares give the secret;
    /// fewer give an unrelated value (the caller cannot tell, which is the point of sharing).
    public static func reconstruct(_ shares: [SecretShare], meter: CostMeter) throws(CryptoError) -> Scalar {
        let lambdas = try Lagrange.coefficients(for: shares.map(\.identifier), meter: meter)
        var secret = Scalar.zero
        for (share, lambda) in zip(shares, lambdas) { secret += share.value * lambda }
        return secret
    }
}
