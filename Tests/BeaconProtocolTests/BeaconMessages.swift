import Protocols
import ThresholdCrypto

/// A commit–reveal random beacon, added as a test of the framework: each node commits to a
/// random value, then reveals it; the beacon is the XOR of the reveals that match their
/// commitments. Everything about it lives in this folder.
let beaconProtocol = ProtocolName("beacon", tag: 0x42)  // "B"

/// Round 1: SHA-256 of the node's secret value.
struct BeaconCommit: SignedMessage, Equatable {
    static let kind: UInt8 = 1
    let session: SessionID
    let sender: NodeID
    let digest: [UInt8]
    var signature: [UInt8] = []
    var body: [UInt8] { digest }
}

/// Round 2: the value itself.
struct BeaconReveal: SignedMessage, Equatable {
    static let kind: UInt8 = 2
    let session: SessionID
    let sender: NodeID
    let value: [UInt8]
    var signature: [UInt8] = []
    var body: [UInt8] { value }
}

enum BeaconMessage: WireMessage, Equatable {
    case commit(BeaconCommit)
    case reveal(BeaconReveal)

    static let protocolName = beaconProtocol

    var wireSize: Int { 1 + BeaconCommit.envelopeSize + 32 }
    static var traceKinds: [StaticString] { ["beacon.commit", "beacon.reveal"] }
    var traceKind: StaticString {
        switch self {
        case .commit: "beacon.commit"
        case .reveal: "beacon.reveal"
        }
    }

    var traceFingerprint: UInt64 {
        switch self {
        case let .commit(m): Self.fingerprint(m.signature)
        case let .reveal(m): Self.fingerprint(m.signature)
        }
    }

    func encode(_ writer: inout ByteWriter) {
        switch self {
        case let .commit(m): writer.append(bytes: m.signedEncoding)
        case let .reveal(m): writer.append(bytes: m.signedEncoding)
        }
    }

    static func decode(_ reader: inout ByteReader) throws(WireError) -> BeaconMessage {
        let kind = try reader.byte()
        let session = try SessionID.read(&reader, expected: beaconProtocol)
        let sender = NodeID(try reader.uint16())
        let body = try reader.array(32)
        let signature = try reader.array(64)
        switch kind {
        case BeaconCommit.kind: return .commit(BeaconCommit(session: session, sender: sender, digest: body, signature: signature))
        case BeaconReveal.kind: return .reveal(BeaconReveal(session: session, sender: sender, value: body, signature: signature))
        default: throw .unknownKind(kind)
        }
    }
}
