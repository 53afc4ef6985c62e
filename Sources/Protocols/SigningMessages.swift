import ThresholdCrypto

public enum SigningScheme: String, Sendable, CaseIterable {
    /// RFC 9591 FROST(secp256k1, SHA-256).
    case frostSecp256k1 = "frost-secp256k1"
    /// FROST producing BIP-340 signatures.
    case frostTaproot = "frost-taproot"
}

public enum SigningFlow: String, Sendable, CaseIterable {
    /// Lit's: signers exchange commitments, then each sends its share to the client.
    case lit
    /// RFC 9591 §5: the client collects commitments, sends the signing package, collects shares.
    case coordinator
}

/// One attempt of one client request.
public struct SigningRequestID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let client: Int
    public let request: Int
    public let attempt: Int

    public init(client: Int, request: Int, attempt: Int) {
        self.client = client
        self.request = request
        self.attempt = attempt
    }

    public static func < (a: Self, b: Self) -> Bool { (a.client, a.request, a.attempt) < (b.client, b.request, b.attempt) }
    public var description: String { "c\(client)/r\(request)/a\(attempt)" }

    func write(_ writer: inout ByteWriter) {
        writer.append(UInt32(truncatingIfNeeded: client))
        writer.append(UInt32(truncatingIfNeeded: request))
        writer.append(UInt16(truncatingIfNeeded: attempt))
    }

    static let wireSize = 10
}

let signingTag: UInt8 = 0x53  // "S"
let signingSignatureDomain = "LitSim-v1-SIGN"

/// A client's request to sign a 32-byte message. In the lit flow it goes to each chosen
/// signer; in the coordinator flow it goes to every node and asks only for a commitment.
public struct SignRequest: Sendable, Equatable {
    public let id: SigningRequestID
    public let message: [UInt8]
    public let scheme: SigningScheme
    public let flow: SigningFlow
    /// The signer set (lit flow); empty in the coordinator flow's first round.
    public let signers: [Int]
    /// How long a signer may wait for its co-signers before it refuses, in milliseconds: the
    /// client asks for an answer before its own timeout, so a refusal naming a missing
    /// co-signer still reaches it.
    public let waitMilliseconds: UInt32

    public init(id: SigningRequestID, message: [UInt8], scheme: SigningScheme, flow: SigningFlow, signers: [Int], waitMilliseconds: UInt32) {
        self.id = id
        self.message = message
        self.scheme = scheme
        self.flow = flow
        self.signers = signers
        self.waitMilliseconds = waitMilliseconds
    }

    public var wireSize: Int { 2 + SigningRequestID.wireSize + 32 + 2 + 2 + 4 + WireSize.node * signers.count }
}

/// A signer's nonce commitment for one attempt, signed with its identity key.
public struct SignedCommitment: Sendable, Hashable, IdentitySigned {
    public static let signatureDomain = signingSignatureDomain
    public let id: SigningRequestID
    public let signer: Int
    public let commitment: FROSTCommitment
    public var signature: [UInt8]

    public init(id: SigningRequestID, signer: Int, commitment: FROSTCommitment, signature: [UInt8]) {
        self.id = id
        self.signer = signer
        self.commitment = commitment
        self.signature = signature
    }

    public var signedBytes: [UInt8] {
        var writer = ByteWriter()
        writer.append(signingTag)
        writer.append(1 as UInt8)
        id.write(&writer)
        writer.append(node: signer)
        writer.append(commitment.identifier)
        writer.append(commitment.hiding)
        writer.append(commitment.binding)
        return writer.bytes
    }

    public static let wireSize = 2 + SigningRequestID.wireSize + WireSize.node + FROSTCommitment.encodedSize + WireSize.signature
    public var sender: Int { signer }
}

/// The coordinator flow's second round: the commitments the client chose.
public struct SigningPackageMessage: Sendable, Equatable {
    public let id: SigningRequestID
    public let message: [UInt8]
    public let scheme: SigningScheme
    public let commitments: [SignedCommitment]

    public init(id: SigningRequestID, message: [UInt8], scheme: SigningScheme, commitments: [SignedCommitment]) {
        self.id = id
        self.message = message
        self.scheme = scheme
        self.commitments = commitments
    }

    public var wireSize: Int { 2 + SigningRequestID.wireSize + 32 + 2 + 2 + SignedCommitment.wireSize * commitments.count }
}

/// A signature share for the client, signed, with the commitment list it was computed over
/// (lit flow) so the client can build the same package and prove equivocation.
public struct SignatureShareMessage: Sendable, Equatable, IdentitySigned {
    public static let signatureDomain = signingSignatureDomain
    public let id: SigningRequestID
    public let signer: Int
    public let share: Scalar
    public let commitments: [SignedCommitment]
    public var signature: [UInt8]

    public init(id: SigningRequestID, signer: Int, share: Scalar, commitments: [SignedCommitment], signature: [UInt8]) {
        self.id = id
        self.signer = signer
        self.share = share
        self.commitments = commitments
        self.signature = signature
    }

    public var signedBytes: [UInt8] {
        var writer = ByteWriter()
        writer.append(signingTag)
        writer.append(2 as UInt8)
        id.write(&writer)
        writer.append(node: signer)
        writer.append(share)
        writer.append(UInt16(truncatingIfNeeded: commitments.count))
        // Each commitment's signature binds its contents, so it stands for the commitment.
        for commitment in commitments { writer.append(bytes: commitment.signature) }
        return writer.bytes
    }

    public var wireSize: Int {
        2 + SigningRequestID.wireSize + WireSize.node + WireSize.scalar + 2 + SignedCommitment.wireSize * commitments.count + WireSize.signature
    }

    public var sender: Int { signer }
}

/// A node declining an attempt (no key yet, a co-signer missing, a reused request).
public struct SignRefusal: Sendable, Equatable {
    public enum Reason: String, Sendable, CaseIterable {
        case noKey = "no-key"
        case missingCommitments = "missing-commitments"
        case alreadySigned = "already-signed"
        case notASigner = "not-a-signer"
        case invalidPackage = "invalid-package"
    }

    public let id: SigningRequestID
    public let signer: Int
    public let reason: Reason
    /// Co-signers whose commitments never came (for `missingCommitments`).
    public let missing: [Int]

    public init(id: SigningRequestID, signer: Int, reason: Reason, missing: [Int]) {
        self.id = id
        self.signer = signer
        self.reason = reason
        self.missing = missing
    }

    public var wireSize: Int { 2 + SigningRequestID.wireSize + WireSize.node + 1 + 2 + WireSize.node * missing.count }
}

/// A client asks a node for the network's public key material (Lit SDK handshake).
public struct HandshakeResponse: Sendable, Equatable {
    public let node: Int
    /// The group commitment from the node's finished DKG (its first point is the group key).
    public let groupCommitment: VSSCommitment

    public init(node: Int, groupCommitment: VSSCommitment) {
        self.node = node
        self.groupCommitment = groupCommitment
    }

    public var wireSize: Int { 2 + WireSize.node + 2 + WireSize.point * groupCommitment.threshold }
}

public enum SigningMessage: Sendable, Equatable {
    case handshakeRequest
    case handshakeResponse(HandshakeResponse)
    case request(SignRequest)
    case commitment(SignedCommitment)
    case package(SigningPackageMessage)
    case share(SignatureShareMessage)
    case refusal(SignRefusal)

    public var wireSize: Int {
        switch self {
        case .handshakeRequest: 2
        case let .handshakeResponse(m): m.wireSize
        case let .request(m): m.wireSize
        case .commitment: SignedCommitment.wireSize
        case let .package(m): m.wireSize
        case let .share(m): m.wireSize
        case let .refusal(m): m.wireSize
        }
    }
}
