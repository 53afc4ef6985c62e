import Simulation
import Testing
import ThresholdCrypto
@testable import Protocols

@Suite struct AccessConditionTests {
    static let ownsNFT = AccessCondition.call(ContractCall(chain: "ethereum", contract: "nft", method: .ownerOf, parameters: ["1"],
                                                           comparator: .equal, value: ContractCall.userAddress)!)
    static let rich = AccessCondition.call(ContractCall(chain: "ethereum", contract: "usdc", method: .balanceOf,
                                                        parameters: [ContractCall.userAddress], comparator: .greaterOrEqual, value: "100")!)

    @Test func canonicalJSONIsLitsUnifiedShapeWithSortedKeys() {
        #expect(Self.ownsNFT.canonicalJSON == #"[{"chain":"ethereum","contractAddress":"nft","method":"ownerOf","parameters":["1"],"returnValueTest":{"comparator":"=","value":":userAddress"}}]"#)
        let nested = AccessCondition.any([Self.ownsNFT, .all([Self.rich, Self.ownsNFT])])
        let call = #"{"chain":"ethereum","contractAddress":"nft","method":"ownerOf","parameters":["1"],"returnValueTest":{"comparator":"=","value":":userAddress"}}"#
        let balance = #"{"chain":"ethereum","contractAddress":"usdc","method":"balanceOf","parameters":[":userAddress"],"returnValueTest":{"comparator":">=","value":"100"}}"#
        #expect(nested.canonicalJSON == "[\(call),{\"operator\":\"or\"},[\(balance),{\"operator\":\"and\"},\(call)]]")
        // Different conditions, different labels.
        #expect(AccessCondition.label(Self.ownsNFT, meter: CostMeter()) != AccessCondition.label(Self.rich, meter: CostMeter()))
        #expect(AccessCondition.label(nil, meter: CostMeter()) == Hashing.sha256(Array("[]".utf8), meter: CostMeter()))
    }

    /// Strings come out as Python's json.dumps(ensure_ascii=False) writes them (what
    /// tdh2_check.py re-serialises): short escapes, \u00XX for other controls, the rest as is.
    @Test func canonicalStringsEscapeAsJSONSerialisersDo() {
        let awkward = "a\n\t\"\\/\u{2028}é\u{08}\u{0C}\r\u{01}z"
        #expect(ContractCall.quoted(awkward) == #""a\n\t\"\\/\#u{2028}é\b\f\r\u0001z""#)
    }

    @Test func conditionsNestedTooDeepAreRejectedOnTheWire() {
        var condition = AccessCondition.all([Self.ownsNFT, Self.rich])
        for _ in 0..<AccessCondition.maximumDepth { condition = .any([condition, Self.rich]) }
        var writer = ByteWriter()
        condition.encode(&writer)
        var reader = ByteReader(writer.bytes, meter: CostMeter())
        #expect(throws: WireError.self) { try AccessCondition.decode(&reader) }
    }

    @Test func aNodeRefusesContentPresentedWithOtherConditions() throws {
        // Content bound to "owns the NFT", presented with no conditions (which always hold).
        var rng = SplitMix64(seed: 77)
        print("seed 77")
        let contexts = ServiceHarness<DecryptService>.contexts(count: 1, identitySecret: { _ in .randomNonZero(using: &rng) },
                                                                random: { _ in ServiceRandom { 7 } })
        var harness = ServiceHarness(contexts: contexts) { _ in DecryptService() }
        let key = Point.base(.randomNonZero(using: &rng), meter: CostMeter())
        let ciphertext = TDH2.encrypt(Array(repeating: 1, count: 32), label: AccessCondition.label(Self.ownsNFT, meter: CostMeter()),
                                      publicKey: key, using: &rng, meter: CostMeter())
        let id = AttemptID(session: SessionID(protocolName: decryptProtocol, epoch: .genesis, initiator: .client(ClientID(0)), counter: 1), attempt: 1)
        harness.deliver(.request(id: id, ciphertext: ciphertext, conditions: nil), to: NodeID(0), from: .client(ClientID(0)))
        harness.run()
        let answer = try #require(harness.toClients.first?.message)
        #expect(answer == .refusal(id: id, reason: .wrongLabel))
    }

    /// RFC 4648 §10's test vectors, unpadded as base64url has them, and the two URL-safe letters.
    @Test func base64URLMatchesRFC4648() {
        let vectors = ["": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg", "fooba": "Zm9vYmE", "foobar": "Zm9vYmFy"]
        for (input, output) in vectors.sorted(by: { $0.key < $1.key }) { #expect(Base64URL.encode(Array(input.utf8)) == output, "\(input)") }
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.encode(Array(JWTClaims.header.utf8)) == "eyJhbGciOiJFUzI1NksiLCJ0eXAiOiJKV1QifQ")
    }

    @Test func aSignerRefusesAJWTWhoseDigestIsNotTheTokens() throws {
        var rng = SplitMix64(seed: 78)
        print("seed 78")
        let contexts = ServiceHarness<ECDSASigner>.contexts(count: 2, identitySecret: { _ in .randomNonZero(using: &rng) },
                                                             random: { _ in ServiceRandom { 7 } })
        var harness = ServiceHarness(contexts: contexts) { _ in ECDSASigner(roundTimeout: .seconds(5)) }
        let claims = JWTClaims(conditions: Self.ownsNFT, issuedAt: 1_767_225_700, expiresAt: 1_767_229_300)
        let id = AttemptID(session: SessionID(protocolName: ecdsaProtocol, epoch: .genesis, initiator: .client(ClientID(3)), counter: 1), attempt: 1)
        // Signed for client 2's token, asked by client 3: not the digest of client 3's token.
        let digest = claims.digest(user: ClientID(2).address, meter: CostMeter())
        let request = ECDSARequest(id: id, digest: digest, keyID: Array("pkp".utf8), signers: [NodeID(0), NodeID(1)], nonce: Array(repeating: 1, count: 8),
                                   waitMilliseconds: 1_000, jwt: claims)
        harness.deliver(.request(request), to: NodeID(0), from: .client(ClientID(3)))
        harness.run()
        #expect(harness.toClients.map(\.message) == [.refusal(id: id, reason: .wrongJWT, missing: [])])
    }

    @Test func theJWTKeySignsJWTsOnlyAndJWTsNothingElse() throws {
        var rng = SplitMix64(seed: 79)
        print("seed 79")
        let contexts = ServiceHarness<ECDSASigner>.contexts(count: 2, identitySecret: { _ in .randomNonZero(using: &rng) },
                                                             random: { _ in ServiceRandom { 7 } })
        var harness = ServiceHarness(contexts: contexts) { _ in ECDSASigner(roundTimeout: .seconds(5)) }
        let claims = JWTClaims(conditions: Self.ownsNFT, issuedAt: 1_767_225_700, expiresAt: 1_767_229_300)
        let session = SessionID(protocolName: ecdsaProtocol, epoch: .genesis, initiator: .client(ClientID(3)), counter: 1)
        let digest = claims.digest(user: ClientID(3).address, meter: CostMeter())
        // A plain request for the token's digest under the JWT key; a JWT under a PKP key.
        let plain = ECDSARequest(id: AttemptID(session: session, attempt: 1), digest: digest, keyID: JWTClaims.keyID, signers: [NodeID(0), NodeID(1)],
                                 nonce: Array(repeating: 1, count: 8), waitMilliseconds: 1_000)
        let elsewhere = ECDSARequest(id: AttemptID(session: session, attempt: 2), digest: digest, keyID: Array("pkp-0".utf8),
                                     signers: [NodeID(0), NodeID(1)], nonce: Array(repeating: 1, count: 8), waitMilliseconds: 1_000, jwt: claims)
        harness.deliver(.request(plain), to: NodeID(0), from: .client(ClientID(3)))
        harness.deliver(.request(elsewhere), to: NodeID(0), from: .client(ClientID(3)))
        harness.run()
        #expect(harness.toClients.map(\.message) == [.refusal(id: plain.id, reason: .wrongJWT, missing: []),
                                                      .refusal(id: elsewhere.id, reason: .wrongJWT, missing: [])])
        // Claims valid for longer than a token's lifetime do not even decode.
        var writer = ByteWriter()
        JWTClaims(conditions: Self.ownsNFT, issuedAt: 0, expiresAt: JWTClaims.lifetime + 1).encode(&writer)
        var reader = ByteReader(writer.bytes, meter: CostMeter())
        #expect(throws: WireError.self) { try JWTClaims.decode(&reader) }
    }
}
