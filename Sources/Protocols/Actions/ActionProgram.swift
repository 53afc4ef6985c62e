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
            return counts.sorted { ($0.value, $1.key.description) > ($1.value, $0.key.description) }.first!.key
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
            // (a + b) / 2 without overflow.
            let (a, b) = (numbers[middle - 1].raw, numbers[middle].raw)
            return .number(ActionNumber(raw: a / 2 + b / 2 + (a % 2 + b % 2) / 2))
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
    /// `Lit.Actions.runOnce`: one node, chosen from the request, runs `steps`; every node then
    /// binds `result` to the value the leader had for it.
    case runOnce(steps: [ActionStep], result: String)
    /// `Lit.Actions.broadcastAndCollect`: every node sends `value` to the others and binds
    /// `name` to the reduction of all of them.
    case broadcastAndCollect(name: String, value: ActionExpression, reduce: ActionReduction)
    /// `Lit.Actions.setResponse`.
    case respond(ActionExpression)

    /// The step's name in scenarios and in the per-step times.
    public var kind: String {
        switch self {
        case .fetch: "fetch"
        case .compute: "compute"
        case .branch: "if"
        case .signECDSA: "sign-ecdsa"
        case .runOnce: "run-once"
        case .broadcastAndCollect: "broadcast-and-collect"
        case .respond: "respond"
        }
    }

    public static let kinds = ["fetch", "compute", "if", "sign-ecdsa", "run-once", "broadcast-and-collect", "respond"]
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

    public init(name: String, steps: [ActionStep], limits: ActionLimits = .lit, costs: ActionCosts = ActionCosts()) {
        self.name = name
        self.steps = steps
        self.limits = limits
        self.costs = costs
        let text = "\(name)|\(steps)|\(limits)|\(costs.startup)|\(costs.step)|\(costs.peerWait)"
        hash = Hashing.sha256(Array(text.utf8), meter: CostMeter())
    }

    /// The number of signature steps anywhere in the program (at most `limits.signatures` run).
    public var signatureSteps: Int { Self.count(steps) { if case .signECDSA = $0 { true } else { false } } }

    static func count(_ steps: [ActionStep], _ matches: (ActionStep) -> Bool) -> Int {
        steps.reduce(0) { total, step in
            switch step {
            case let .branch(_, then, otherwise): total + count(then, matches) + count(otherwise, matches)
            case let .runOnce(inner, _): total + (matches(step) ? 1 : 0) + count(inner, matches)
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
