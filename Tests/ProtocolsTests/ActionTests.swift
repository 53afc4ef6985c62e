import Simulation
import Testing
import ThresholdCrypto
@testable import Protocols

/// The action language: every operator and function, its errors, its limits.
@Suite struct ActionExpressionTests {
    func value(_ text: String, _ variables: [String: ActionValue] = [:]) throws -> ActionValue {
        try ActionExpression(parsing: text).evaluate(variables, meter: CostMeter())
    }

    func number(_ text: String) -> ActionValue { .number(ActionNumber(parsing: Substring(text))!) }

    func error(_ text: String, _ variables: [String: ActionValue] = [:]) -> ActionError? {
        do {
            _ = try value(text, variables)
            return nil
        } catch let error as ActionError {
            return error
        } catch {
            return nil
        }
    }

    @Test func arithmeticIsExactFixedPointWithJavaScriptPrecedence() throws {
        #expect(try value("1 + 2 * 3") == number("7"))
        #expect(try value("(1 + 2) * 3") == number("9"))
        #expect(try value("10 / 4") == number("2.5"))
        #expect(try value("1 / 3") == number("0.333333333"))
        #expect(try value("-1 / 3") == number("-0.333333333"))
        #expect(try value("7 % 3") == number("1"))
        #expect(try value("-7 % 3") == number("-1"))
        #expect(try value("2 - 5") == number("-3"))
        #expect(try value("-(2.5) * -2") == number("5"))
        #expect(try value("1.5 * 1.5") == number("2.25"))
        // Exact where floating point is not.
        #expect(try value("0.1 + 0.2 == 0.3") == .bool(true))
        #expect(try value("3000.123456789 * 1") == number("3000.123456789"))
    }

    @Test func comparisonsAndLogicShortCircuit() throws {
        for (text, expected) in [("1 < 2", true), ("2 <= 2", true), ("3 > 4", false), ("4 >= 4.000000001", false), ("1 == 1.0", true),
                                 ("1 != 2", true), ("'a' == 'a'", true), ("'a' != \"a\"", false), ("true && false", false),
                                 ("true || false", true), ("!true", false), ("!(1 > 2) && 2 > 1", true), ("1 == 'a'", false)] {
            #expect(try value(text) == .bool(expected), "\(text)")
        }
        // The right side is not evaluated when the left decides (an unknown variable there is fine).
        #expect(try value("false && missing") == .bool(false))
        #expect(try value("true || missing") == .bool(true))
        #expect(error("true && missing") == .unknownVariable("missing"))
    }

    @Test func functions() throws {
        #expect(try value("round(2.345, 2)") == number("2.35"))
        #expect(try value("round(-2.345, 2)") == number("-2.35"))
        #expect(try value("round(2.5)") == number("3"))
        #expect(try value("round(2.4999)") == number("2"))
        #expect(try value("floor(-1.5)") == number("-2"))
        #expect(try value("floor(1.99, 1)") == number("1.9"))
        #expect(try value("ceil(1.01, 1)") == number("1.1"))
        #expect(try value("ceil(-1.01)") == number("-1"))
        #expect(try value("abs(-3.5)") == number("3.5"))
        #expect(try value("min(3, -1, 2)") == number("-1"))
        #expect(try value("max(3, -1, 2)") == number("3"))
        #expect(try value("format(3.14159, 2)") == .string("3.14"))
        #expect(try value("format(2, 3)") == .string("2.000"))
        #expect(try value("format(-0.005, 2)") == .string("-0.01"))
        #expect(try value("format(0.004, 2)") == .string("0.00"))
        #expect(try value("format(1234.5, 0)") == .string("1235"))
        // JavaScript's toFixed keeps the sign of a negative value that rounds to zero.
        #expect(try value("format(-0.004, 2)") == .string("-0.00"))
        // Strings are equal byte for byte (JavaScript's code units), not by canonical equivalence.
        #expect(try value("a == b", ["a": .string("\u{e9}"), "b": .string("e\u{301}")]) == .bool(false))
        #expect(try value("str(1.50)") == .string("1.5"))
        #expect(try value("str(true) + str(-2)") == .string("true-2"))
        #expect(try value("num('12.5') + 1") == number("13.5"))
        #expect(try value("len('abc')") == number("3"))
        #expect(try value("if(1 < 2, 'yes', missing)") == .string("yes"))
        #expect(try value("'ETH/' + 'USD'") == .string("ETH/USD"))
        // FIPS 180-2, Appendix B.1: SHA-256("abc").
        #expect(try value("sha256('abc')") == .string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        // keccak256 is the library's Keccak (tested against its vectors in ThresholdCryptoTests):
        // here only that the text's UTF-8 goes in and lower-case hex comes out.
        #expect(try value("keccak256('abc')") == .string(Keccak.keccak256(Array("abc".utf8), meter: CostMeter()).hexString))
        #expect(try value("price * 2", ["price": number("1.25")]) == number("2.5"))
    }

    @Test func wrongTypesAreTypedErrors() throws {
        for text in ["1 + 'a'", "'a' - 'b'", "'a' < 'b'", "!1", "-'a'", "true && 1", "1 || true", "round('a')", "len(1)", "num(1)", "if(1, 2, 3)",
                     "sha256(1)", "abs(true)", "min(1, 'a')"] {
            guard case .typeMismatch? = error(text) else {
                Issue.record("\(text): \(String(describing: error(text)))")
                continue
            }
        }
        #expect(error("format(1, 10)").map { if case .badArgument = $0 { true } else { false } } == true)
        #expect(error("round(1, 1.5)").map { if case .badArgument = $0 { true } else { false } } == true)
        #expect(error("num('x1')").map { if case .badArgument = $0 { true } else { false } } == true)
        #expect(error("1 / 0") == .divisionByZero)
        #expect(error("5 % 0") == .divisionByZero)
        #expect(error("9000000000 * 9000000000").map { if case .overflow = $0 { true } else { false } } == true)
        #expect(error("9000000000 + 9000000000").map { if case .overflow = $0 { true } else { false } } == true)
        #expect(error("x + 1") == .unknownVariable("x"))
        // Int64.min % −1 would trap in Swift; its remainder is 0 (values from peers can be anything).
        #expect(try value("a % b", ["a": .number(ActionNumber(raw: .min)), "b": .number(ActionNumber(raw: -1))]) == .number(ActionNumber(raw: 0)))
        #expect(error("-a", ["a": .number(ActionNumber(raw: .min))]).map { if case .overflow = $0 { true } else { false } } == true)
    }

    @Test func parseErrorsNameTheirColumn() {
        let cases: [(String, Int)] = [("1 +", 4), ("(1", 3), ("1 2", 3), ("'abc", 1), ("@", 1), ("round(1,)", 9), ("1 ++ 2", 4)]
        for (text, column) in cases {
            do {
                _ = try ActionExpression(parsing: text)
                Issue.record("\(text) parsed")
            } catch {
                guard case let .parse(_, found) = error else {
                    Issue.record("\(text): \(error)")
                    continue
                }
                #expect(found == column, "\(text): \(error)")
            }
        }
        #expect(throws: ActionError.unknownFunction("foo")) { try ActionExpression(parsing: "foo(1)") }
        #expect(throws: ActionError.arity("round", expected: "1–2", got: 0)) { try ActionExpression(parsing: "round()") }
        #expect(throws: ActionError.arity("format", expected: "2", got: 1)) { try ActionExpression(parsing: "format(1)") }
    }

    @Test func sizeAndDepthAreLimited() {
        #expect(throws: ActionError.self) { try ActionExpression(parsing: String(repeating: "1+", count: 2100) + "1") }
        #expect(throws: ActionError.self) { try ActionExpression(parsing: String(repeating: "(", count: 80) + "1" + String(repeating: ")", count: 80)) }
        #expect((try? ActionExpression(parsing: String(repeating: "(", count: 30) + "1" + String(repeating: ")", count: 30))) != nil)
        // A long chain of operators would make evaluation recurse as deep: at most 256.
        #expect(throws: ActionError.self) { try ActionExpression(parsing: String(repeating: "1+", count: 300) + "1") }
        #expect((try? ActionExpression(parsing: String(repeating: "1+", count: 200) + "1")) != nil)
        let half = String(repeating: "x", count: ActionLimits.lit.stringBytes / 2 + 1)
        #expect(error("a + a", ["a": .string(half)]) == .outOfMemory(limitBytes: ActionLimits.lit.stringBytes))
    }

    @Test func numbersRoundTripAndMultiplyThenDivideBack() {
        for text in ["0", "1", "-1", "3000.25", "-0.000000001", "9223372036.854775807", "12.5"] {
            #expect(ActionNumber(parsing: Substring(text))?.description == text, "\(text)")
        }
        for text in ["", "-", "1.", ".5", "1.2.3", "1e5", "1.0000000001", "99999999999", "٣"] {
            #expect(ActionNumber(parsing: Substring(text)) == nil, "\(text)")
        }
        var rng = SplitMix64(seed: 31)
        print("seed 31")
        for _ in 0..<500 {
            let a = try! ActionNumber(Int(rng.next() % 2_000_000) - 1_000_000)
            let b = try! ActionNumber(Int(rng.next() % 1000) + 1)
            #expect(try! (a * b) / b == a)
            #expect(try! (a + b) - b == a)
        }
    }

    @Test func reductions() throws {
        let values = ["3", "1", "2", "10"].map(number)
        #expect(try ActionReduction.median.reduce(values) == number("2.5"))
        #expect(try ActionReduction.median.reduce(Array(values.prefix(3))) == number("2"))
        #expect(try ActionReduction.median.reduce([number("-1"), number("-2")]) == number("-1.5"))
        // Mixed signs, truncated towards zero; extremes without overflow.
        #expect(try ActionReduction.median.reduce([.number(ActionNumber(raw: -1)), .number(ActionNumber(raw: 2))]) == .number(ActionNumber(raw: 0)))
        #expect(try ActionReduction.median.reduce([.number(ActionNumber(raw: -4)), .number(ActionNumber(raw: 1))]) == .number(ActionNumber(raw: -1)))
        #expect(try ActionReduction.median.reduce([.number(ActionNumber(raw: .max)), .number(ActionNumber(raw: .max))]) == .number(ActionNumber(raw: .max)))
        // A tie between a number and a string of the same text: by type, whatever the order.
        #expect(try ActionReduction.majority.reduce([.string("5"), number("5")]) == number("5"))
        #expect(try ActionReduction.majority.reduce([number("5"), .string("5")]) == number("5"))
        #expect(try ActionReduction.min.reduce(values) == number("1"))
        #expect(try ActionReduction.max.reduce(values) == number("10"))
        #expect(try ActionReduction.majority.reduce([.string("b"), .string("a"), .string("b")]) == .string("b"))
        // A tie goes to the smallest text, whatever the order.
        #expect(try ActionReduction.majority.reduce([.string("b"), .string("a")]) == .string("a"))
        #expect(try ActionReduction.majority.reduce([.string("a"), .string("b")]) == .string("a"))
        #expect(throws: ActionError.self) { try ActionReduction.median.reduce([.string("a")]) }
        #expect(throws: ActionError.self) { try ActionReduction.min.reduce([]) }
    }
}

/// A node's view of external data for tests: one value per node, a fixed delay, and a count.
final class StubExternal: ExternalData {
    let value: ActionValue?
    let delay: Duration
    var fetches = 0

    init(_ value: ActionValue?, delay: Duration = .milliseconds(100)) {
        self.value = value
        self.delay = delay
    }

    func fetch(_ source: String) -> (delay: Duration, value: ActionValue?)? {
        guard source == "feed" else { return nil }
        fetches += 1
        return (delay, value)
    }
}

/// The node side of Lit Actions on several nodes without the simulator.
@Suite struct ActionServiceTests {
    static let client = ClientID(0)

    struct Run {
        var harness: ServiceHarness<ActionService>
        let external: [StubExternal]
        let request: ActionRequest
    }

    /// Every node of `signers` runs `program` for one request; node i's feed answers `values[i]`.
    func run(_ program: ActionProgram, signers: [NodeID] = [0, 1, 2, 3], values: [ActionValue?], delay: Duration = .milliseconds(100),
             down: Set<NodeID> = [], counter: UInt64 = 1) -> Run {
        var rng = SplitMix64(seed: 41)
        let contexts = ServiceHarness<ActionService>.contexts(count: values.count, identitySecret: { _ in .randomNonZero(using: &rng) },
                                                               random: { _ in ServiceRandom { 7 } })
        let external = values.map { StubExternal($0, delay: delay) }
        for (index, context) in contexts.enumerated() { context.external = external[index] }
        var harness = ServiceHarness(contexts: contexts) { _ in ActionService(programs: [program]) }
        harness.down = down
        let id = AttemptID(session: SessionID(protocolName: actionProtocol, epoch: .genesis, initiator: .client(Self.client), counter: counter), attempt: 1)
        let request = ActionRequest(id: id, program: program.name, programHash: program.hash, signers: signers, keyID: Array("pkp".utf8),
                                    nonce: Array(repeating: 1, count: 8), waitMilliseconds: 5000)
        for signer in signers { harness.deliver(.request(request), to: signer, from: .client(Self.client)) }
        harness.run()
        return Run(harness: harness, external: external, request: request)
    }

    /// One node (node 0) running `program`, its feed answering 1.
    func lone(_ program: ActionProgram, seed: UInt64) throws -> ServiceHarness<ActionService> {
        var rng = SplitMix64(seed: seed)
        let contexts = ServiceHarness<ActionService>.contexts(count: 1, identitySecret: { _ in .randomNonZero(using: &rng) }, random: { _ in ServiceRandom { 7 } })
        contexts[0].external = StubExternal(.number(try ActionNumber(1)))
        return ServiceHarness(contexts: contexts) { _ in ActionService(programs: [program]) }
    }

    /// Each node's response to the client, by node.
    func responses(_ run: Run) -> [NodeID: ActionResponse] {
        var byNode: [NodeID: ActionResponse] = [:]
        for envelope in run.harness.toClients {
            guard case let .response(_, response) = envelope.message, let node = envelope.from.node else { continue }
            byNode[node] = response
        }
        return byNode
    }

    /// The digests each node handed to its ECDSA signer.
    func signed(_ run: Run) -> [NodeID: [[UInt8]]] {
        var byNode: [NodeID: [[UInt8]]] = [:]
        for (node, signature) in run.harness.delegations where !signature.declined {
            #expect(signature.scheme == DelegatedSignature.ecdsa && signature.origin == run.request.id && signature.signers == run.request.signers)
            #expect(signature.index == byNode[node, default: []].count && signature.nonce == run.request.nonce && signature.keyID == run.request.keyID)
            byNode[node, default: []].append(signature.digest)
        }
        return byNode
    }

    static let fetchAndSign: [ActionStep] = [.fetch(name: "price", source: "feed"),
                                             .signECDSA(message: try! ActionExpression(parsing: "format(price, 2)")),
                                             .respond(try! ActionExpression(parsing: "format(price, 2)"))]

    @Test func uncoordinatedNodesSignWhatTheyFetched() throws {
        let program = ActionProgram(name: "p", steps: Self.fetchAndSign)
        let run = run(program, values: [.number(ActionNumber(raw: 1_000_000_000)), .number(ActionNumber(raw: 1_000_000_000)),
                                        .number(ActionNumber(raw: 2_000_000_000)), .number(ActionNumber(raw: 1_000_000_000))])
        let digests = signed(run)
        #expect(digests.count == 4 && Set(digests.values.map(\.first!)).count == 2)
        let answers = responses(run)
        #expect(answers[2]?.value == .string("2.00") && answers[0]?.value == .string("1.00"))
        for node in [0, 1, 2, 3] as [NodeID] { #expect(answers[node]?.digests == digests[node] && answers[node]?.error == nil) }
        // The digest is Keccak-256 of the message's text.
        #expect(digests[0]?.first == Keccak.keccak256(Array("1.00".utf8), meter: CostMeter()))
    }

    /// A `jwt` step signs SHA-256 of the token's signing input and tells the client the input:
    /// base64url of Lit's ES256K header and of claims naming the action with the value.
    @Test func aJWTStepSignsItsSigningInput() throws {
        let program = ActionProgram(name: "p", steps: [.fetch(name: "price", source: "feed"), .signJWT(value: try ActionExpression(parsing: "price"))])
        let run = run(program, values: Array(repeating: .number(try ActionNumber(parsing: "12.5")!.rounded(1)), count: 4))
        let answers = responses(run)
        let input = try #require(answers[0]?.jwtInputs.first)
        #expect(input == Base64URL.encode(Array(#"{"alg":"ES256K","typ":"JWT"}"#.utf8)) + "." + Base64URL.encode(Array(#"{"iss":"LitSim action p","value":12.5}"#.utf8)))
        #expect(signed(run)[0]?.first == Hashing.sha256(Array(input.utf8), meter: CostMeter()))
        #expect(answers.values.allSatisfy { $0.jwtInputs == [input] })
    }

    /// Nodes whose branches sign one index with different signers (FROST here, ECDSA there):
    /// each declines that index to the signer it did not use, so it joins a peer's signature
    /// there without signing instead of being named missing in it.
    @Test func anIndexSignedWithOneSignerIsDeclinedToTheOther() throws {
        let program = ActionProgram(name: "p", steps: [
            .fetch(name: "price", source: "feed"),
            .branch(try ActionExpression(parsing: "price > 1"), then: [.sign(message: .variable("price"), scheme: .frostTaproot)],
                    otherwise: [.signECDSA(message: .variable("price"))]),
        ])
        #expect(program.signers == [DelegatedSignature.ecdsa, DelegatedSignature.frost])
        let run = run(program, values: [.number(try ActionNumber(2)), .number(try ActionNumber(1)), .number(try ActionNumber(2)), .number(try ActionNumber(1))])
        for node in [NodeID(0), 1, 2, 3] {
            // (Index 1, which no branch reaches, is declined to both at the run's end.)
            let all = run.harness.delegations.filter { $0.node == node }.map(\.signature)
            #expect(all.filter { $0.index == 1 }.map(\.scheme) == program.signers && all.filter { $0.index == 1 }.allSatisfy(\.declined))
            let delegated = all.filter { $0.index == 0 }
            let frost = node.value % 2 == 0
            #expect(delegated.count == 2 && delegated.allSatisfy { $0.origin == run.request.id }, "\(node): \(delegated)")
            #expect(delegated.first { !$0.declined }?.scheme == (frost ? SigningScheme.frostTaproot.rawValue : DelegatedSignature.ecdsa))
            #expect(delegated.first { $0.declined }?.scheme == (frost ? DelegatedSignature.ecdsa : DelegatedSignature.frost))
        }
    }

    @Test func runOnceLeaderIsTheSameForEveryNodeAndSpreadOverSigners() {
        let signers: [NodeID] = [1, 3, 4, 7, 9]
        var led: [NodeID: Int] = [:]
        for counter in 0..<400 as Range<UInt64> {
            let id = AttemptID(session: SessionID(protocolName: actionProtocol, epoch: .genesis, initiator: .client(Self.client), counter: counter), attempt: 1)
            let request = ActionRequest(id: id, program: "p", programHash: [], signers: signers, keyID: [], nonce: [], waitMilliseconds: 0)
            let leader = request.leader(ofBlock: 0, meter: CostMeter())
            #expect(signers.contains(leader))
            // Recomputed (as another node would), the same.
            #expect(ActionRequest(id: id, program: "p", programHash: [], signers: signers, keyID: [], nonce: [], waitMilliseconds: 0)
                .leader(ofBlock: 0, meter: CostMeter()) == leader)
            led[leader, default: 0] += 1
        }
        // Uniform over 5 signers: 80 each expected; every signer leads some.
        #expect(led.count == signers.count && led.values.allSatisfy { $0 > 40 }, "\(led)")
    }

    @Test func runOnceMakesOnlyTheLeaderFetchAndEveryNodeSignItsValue() throws {
        let program = ActionProgram(name: "p", steps: [.runOnce(steps: [.fetch(name: "price", source: "feed")], result: "price")]
                                        + Self.fetchAndSign.dropFirst())
        let values: [ActionValue?] = (1...4).map { .number(try! ActionNumber($0)) }
        let run = run(program, values: values)
        let leader = run.request.leader(ofBlock: 0, meter: CostMeter())
        #expect(run.external.enumerated().map { $0.element.fetches } == (0..<4).map { $0 == Int(leader.value) ? 1 : 0 })
        let digests = signed(run)
        #expect(digests.count == 4 && Set(digests.values.map(\.first!)).count == 1)
        #expect(responses(run).values.allSatisfy { $0.value == .string("\(leader.value + 1).00") })
    }

    @Test func broadcastAndCollectGivesEveryNodeTheSameMedian() throws {
        let program = ActionProgram(name: "p", steps: [
            .fetch(name: "seen", source: "feed"),
            .broadcastAndCollect(name: "price", value: try ActionExpression(parsing: "seen"), reduce: .median),
        ] + Self.fetchAndSign.dropFirst())
        let run = run(program, values: [10, 20, 40, 1000].map { .number(try! ActionNumber($0)) })
        #expect(responses(run).values.map(\.value) == Array(repeating: .string("30.00"), count: 4))
        #expect(Set(signed(run).values.map(\.first!)).count == 1)
    }

    @Test func aMissingLeaderOrPeerEndsTheRunWithPeerTimeout() throws {
        let program = ActionProgram(name: "p", steps: [.runOnce(steps: [.fetch(name: "price", source: "feed")], result: "price")]
                                        + Self.fetchAndSign.dropFirst())
        let probe = run(program, values: Array(repeating: .number(try ActionNumber(1)), count: 4))
        let leader = probe.request.leader(ofBlock: 0, meter: CostMeter())
        let run = run(program, values: Array(repeating: .number(try ActionNumber(1)), count: 4), down: [leader])
        let answers = responses(run)
        // Each names the leader it waited for, and tells its signer the signature will not come.
        #expect(answers.count == 3 && answers.values.allSatisfy { $0.error == "peer-timeout" && $0.digests.isEmpty && $0.missing == [leader] })
        #expect(signed(run).isEmpty)
        #expect(run.harness.delegations.filter(\.signature.declined).map(\.node).sorted() == [0, 1, 2, 3].filter { $0 != leader })
    }

    /// `run-once` blocks and collect steps are numbered by their place in the program, so a
    /// block after a branch is the same block whether or not a node took the branch.
    @Test func blocksAreNumberedByTheirPlaceInTheProgram() throws {
        let program = ActionProgram(name: "p", steps: [
            .fetch(name: "seen", source: "feed"),
            .branch(try ActionExpression(parsing: "seen > 100"), then: [.runOnce(steps: [.compute(name: "x", .literal(.bool(true)))], result: "x")],
                    otherwise: []),
            .runOnce(steps: [.fetch(name: "price", source: "feed")], result: "price"),
        ] + Self.fetchAndSign.dropFirst())
        #expect(program.runOnceBlocks == 2 && program.problems.isEmpty)
        // A request whose block 1 has another leader than block 0 (numbered as they run, every
        // node would take the second block for block 0).
        let counter = try #require((1..<100 as Range<UInt64>).first { counter in
            let id = AttemptID(session: SessionID(protocolName: actionProtocol, epoch: .genesis, initiator: .client(Self.client), counter: counter), attempt: 1)
            let request = ActionRequest(id: id, program: "p", programHash: [], signers: [0, 1, 2, 3], keyID: [], nonce: [], waitMilliseconds: 0)
            return request.leader(ofBlock: 0, meter: CostMeter()) != request.leader(ofBlock: 1, meter: CostMeter())
        })
        let run = run(program, values: (1...4).map { .number(try! ActionNumber($0)) }, counter: counter)
        let leader = run.request.leader(ofBlock: 1, meter: CostMeter())
        // Nobody takes the branch; block 1's leader alone fetches a second time, and everyone signs its price.
        #expect(run.external.map(\.fetches) == (0..<4).map { $0 == Int(leader.value) ? 2 : 1 })
        #expect(responses(run).values.allSatisfy { $0.error == nil && $0.value == .string("\(leader.value + 1).00") }, "\(responses(run))")
    }

    @Test func aRunOnceBlockThatSignsOrWaitsIsAProblem() throws {
        let signs = ActionProgram(name: "p", steps: [.runOnce(steps: [.signECDSA(message: .literal(.string("a")))], result: "r")])
        let waits = ActionProgram(name: "p", steps: [.runOnce(steps: [.branch(.literal(.bool(true)), then: [
            .broadcastAndCollect(name: "m", value: .literal(.bool(true)), reduce: .majority)], otherwise: [])], result: "m")])
        #expect(signs.problems.count == 1 && waits.problems.count == 1, "\(signs.problems) \(waits.problems)")
    }

    @Test func anAttemptNumberTooLargeToNumberItsSignaturesIsRefusedNotTrapped() throws {
        let program = ActionProgram(name: "p", steps: Self.fetchAndSign)
        var harness = try lone(program, seed: 43)
        let id = AttemptID(session: SessionID(protocolName: actionProtocol, epoch: .genesis, initiator: .client(Self.client), counter: 1), attempt: 1 << 28)
        let request = ActionRequest(id: id, program: "p", programHash: program.hash, signers: [0], keyID: [], nonce: Array(repeating: 0, count: 8),
                                    waitMilliseconds: 1)
        harness.deliver(.request(request), to: 0, from: .client(Self.client))
        harness.run()
        guard case let .response(_, response)? = harness.toClients.first?.message else {
            Issue.record("no answer")
            return
        }
        #expect(response.error == "cannot-sign" && harness.delegations.isEmpty)
    }

    @Test func litsLimitsAreEnforced() throws {
        let one = ActionValue.number(try ActionNumber(1))
        var limits = ActionLimits.lit
        limits.fetches = 2
        let fetches = ActionProgram(name: "p", steps: (0..<3).map { .fetch(name: "v\($0)", source: "feed") }, limits: limits)
        #expect(responses(run(fetches, values: [one, one, one, one])).values.allSatisfy { $0.error == "too-many-fetches" })

        limits = .lit
        limits.signatures = 1
        let signatures = ActionProgram(name: "p", steps: [.signECDSA(message: .literal(.string("a"))), .signECDSA(message: .literal(.string("b")))],
                                       limits: limits)
        let signing = run(signatures, values: [one, one, one, one])
        #expect(responses(signing).values.allSatisfy { $0.error == "too-many-signatures" && $0.digests.count == 1 })

        // 30 s of fetching: Lit's time limit ends it first.
        let slow = run(ActionProgram(name: "p", steps: Self.fetchAndSign), values: [one, one, one, one], delay: .seconds(40))
        #expect(responses(slow).values.allSatisfy { $0.error == "timeout" })
        #expect(signed(slow).isEmpty)

        limits = .lit
        limits.memoryBytes = 16
        let memory = ActionProgram(name: "p", steps: [.compute(name: "s", .literal(.string(String(repeating: "x", count: 17))))], limits: limits)
        #expect(responses(run(memory, values: [one, one, one, one])).values.allSatisfy { $0.error == "out-of-memory" })

        // A failed fetch, and an expression error, stop the run with their codes.
        #expect(responses(run(ActionProgram(name: "p", steps: Self.fetchAndSign), values: [nil, nil, nil, nil])).values.allSatisfy { $0.error == "fetch-failed" })
        let typeError = ActionProgram(name: "p", steps: [.compute(name: "x", try ActionExpression(parsing: "1 + 'a'"))])
        #expect(responses(run(typeError, values: [one, one, one, one])).values.allSatisfy { $0.error == "type" })
    }

    @Test func aRequestForAnotherProgramOrByAnotherClientIsRefused() throws {
        let program = ActionProgram(name: "p", steps: Self.fetchAndSign)
        var harness = try lone(program, seed: 42)
        let id = AttemptID(session: SessionID(protocolName: actionProtocol, epoch: .genesis, initiator: .client(Self.client), counter: 1), attempt: 1)
        let altered = ActionRequest(id: id, program: "p", programHash: Array(repeating: 0, count: 32), signers: [0], keyID: [], nonce: Array(repeating: 0, count: 8),
                                    waitMilliseconds: 1)
        harness.deliver(.request(altered), to: 0, from: .client(ClientID(1)))
        harness.run()
        #expect(harness.toClients.isEmpty)
        harness.deliver(.request(altered), to: 0, from: .client(Self.client))
        harness.run()
        guard case let .response(_, response)? = harness.toClients.first?.message else {
            Issue.record("no answer")
            return
        }
        #expect(response.error == "unknown-program" && harness.delegations.isEmpty)
    }
}

/// `decrypt` steps: the signers exchange TDH2 decryption shares with proofs and combine the
/// first `threshold` valid ones; a bad share counts as none; a ciphertext labelled for another
/// program is never opened.
@Suite struct ActionDecryptTests {
    static let client = ClientID(0)
    static let secret = "sk-live-3f9a61c2"
    let program = ActionProgram(name: "keyed", steps: [.decrypt(name: "key", secret: "api-key"), .respond(.variable("key"))], secrets: ["api-key"])

    /// Nodes 0..<count holding a trusted dealer's `threshold`-of-`count` network key; each of
    /// `signers` gets a request carrying `secret` encrypted under `label` (the program's own by
    /// default). `inFlight` may rewrite messages.
    func run(count: Int = 4, threshold: Int = 3, signers: [NodeID] = [0, 1, 2, 3], label: [UInt8]? = nil, down: Set<NodeID> = [],
             inFlight: ((ServiceHarness<ActionService>.Envelope) -> ServiceHarness<ActionService>.Envelope?)? = nil) -> ServiceHarness<ActionService> {
        var rng = SplitMix64(seed: 77)
        let secrets = (0..<count).map { _ in Scalar.randomNonZero(using: &rng) }
        let polynomial = Polynomial.random(constant: .randomNonZero(using: &rng), threshold: threshold, using: &rng)
        let commitment = polynomial.commitment(meter: CostMeter())
        let roster = Roster.genesis(count: count)
        let contexts = ServiceHarness<ActionService>.contexts(count: count, identitySecret: { secrets[$0.value] }, random: { node in
            var stream = SplitMix64(seed: 500 + UInt64(node.value))
            return ServiceRandom { stream.next() }
        })
        for context in contexts {
            let identifier = roster.identifier(of: context.me)!
            context.keys.install(KeyShare(key: .group, roster: roster, identifier: identifier,
                                          secretShare: polynomial.evaluate(at: identifier.scalar), groupCommitment: commitment))
        }
        var harness = ServiceHarness(contexts: contexts) { _ in ActionService(programs: [program]) }
        harness.down = down
        harness.inFlight = inFlight
        let ciphertext = TDH2.encrypt(Array(Self.secret.utf8),
                                      label: label ?? ActionProgram.secretLabel(programHash: program.hash, secret: "api-key", meter: CostMeter()),
                                      publicKey: commitment.publicKey, using: &rng, meter: CostMeter())
        let id = AttemptID(session: SessionID(protocolName: actionProtocol, epoch: .genesis, initiator: .client(Self.client), counter: 1), attempt: 1)
        let request = ActionRequest(id: id, program: program.name, programHash: program.hash, signers: signers, keyID: Array("pkp".utf8),
                                    nonce: Array(repeating: 1, count: 8), waitMilliseconds: 5000, ciphertexts: [ciphertext])
        for signer in signers { harness.deliver(.request(request), to: signer, from: .client(Self.client)) }
        harness.run()
        return harness
    }

    func responses(_ harness: ServiceHarness<ActionService>) -> [NodeID: ActionResponse] {
        var byNode: [NodeID: ActionResponse] = [:]
        for envelope in harness.toClients {
            if case let .response(_, response) = envelope.message, let node = envelope.from.node { byNode[node] = response }
        }
        return byNode
    }

    @Test func everySignerGetsTheSecretFromAThresholdOfShares() {
        // Node 3 is down: the other three are the threshold.
        let harness = run(down: [3])
        let answers = responses(harness)
        #expect(answers.keys.sorted() == [0, 1, 2] && answers.values.allSatisfy { $0.error == nil && $0.value == .string(Self.secret) }, "\(answers)")
        #expect(harness.outputs.contains { if case .stepDone(_, kind: "decrypt", _) = $0.output { true } else { false } })
    }

    @Test func aShareWhoseProofFailsCountsAsNoneAndItsSenderIsNamedMissing() {
        // Node 1's shares arrive with a wrong challenge: with three signers of a 3-of-4 key the
        // others cannot decrypt, and stop at once (the proof is definitive) naming node 1.
        let harness = run(signers: [0, 1, 2], inFlight: { envelope in
            guard envelope.from == .node(1), case let .decryptionShare(id, step, share) = envelope.message else { return envelope }
            var wrong = envelope
            wrong.message = .decryptionShare(id: id, step: step, share: TDH2.DecryptionShare(id: share.id, ui: share.ui, e: share.e + Scalar(1), f: share.f))
            return wrong
        })
        let answers = responses(harness)
        for node in [NodeID(0), NodeID(2)] {
            #expect(answers[node]?.error == "invalid-share" && answers[node]?.missing == [1], "\(node): \(String(describing: answers[node]))")
        }
        #expect(harness.now < .seconds(1), "nobody waited out its peer wait")
        #expect(answers[1]?.value == .string(Self.secret), "node 1's own view had the honest shares")
    }

    @Test func aCiphertextLabelledForAnotherProgramIsNeverOpened() {
        let other = ActionProgram.secretLabel(programHash: [UInt8](repeating: 9, count: 32), secret: "api-key", meter: CostMeter())
        let harness = run(label: other)
        let answers = responses(harness)
        #expect(answers.count == 4 && answers.values.allSatisfy { $0.error == "decrypt-denied" && $0.value == nil })
        #expect(harness.messages == 0, "no decryption share left any node")
    }
}
