import ThresholdCrypto

public let actionProtocol = ProtocolName("action", tag: 0x41)  // "A"

/// A client's request to run an action (Lit's executeJs): the program by name and hash (the
/// IPFS id), the nodes that run it and sign, and what their signing steps need (the PKP's key
/// id, the signers' nonce and wait: see `DelegatedSignature`).
public struct ActionRequest: Sendable, Equatable {
    public let id: AttemptID
    public let program: String
    public let programHash: [UInt8]
    public let signers: [NodeID]
    /// The PKP the signing steps sign under, and the ECDSA request's ν and wait (as `sign-ecdsa`).
    public let keyID: [UInt8]
    public let nonce: [UInt8]
    public let waitMilliseconds: UInt32
    /// The program's secrets, encrypted by the client to the network key (in the program's
    /// order: see `ActionProgram.secrets`).
    public let ciphertexts: [TDH2.Ciphertext]

    /// The most secrets a request carries.
    public static let maximumSecrets = 16

    public init(id: AttemptID, program: String, programHash: [UInt8], signers: [NodeID], keyID: [UInt8], nonce: [UInt8], waitMilliseconds: UInt32,
                ciphertexts: [TDH2.Ciphertext] = []) {
        precondition(ciphertexts.count <= Self.maximumSecrets, "at most 16 secrets")
        self.ciphertexts = ciphertexts
        self.id = id
        self.program = program
        self.programHash = programHash
        self.signers = signers
        self.keyID = keyID
        self.nonce = nonce
        self.waitMilliseconds = waitMilliseconds
    }

    /// The node that runs `run-once` block number `block` for everyone: chosen from the request
    /// and the block, the same on every node.
    public func leader(ofBlock block: Int, meter: CostMeter) -> NodeID {
        var writer = ByteWriter()
        id.write(&writer)
        writer.append(UInt16(truncatingIfNeeded: block))
        let digest = Hashing.sha256(writer.bytes, meter: meter)
        let draw = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return signers[Int(draw % UInt64(signers.count))]
    }
}

/// What a node's run of an action came to, for the client: its response, the digest each of
/// its signing steps signed (in order; the shares come from the ECDSA or FROST signer), or why it stopped.
public struct ActionResponse: Sendable, Equatable {
    /// nil when the action ran to its end.
    public let error: String?
    public let value: ActionValue?
    public let digests: [[UInt8]]
    /// With `peer-timeout`: the signers whose value it waited for in vain (the client's routing
    /// only: more than f must name a node before it is left out).
    public let missing: [NodeID]
    /// Per digest: the JWT signing input it is the SHA-256 of (empty for a plain signature), so
    /// the client can assemble the token.
    public let jwtInputs: [String]
    /// Per digest: the scheme its share is in (`DelegatedSignature.ecdsa` or a FROST
    /// `SigningScheme`'s raw value), so the client knows how to combine the shares.
    public let schemes: [String]

    /// The schemes a response can name, in their wire order.
    public static let schemeNames = [DelegatedSignature.ecdsa] + SigningScheme.allCases.map(\.rawValue)

    public init(error: String?, value: ActionValue?, digests: [[UInt8]], missing: [NodeID] = [], jwtInputs: [String] = [], schemes: [String] = []) {
        self.error = error
        self.value = value
        self.digests = digests
        self.missing = missing
        // Exactly one of each per digest (the encoding relies on it).
        self.jwtInputs = digests.indices.map { $0 < jwtInputs.count ? jwtInputs[$0] : "" }
        self.schemes = digests.indices.map { $0 < schemes.count && Self.schemeNames.contains(schemes[$0]) ? schemes[$0] : DelegatedSignature.ecdsa }
    }
}

public enum ActionMessage: Sendable, Equatable, WireMessage {
    case request(ActionRequest)
    /// A `run-once` leader's result, to every other node of the request.
    case runOnceResult(id: AttemptID, block: UInt16, value: ActionValue)
    /// One node's value for a `broadcast-and-collect` step.
    case collected(id: AttemptID, step: UInt16, value: ActionValue)
    case response(id: AttemptID, ActionResponse)
    /// One node's decryption share, with its proof, for a `decrypt` step.
    case decryptionShare(id: AttemptID, step: UInt16, share: TDH2.DecryptionShare)

    public static let protocolName = actionProtocol

    public var attempt: AttemptID {
        switch self {
        case let .request(request): request.id
        case let .runOnceResult(id, _, _), let .collected(id, _, _), let .response(id, _), let .decryptionShare(id, _, _): id
        }
    }

    public var clientAttempt: (request: Int, attempt: Int)? { (Int(clamping: attempt.request), Int(attempt.attempt)) }

    public var wireSize: Int { encoded.count }

    public static var traceKinds: [StaticString] { ["action.request", "action.run-once", "action.collect", "action.response", "action.decryption-share"] }

    public var traceKind: StaticString {
        switch self {
        case .request: "action.request"
        case .runOnceResult: "action.run-once"
        case .collected: "action.collect"
        case .response: "action.response"
        case .decryptionShare: "action.decryption-share"
        }
    }

    public var traceFingerprint: UInt64 {
        switch self {
        case let .request(request): Self.fingerprint(request.programHash)
        case let .runOnceResult(_, _, value), let .collected(_, _, value): Self.fingerprint(Array(value.description.utf8))
        case let .response(_, response): Self.fingerprint(response.digests.first ?? Array((response.error ?? "ok").utf8))
        case let .decryptionShare(_, _, share): Self.fingerprint(share.e.bytes)
        }
    }

    /// The most values or digests any honest message holds.
    static let maximumSigners = 4096

    public func encode(_ writer: inout ByteWriter) {
        switch self {
        case let .request(request):
            writer.append(1 as UInt8)
            request.id.write(&writer)
            writer.append(UInt16(request.program.utf8.count))
            writer.append(bytes: Array(request.program.utf8))
            writer.append(bytes: request.programHash)
            writer.append(UInt16(request.signers.count))
            for signer in request.signers { writer.append(node: signer.value) }
            writer.append(UInt16(request.keyID.count))
            writer.append(bytes: request.keyID)
            writer.append(bytes: request.nonce)
            writer.append(request.waitMilliseconds)
            writer.append(UInt8(request.ciphertexts.count))
            for ciphertext in request.ciphertexts { ciphertext.encode(&writer) }
        case let .runOnceResult(id, block, value):
            writer.append(2 as UInt8)
            id.write(&writer)
            writer.append(block)
            value.encode(&writer)
        case let .collected(id, step, value):
            writer.append(3 as UInt8)
            id.write(&writer)
            writer.append(step)
            value.encode(&writer)
        case let .response(id, response):
            writer.append(4 as UInt8)
            id.write(&writer)
            if let error = response.error {
                writer.append(1 as UInt8)
                writer.append(UInt16(error.utf8.count))
                writer.append(bytes: Array(error.utf8))
            } else {
                writer.append(0 as UInt8)
            }
            if let value = response.value {
                writer.append(1 as UInt8)
                value.encode(&writer)
            } else {
                writer.append(0 as UInt8)
            }
            writer.append(UInt16(response.digests.count))
            for digest in response.digests { writer.append(bytes: digest) }
            writer.append(UInt16(response.missing.count))
            for node in response.missing { writer.append(node: node.value) }
            // One per digest.
            for input in response.jwtInputs {
                writer.append(UInt32(input.utf8.count))
                writer.append(bytes: Array(input.utf8))
            }
            for scheme in response.schemes { writer.append(UInt8(ActionResponse.schemeNames.firstIndex(of: scheme)!)) }
        case let .decryptionShare(id, step, share):
            writer.append(5 as UInt8)
            id.write(&writer)
            writer.append(step)
            share.encode(&writer)
        }
    }

    public static func decode(_ reader: inout ByteReader) throws(WireError) -> ActionMessage {
        let kind = try reader.byte()
        guard (1...5).contains(kind) else { throw .unknownKind(kind) }
        let id = try AttemptID.read(&reader, protocolName: actionProtocol)
        switch kind {
        case 1:
            let program = try text(&reader, limit: 255, what: "program name")
            let hash = try reader.array(32)
            let count = try reader.count("signers", itemSize: WireSize.node, limit: maximumSigners)
            var signers = [NodeID]()
            for _ in 0..<count { signers.append(NodeID(try reader.uint16())) }
            guard !signers.isEmpty, Set(signers).count == signers.count else { throw .invalidValue("action signer list") }
            let keyID = try reader.array(try reader.count("key id bytes", itemSize: 1, limit: 256))
            let nonce = try reader.array(8)
            let wait = try reader.uint32()
            let secrets = Int(try reader.byte())
            guard secrets <= ActionRequest.maximumSecrets else { throw .countTooLarge(what: "action secrets", count: secrets) }
            var ciphertexts = [TDH2.Ciphertext]()
            for _ in 0..<secrets { ciphertexts.append(try TDH2.Ciphertext.decode(&reader)) }
            return .request(ActionRequest(id: id, program: program, programHash: hash, signers: signers, keyID: keyID, nonce: nonce,
                                          waitMilliseconds: wait, ciphertexts: ciphertexts))
        case 2:
            return .runOnceResult(id: id, block: UInt16(try reader.uint16()), value: try ActionValue.decode(&reader))
        case 3:
            return .collected(id: id, step: UInt16(try reader.uint16()), value: try ActionValue.decode(&reader))
        case 5:
            return .decryptionShare(id: id, step: UInt16(try reader.uint16()), share: try TDH2.DecryptionShare.decode(&reader))
        default:
            let error: String? = switch try reader.byte() {
            case 0: nil
            case 1: try text(&reader, limit: 64, what: "error code")
            default: throw .invalidValue("action error flag")
            }
            let value: ActionValue? = switch try reader.byte() {
            case 0: nil
            case 1: try ActionValue.decode(&reader)
            default: throw .invalidValue("action response flag")
            }
            let count = try reader.count("digests", itemSize: 32, limit: 16)
            var digests = [[UInt8]]()
            for _ in 0..<count { digests.append(try reader.array(32)) }
            let missingCount = try reader.count("missing nodes", itemSize: WireSize.node, limit: maximumSigners)
            var missing = [NodeID]()
            for _ in 0..<missingCount { missing.append(NodeID(try reader.uint16())) }
            var inputs = [String]()
            for _ in 0..<count {
                let length = Int(try reader.uint32())
                // A token's signing input is the base64url of its header and claims (a value ≤ 1 MiB).
                guard length <= 2 * ActionLimits.lit.stringBytes, length <= reader.bytes.count - reader.offset else { throw .countTooLarge(what: "JWT input bytes", count: length) }
                inputs.append(try reader.utf8(length, what: "a JWT input"))
            }
            var schemes = [String]()
            for _ in 0..<count {
                let scheme = Int(try reader.byte())
                guard ActionResponse.schemeNames.indices.contains(scheme) else { throw .invalidValue("signature scheme") }
                schemes.append(ActionResponse.schemeNames[scheme])
            }
            return .response(id: id, ActionResponse(error: error, value: value, digests: digests, missing: missing, jwtInputs: inputs, schemes: schemes))
        }
    }

    static func text(_ reader: inout ByteReader, limit: Int, what: String) throws(WireError) -> String {
        try reader.utf8(try reader.count(what, itemSize: 1, limit: limit), what: "the \(what)")
    }
}
