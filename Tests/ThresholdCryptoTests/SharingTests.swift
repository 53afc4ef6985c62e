import Testing
@testable import ThresholdCrypto

@Suite struct SharingTests {
    @Test func anyThresholdSubsetReconstructsAndASmallerOneDoesNot() throws {
        var rng = SeededGenerator(seed: testSeed(default: 30))
        let meter = CostMeter()
        for _ in 0..<25 {
            let count = 1 + rng.next(below: 200)
            let threshold = 1 + rng.next(below: count)
            let secret = Scalar.random(using: &rng)
            let identifiers = (1...count).map { Scalar(UInt64($0)) }
            let (shares, _) = try Shamir.split(secret: secret, threshold: threshold, identifiers: identifiers, using: &rng)
            let subset = Array(shares.shuffled(using: &rng).prefix(threshold))
            #expect(try Shamir.reconstruct(subset, meter: meter) == secret, "t=\(threshold) n=\(count)")
            if threshold > 1 {
                #expect(try Shamir.reconstruct(Array(subset.dropLast()), meter: meter) != secret, "t=\(threshold) n=\(count)")
            }
            if threshold < count {
                #expect(try Shamir.reconstruct(Array(shares.shuffled(using: &rng).prefix(threshold + 1)), meter: meter) == secret)
            }
        }
    }

    @Test func lagrangeInterpolatesAtAnyPoint() throws {
        var rng = SeededGenerator(seed: testSeed(default: 31))
        let meter = CostMeter()
        let polynomial = Polynomial.random(constant: .random(using: &rng), threshold: 7, using: &rng)
        let identifiers = (0..<7).map { _ in Scalar.randomNonZero(using: &rng) }
        let x = Scalar.random(using: &rng)
        let lambdas = try Lagrange.coefficients(for: identifiers, at: x, meter: meter)
        var value = Scalar.zero
        for (identifier, lambda) in zip(identifiers, lambdas) { value += polynomial.evaluate(at: identifier) * lambda }
        #expect(value == polynomial.evaluate(at: x))
        #expect(meter[.scalarInverse] == 1)  // one inversion for the whole set
        for (index, identifier) in identifiers.enumerated() {
            #expect(try Lagrange.coefficient(for: identifier, in: identifiers, at: x, meter: meter) == lambdas[index])
        }
    }

    @Test func rejectsBadIdentifierSets() {
        let meter = CostMeter()
        #expect(throws: CryptoError.duplicateIdentifier) { try Lagrange.coefficients(for: [Scalar(1), Scalar(1)], meter: meter) }
        #expect(throws: CryptoError.zeroIdentifier) { try Lagrange.coefficients(for: [Scalar(0), Scalar(1)], meter: meter) }
        #expect(throws: CryptoError.emptyInput("identifier set")) { try Lagrange.coefficients(for: [], meter: meter) }
    }

    @Test func feldmanVerificationAcceptsHonestAndRejectsWrongShares() {
        var rng = SeededGenerator(seed: testSeed(default: 32))
        let meter = CostMeter()
        let polynomial = Polynomial.random(constant: .random(using: &rng), threshold: 5, using: &rng)
        let commitment = polynomial.commitment(meter: meter)
        for id in 1...6 {
            let x = Scalar(UInt64(id))
            #expect(VSS.verify(share: polynomial.evaluate(at: x), at: x, against: commitment, meter: meter))
            #expect(!VSS.verify(share: polynomial.evaluate(at: x) + .one, at: x, against: commitment, meter: meter))
            #expect(!VSS.verify(share: polynomial.evaluate(at: x), at: x + .one, against: commitment, meter: meter))
        }
    }

    func dealtShares(dealers: Int, threshold: Int, receiver: Scalar, rng: inout SeededGenerator, meter: CostMeter)
        -> [VSS.DealtShare<Int>]
    {
        (0..<dealers).map { dealer in
            let polynomial = Polynomial.random(constant: .random(using: &rng), threshold: threshold, using: &rng)
            return VSS.DealtShare(dealer: dealer, share: polynomial.evaluate(at: receiver), commitment: polynomial.commitment(meter: meter))
        }
    }

    @Test func batchVerificationNamesExactlyTheCorruptedDealer() {
        var rng = SeededGenerator(seed: testSeed(default: 33))
        let meter = CostMeter()
        let receiver = Scalar(4)
        let honest = dealtShares(dealers: 12, threshold: 8, receiver: receiver, rng: &rng, meter: meter)
        #expect(VSS.verifyBatch(honest, at: receiver, meter: meter).isEmpty)
        for culprit in honest.indices {
            var corrupted = honest
            let item = honest[culprit]
            corrupted[culprit] = VSS.DealtShare(dealer: item.dealer, share: item.share + .random(using: &rng), commitment: item.commitment)
            #expect(VSS.verifyBatch(corrupted, at: receiver, meter: meter) == [culprit])
        }
        // A share that is right for another receiver is wrong for this one.
        var misdirected = honest
        let other = dealtShares(dealers: 1, threshold: 8, receiver: Scalar(5), rng: &rng, meter: meter)[0]
        misdirected[3] = VSS.DealtShare(dealer: 3, share: other.share, commitment: other.commitment)
        #expect(VSS.verifyBatch(misdirected, at: receiver, meter: meter) == [3])
    }

    @Test func batchVerificationCostsThresholdMultiplications() {
        var rng = SeededGenerator(seed: testSeed(default: 34))
        let setup = CostMeter()
        let receiver = Scalar(9)
        let shares = dealtShares(dealers: 20, threshold: 13, receiver: receiver, rng: &rng, meter: setup)
        let meter = CostMeter()
        #expect(VSS.verifyBatch(shares, at: receiver, meter: meter).isEmpty)
        #expect(meter[.pointMultiply] == 12)  // threshold − 1, independent of the dealer count
        #expect(meter[.baseMultiply] == 1)
        #expect(meter[.pointSumTerm] == 20 * 13 + 13)  // the n·t aggregate, then the t-term evaluation
    }

    @Test func groupCommitmentSumsDealerCommitments() {
        var rng = SeededGenerator(seed: testSeed(default: 35))
        let meter = CostMeter()
        let polynomials = (0..<4).map { _ in Polynomial.random(constant: .random(using: &rng), threshold: 3, using: &rng) }
        let group = VSSCommitment.sum(polynomials.map { $0.commitment(meter: meter) }, meter: meter)
        let summed = Polynomial(coefficients: (0..<3).map { k in polynomials.reduce(Scalar.zero) { $0 + $1.coefficients[k] } })
        #expect(group == summed.commitment(meter: meter))
    }
}
