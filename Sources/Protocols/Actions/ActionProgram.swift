import ThresholdCrypto

/// How `broadcast-and-collect` turns every node's value into one.
public enum ActionReduction: String, Hashable, Sendable, CaseIterable {
    /// Numbers: the middle value (the mean of the two middle ones for an even count, truncated
    /// at the ninth decimal).
    case median
    case min
    case max
    /// Any values: the most common one (ties: the smallest by its text).
    case majority

    /// The reduction of `values` (one per node, in node order).
    public func reduce(_ values: [ActionValue]) throws(ActionError) -> ActionValue {
        guard !values.isEmpty else { throw .badArgument("nothing to reduce") }
        if self == .majority {
            var counts: [ActionValue: Int] = [:]
            for value in values { counts[value, default: 0] += 1 }
            // Most common first; ties by type, then text's bytes (a total order on distinct values,
            // so dictionary order never decides).
            return counts.min { a, b in
                if a.value != b.value { return a.value > b.value }
                if a.key.typeName != b.key.typeName { return a.key.typeName < b.key.typeName }
                return a.key.description.utf8.lexicographicallyPrecedes(b.key.description.utf8)
            }!.key
        }
        var numbers: [ActionNumber] = []
        for value in values {
            guard case let .number(number) = value else { throw .typeMismatch("\(rawValue) of a \(value.typeName)") }
            numbers.append(number)
        }
        numbers.sort()
        switch self {
        case .min: return .number(numbers.first!)
        case .max: return .number(numbers.last!)
        default:
            let middle = numbers.count / 2
            guard numbers.count % 2 == 0 else { return .number(numbers[middle]) }
            // (a + b) / 2 in 128 bits, truncated towards zero like every division here.
            return .number(ActionNumber(raw: Int64((Int128(numbers[middle - 1].raw) + Int128(numbers[middle].raw)) / 2)))
        }
    }
}

/// One step of an action's program (Lit's `Lit.Actions.*` calls, and plain code).
public indirect enum ActionStep: Hashable, Sendable {
    /// Binds `name` to the value `source` gives when it answers (an HTTP fetch).
    case fetch(name: String, source: String)
    /// Binds `name` to an expression's value.
    case compute(name: String, ActionExpression)
    case branch(ActionExpression, then: [ActionStep], otherwise: [ActionStep])
    /// `Lit.Actions.signEcdsa`: this node's share of an ECDSA signature over the Keccak-256 of
    /// `message`'s text (as a string; a number in its shortest form), under the request's PKP.
    case signECDSA(message: ActionExpression)
    /// `Lit.Actions.signAsAction` with a Schnorr scheme: this node's FROST share over the
    /// SHA-256 of `message`'s text, under the network's key (Lit's flow: the signers exchange
    /// commitments, each sends its share to the client).
    case sign(message: ActionExpression, scheme: SigningScheme)
    /// A JWT (ES256K, compact JWS) signed with the action's PKP: the claims are
    /// `{"iss":"LitSim action NAME","value":…}` with the expression's value; the digest signed is
    /// SHA-256 of the token's signing input, which the node sends the client to assemble it.
    case signJWT(value: ActionExpression)
    /// `Lit.Actions.runOnce`: one node, chosen from the request and `block`, runs `steps`; every
    /// node then binds `result` to the value the leader had for it. `block` is the step's place
    /// in the program (ActionProgram numbers them), so nodes that took different branches still
    /// agree on it.
    case runOnce(steps: [ActionStep], result: String, block: Int = 0)
    /// `Lit.Actions.broadcastAndCollect`: every node sends `value` to the others and binds
    /// `name` to the reduction of all of them; `step` numbered as `block` is.
    case broadcastAndCollect(name: String, value: ActionExpression, reduce: ActionReduction, step: Int = 0)
    /// `Lit.Actions.decryptAndCombine`: binds `name` to the text of the program's secret
    /// `secret`, which the client sent encrypted to the network key (TDH2, labelled for this
    /// program: Lit's `:currentActionIpfsId` condition). Each signer checks the label, sends its
    /// decryption share with its proof to the others and combines the first `threshold` valid
    /// ones; `step` numbered as `block` is.
    case decrypt(name: String, secret: String, step: Int = 0)
    /// `Lit.Actions.setResponse`.
    case respond(ActionExpression)

    /// The step's name in scenarios and in the per-step times.
    public var kind: String {
        switch self {
        case .fetch: "fetch"
        case .compute: "compute"
        case .branch: "if"
        case .signECDSA: "sign-ecdsa"
        case .sign: "sign"
        case .signJWT: "jwt"
        case .runOnce: "run-once"
        case .broadcastAndCollect: "broadcast-and-collect"
        case .decrypt: "decrypt"
        case .respond: "respond"
        }
    }

    public static let kinds = ["fetch", "compute", "if", "sign-ecdsa", "sign", "jwt", "run-once", "broadcast-and-collect", "decrypt", "respond"]
}

/// Modelled run time of an action's steps on a node (the JavaScript engine's, not the
/// node's cryptography, which is charged as usual).
public struct ActionCosts: Hashable, Sendable {
    /// Starting the action's isolate.
    public var startup: Duration = .milliseconds(5)
    /// Each compute, if and respond step, and preparing each fetch, signature and message.
    public var step: Duration = .microseconds(50)
    /// How long a node waits for a `run-once` leader's or `broadcast-and-collect` peers' values.
    public var peerWait: Duration = .seconds(5)

    public init() {}
}

/// An immutable program every node of the signing set runs (Lit's Lit Action, named by its
/// IPFS id: here by `name` and the hash of its definition).
public struct ActionProgram: Hashable, Sendable {
    public let name: String
    public let steps: [ActionStep]
    public var limits = ActionLimits.lit
    public var costs = ActionCosts()
    /// Changes with every step, limit and cost (the request names the program by it).
    public let hash: [UInt8]
    /// How many `run-once` and `broadcast-and-collect` steps it has (their numbers are below).
    public let runOnceBlocks: Int
    public let collectSteps: Int
    /// Per `decrypt` step number, the secret it decrypts.
    public let decryptSecrets: [String]
    /// The names of the secrets its client sends encrypted (one ciphertext each, in this order;
    /// only the client knows their text).
    public let secrets: [String]

    public init(name: String, steps: [ActionStep], secrets: [String] = [], limits: ActionLimits = .lit, costs: ActionCosts = ActionCosts()) {
        self.name = name
        var counts = StepCounts()
        self.steps = Self.numbered(steps, &counts)
        runOnceBlocks = counts.blocks
        collectSteps = counts.collects
        decryptSecrets = counts.decrypts
        let frost = Self.count(self.steps) { if case .sign = $0 { true } else { false } }
        let all = Self.count(self.steps) { step in
            switch step {
            case .signECDSA, .sign, .signJWT: true
            default: false
            }
        }
        signatureSteps = all
        frostSignatureSteps = frost
        signers = (all > frost ? [DelegatedSignature.ecdsa] : []) + (frost > 0 ? [DelegatedSignature.frost] : [])
        self.secrets = secrets
        self.limits = limits
        self.costs = costs
        var text = "\(name.utf8.count):\(name)|"
        if !secrets.isEmpty { text += "secrets(" + secrets.map { "\($0.utf8.count):\($0);" }.joined() + ")|" }
        Self.canonical(self.steps, into: &text)
        text += "|\(limits.fetches),\(limits.signatures),\(limits.milliseconds),\(limits.memoryBytes),\(limits.stringBytes)"
        text += "|\(costs.startup.components),\(costs.step.components),\(costs.peerWait.components)"
        hash = Hashing.sha256(Array(text.utf8), meter: CostMeter())
    }

    struct StepCounts {
        var blocks = 0, collects = 0
        /// Per `decrypt` step number, the secret it decrypts.
        var decrypts: [String] = []
    }

    /// The steps with every `run-once`, `broadcast-and-collect` and `decrypt` numbered in
    /// program order (each kind its own numbers).
    static func numbered(_ steps: [ActionStep], _ counts: inout StepCounts) -> [ActionStep] {
        steps.map { step in
            switch step {
            case let .branch(condition, then, otherwise):
                let numberedThen = numbered(then, &counts)
                return .branch(condition, then: numberedThen, otherwise: numbered(otherwise, &counts))
            case let .runOnce(inner, result, _):
                let block = counts.blocks
                counts.blocks += 1
                return .runOnce(steps: numbered(inner, &counts), result: result, block: block)
            case let .broadcastAndCollect(name, value, reduce, _):
                defer { counts.collects += 1 }
                return .broadcastAndCollect(name: name, value: value, reduce: reduce, step: counts.collects)
            case let .decrypt(name, secret, _):
                defer { counts.decrypts.append(secret) }
                return .decrypt(name: name, secret: secret, step: counts.decrypts.count)
            default:
                return step
            }
        }
    }

    /// The label a secret of the program with hash `programHash` is encrypted under: only this
    /// program's runs release decryption shares for it.
    public static func secretLabel(programHash: [UInt8], secret: String, meter: CostMeter) -> [UInt8] {
        Hashing.sha256(Array("LitSim action secret|".utf8) + programHash + Array(secret.utf8), meter: meter)
    }

    /// A text that changes with every step (names length-prefixed; expressions fully
    /// parenthesised), independent of how Swift prints values.
    static func canonical(_ steps: [ActionStep], into text: inout String) {
        func field(_ value: String) { text += "\(value.utf8.count):\(value);" }
        for step in steps {
            text += step.kind + "("
            switch step {
            case let .fetch(name, source): field(name); field(source)
            case let .compute(name, expression): field(name); field(expression.description)
            case let .branch(condition, then, otherwise):
                field(condition.description)
                canonical(then, into: &text)
                text += "|"
                canonical(otherwise, into: &text)
            case let .signECDSA(message): field(message.description)
            case let .sign(message, scheme): field(message.description); field(scheme.rawValue)
            case let .signJWT(value): field(value.description)
            case let .runOnce(inner, result, block): field(result); field("\(block)"); canonical(inner, into: &text)
            case let .broadcastAndCollect(name, value, reduce, step): field(name); field(value.description); field(reduce.rawValue); field("\(step)")
            case let .decrypt(name, secret, step): field(name); field(secret); field("\(step)")
            case let .respond(value): field(value.description)
            }
            text += ")"
        }
    }

    /// What makes it unrunnable: a `run-once` block runs on one node only, so it may not sign,
    /// nor wait for the others (another run-once, a broadcast-and-collect).
    public var problems: [String] {
        func coordinating(_ steps: [ActionStep]) -> [String] {
            steps.flatMap { step -> [String] in
                switch step {
                case .signECDSA, .sign, .signJWT, .runOnce, .broadcastAndCollect, .decrypt: [step.kind]
                case let .branch(_, then, otherwise): coordinating(then) + coordinating(otherwise)
                default: []
                }
            }
        }
        func check(_ steps: [ActionStep]) -> [String] {
            steps.flatMap { step -> [String] in
                switch step {
                case let .runOnce(inner, _, block):
                    coordinating(inner).map { "run-once block \(block) contains a \($0) step, which only its leader would run" } + check(inner)
                case let .branch(_, then, otherwise): check(then) + check(otherwise)
                default: []
                }
            }
        }
        return check(steps)
    }

    /// The number of signature steps anywhere in the program (at most `limits.signatures` run).
    public let signatureSteps: Int

    /// The node's signers its signing steps go to (`DelegatedSignature.signer(of:)`), in a
    /// fixed order: what a signature this node will not sign is declined to.
    /// (Derived once: every signing step and every run's end reads it.)
    public let signers: [String]

    /// Whether a `sign` step signs with `scheme`.
    public func signs(with scheme: SigningScheme) -> Bool {
        Self.count(steps) { step in
            if case let .sign(_, used) = step { used == scheme } else { false }
        } > 0
    }

    /// The number of FROST `sign` steps (they need Lit's signing flow).
    public let frostSignatureSteps: Int

    static func count(_ steps: [ActionStep], _ matches: (ActionStep) -> Bool) -> Int {
        steps.reduce(0) { total, step in
            switch step {
            case let .branch(_, then, otherwise): total + count(then, matches) + count(otherwise, matches)
            case let .runOnce(inner, _, _): total + (matches(step) ? 1 : 0) + count(inner, matches)
            default: total + (matches(step) ? 1 : 0)
            }
        }
    }
}

/// External data as one node sees it (sources with latency, skew, failures and values that
/// change over time). The host sets the clock; the service only asks.
public protocol ExternalData: AnyObject {
    /// A fetch of `source` starting now: how long until it answers and what it answers then
    /// (nil: the fetch failed). nil for a source the run does not define.
    func fetch(_ source: String) -> (delay: Duration, value: ActionValue?)?
}
