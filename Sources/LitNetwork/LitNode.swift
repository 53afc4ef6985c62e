import Protocols
import Simulation
import ThresholdCrypto

/// Converts a node's crypto meter into busy time with a cost table.
public struct CryptoCostModel: Sendable {
    public let table: CostTable
    let names = CryptoOperation.allCases.map(\.name)

    public init(table: CostTable) { self.table = table }

    /// Drains the meter into `totals` and returns the time the work it counted takes.
    public func charge(_ meter: CostMeter, into totals: inout [Int]) -> SimDuration {
        let counts = meter.drain()
        for index in counts.indices { totals[index] += counts[index] }
        return table.cost(names: names, counts: counts)
    }
}

/// A Lit node: it runs the genesis DKG and (later) serves signing requests. Its crypto work
/// is metered and charged to its own virtual clock.
public struct LitNode: SimulatedProcess {
    public typealias Message = LitMessage

    public let id: Int
    /// The DKG in progress; volatile (lost in a crash before it finishes).
    public private(set) var dkg: DKGNode?
    public private(set) var dkgResult: DKGResult?
    public private(set) var dkgFailure: DKGFailure?
    public private(set) var dkgFinishedAt: SimInstant?
    public private(set) var crashedDuringDKG = false
    let meter = CostMeter()
    /// Every crypto operation this node performed, by `CryptoOperation` (survives crashes:
    /// it is the simulator's bookkeeping, not the node's state).
    public private(set) var operationTotals = Array(repeating: 0, count: CryptoOperation.allCases.count)
    let costs: CryptoCostModel
    var random: RandomStream

    static let dkgTimerBase: TimerID = 100

    public init(id: Int, dkg: DKGNode, costs: CryptoCostModel, random: RandomStream) {
        self.id = id
        self.dkg = dkg
        self.costs = costs
        self.random = random
    }

    public var behaviour: DKGBehaviour { dkg?.behaviour ?? .honest }

    public mutating func start(_ context: inout ProcessContext<LitMessage>) {
        guard var node = dkg else { return }
        let actions = node.start(using: &random, meter: meter)
        dkg = node
        apply(actions, &context)
    }

    public mutating func receive(_ message: LitMessage, from sender: Int, _ context: inout ProcessContext<LitMessage>) {
        switch message {
        case let .dkg(inner):
            guard var node = dkg else { return }
            let actions = node.receive(inner, from: sender, meter: meter)
            dkg = node
            apply(actions, &context)
        }
    }

    public mutating func timerFired(_ timer: TimerID, _ context: inout ProcessContext<LitMessage>) {
        guard timer > Self.dkgTimerBase, let round = DKGRound(rawValue: UInt8(timer - Self.dkgTimerBase)), var node = dkg else { return }
        let actions = node.timerFired(round, meter: meter)
        dkg = node
        apply(actions, &context)
    }

    /// The DKG's round state is volatile; a finished key share is durable.
    public mutating func crash() {
        if dkgResult == nil {
            dkg = nil
            crashedDuringDKG = true
        }
    }

    public mutating func restart(_ context: inout ProcessContext<LitMessage>) {}

    mutating func apply(_ actions: [DKGAction], _ context: inout ProcessContext<LitMessage>) {
        context.charge(costs.charge(meter, into: &operationTotals))
        for action in actions {
            switch action {
            case let .broadcast(message):
                let participants = dkg?.participant.configuration.participants ?? 0
                for peer in 0..<participants where peer != id { context.send(.dkg(message), to: peer) }
            case let .send(message, to):
                context.send(.dkg(message), to: to)
            case let .setTimer(round, after):
                let components = after.components
                let nanoseconds = components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
                context.setTimer(Self.dkgTimerBase + TimerID(round.rawValue), after: SimDuration(nanoseconds: nanoseconds))
            case let .output(result):
                dkgResult = result
                dkgFinishedAt = context.effectTime
                context.output("dkg finished: \(result.qualified.count) qualified")
            case let .abort(failure):
                dkgFailure = failure
                context.output("dkg failed: \(failure)")
            case let .note(text):
                context.output(text)
            }
        }
    }
}
