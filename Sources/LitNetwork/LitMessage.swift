import Protocols
import Simulation

/// Everything that travels between Lit endpoints.
public enum LitMessage: SimMessage, Sendable {
    case dkg(DKGMessage)

    public var wireSize: Int {
        switch self {
        case let .dkg(message): message.wireSize
        }
    }

    /// The first eight bytes of the sender's signature, which covers the whole message.
    public var traceFingerprint: UInt64 {
        switch self {
        case let .dkg(message):
            message.signature.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
        }
    }

    public var traceKind: StaticString {
        switch self {
        case let .dkg(message):
            switch message.round {
            case .commitments: "dkg.commitments"
            case .shares: "dkg.share"
            case .complaints: "dkg.complaints"
            case .justifications: "dkg.justification"
            case .agreement: "dkg.agreement"
            }
        }
    }
}
