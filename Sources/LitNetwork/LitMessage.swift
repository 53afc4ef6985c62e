import Protocols
import Simulation

/// Everything that travels between Lit endpoints.
public enum LitMessage: SimMessage, Sendable {
    case dkg(DKGMessage)
    case signing(SigningMessage)
    /// Real bytes, with `network.wire: encoded`: the receiver decodes and validates them.
    case wire([UInt8])

    public var wireSize: Int {
        switch self {
        case let .dkg(message): message.wireSize
        case let .signing(message): message.wireSize
        case let .wire(bytes): bytes.count
        }
    }

    /// The wire form of a typed message.
    public var encoded: LitMessage {
        switch self {
        case let .dkg(message): .wire(message.encoded())
        case let .signing(message): .wire(message.encoded())
        case .wire: self
        }
    }

    /// Eight bytes that change with the contents: the sender's signature where there is one.
    public var traceFingerprint: UInt64 {
        func prefix(_ bytes: [UInt8]) -> UInt64 { bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) } }
        switch self {
        case let .dkg(message): return prefix(message.signature)
        case let .wire(bytes): return prefix(Array(bytes.suffix(8)))
        case let .signing(message):
            switch message {
            case .handshakeRequest: return 1
            case let .handshakeResponse(m): return prefix((try? m.groupCommitment.publicKey.compressed()) ?? [])
            case let .request(m): return prefix(m.message)
            case let .commitment(m): return prefix(m.signature)
            case let .package(m): return prefix(m.commitments.first?.signature ?? [])
            case let .share(m): return prefix(m.signature)
            case let .refusal(m): return UInt64(m.signer) << 8 | UInt64(m.missing.count)
            }
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
        case let .signing(message):
            switch message {
            case .handshakeRequest: "sdk.handshake"
            case .handshakeResponse: "sdk.handshake-response"
            case .request: "sign.request"
            case .commitment: "sign.commitment"
            case .package: "sign.package"
            case .share: "sign.share"
            case .refusal: "sign.refusal"
            }
        case let .wire(bytes):
            bytes.first == 0x44 ? "wire.dkg" : "wire.sign"
        }
    }
}
