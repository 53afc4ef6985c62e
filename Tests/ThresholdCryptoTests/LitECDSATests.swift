import Foundation
import Testing
import ThresholdCrypto

@Suite struct LitECDSATests {
    let meter = CostMeter()

    /// LIT-Protocol/hd-keys-curves go/pkg/deriver_test.go (commit 7bbd2cc5)
    /// TestDeriver_ComputeKeyTestVectorsSecp256k1: roots 0x03…03, 0x05…05, 0x07…07, 0x0b…0b,
    /// 0x0d…0d; five key ids; the tweak, the derived secret and the derived public key each.
    @Test func hdDerivationMatchesLitsGoVectors() throws {
        let context = Array("LIT_HD_KEY_ID_secp256k1_XMD:SHA-256_SSWU_RO_NUL_".utf8)
        let roots = [3, 5, 7, 11, 13].map { try! Scalar(bytes: [UInt8](repeating: UInt8($0), count: 32)) }
        let rootKeys = roots.map { Point.base($0, meter: meter) }
        let ids = ["", "abc", "abcdef0123456789", "q128_" + String(repeating: "q", count: 128), "a512_" + String(repeating: "a", count: 512)]
        let tweaks = ["80efe4d28a41cf962133bfcaa2807d38a7f5cec16941cc6d6eec8e76185d2a43", "5afd988c6086d335f892a43ccf943d3973814eadd315adc04bb12808f1c1ac4e",
                      "666f2ce0352e74402c16c02df1b8c29334898e89792eb3ccea54172289c8683b", "d8d9ab7eb84354614b196236009e60f10f28c1c389013c53c907d203f69c9dcf",
                      "8be371c633650ced7b804f127f7c657ec555abc9b9388bdaff3768089e35f1e7"]
        let secrets = ["028b65b2be48d4995b4605fd15d9fe84a8a2aa2844413144e7fd639f02cb3cec", "34be9c0d1df4c55b61bf3a988387ec4cea445f0b3269ec19612f8b73adf52384",
                       "5b839258a5f5865db5a18fa17ce49682f6febe4cf47d8f46c996ac85296f8d71", "df625948f6b7e50f1909765ec8c59e4326681cb4d46ee907e17612f964f2ba6c",
                       "9dac6a026edd43d2ad6dc7ebc6ff8632a288bed21a0404c3c725a20c4d45982f"]
        let publics = ["03da91c23e934cfa868670f46f8e984c6ab6b2f72177917ab30f34f842a0e26bd5", "038a4f4d11de67b125728db83c8c8d08e62dd4c9af93d8697e3c540287c2775a74",
                       "028debebba9542d40dae7845fc063176dce0743bff37dca74ce452952b7ec62f55", "038bd9b34d3be3ac6000a29d3ead1010d1017a69f85a11057bfaa6912e8f0f5fdd",
                       "03f57045f267f445992a0f03f6fe7f558e0196ce29f625ba729c98ee2893694ab9"]
        for index in ids.indices {
            let d = LitHD.tweak(keyID: Array(ids[index].utf8), context: context, meter: meter)
            #expect(d == scalar(tweaks[index]), "tweak \(index)")
            #expect(LitHD.deriveSecret(roots, tweak: d) == scalar(secrets[index]), "secret \(index)")
            #expect(try LitHD.derivePublic(rootKeys, tweak: d, meter: meter).compressed() == hex(publics[index]), "public \(index)")
        }
    }

    /// ../shared/research/LIT-ECDSA-EPOCHS.md §6.2–§6.3 [computed by its author in an
    /// independent Python implementation]: the node context's tweaks and the re-randomiser.
    @Test func nodeContextTweaksAndRerandomiser() {
        #expect(LitHD.tweak(keyID: [UInt8](repeating: 0, count: 32), meter: meter) == scalar("93dd381d16516ab0d38455ae2770c3ebc9bff5944f0e4d46efd2c3d21424b3cb"))
        #expect(LitHD.tweak(keyID: [UInt8](repeating: 0, count: 31) + [1], meter: meter) == scalar("9372db1bf72b134fffe57d6e4b3ef04337a7b79558a4ad0d0b7118135aba0f32"))
        #expect(LitHD.tweak(keyID: Array("abc".utf8), meter: meter) == scalar("bc81aaf4d9badc5c26136b96d27a932ebe38b9d4ec193859f73ecf21efe02f6e"))
        #expect(DamFast.rerandomizer([UInt8](repeating: 0, count: 8), meter: meter) == scalar("6b4fa15de7c37a9c087515f67157a48a870d80dc11bbe7556a50298feb16dde4"))
        #expect(DamFast.rerandomizer(hex("0123456789abcdef"), meter: meter) == scalar("0a7aafe8e650347d0c96d5c3c44fac6e2ed922b680e0aed8ce94ffbc608c14c9"))
        #expect(DamFast.rerandomizer(Array("abc".utf8), meter: meter) == scalar("46bac574846d86c7c56852e786c78c6867dec68e5100ab2717b1b18b84b41136"))
    }

    /// The reference computation of LIT-ECDSA-EPOCHS.md §1.13 [computed, an independent Python
    /// re-implementation of Lit's formulas]: four PeerIds 1…4 (Lit ids), t = 3, every polynomial
    /// coefficient H_s(label, "SIM-TEST-VECTOR") (labels `ps-{k,a,b,d,e}-{dealer}-{coef}`, dealers
    /// 0-based, zero sharings from coefficient 1; roots `root-{j}`, root sharings
    /// `rootpoly-{j}-{coef}`), two roots, key id 0x00…01, signers {1, 2, 4}, z = SHA-256("lit
    /// simulator test"), ν = 0x0123456789abcdef. Reproduced byte for byte through the rounds.
    @Test func damFastReferenceVectorByteForByte() throws {
        let label = { (text: String) in Hashing.hashToScalar(Array(text.utf8), domain: Array("SIM-TEST-VECTOR".utf8), meter: self.meter) }
        let ids = (1...4).map { LitHD.identifier(peerID: [UInt8](repeating: 0, count: 31) + [UInt8($0)]) }
        #expect(ids.map(\.bytes) == ["6e2c1d819a50ac79da9b53dc3a2b7c8838fa88e6a54e39fc3be9356201bb34ef", "7b1294a42b305ff3854af0019809f26402c8596d8513d8693e35d6aa678782c3",
                                     "e04f417a9b4fd410c1e42ca596319f5cecfb99ad1031c3adf47291220c53266d", "045163c93c5be872b30ae47574b1b211724e5b09de311278e4960461b11409bd"].map(hex))
        let parameters = try #require(DamFast.Parameters(participants: 4, threshold: 3))
        #expect(parameters.m == 2 && parameters.m2 == 4)
        func polynomial(_ name: String, dealer: Int, count: Int, zeroConstant: Bool) -> Polynomial {
            Polynomial(coefficients: zeroConstant ? [.zero] + (1..<count).map { label("ps-\(name)-\(dealer)-\($0)") }
                                                  : (0..<count).map { label("ps-\(name)-\(dealer)-\($0)") })
        }
        let dealings = (0..<4).map { dealer in
            DamFast.Dealing(k: polynomial("k", dealer: dealer, count: 2, zeroConstant: false), a: polynomial("a", dealer: dealer, count: 2, zeroConstant: false),
                            b: polynomial("b", dealer: dealer, count: 4, zeroConstant: true), d: polynomial("d", dealer: dealer, count: 3, zeroConstant: true),
                            e: polynomial("e", dealer: dealer, count: 3, zeroConstant: true))
        }
        let presignatures = try DamFast.presign(ids: ids, dealings: dealings, parameters, meter: meter)
        #expect(try presignatures[0].bigR.compressed() == hex("0304a9cc42e208217819927fd694c8a0aae7c9f052c8146a9792c71ce0fee36724"))
        #expect(presignatures.allSatisfy { $0.kInverse == scalar("c365252b9d0b6a9afbe4af5cb8a3c9b47f10eaea507cfcf8a3d32d9fb61b2300") }, "ω is the same everywhere")
        // Two roots, each Shamir-shared with three coefficients; the PKP key and each node's share.
        let roots = (0..<2).map { label("root-\($0)") }
        let rootPolynomials = roots.enumerated().map { j, root in Polynomial(coefficients: [root] + (1..<3).map { label("rootpoly-\(j)-\($0)") }) }
        let d = LitHD.tweak(keyID: [UInt8](repeating: 0, count: 31) + [1], meter: meter)
        let publicKey = LitHD.derivePublic(roots.map { Point.base($0, meter: meter) }, tweak: d, meter: meter)
        #expect(try publicKey.compressed() == hex("02c4c7ab53604605812b963a2261cd82b788b9957a07b48c72e9abe0ffeab09ce8"))
        let keyShares = ids.map { id in LitHD.deriveSecret(rootPolynomials.map { $0.evaluate(at: id) }, tweak: d) }
        let digest = Hashing.sha256(Array("lit simulator test".utf8), meter: meter)
        #expect(digest == hex("93588b69f548c9eb9048aea3086ae060b99ce1408e1159308c6f90ed190debb4"))
        let delta = DamFast.rerandomizer(hex("0123456789abcdef"), meter: meter)
        func sign(_ signers: [Int]) throws -> (shares: [(share: Scalar, bigR: Point)], signature: ECDSA.Signature) {
            let shares = try signers.map { j in
                try DamFast.signatureShare(presignatures[j], keyShare: keyShares[j], signers: signers.map { ids[$0] }, digest: digest, delta: delta, meter: meter)
            }
            return (shares, try DamFast.combine(shares, digest: digest, publicKey: publicKey, meter: meter))
        }
        let (shares, signature) = try sign([0, 1, 3])
        #expect(try shares[0].bigR.compressed() == hex("035ef9763a72adde0216edc2d10b02d1a747fc9aa39e8e96e34163aa69bab30a74"))
        #expect(shares.map(\.share) == ["6e14f907681a2f2dcea6c24d2790af31800ac7cd7bc5f02c704c46d61d05b582", "58fab872c72a93d564c0216b69d730b4c4098d5bc8482f31b479544e349a4645",
                                        "13e1d1a5f734b7b5673b67377424222606601df1f1a7b48feb7d733322c697b8"].map(scalar))
        #expect(signature.s == scalar("250e7cdfd9868547655db50ffa73fdf2703a69cb7992cc4daf8f50355bcfadc2") && signature.recoveryID == 0)
        #expect(Libsecp256k1.verify(compact: signature.compact, digest: digest, publicKey: try publicKey.compressed()))
        #expect(Libsecp256k1.recover(compact: signature.compact, recoveryID: signature.recoveryID, digest: digest) == (try publicKey.compressed()))
        #expect(try sign([1, 2, 3]).signature == signature, "another signer set, the same signature")
        // §1.10: any presigner keeps ω and knows δ, so k' = ω⁻¹ + δ, and from the public
        // signature y = (s·k' − z)/r for s or −s: the PKP's private key.
        let kPrime = presignatures[2].kInverse.inverse(meter: meter)! + delta
        let z = ECDSA.messageScalar(digest)
        let candidates = [signature.s, -signature.s].map { ($0 * kPrime - z) * signature.r.inverse(meter: meter)! }
        #expect(candidates.contains { Point.base($0, meter: meter) == publicKey }, "a presigner who kept ω extracts the key")
    }

    /// Random dealings at n = 7 (t = 4) and n = 10 (t = 6): any t signers produce a signature
    /// libsecp256k1 accepts and that recovers to the PKP's address; a wrong share is caught
    /// only as an invalid signature (Lit's client has no per-share check); a dealing whose
    /// shares miss its commitments is refused.
    @Test(arguments: [(7, 4), (10, 6)])
    func randomPresignaturesSignForAnyThresholdSet(participants: Int, threshold: Int) throws {
        var rng = SeededGenerator(seed: testSeed(default: UInt64(0xDF00 + participants)))
        let parameters = try #require(DamFast.Parameters(participants: participants, threshold: threshold))
        let ids = (0..<participants).map { _ in Scalar.randomNonZero(using: &rng) }
        let dealings = ids.map { _ in DamFast.Dealing.random(parameters, using: &rng) }
        let presignatures = try DamFast.presign(ids: ids, dealings: dealings, parameters, meter: meter)
        let key = Polynomial.random(constant: .randomNonZero(using: &rng), threshold: threshold, using: &rng)
        let publicKey = Point.base(key.constant, meter: meter)
        for round in 0..<3 {
            var order = Array(0..<participants)
            order.shuffle(using: &rng)
            let signers = Array(order.prefix(threshold)).sorted()
            let digest = (0..<32).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let delta = DamFast.rerandomizer((0..<8).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, meter: meter)
            var shares = try signers.map { j in
                try DamFast.signatureShare(presignatures[j], keyShare: key.evaluate(at: ids[j]), signers: signers.map { ids[$0] }, digest: digest,
                                           delta: delta, meter: meter)
            }
            let signature = try DamFast.combine(shares, digest: digest, publicKey: publicKey, meter: meter)
            #expect(Libsecp256k1.verify(compact: signature.compact, digest: digest, publicKey: try publicKey.compressed()), "round \(round)")
            #expect(ECDSA.ethereumAddress(try ECDSA.recover(signature, digest: digest, meter: meter), meter: meter)
                == ECDSA.ethereumAddress(publicKey, meter: meter))
            shares[0].share = shares[0].share + .one
            #expect(throws: DamFast.Failure.invalidSignature) { try DamFast.combine(shares, digest: digest, publicKey: publicKey, meter: meter) }
        }
        var bad = dealings
        bad[2] = DamFast.Dealing(k: dealings[2].k, a: dealings[2].a, b: dealings[2].b, d: dealings[2].d,
                                 e: Polynomial(coefficients: [.one] + dealings[2].e.coefficients.dropFirst()))
        #expect(throws: DamFast.Failure.invalidDealing(dealer: 2)) { try DamFast.presign(ids: ids, dealings: bad, parameters, meter: meter) }
    }

    /// The paper's variant (DJNPØ20, §1.12) for a key of threshold t (degree t − 1): k⁻¹ stays
    /// shared, 2t − 1 signers make a signature libsecp256k1 accepts (re-randomised as R' = δ·R),
    /// 2t − 2 do not; t shares of k⁻¹ interpolate to it and t − 1 do not — so one presigner, or
    /// fewer than the key's threshold, learns nothing of the nonce.
    @Test(arguments: [(5, 3), (9, 4)])
    func paperPresignaturesKeepTheNonceShared(participants: Int, threshold: Int) throws {
        var rng = SeededGenerator(seed: testSeed(default: UInt64(0xDA00 + participants)))
        let parameters = try #require(DamFast.Parameters(paperParticipants: participants, keyThreshold: threshold))
        #expect(parameters.signers == 2 * threshold - 1 && DamFast.Parameters(paperParticipants: 2 * threshold - 2, keyThreshold: threshold) == nil)
        let ids = (0..<participants).map { _ in Scalar.randomNonZero(using: &rng) }
        let dealings = ids.map { _ in DamFast.Dealing.random(parameters, using: &rng) }
        let presignatures = try DamFast.presign(ids: ids, dealings: dealings, parameters, meter: meter)
        // k⁻¹ from any t shares (and not from t − 1): k⁻¹·R = G.
        let bigR = presignatures[0].bigR
        func interpolated(_ chosen: [Int]) throws -> Scalar {
            let lambdas = try Lagrange.coefficients(for: chosen.map { ids[$0] }, meter: meter)
            return zip(lambdas, chosen).reduce(Scalar.zero) { $0 + $1.0 * presignatures[$1.1].kInverse }
        }
        #expect(bigR.multiplied(by: try interpolated(Array(0..<threshold)), meter: meter) == .generator)
        #expect(bigR.multiplied(by: try interpolated(Array(1..<threshold)), meter: meter) != .generator)
        #expect(Set(presignatures.map(\.kInverse.bytes)).count == participants, "each holds only its own share")
        // Round 2's W_j lie on one polynomial in the exponent; a participant that shifts its
        // (w_j, W_j) by (Δ, Δ·G) keeps w·G = W but breaks that, and is caught.
        let mine = ids.map { id in DamFast.Shares.sum(dealings.map { $0.shares(at: id) }) }
        var bigWs = mine.map { DamFast.round2($0, r: presignatures[0].bigR, meter: meter).bigW }
        #expect(DamFast.consistentInExponent(ids: ids, points: bigWs, coefficients: parameters.m, meter: meter))
        bigWs[participants - 1] = bigWs[participants - 1].adding(.generator, meter: meter)
        #expect(!DamFast.consistentInExponent(ids: ids, points: bigWs, coefficients: parameters.m, meter: meter))

        let key = Polynomial.random(constant: .randomNonZero(using: &rng), threshold: threshold, using: &rng)
        let publicKey = Point.base(key.constant, meter: meter)
        var order = Array(0..<participants)
        order.shuffle(using: &rng)
        let digest = (0..<32).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let delta = DamFast.rerandomizer((0..<8).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, meter: meter)
        func shares(_ signers: [Int]) throws -> [(share: Scalar, bigR: Point)] {
            try signers.map { j in
                try DamFast.signatureShare(presignatures[j], keyShare: key.evaluate(at: ids[j]), signers: signers.map { ids[$0] }, digest: digest,
                                           delta: delta, meter: meter)
            }
        }
        let signers = Array(order.prefix(parameters.signers)).sorted()
        let signature = try DamFast.combine(try shares(signers), digest: digest, publicKey: publicKey, meter: meter)
        #expect(Libsecp256k1.verify(compact: signature.compact, digest: digest, publicKey: try publicKey.compressed()))
        #expect(try shares(signers)[0].bigR == bigR.multiplied(by: delta, meter: meter))
        #expect(throws: DamFast.Failure.invalidSignature) { try DamFast.combine(try shares(Array(signers.dropLast())), digest: digest, publicKey: publicKey, meter: meter) }
    }
}
