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
}
