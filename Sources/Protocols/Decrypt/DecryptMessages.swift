import ThresholdCrypto

/// Threshold decryption (TDH2 standing in for Lit's BLS-IBE): a client asks nodes for
/// decryption shares of a ciphertext; each node that holds a key share for the request's
/// epoch returns one with its proof if the request's access conditions hold in its own view
/// of the chain.
public let decryptProtocol = ProtocolName("decrypt", tag: 0x58)  // "X"

public enum DecryptRefusalReason: String, Sendable, CaseIterable {
    /// No usable key share for the request's epoch.
    case noKey = "no-key"
    /// The ciphertext's proof fails (or it is malformed): no share is ever released for it.
    case invalidCiphertext = "invalid-ciphertext"
    /// The ciphertext's label is not the hash of the conditions sent with it: content bound to
    /// some conditions cannot be opened by presenting others.
    case wrongLabel = "wrong-label"
    /// The access conditions are false in this node's view of the chain.
    case conditionsFalse = "conditions-false"
}

public enum DecryptMessage: Sendable, Equatable, WireMessage {
    /// `conditions`: what the content was encrypted under (nil: none); the label must be their hash.
    case request(id: AttemptID, ciphertext: TDH2.Ciphertext, conditions: AccessCondition?)
    case share(id: AttemptID, share: TDH2.DecryptionShare)
    case refusal(id: AttemptID, reason: DecryptRefusalReason)

    public static let protocolName = decryptProtocol

    public var id: AttemptID {
        switch self {
        case let .request(id, _, _), let .share(id, _), let .refusal(id, _): id
        }
    }

    public var clientAttempt: (request: Int, attempt: Int)? { (Int(clamping: id.request), Int(id.attempt)) }

    public var wireSize: Int { encoded.count }

    /// Every kind `traceKind` names (what generic adversaries and coverage refer to).
    public static var traceKinds: [StaticString] { ["decrypt.request", "decrypt.share", "decrypt.refusal"] }

    public var traceKind: StaticString {
        switch self {
        case .request: "decrypt.request"
        case .share: "decrypt.share"
        case .refusal: "decrypt.refusal"
        }
    }

    public var traceFingerprint: UInt64 {
        switch self {
        case let .request(_, c, _): Self.fingerprint(c.e.bytes)
        case let .share(_, share): Self.fingerprint(share.e.bytes)
        case let .refusal(_, reason): UInt64(DecryptRefusalReason.allCases.firstIndex(of: reason)!)
        }
    }

    public func encode(_ writer: inout ByteWriter) {
        switch self {
        case let .request(id, c, conditions):
            writer.append(1 as UInt8)
            id.write(&writer)
            if let conditions {
                writer.append(1 as UInt8)
                conditions.encode(&writer)
            } else {
                writer.append(0 as UInt8)
            }
            c.encode(&writer)
        case let .share(id, share):
            writer.append(2 as UInt8)
            id.write(&writer)
            share.encode(&writer)
        case let .refusal(id, reason):
            writer.append(3 as UInt8)
            id.write(&writer)
            writer.append(UInt8(DecryptRefusalReason.allCases.firstIndex(of: reason)!))
        }
    }

    public static func decode(_ reader: inout ByteReader) throws(WireError) -> DecryptMessage {
        let kind = try reader.byte()
        let id = try AttemptID.read(&reader, protocolName: decryptProtocol)
        switch kind {
        case 1:
            let conditions: AccessCondition? = switch try reader.byte() {
            case 0: nil
            case 1: try AccessCondition.decode(&reader)
            default: throw .invalidValue("conditions flag")
            }
            return .request(id: id, ciphertext: try TDH2.Ciphertext.decode(&reader), conditions: conditions)
        case 2:
            return .share(id: id, share: try TDH2.DecryptionShare.decode(&reader))
        case 3:
            let index = Int(try reader.byte())
            guard DecryptRefusalReason.allCases.indices.contains(index) else { throw .invalidValue("refusal reason") }
            return .refusal(id: id, reason: DecryptRefusalReason.allCases[index])
        default:
            throw .unknownKind(kind)
        }
    }
}
