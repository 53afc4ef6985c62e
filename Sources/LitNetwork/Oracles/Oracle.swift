import Protocols
import Simulation
import ThresholdCrypto

/// A broken safety property (DESIGN.md §4a), with where in the run it was seen.
public struct SafetyViolation: Sendable, Equatable, CustomStringConvertible {
    public let oracle: String
    public let detail: String
    /// Simulated time and event number of the violating event; nil when found at the end.
    public let time: SimInstant?
    public let event: UInt64?
    /// Where it was seen, for telling violations apart (`litsim explore` keeps one seed per
    /// oracle, area and phase): the protocol or op of the event (`dkg`, `sign`, `ecdsa`,
    /// `decrypt`, ...) and its stage (`genesis` or `transition` for a DKG, the output's case,
    /// an accusation's code, `accepted`, `released`; `end` for checks at the end of the run).
    public var area = ""
    public var phase = ""

    public init(oracle: String, detail: String, time: SimInstant? = nil, event: UInt64? = nil) {
        self.oracle = oracle
        self.detail = detail
        self.time = time
        self.event = event
    }

    /// `oracle area/phase`: one kind of violation.
    public var signature: String { "\(oracle) \(area)/\(phase)" }

    public var description: String {
        let place = time.map { " (at \($0.milliseconds) ms, event \(event ?? 0))" } ?? ""
        return "\(oracle): \(detail)\(place)"
    }
}

/// Something an oracle may judge, as it happens.
public enum ObservedEvent {
    /// A service's output at a node.
    case output(node: NodeID, any Sendable)
    /// A node or client proved misbehaviour.
    case accusation(by: EndpointID, Accusation)
    /// A client accepted a signature.
    case accepted(AcceptedSignature)
    /// A client opened content: its attempt began at `attemptStart`, the content was open at `time`.
    /// A client opened content or received a signed JWT: its attempt began at `attemptStart`;
    /// it had what it asked for at `time`.
    case released(any AccessRelease, attemptStart: SimInstant, time: SimInstant)
}

/// What oracles know about the run beyond the events: who is Byzantine, the parameters.
public struct RunFacts {
    public let specification: NetworkSpecification
    public let threshold: Int
    public let directory: IdentityDirectory
    public let byzantine: Set<NodeID>
    /// What a third party knows: keys, and the genesis roster and threshold.
    public let parameters: PublicParameters
    /// The simulated chains access conditions read (nil: the run has none).
    public let chains: SimulatedChains?

    public init(specification: NetworkSpecification, threshold: Int, directory: IdentityDirectory, byzantine: Set<NodeID>,
                chains: SimulatedChains? = nil) {
        self.chains = chains
        self.specification = specification
        self.threshold = threshold
        self.directory = directory
        self.byzantine = byzantine
        let genesis = specification.genesisRoster
        parameters = PublicParameters(directory: directory, rosters: [.genesis: (genesis, threshold)])
    }

    public func isHonest(_ node: NodeID) -> Bool { !byzantine.contains(node) }
}

/// A safety property checked during the run (each event as it happens) and at its end.
public protocol Oracle: AnyObject {
    /// The name reported with each violation (DESIGN.md §4a).
    var name: String { get }
    func observe(_ event: ObservedEvent, _ facts: RunFacts) -> [String]
    /// At the end of the run, with every node's final state.
    func finish(_ facts: RunFacts, nodes: [LitNode]) -> [String]
}

extension Oracle {
    public func finish(_ facts: RunFacts, nodes: [LitNode]) -> [String] { [] }
}

/// The run's listener: every output, accusation and accepted signature passes through it to
/// the oracles (so a violation is seen at the event that caused it) and into its log, from
/// which metrics and reports are computed. One per run; never shared.
public final class RunObserver {
    public struct Logged {
        public let time: SimInstant
        public let event: UInt64
        public let node: NodeID
        public let output: any Sendable
    }

    public struct LoggedAccusation {
        public let time: SimInstant
        public let by: EndpointID
        public let accusation: Accusation
    }

    let facts: RunFacts
    let oracles: [any Oracle]
    let stopOnViolation: Bool
    public private(set) var violations: [SafetyViolation] = []
    public private(set) var outputs: [Logged] = []
    public private(set) var accusations: [LoggedAccusation] = []
    public private(set) var accepted: [AcceptedSignature] = []
    /// Content clients opened, with each attempt's start and the time it was open.
    /// Content clients opened and JWTs they received, with each attempt's start and the time.
    public private(set) var releases: [(release: any AccessRelease, attemptStart: SimInstant, time: SimInstant)] = []

    init(facts: RunFacts, oracles: [any Oracle], stopOnViolation: Bool) {
        self.facts = facts
        self.oracles = oracles
        self.stopOnViolation = stopOnViolation
    }

    func output(_ output: any Sendable, from node: NodeID, at time: SimInstant, event: UInt64, _ engine: inout ProcessContext<LitMessage>) {
        outputs.append(Logged(time: time, event: event, node: node, output: output))
        observe(.output(node: node, output), at: time, event: event, &engine)
    }

    func accusation(_ accusation: Accusation, by accuser: EndpointID, at time: SimInstant, event: UInt64, _ engine: inout ProcessContext<LitMessage>) {
        accusations.append(LoggedAccusation(time: time, by: accuser, accusation: accusation))
        engine.output("\(accuser) proved \(accusation.node) \(accusation.code)")
        observe(.accusation(by: accuser, accusation), at: time, event: event, &engine)
    }

    func accepted(_ signature: AcceptedSignature, at time: SimInstant, event: UInt64, _ engine: inout ProcessContext<LitMessage>) {
        accepted.append(signature)
        observe(.accepted(signature), at: time, event: event, &engine)
    }

    func released(_ release: any AccessRelease, attemptStart: SimInstant, at time: SimInstant, event: UInt64,
                  _ engine: inout ProcessContext<LitMessage>) {
        releases.append((release, attemptStart, time))
        observe(.released(release, attemptStart: attemptStart, time: time), at: time, event: event, &engine)
    }

    func observe(_ observed: ObservedEvent, at time: SimInstant, event: UInt64, _ engine: inout ProcessContext<LitMessage>) {
        for oracle in oracles {
            for detail in oracle.observe(observed, facts) {
                var violation = SafetyViolation(oracle: oracle.name, detail: detail, time: time, event: event)
                (violation.area, violation.phase) = Self.place(of: observed)
                violations.append(violation)
                engine.output("safety violation: \(oracle.name): \(detail)")
                if stopOnViolation { engine.stopSimulation() }
            }
        }
    }

    func finish(nodes: [LitNode]) {
        for oracle in oracles {
            for detail in oracle.finish(facts, nodes: nodes) {
                var violation = SafetyViolation(oracle: oracle.name, detail: detail)
                (violation.area, violation.phase) = (String(oracle.name.prefix { $0 != "." }), "end")
                violations.append(violation)
            }
        }
    }

    /// The protocol and stage of an observed event (SafetyViolation.area and .phase).
    static func place(of observed: ObservedEvent) -> (String, String) {
        switch observed {
        case let .output(_, output):
            if let (session, _, _) = finishedDKG(output) { return ("dkg", (session?.epoch ?? .genesis) == .genesis ? "genesis" : "transition") }
            return CoverageCount.outputLabel(output)
        case let .accusation(_, accusation):
            return (String(accusation.code.prefix { $0 != "/" }), accusation.code)
        case let .accepted(signature):
            return (signature.kind.name, "accepted")
        case let .released(release, _, _):
            return (release is Decryption ? "decrypt" : "jwt", "released")
        }
    }

    /// Each node's DKG outcomes, in order.
    public func dkgOutcomes(of node: NodeID) -> [(time: SimInstant, outcome: DKGOutcome)] {
        outputs.compactMap { logged in
            guard logged.node == node, let outcome = logged.output as? DKGOutcome else { return nil }
            return (logged.time, outcome)
        }
    }
}

/// The oracles every run has (DESIGN.md §4a).
public func standardOracles() -> [any Oracle] {
    [DKGAgreementOracle(), DKGUsableOracle(), BlamePrecisionOracle(), SignatureValidityOracle(), NonceUniquenessOracle(), EpochKeyOracle(), AccessOracle(), ActionMessageOracle()]
}
