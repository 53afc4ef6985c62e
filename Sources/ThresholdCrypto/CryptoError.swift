/// Why a cryptographic input was rejected. Remote input reaches these, never a trap.
public enum CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidLength(what: String, expected: Int, actual: Int)
    case scalarOutOfRange
    case invalidPointPrefix(UInt8)
    case pointNotOnCurve
    case identityHasNoEncoding
    case zeroIdentifier
    case duplicateIdentifier
    case emptyInput(String)
    case invalidHex
    case expandLengthTooLarge(Int)

    public var description: String {
        switch self {
        case let .invalidLength(what, expected, actual):
            "\(what): expected \(expected) bytes, got \(actual)"
        case .scalarOutOfRange: "scalar is not below the group order n"
        case let .invalidPointPrefix(prefix): "point encoding has invalid prefix 0x\(String(prefix, radix: 16))"
        case .pointNotOnCurve: "point is not on secp256k1 (or its x is not below p)"
        case .identityHasNoEncoding: "the identity point has no SEC1 compressed or x-only encoding"
        case .zeroIdentifier: "participant identifier is zero"
        case .duplicateIdentifier: "participant identifiers are not distinct"
        case let .emptyInput(what): "\(what) is empty"
        case .invalidHex: "invalid hexadecimal string"
        case let .expandLengthTooLarge(n): "expand_message_xmd cannot produce \(n) bytes"
        }
    }
}
