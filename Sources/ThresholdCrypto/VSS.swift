/// A Feldman commitment to a polynomial: Cₖ = aₖ·G. Its length is the threshold, and C₀ is
/// the public key of the shared secret.
public struct VSSCommitment: Hashable, Sendable {
    public let coefficients: [Point]

    public init(coefficients: [Point]) {
        self.coefficients = coefficients
    }

    public var threshold: Int { coefficients.count }
    public var publicKey: Point { coefficients.first ?? .identity }

    /// Σₖ xᵏ·Cₖ, the public image f(x)·G of the committed polynomial at x.
    /// - Complexity: threshold − 1 point multiplications and one sum of threshold points.
    public func evaluate(at x: Scalar, meter: CostMeter) -> Point {
        var terms = [Point]()
        terms.reserveCapacity(coefficients.count)
        var power = Scalar.one
        for (k, coefficient) in coefficients.enumerated() {
            terms.append(k == 0 ? coefficient : coefficient.multiplied(by: power, meter: meter))
            power *= x
        }
        return Point.sum(terms, meter: meter)
    }

    /// The element-wise sum of commitments (a DKG's group commitment). Shorter commitments
    /// count as padded with the identity.
    /// - Complexity: one sum of `commitments.count` points per coefficient.
    public static func sum(_ commitments: [VSSCommitment], meter: CostMeter) -> VSSCommitment {
        let length = commitments.map(\.threshold).max() ?? 0
        return VSSCommitment(coefficients: (0..<length).map { k in
            Point.sum(commitments.lazy.filter { $0.threshold > k }.map { $0.coefficients[k] }, meter: meter)
        })
    }
}

/// Feldman verifiable secret sharing checks.
public enum VSS {
    /// One share a receiver got from one dealer, with that dealer's commitment.
    public struct DealtShare<Dealer: Sendable>: Sendable {
        public let dealer: Dealer
        public let share: Scalar
        public let commitment: VSSCommitment

        public init(dealer: Dealer, share: Scalar, commitment: VSSCommitment) {
            self.dealer = dealer
            self.share = share
            self.commitment = commitment
        }
    }

    /// Whether share·G = Σₖ xᵏ·Cₖ.
    /// - Complexity: one base multiplication, threshold − 1 point multiplications, one sum.
    public static func verify(share: Scalar, at x: Scalar, against commitment: VSSCommitment, meter: CostMeter) -> Bool {
        Point.base(share, meter: meter) == commitment.evaluate(at: x, meter: meter)
    }

    /// Checks the shares one receiver (at identifier x) got from many dealers in one
    /// aggregated equation, falling back to one check per dealer only when it fails, and
    /// returns the dealers whose shares are wrong (empty when all are right).
    ///
    /// The aggregate is (Σᵢ sᵢ)·G = Σₖ xᵏ·(Σᵢ Cᵢₖ): the inner sums are point additions only,
    /// so the check costs one base multiplication, threshold − 1 point multiplications and
    /// one sum of n·threshold points, instead of n·threshold multiplications.
    ///
    /// Soundness: any single wrong share fails the aggregate. Errors from two or more
    /// colluding dealers can cancel, but then the receiver's summed share is still correct
    /// for exactly this set of dealers. Weighting each dealer by a secret random scalar would
    /// stop the cancelling, but costs n·threshold multiplications without a multi-scalar
    /// multiplication, which libsecp256k1 0.2.0 does not offer. So a caller that later
    /// drops dealers from the set must re-check the shares it keeps (the DKG does, against
    /// its final verification share).
    /// - Parameter aggregate: the sum of the shares' commitments when the caller has it (the
    ///   same for every receiver of the same dealers, so a run computes it once).
    public static func verifyBatch<Dealer>(
        _ shares: [DealtShare<Dealer>], at x: Scalar, aggregate known: VSSCommitment? = nil, meter: CostMeter
    ) -> [Dealer] {
        guard !shares.isEmpty else { return [] }
        var shareSum = Scalar.zero
        for item in shares { shareSum += item.share }
        let aggregate = known ?? VSSCommitment.sum(shares.map(\.commitment), meter: meter)
        if Point.base(shareSum, meter: meter) == aggregate.evaluate(at: x, meter: meter) {
            return []
        }
        return shares.filter { !verify(share: $0.share, at: x, against: $0.commitment, meter: meter) }.map(\.dealer)
    }
}
