import ThresholdCrypto

/// Why bytes from the network were rejected. Every decoder returns one of these for bad
/// input; none traps.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated(needed: Int, available: Int)
    case trailingBytes(Int)
    case unknownTag(UInt8)
    case unknownKind(UInt8)
    case invalidPoint(CryptoError)
    case invalidScalar(CryptoError)
    case countTooLarge(what: String, count: Int)
    case invalidValue(String)

    public var description: String {
        switch self {
        case let .truncated(needed, available): "message truncated: needed \(needed) more bytes, \(available) left"
        case let .trailingBytes(count): "\(count) unexpected bytes after the message"
        case let .unknownTag(tag): "unknown protocol tag 0x\(String(tag, radix: 16))"
        case let .unknownKind(kind): "unknown message kind \(kind)"
        case let .invalidPoint(error): "invalid point: \(error)"
        case let .invalidScalar(error): "invalid scalar: \(error)"
        case let .countTooLarge(what, count): "\(count) \(what) is more than any valid message holds"
        case let .invalidValue(what): "invalid \(what)"
        }
    }
}

/// Reads the encodings ByteWriter writes, validating as it goes.
public struct ByteReader {
    public let bytes: [UInt8]
    public private(set) var offset = 0
    public let meter: CostMeter

    public init(_ bytes: [UInt8], meter: CostMeter) {
        self.bytes = bytes
        self.meter = meter
    }

    public mutating func take(_ count: Int) throws(WireError) -> ArraySlice<UInt8> {
        guard count >= 0, bytes.count - offset >= count else { throw .truncated(needed: count, available: bytes.count - offset) }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    public mutating func byte() throws(WireError) -> UInt8 { try take(1).first! }

    public mutating func uint16() throws(WireError) -> Int {
        let two = try take(2)
        return Int(two[two.startIndex]) << 8 | Int(two[two.startIndex + 1])
    }

    public mutating func uint32() throws(WireError) -> UInt32 {
        try take(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    public mutating func uint64() throws(WireError) -> UInt64 {
        try take(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    public mutating func array(_ count: Int) throws(WireError) -> [UInt8] { Array(try take(count)) }

    /// `count` bytes of UTF-8 text (`what` names it in the error).
    public mutating func utf8(_ count: Int, what: String) throws(WireError) -> String {
        guard let text = String(validating: try take(count), as: UTF8.self) else { throw .invalidValue("UTF-8 in \(what)") }
        return text
    }

    public mutating func point() throws(WireError) -> Point {
        let encoded = try take(33)
        do {
            return try Point(compressed: encoded, meter: meter)
        } catch {
            throw .invalidPoint(error)
        }
    }

    /// A point that may be the identity, written as 33 zero bytes (a transition DKG's constant
    /// commitment is the identity when the dealer shares zero).
    public mutating func pointOrIdentity() throws(WireError) -> Point {
        let encoded = try take(33)
        if encoded.allSatisfy({ $0 == 0 }) { return .identity }
        do {
            return try Point(compressed: encoded, meter: meter)
        } catch {
            throw .invalidPoint(error)
        }
    }

    public mutating func scalar() throws(WireError) -> Scalar {
        let encoded = try take(32)
        do {
            return try Scalar(bytes: encoded)
        } catch {
            throw .invalidScalar(error)
        }
    }

    /// A count of items of at least `itemSize` bytes each: it cannot exceed what is left.
    public mutating func count(_ what: String, itemSize: Int, limit: Int) throws(WireError) -> Int {
        let value = try uint16()
        guard value <= limit, value * itemSize <= bytes.count - offset else { throw .countTooLarge(what: what, count: value) }
        return value
    }

    public func finish() throws(WireError) {
        guard offset == bytes.count else { throw .trailingBytes(bytes.count - offset) }
    }
}

/// A message of one protocol as it travels: its exact encoded size, how the trace names it,
/// and its codec. Every service's message type conforms, and registers with `WireRegistry`,
/// so `network.wire: encoded` and byte corruption work for every protocol alike.
public protocol WireMessage: Sendable {
    static var protocolName: ProtocolName { get }
    /// Exactly `encoded.count`: what bandwidth and byte metrics charge.
    var wireSize: Int { get }
    var traceKind: StaticString { get }
    /// Every value `traceKind` takes, for validation (generic adversaries, coverage).
    static var traceKinds: [StaticString] { get }
    /// A few bytes that change with the contents (the trace digest covers what was said).
    var traceFingerprint: UInt64 { get }
    /// The client request and attempt it belongs to, if any (trace events carry it).
    var clientAttempt: (request: Int, attempt: Int)? { get }
    /// Everything after the protocol tag.
    func encode(_ writer: inout ByteWriter)
    /// Reads what `encode` wrote, validating every field; never traps on any input.
    static func decode(_ reader: inout ByteReader) throws(WireError) -> Self
}

extension WireMessage {
    public var clientAttempt: (request: Int, attempt: Int)? { nil }

    /// The bytes on the wire: the protocol's tag, then the message.
    public var encoded: [UInt8] {
        var writer = ByteWriter()
        writer.append(Self.protocolName.tag)
        encode(&writer)
        return writer.bytes
    }

    /// The first eight bytes of `bytes` as a number (for `traceFingerprint`).
    public static func fingerprint(_ bytes: [UInt8]) -> UInt64 { bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) } }
}

/// Decoders by protocol tag: one registration per message type.
public struct WireRegistry: Sendable {
    public typealias Decoder = @Sendable (inout ByteReader) throws(WireError) -> any WireMessage
    private var decoders: [UInt8: (name: ProtocolName, decode: Decoder)] = [:]

    public init() {}

    /// - Precondition: no other protocol has the same tag.
    public mutating func register<M: WireMessage>(_ type: M.Type) {
        let name = M.protocolName
        precondition(decoders[name.tag] == nil || decoders[name.tag]!.name == name, "wire tag \(name.tag) registered twice")
        decoders[name.tag] = (name, { (reader: inout ByteReader) throws(WireError) -> any WireMessage in try M.decode(&reader) })
    }

    public func isRegistered(_ name: ProtocolName) -> Bool { decoders[name.tag]?.name == name }

    /// Decodes one message of any registered protocol, rejecting unknown tags, anything
    /// malformed and bytes left over.
    public func decode(_ bytes: [UInt8], meter: CostMeter) throws(WireError) -> any WireMessage {
        var reader = ByteReader(bytes, meter: meter)
        let tag = try reader.byte()
        guard let entry = decoders[tag] else { throw .unknownTag(tag) }
        let message = try entry.decode(&reader)
        try reader.finish()
        return message
    }
}
