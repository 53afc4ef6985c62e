/// The parts of FROST that differ between ciphersuites (RFC 9591 §6: "a generic core with
/// thin per-ciphersuite parts", as ZF FROST is built).
public protocol FROSTCiphersuite: Sendable {
    /// RFC 9591 contextString, prefixed to every hash's domain.
    static var contextString: [UInt8] { get }
    /// How the group key enters the binding factor input.
    static func encodeGroupKey(_ key: Point) -> [UInt8]
    /// The signature challenge c.
    static func challenge(groupCommitment: Point, groupKey: Point, message: [UInt8], meter: CostMeter) -> Scalar
    /// The serialised signature.
    static func serialize(_ signature: FROSTSignature) -> [UInt8]
    /// BIP-340 needs an even-y group key and group commitment: the key is lifted to even y
    /// (shares are negated to match) and nonces are negated when R has odd y.
    static var requiresEvenY: Bool { get }
}

/// RFC 9591 §6.5 FROST(secp256k1, SHA-256).
public enum FROSTSecp256k1: FROSTCiphersuite {
    public static let contextString = Array("FROST-secp256k1-SHA256-v1".utf8)
    public static func encodeGroupKey(_ key: Point) -> [UInt8] { (try? key.compressed()) ?? [] }
    public static func challenge(groupCommitment: Point, groupKey: Point, message: [UInt8], meter: CostMeter) -> Scalar {
        // RFC 9591 §4.6 compute_challenge: H2(SerializeElement(R) ‖ SerializeElement(PK) ‖ msg).
        FROSTHash.h2(encodeGroupKey(groupCommitment), encodeGroupKey(groupKey), message, meter: meter)
    }
    /// 65 bytes: R compressed ‖ z.
    public static func serialize(_ signature: FROSTSignature) -> [UInt8] {
        ((try? signature.groupCommitment.compressed()) ?? [UInt8](repeating: 0, count: 33)) + signature.response.bytes
    }
    public static let requiresEvenY = false
}

/// FROST producing BIP-340 signatures (taproot): x-only group key, even-y handling of the key
/// and of R, and BIP-340's tagged challenge. Its hashes use their own context string so they
/// never collide with the RFC suite's. RFC 9591 publishes no vectors for it; every signature
/// is checked with libsecp256k1's `secp256k1_schnorrsig_verify` instead.
public enum FROSTTaproot: FROSTCiphersuite {
    public static let contextString = Array("FROST-secp256k1-SHA256-TR-v1".utf8)
    public static func encodeGroupKey(_ key: Point) -> [UInt8] { (try? key.xOnly()) ?? [] }
    public static func challenge(groupCommitment: Point, groupKey: Point, message: [UInt8], meter: CostMeter) -> Scalar {
        BIP340.challenge(nonceX: (try? groupCommitment.xOnly()) ?? [], publicKeyX: (try? groupKey.xOnly()) ?? [],
                         message: message, meter: meter)
    }
    /// 64 bytes: R.x ‖ z (BIP-340).
    public static func serialize(_ signature: FROSTSignature) -> [UInt8] {
        ((try? signature.groupCommitment.xOnly()) ?? [UInt8](repeating: 0, count: 32)) + signature.response.bytes
    }
    public static let requiresEvenY = true
}

/// A signer's pair of single-use nonces (RFC 9591 §5.1). Secret; consumed by signing.
public struct FROSTNonces: Sendable {
    public let hiding: Scalar
    public let binding: Scalar
    public let commitment: FROSTCommitment
}

/// A signer's public nonce commitments (D, E) = (hiding·G, binding·G).
public struct FROSTCommitment: Sendable, Hashable {
    public let identifier: Scalar
    public let hiding: Point
    public let binding: Point
    /// identifier ‖ hiding ‖ binding, points SEC1-compressed (an identity point, which no honest
    /// signer sends, as 33 zero bytes): RFC 9591 §4.3's entry for the commitment list. Encoded
    /// once here, because every co-signer and the client encode each commitment again and
    /// again (list digests, binding factors, signed bodies): at n = 100 that was 27,000 point
    /// serialisations per signature.
    public let encoded: [UInt8]

    public init(identifier: Scalar, hiding: Point, binding: Point) {
        self.identifier = identifier
        self.hiding = hiding
        self.binding = binding
        let zero = [UInt8](repeating: 0, count: 33)
        encoded = identifier.bytes + ((try? hiding.compressed()) ?? zero) + ((try? binding.compressed()) ?? zero)
    }

    // The encoding determines the fields (no point compresses to 33 zero bytes), so comparing
    // and hashing it is comparing and hashing them.
    public static func == (a: FROSTCommitment, b: FROSTCommitment) -> Bool { a.encoded == b.encoded }
    public func hash(into hasher: inout Hasher) { hasher.combine(encoded) }

    public static let encodedSize = 32 + 33 + 33
}

/// An aggregated signature (R, z).
public struct FROSTSignature: Sendable, Hashable {
    public let groupCommitment: Point
    public let response: Scalar

    public init(groupCommitment: Point, response: Scalar) {
        self.groupCommitment = groupCommitment
        self.response = response
    }
}

public enum FROSTError: Error, Equatable, Sendable, CustomStringConvertible {
    case signerNotInCommitmentList
    case duplicateIdentifier
    case identityCommitment(identifier: Scalar)
    case invalidShare(identifier: Scalar)
    case missingShare(identifier: Scalar)
    case identityGroupCommitment
    case zeroIdentifier
    case identifierOutOfRange(identifier: Scalar)
    case tooFewParticipants(Int)

    public var description: String {
        switch self {
        case .signerNotInCommitmentList: "this signer is not in the commitment list"
        case .duplicateIdentifier: "the commitment list repeats an identifier"
        case let .identityCommitment(identifier): "signer \(identifier.hexString) committed to the identity"
        case let .invalidShare(identifier): "signature share of \(identifier.hexString) does not verify"
        case let .missingShare(identifier): "no signature share from \(identifier.hexString)"
        case .identityGroupCommitment: "the group commitment is the identity"
        case .zeroIdentifier: "an identifier is zero"
        case let .identifierOutOfRange(identifier): "identifier \(identifier.hexString) is larger than the number of participants"
        case let .tooFewParticipants(count): "\(count) commitments are fewer than the signers needed"
        }
    }
}

/// FROST over a ciphersuite: nonce generation, binding factors, group commitment, challenge,
/// signature shares, share verification and aggregation (RFC 9591 §4–§5).
public enum FROST<Suite: FROSTCiphersuite> {
    static func h1(_ input: [UInt8], meter: CostMeter) -> Scalar {
        Hashing.hashToScalar(input, domain: Suite.contextString + Array("rho".utf8), meter: meter)
    }
    static func h3(_ input: [UInt8], meter: CostMeter) -> Scalar {
        Hashing.hashToScalar(input, domain: Suite.contextString + Array("nonce".utf8), meter: meter)
    }
    static func h4(_ input: [UInt8], meter: CostMeter) -> [UInt8] {
        Hashing.sha256(Suite.contextString, Array("msg".utf8), input, meter: meter)
    }
    static func h5(_ input: [UInt8], meter: CostMeter) -> [UInt8] {
        Hashing.sha256(Suite.contextString, Array("com".utf8), input, meter: meter)
    }

    /// RFC 9591 §4.1 nonce_generate: H3(random_bytes ‖ SerializeScalar(secret)). The secret
    /// share is mixed in so that a weak random source alone does not give the nonce away.
    public static func generateNonce(secret: Scalar, random: [UInt8], meter: CostMeter) -> Scalar {
        h3(random + secret.bytes, meter: meter)
    }

    /// RFC 9591 §5.1 commit: two nonces and their commitments.
    /// - Complexity: two base multiplications.
    public static func commit<R: RandomNumberGenerator>(
        identifier: Scalar, secretShare: Scalar, using rng: inout R, meter: CostMeter
    ) -> FROSTNonces {
        let hiding = generateNonce(secret: secretShare, random: randomBytes(&rng), meter: meter)
        let binding = generateNonce(secret: secretShare, random: randomBytes(&rng), meter: meter)
        return nonces(identifier: identifier, hiding: hiding, binding: binding, meter: meter)
    }

    public static func nonces(identifier: Scalar, hiding: Scalar, binding: Scalar, meter: CostMeter) -> FROSTNonces {
        FROSTNonces(hiding: hiding, binding: binding,
                    commitment: FROSTCommitment(identifier: identifier, hiding: .base(hiding, meter: meter),
                                                binding: .base(binding, meter: meter)))
    }

    static func randomBytes<R: RandomNumberGenerator>(_ rng: inout R) -> [UInt8] {
        (0..<4).flatMap { _ -> [UInt8] in
            let word = rng.next()
            return (0..<8).map { UInt8(truncatingIfNeeded: word >> (8 * UInt64($0))) }
        }
    }

    /// RFC 9591 §4.3 encode_group_commitment_list, in identifier order.
    public static func encodeCommitmentList(_ commitments: [FROSTCommitment]) -> [UInt8] {
        sorted(commitments).flatMap(\.encoded)
    }

    static func sorted(_ commitments: [FROSTCommitment]) -> [FROSTCommitment] {
        commitments.sorted { $0.identifier.bytes.lexicographicallyPrecedes($1.identifier.bytes) }
    }

    /// RFC 9591 §4.4 compute_binding_factors, in identifier order.
    public static func bindingFactors(groupKey: Point, commitments: [FROSTCommitment], message: [UInt8], meter: CostMeter) -> [Scalar] {
        let prefix = Suite.encodeGroupKey(groupKey) + h4(message, meter: meter) + h5(encodeCommitmentList(commitments), meter: meter)
        return sorted(commitments).map { h1(prefix + $0.identifier.bytes, meter: meter) }
    }

    /// RFC 9591 §4.5 compute_group_commitment: Σ D_i + ρ_i·E_i.
    /// - Complexity: one point multiplication per signer and one sum.
    public static func groupCommitment(commitments: [FROSTCommitment], bindingFactors: [Scalar], meter: CostMeter) -> Point {
        let ordered = sorted(commitments)
        var terms = [Point]()
        terms.reserveCapacity(2 * ordered.count)
        for (commitment, factor) in zip(ordered, bindingFactors) {
            terms.append(commitment.hiding)
            terms.append(commitment.binding.multiplied(by: factor, meter: meter))
        }
        return Point.sum(terms, meter: meter)
    }

    /// What every signer and the aggregator derive from the commitment list.
    public struct SigningPackage: Sendable {
        public let groupKey: Point
        public let commitments: [FROSTCommitment]
        public let bindingFactors: [Scalar]
        public let groupCommitment: Point
        public let challenge: Scalar
        public let message: [UInt8]
        /// Taproot: whether R had odd y, so nonces and commitments are used negated.
        public let negateNonces: Bool
        /// Taproot: whether the group key had odd y, so shares are used negated.
        public let negateKey: Bool
        let identifiers: [Scalar]

        public func index(of identifier: Scalar) -> Int? { identifiers.firstIndex(of: identifier) }
    }

    /// Validates the commitment list (RFC 9591 §5.2–§5.3: identifiers nonzero and at most
    /// `maximumParticipants`, at least `minimumParticipants` of them, none twice, no identity
    /// commitment) and derives the binding factors, R and c.
    public static func signingPackage(groupKey: Point, commitments: [FROSTCommitment], message: [UInt8], minimumParticipants: Int = 1,
                                      maximumParticipants: Int? = nil, meter: CostMeter) throws(FROSTError) -> SigningPackage {
        let ordered = sorted(commitments)
        let identifiers = ordered.map(\.identifier)
        guard identifiers.count >= max(1, minimumParticipants) else { throw .tooFewParticipants(identifiers.count) }
        guard !identifiers.contains(where: \.isZero) else { throw .zeroIdentifier }
        if let maximumParticipants {
            // Big-endian encodings compare as the numbers do.
            let bound = Scalar(UInt64(max(0, maximumParticipants))).bytes
            if let large = identifiers.first(where: { bound.lexicographicallyPrecedes($0.bytes) }) {
                throw .identifierOutOfRange(identifier: large)
            }
        }
        guard Set(identifiers).count == identifiers.count else { throw .duplicateIdentifier }
        for commitment in ordered where commitment.hiding.isIdentity || commitment.binding.isIdentity {
            throw .identityCommitment(identifier: commitment.identifier)
        }
        let negateKey = Suite.requiresEvenY && !groupKey.hasEvenY
        let effectiveKey = negateKey ? groupKey.negated() : groupKey
        let factors = bindingFactors(groupKey: effectiveKey, commitments: ordered, message: message, meter: meter)
        var groupCommitment = groupCommitment(commitments: ordered, bindingFactors: factors, meter: meter)
        guard !groupCommitment.isIdentity else { throw .identityGroupCommitment }
        let negateNonces = Suite.requiresEvenY && !groupCommitment.hasEvenY
        if negateNonces { groupCommitment = groupCommitment.negated() }
        let challenge = Suite.challenge(groupCommitment: groupCommitment, groupKey: effectiveKey, message: message, meter: meter)
        return SigningPackage(groupKey: effectiveKey, commitments: ordered, bindingFactors: factors, groupCommitment: groupCommitment,
                              challenge: challenge, message: message, negateNonces: negateNonces, negateKey: negateKey,
                              identifiers: identifiers)
    }

    /// RFC 9591 §5.2 sign: z_i = d_i + e_i·ρ_i + λ_i·s_i·c. The nonces are consumed.
    /// - Complexity: scalar work only (the package's R and c are shared), O(signers) for λ_i.
    public static func sign(
        identifier: Scalar, secretShare: Scalar, nonces: consuming FROSTNonces, package: SigningPackage, meter: CostMeter
    ) throws(FROSTError) -> Scalar {
        guard let index = package.index(of: identifier), package.commitments[index] == nonces.commitment else {
            throw .signerNotInCommitmentList
        }
        // The package's identifiers are distinct and nonzero (signingPackage checked them).
        guard let lambda = try? Lagrange.coefficient(for: identifier, in: package.identifiers, meter: meter) else {
            throw .duplicateIdentifier
        }
        var hiding = nonces.hiding, binding = nonces.binding
        if package.negateNonces {
            hiding = -hiding
            binding = -binding
        }
        let share = package.negateKey ? -secretShare : secretShare
        return hiding + binding * package.bindingFactors[index] + lambda * share * package.challenge
    }

    /// RFC 9591 §5.4 verify_signature_share: z_i·G = D_i + ρ_i·E_i + c·λ_i·Y_i.
    /// - Complexity: one base multiplication and two point multiplications.
    public static func verifyShare(
        identifier: Scalar, verificationShare: Point, share: Scalar, package: SigningPackage, meter: CostMeter
    ) -> Bool {
        guard let index = package.index(of: identifier),
              let lambda = try? Lagrange.coefficient(for: identifier, in: package.identifiers, meter: meter)
        else { return false }
        let commitment = package.commitments[index]
        var nonceTerm = Point.sum([commitment.hiding, commitment.binding.multiplied(by: package.bindingFactors[index], meter: meter)], meter: meter)
        if package.negateNonces { nonceTerm = nonceTerm.negated() }
        let key = package.negateKey ? verificationShare.negated() : verificationShare
        let expected = nonceTerm.adding(key.multiplied(by: package.challenge * lambda, meter: meter), meter: meter)
        return Point.base(share, meter: meter) == expected
    }

    /// RFC 9591 §5.3 aggregate: z = Σ z_i, signature (R, z).
    public static func aggregate(shares: [Scalar], package: SigningPackage) -> FROSTSignature {
        FROSTSignature(groupCommitment: package.groupCommitment, response: shares.reduce(Scalar.zero, +))
    }

    /// Aggregates after verifying every share, naming the signers whose shares fail
    /// (identifiable abort, RFC 9591 §5.4).
    public static func aggregateVerified(
        shares: [Scalar: Scalar], verificationShares: [Scalar: Point], package: SigningPackage, meter: CostMeter
    ) throws(FROSTError) -> FROSTSignature {
        var ordered = [Scalar]()
        for identifier in package.identifiers {
            guard let share = shares[identifier] else { throw .missingShare(identifier: identifier) }
            guard let key = verificationShares[identifier],
                  verifyShare(identifier: identifier, verificationShare: key, share: share, package: package, meter: meter)
            else { throw .invalidShare(identifier: identifier) }
            ordered.append(share)
        }
        return aggregate(shares: ordered, package: package)
    }

    /// Checks z·G = R + c·PK with the suite's challenge.
    /// - Complexity: one base multiplication and one point multiplication.
    public static func verify(_ signature: FROSTSignature, groupKey: Point, message: [UInt8], meter: CostMeter) -> Bool {
        let key = Suite.requiresEvenY && !groupKey.hasEvenY ? groupKey.negated() : groupKey
        let challenge = Suite.challenge(groupCommitment: signature.groupCommitment, groupKey: key, message: message, meter: meter)
        return Point.base(signature.response, meter: meter)
            == signature.groupCommitment.adding(key.multiplied(by: challenge, meter: meter), meter: meter)
    }
}
