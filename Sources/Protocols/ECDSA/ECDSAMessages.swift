import ThresholdCrypto

/// Lit's threshold ECDSA ("DamFast", lit-fast-ecdsa): a client's request, the three
/// presigning rounds among its signers, and each signer's signature share
/// (../shared/research/LIT-ECDSA-EPOCHS.md §1.3–§1.7). Like Lit's transport, rounds are
/// point-to-point over authenticated channels: the sender is who the network says it is.
public let ecdsaProtocol = ProtocolName("ecdsa", tag: 0x4B)  // "K"

/// Sign a 32-byte digest under a PKP key with these signers (Lit's `node_set`; every one must
/// answer). `nonce` is ν, from which the re-randomiser δ derives.
public struct ECDSARequest: Sendable, Equatable {
    public let id: AttemptID
    public let digest: [UInt8]
    public let keyID: [UInt8]
    public let signers: [NodeID]
    public let nonce: [UInt8]
    /// How long a signer waits for its presignature (the leader's word, or the presigning
    /// rounds) before refusing (the client's `cosigner_wait`, so the refusal reaches it before
    /// its own timeout).
    public let waitMilliseconds: UInt32
    /// A signed JWT's claims (`op: jwt`): the digest must be that of the token they make for
    /// the client, and each signer takes part only if their conditions hold in its view.
    public let jwt: JWTClaims?
    /// Delegated by another of the signer's services (a Lit Action's signing step): each
    /// signer's digest is the one it computed and may differ from its peers', so the request's
    /// leader is chosen from the request alone, not from the digest (every signer must name
    /// the same leader).
    public let delegated: Bool

    public init(id: AttemptID, digest: [UInt8], keyID: [UInt8], signers: [NodeID], nonce: [UInt8], waitMilliseconds: UInt32,
                jwt: JWTClaims? = nil, delegated: Bool = false) {
        self.delegated = delegated && jwt == nil
        self.waitMilliseconds = waitMilliseconds
        self.jwt = jwt
        self.id = id
        self.digest = digest
        self.keyID = keyID
        self.signers = signers
        self.nonce = nonce
    }
}

/// Which presigning run a round message belongs to: a request's real-time presignature (among
/// its signers), or a pool generation (among the epoch's validators), named by the node that
/// started it and leads the result (§1.9).
public enum PresignID: Hashable, Comparable, Sendable, CustomStringConvertible {
    case request(AttemptID)
    case pool(SessionID)

    public var attempt: AttemptID? { if case let .request(id) = self { id } else { nil } }

    public var description: String {
        switch self {
        case let .request(id): "\(id)"
        case let .pool(session): "pool \(session.initiator)/\(session.counter)"
        }
    }

    public static func < (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case let (.request(x), .request(y)): x < y
        case let (.pool(x), .pool(y)): x < y
        case (.request, .pool): true
        case (.pool, .request): false
        }
    }

    func write(_ writer: inout ByteWriter) {
        switch self {
        case let .request(id):
            writer.append(0 as UInt8)
            id.write(&writer)
        case let .pool(session):
            writer.append(1 as UInt8)
            session.write(&writer)
        }
    }

    static func read(_ reader: inout ByteReader) throws(WireError) -> PresignID {
        switch try reader.byte() {
        case 0:
            return .request(try AttemptID.read(&reader, protocolName: ecdsaProtocol))
        case 1:
            let session = try SessionID.read(&reader, expected: ecdsaProtocol)
            guard session.initiator.node != nil else { throw .invalidValue("pool presignature started by a client") }
            return .pool(session)
        default:
            throw .invalidValue("presignature id")
        }
    }
}

/// Round 1 for one receiver: the dealer's five Feldman commitments and its five shares.
public struct PresignRound1: Sendable, Equatable {
    public let id: PresignID
    public let commitments: DamFast.Commitments
    public let shares: DamFast.Shares

    public init(id: PresignID, commitments: DamFast.Commitments, shares: DamFast.Shares) {
        self.id = id
        self.commitments = commitments
        self.shares = shares
    }
}

public enum ECDSARefusalReason: String, Sendable, CaseIterable {
    /// No usable key share for the request's epoch, or not one of its signers.
    case noKey = "no-key"
    case notASigner = "not-a-signer"
    /// The request's leader named a pool presignature this node cannot sign with: the leader is
    /// named if it is not one it leads (an honest leader never does that), else nobody (this
    /// node's part of the generation may have failed where the leader's did not).
    case presignUnknown = "presign-unknown"
    /// A presigning round did not complete: the peers still missing are named.
    case presignTimeout = "presign-timeout"
    /// A presigning check failed. Only a round-1 share that fails its dealer's commitments
    /// names its dealer; another R or w·G ≠ W cannot be pinned on one peer (a round-1
    /// equivocation makes honest peers disagree on R), so nobody is named.
    case presignCheckFailed = "presign-check-failed"
    /// A JWT request's conditions are false in this node's view of the chain.
    case conditionsFalse = "conditions-false"
    /// A JWT request's digest is not that of the token its claims make for its client.
    case wrongJWT = "wrong-jwt"
}

public enum ECDSAMessage: Sendable, Equatable, WireMessage {
    case request(ECDSARequest)
    /// The request's leader to its other signers: the pool presignature to sign with (Lit's
    /// PresignLeaderResponse), or nil for a real-time presignature among them.
    case leader(id: AttemptID, presign: SessionID?)
    case round1(PresignRound1)
    case round2(id: PresignID, bigR: Point, bigW: Point, w: Scalar)
    case round3(id: PresignID, omega: Scalar)
    /// To the client: sⱼ and R' (every share of one attempt names the same R').
    case share(id: AttemptID, share: Scalar, bigR: Point)
    case refusal(id: AttemptID, reason: ECDSARefusalReason, missing: [NodeID])
    /// To the client, for a JWT request: the signer's view says the conditions hold and it goes
    /// on (so the client learns every signer's verdict at once, and ends an attempt one signer
    /// said no to without waiting for the others' presigning to time out).
    case conditionsHeld(id: AttemptID)

    public static let protocolName = ecdsaProtocol

    /// The client request attempt the message belongs to (nil for a pool generation's rounds).
    public var attempt: AttemptID? {
        switch self {
        case let .request(m): m.id
        case let .leader(id, _), let .share(id, _, _), let .refusal(id, _, _), let .conditionsHeld(id): id
        case let .round1(m): m.id.attempt
        case let .round2(id, _, _, _), let .round3(id, _): id.attempt
        }
    }

    public var clientAttempt: (request: Int, attempt: Int)? { attempt.map { (Int(clamping: $0.request), Int($0.attempt)) } }

    public var wireSize: Int { encoded.count }

    /// Every kind `traceKind` names (what generic adversaries and coverage refer to).
    public static var traceKinds: [StaticString] { ["ecdsa.request", "ecdsa.leader", "ecdsa.presign-1", "ecdsa.presign-2", "ecdsa.presign-3", "ecdsa.share", "ecdsa.refusal", "ecdsa.conditions-held"] }

    public var traceKind: StaticString {
        switch self {
        case .request: "ecdsa.request"
        case .leader: "ecdsa.leader"
        case .round1: "ecdsa.presign-1"
        case .round2: "ecdsa.presign-2"
        case .round3: "ecdsa.presign-3"
        case .share: "ecdsa.share"
        case .refusal: "ecdsa.refusal"
        case .conditionsHeld: "ecdsa.conditions-held"
        }
    }

    public var traceFingerprint: UInt64 {
        switch self {
        case let .request(m): Self.fingerprint(m.digest)
        case let .leader(_, presign): presign?.counter ?? .max
        case let .round1(m): Self.fingerprint(m.shares.k.bytes)
        case let .round2(_, _, _, w): Self.fingerprint(w.bytes)
        case let .round3(_, omega): Self.fingerprint(omega.bytes)
        case let .share(_, share, _): Self.fingerprint(share.bytes)
        case let .refusal(_, reason, missing): UInt64(ECDSARefusalReason.allCases.firstIndex(of: reason)!) << 16 | UInt64(missing.count)
        case .conditionsHeld: 1
        }
    }

    public func encode(_ writer: inout ByteWriter) {
        switch self {
        case let .request(m):
            writer.append(1 as UInt8)
            m.id.write(&writer)
            writer.append(bytes: m.digest)
            writer.append(UInt16(m.keyID.count))
            writer.append(bytes: m.keyID)
            writer.append(UInt16(m.signers.count))
            for signer in m.signers { writer.append(node: signer.value) }
            writer.append(bytes: m.nonce)
            writer.append(m.waitMilliseconds)
            if let jwt = m.jwt {
                writer.append(1 as UInt8)
                jwt.encode(&writer)
            } else {
                writer.append(m.delegated ? 2 : 0 as UInt8)
            }
        case let .leader(id, presign):
            writer.append(7 as UInt8)
            id.write(&writer)
            writer.append(presign == nil ? 0 as UInt8 : 1)
            presign?.write(&writer)
        case let .round1(m):
            writer.append(2 as UInt8)
            m.id.write(&writer)
            for commitment in m.commitments.values { writer.append(commitment: commitment) }
            for share in m.shares.values { writer.append(share) }
        case let .round2(id, bigR, bigW, w):
            writer.append(3 as UInt8)
            id.write(&writer)
            writer.append(bigR)
            writer.append(bigW)
            writer.append(w)
        case let .round3(id, omega):
            writer.append(4 as UInt8)
            id.write(&writer)
            writer.append(omega)
        case let .share(id, share, bigR):
            writer.append(5 as UInt8)
            id.write(&writer)
            writer.append(share)
            writer.append(bigR)
        case let .refusal(id, reason, missing):
            writer.append(6 as UInt8)
            id.write(&writer)
            writer.append(UInt8(ECDSARefusalReason.allCases.firstIndex(of: reason)!))
            writer.append(UInt16(missing.count))
            for node in missing { writer.append(node: node.value) }
        case let .conditionsHeld(id):
            writer.append(8 as UInt8)
            id.write(&writer)
        }
    }

    public static func decode(_ reader: inout ByteReader) throws(WireError) -> ECDSAMessage {
        let kind = try reader.byte()
        // Presigning rounds name their run; every other message a client's attempt.
        if (2...4).contains(kind) {
            let id = try PresignID.read(&reader)
            switch kind {
            case 2:
                // Commitment entries may be the identity (zero sharings' constants); checked on receipt.
                var commitments = [VSSCommitment]()
                for _ in 0..<5 {
                    let count = try reader.count("commitment points", itemSize: WireSize.point, limit: 4096)
                    var points = [Point]()
                    for _ in 0..<count { points.append(try reader.pointOrIdentity()) }
                    commitments.append(VSSCommitment(coefficients: points))
                }
                var shares = [Scalar]()
                for _ in 0..<5 { shares.append(try reader.scalar()) }
                return .round1(PresignRound1(id: id, commitments: DamFast.Commitments(values: commitments), shares: DamFast.Shares(values: shares)))
            case 3:
                return .round2(id: id, bigR: try reader.point(), bigW: try reader.point(), w: try reader.scalar())
            default:
                return .round3(id: id, omega: try reader.scalar())
            }
        }
        let id = try AttemptID.read(&reader, protocolName: ecdsaProtocol)
        switch kind {
        case 1:
            let digest = try reader.array(32)
            let keyID = try reader.array(try reader.count("key id bytes", itemSize: 1, limit: 256))
            let count = try reader.count("signers", itemSize: WireSize.node, limit: 4096)
            var signers = [NodeID]()
            for _ in 0..<count { signers.append(NodeID(try reader.uint16())) }
            let nonce = try reader.array(8)
            let wait = try reader.uint32()
            let flag = try reader.byte()
            let jwt: JWTClaims? = switch flag {
            case 0, 2: nil
            case 1: try JWTClaims.decode(&reader)
            default: throw .invalidValue("JWT flag")
            }
            return .request(ECDSARequest(id: id, digest: digest, keyID: keyID, signers: signers, nonce: nonce, waitMilliseconds: wait, jwt: jwt,
                                         delegated: flag == 2))
        case 5:
            return .share(id: id, share: try reader.scalar(), bigR: try reader.point())
        case 6:
            let index = Int(try reader.byte())
            guard ECDSARefusalReason.allCases.indices.contains(index) else { throw .invalidValue("refusal reason") }
            let count = try reader.count("missing nodes", itemSize: WireSize.node, limit: 4096)
            var missing = [NodeID]()
            for _ in 0..<count { missing.append(NodeID(try reader.uint16())) }
            return .refusal(id: id, reason: ECDSARefusalReason.allCases[index], missing: missing)
        case 8:
            return .conditionsHeld(id: id)
        case 7:
            switch try reader.byte() {
            case 0: return .leader(id: id, presign: nil)
            case 1:
                let session = try SessionID.read(&reader, expected: ecdsaProtocol)
                guard session.initiator.node != nil else { throw .invalidValue("pool presignature started by a client") }
                return .leader(id: id, presign: session)
            default: throw .invalidValue("leader's choice")
            }
        default:
            throw .unknownKind(kind)
        }
    }
}
