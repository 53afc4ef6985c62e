import Protocols
import Simulation
import ThresholdCrypto

/// Converts an endpoint's crypto meter into busy time with a cost table.
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

/// Timer ids are one 64-bit space per endpoint: the top byte says what kind of timer it is.
enum TimerKind: UInt64 {
    case dkgRound = 1
    case signingSession = 2
    case delayedRelease = 3
    case arrival = 4
    case attemptTimeout = 5
    case retry = 6
    case closedLoop = 7

    func id(_ payload: UInt64) -> TimerID { rawValue << 56 | (payload & 0x00FF_FFFF_FFFF_FFFF) }

    static func split(_ timer: TimerID) -> (TimerKind?, UInt64) {
        (TimerKind(rawValue: timer >> 56), timer & 0x00FF_FFFF_FFFF_FFFF)
    }
}

extension SigningRequestID {
    /// Packed into a timer payload: client (16 bits), request (28), attempt (12).
    var timerPayload: UInt64 { UInt64(client & 0xFFFF) << 40 | UInt64(request & 0xFFF_FFFF) << 12 | UInt64(attempt & 0xFFF) }

    init(timerPayload payload: UInt64) {
        self.init(client: Int(payload >> 40 & 0xFFFF), request: Int(payload >> 12 & 0xFFF_FFFF), attempt: Int(payload & 0xFFF))
    }
}

extension SimDuration {
    init(_ duration: Duration) {
        let components = duration.components
        self.init(nanoseconds: components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
    }
}
