import ThresholdCrypto

/// The genesis DKG (PedPoP with complaints, justifications and agreement).
public let dkgProtocol = ProtocolName("dkg", tag: 0x44)  // "D"

/// The DKG's rounds, in order. Each has a timer; a round ends when everything it waits for
/// has arrived or its timer fires.
public enum DKGRound: UInt8, Sendable, CaseIterable {
    case commitments = 1
    case echoes = 2
    case shares = 3
    case complaints = 4
    case justifications = 5
    case agreement = 6
}

/// Message kinds on the wire and in signatures.
public enum DKGMessageKind: UInt8, Sendable, CaseIterable {
    case commitments = 1
    case share = 2
    case complaints = 3
    case justification = 4
    case agreement = 5
    case echoes = 6
    case fetch = 7
    case certificate = 8
    case echoDigest = 9
    case voteSummary = 10
    case voteRequest = 11
}

/// Round 1, broadcast: Feldman commitments to the dealer's polynomial and a proof of
/// knowledge of its constant term, bound to the session and the dealer's identifier
/// (FROST KeyGen round 1 steps 1–4, Komlo–Goldberg).
public struct DKGCommitments: Sendable, Equatable, SignedMessage {
    public static let kind = DKGMessageKind.commitments.rawValue
    public let session: SessionID
    public let sender: NodeID
    public let commitment: VSSCommitment
    public let proof: SchnorrProof
    public var signature: [UInt8]

    public init(session: SessionID, sender: NodeID, commitment: VSSCommitment, proof: SchnorrProof, signature: [UInt8] = []) {
        self.session = session
        self.sender = sender
        self.commitment = commitment
        self.proof = proof
        self.signature = signature
    }

    public var body: [UInt8] {
        var writer = ByteWriter()
        writer.append(UInt16(commitment.threshold))
        for point in commitment.coefficients { writer.append(point) }
        writer.append(proof.commitment)
        writer.append(proof.response)
        return writer.bytes
    }

    public var bodySize: Int { 2 + WireSize.point * commitment.threshold + SchnorrProof.encodedSize }
}

/// Round 3, private to `receiver`: the dealer's polynomial evaluated at the receiver's
/// identifier, naming the round-1 broadcast it belongs to (the hash of the commitments body
/// the dealer signed). Signed, so a receiver can prove a bad share to everyone, and so a share
/// can never be judged against commitments the dealer did not sign for it.
public struct DKGShare: Sendable, Equatable, SignedMessage {
    public static let kind = DKGMessageKind.share.rawValue
    public let session: SessionID
    public let sender: NodeID
    public let receiver: NodeID
    /// SHA-256 of the body of the dealer's round-1 broadcast this share evaluates.
    public let commitmentHash: [UInt8]
    /// Secret until the dealer publishes it in a justification. Never printed.
    public let share: Scalar
    public var signature: [UInt8]

    public init(session: SessionID, sender: NodeID, receiver: NodeID, commitmentHash: [UInt8], share: Scalar, signature: [UInt8] = []) {
        precondition(commitmentHash.count == 32, "commitment hash is 32 bytes")
        self.session = session
        self.sender = sender
        self.receiver = receiver
        self.commitmentHash = commitmentHash
        self.share = share
        self.signature = signature
    }

    public var body: [UInt8] {
        var writer = ByteWriter()
        writer.append(node: receiver.value)
        writer.append(bytes: commitmentHash)
        writer.append(share)
        return writer.bytes
    }

    public static let bodySize = WireSize.node + WireSize.digest + WireSize.scalar
    /// A share quoted inside another message: its whole signed encoding.
    public static let quotedSize = envelopeSize + bodySize
}

/// One complaint against a dealer.
public enum DKGComplaint: Sendable, Equatable {
    /// The dealer's own signed share, which fails against its commitments: proof for anyone.
    case invalidShare(DKGShare)
    /// The dealer's own signed share, naming another round-1 body than the dealer's signed
    /// round-1 header the complainer holds (quoted): proof for anyone, whatever they hold.
    case inconsistentShare(DKGShare, SignedStatement)
    /// No share arrived before the timeout: the dealer must answer with a justification.
    case missingShare(dealer: NodeID)

    public var dealer: NodeID {
        switch self {
        case let .invalidShare(share), let .inconsistentShare(share, _): share.sender
        case let .missingShare(dealer): dealer
        }
    }

    var wireSize: Int {
        switch self {
        case .invalidShare: 1 + DKGShare.quotedSize
        case .inconsistentShare: 1 + DKGShare.quotedSize + SignedStatement.wireSize
        case .missingShare: 1 + WireSize.node
        }
    }

    /// Whether this complaint is about exactly this share.
    public func quotes(_ share: DKGShare) -> Bool {
        switch self {
        case let .invalidShare(quoted), let .inconsistentShare(quoted, _): quoted == share
        case .missingShare: false
        }
    }

    func write(_ writer: inout ByteWriter) {
        switch self {
        case let .invalidShare(share):
            writer.append(1 as UInt8)
            writer.append(bytes: share.signedEncoding)
        case let .missingShare(dealer):
            writer.append(2 as UInt8)
            writer.append(node: dealer.value)
        case let .inconsistentShare(share, header):
            writer.append(3 as UInt8)
            writer.append(bytes: share.signedEncoding)
            header.write(&writer)
        }
    }

    static func read(_ reader: inout ByteReader) throws(WireError) -> DKGComplaint {
        switch try reader.byte() {
        case 1: return .invalidShare(try DKGMessage.quotedShare(&reader))
        case 2: return .missingShare(dealer: NodeID(try reader.uint16()))
        case 3: return .inconsistentShare(try DKGMessage.quotedShare(&reader), try SignedStatement.read(&reader, protocolName: dkgProtocol))
        case let kind: throw .unknownKind(kind)
        }
    }
}

/// Round 2, broadcast by every participant: the signed round-1 header of every dealer it
/// received. The header names protocol, kind, session and sender, so an echo can only ever
/// stand for a round-1 broadcast of this session. Two valid headers of one dealer over
/// different bodies prove equivocation; a dealer echoed by a quorum is fetched by whoever
/// missed its broadcast, so honest nodes deal with the same dealers.
public struct DKGEchoes: Sendable, Equatable, SignedMessage {
    public static let kind = DKGMessageKind.echoes.rawValue
    public let session: SessionID
    public let sender: NodeID
    public let echoes: [SignedStatement]
    public var signature: [UInt8]

    public init(session: SessionID, sender: NodeID, echoes: [SignedStatement], signature: [UInt8] = []) {
        precondition(echoes.count <= Int(UInt16.max), "echo list too long to encode")
        self.session = session
        self.sender = sender
        self.echoes = echoes
        self.signature = signature
    }

    public var body: [UInt8] {
        var writer = ByteWriter()
        writer.append(UInt16(echoes.count))
        for echo in echoes { echo.write(&writer) }
        return writer.bytes
    }

    public var bodySize: Int { 2 + SignedStatement.wireSize * echoes.count }

    /// What `DKGEchoDigest` carries: SHA-256 over the echoed round-1 headers (not their
    /// signatures: two nodes holding the same headers hold the same round-1 view).
    public static func headerDigest(_ echoes: [SignedStatement], meter: CostMeter) -> [UInt8] {
        Hashing.sha256(parts: echoes.map { echo in
            var writer = ByteWriter()
            echo.header.write(&writer)
            return writer.bytes
        }, meter: meter)
    }
}

/// Round 2, broadcast: the digest of the echo list this node holds (`DKGEchoes.headerDigest`)
/// and which dealers' headers it has (a bit set): 32 + ⌈n/8⌉ bytes instead of n signed
/// headers. A node whose own digest matches learns that the sender holds exactly its round-1
/// headers; when the digests differ, each side sends the other its signed list (`DKGEchoes`);
/// a node that misses a dealer the sender has fetches that dealer's broadcast from it. So an
/// honest DKG without faults sends O(n²) messages of echoes and O(n³/8) bits, not O(n³) signed
/// headers.
public struct DKGEchoDigest: Sendable, Equatable, SignedMessage {
    public static let kind = DKGMessageKind.echoDigest.rawValue
    public let session: SessionID
    public let sender: NodeID
    public let digest: [UInt8]
    /// Roster positions of the dealers whose round-1 header the sender echoes.
    public let dealers: PositionSet
    public var signature: [UInt8]

    public init(session: SessionID, sender: NodeID, digest: [UInt8], dealers: PositionSet, signature: [UInt8] = []) {
        precondition(dealers.bits.count <= Int(UInt16.max), "dealer set too long to encode")
        self.session = session
        self.sender = sender
        self.digest = digest
        self.dealers = dealers
        self.signature = signature
    }

    public var body: [UInt8] {
        var writer = ByteWriter()
        writer.append(bytes: digest)
        writer.append(UInt16(dealers.bits.count))
        writer.append(bytes: dealers.bits)
        return writer.bytes
    }

    public var bodySize: Int { WireSize.digest + 2 + dealers.bits.count }
}

/// Roster positions as a bit set (bit i of byte i / 8 for position i): ⌈n/8⌉ bytes. Voters in
/// a vote summary, dealers in an echo digest.
public struct PositionSet: Sendable, Equatable {
    public let bits: [UInt8]

    public init(bits: [UInt8]) { self.bits = bits }

    public init(_ positions: [Int], count: Int) {
        var bits = [UInt8](repeating: 0, count: (count + 7) / 8)
        for position in positions where (0..<count).contains(position) { bits[position / 8] |= 1 << (position % 8) }
        self.bits = bits
    }

    public func contains(_ position: Int) -> Bool {
        position >= 0 && position / 8 < bits.count && bits[position / 8] & (1 << (position % 8)) != 0
    }

    /// The positions in the set, ascending.
    public var positions: [Int] { (0..<(bits.count * 8)).filter(contains) }
}

/// After finishing, broadcast: the digest this node finished on and which voters it counted
/// (a bit set, not their n signed votes: O(n²) bytes per DKG, not O(n³)). A node still
/// missing some of those votes for the same digest, or holding a listed voter's vote for
/// another digest (a double vote), asks for the signed votes (`DKGVoteRequest`).
public struct DKGVoteSummary: Sendable, Equatable, SignedMessage {
    public static let kind = DKGMessageKind.voteSummary.rawValue
    public let session: SessionID
    public let sender: NodeID
    public let digest: [UInt8]
    public let voters: PositionSet
    public var signature: [UInt8]

    public init(session: SessionID, sender: NodeID, digest: [UInt8], voters: PositionSet, signature: [UInt8] = []) {
        precondition(voters.bits.count <= Int(UInt16.max), "voter set too long to encode")
        self.session = session
        self.sender = sender
        self.digest = digest
        self.voters = voters
        self.signature = signature
    }

    public var body: [UInt8] {
        var writer = ByteWriter()
        writer.append(bytes: digest)
        writer.append(UInt16(voters.bits.count))
        writer.append(bytes: voters.bits)
        return writer.bytes
    }

    public var bodySize: Int { WireSize.digest + 2 + voters.bits.count }
}

/// To the sender of a vote summary: send me the signed votes of these voters (answered with a
/// `DKGCertificate` holding them).
public struct DKGVoteRequest: Sendable, Equatable, SignedMessage {
    public static let kind = DKGMessageKind.voteRequest.rawValue
    public let session: SessionID
    public let sender: NodeID
    public let voters: PositionSet
    public var signature: [UInt8]

    public init(session: SessionID, sender: NodeID, voters: PositionSet, signature: [UInt8] = []) {
        precondition(voters.bits.count <= Int(UInt16.max), "voter set too long to encode")
        self.session = session
        self.sender = sender
        self.voters = voters
        self.signature = signature
    }

    public var body: [UInt8] {
        var writer = ByteWriter()
        writer.append(UInt16(voters.bits.count))
        writer.append(bytes: voters.bits)
        return writer.bytes
    }

    public var bodySize: Int { 2 + voters.bits.count }
}

/// Round 2, to one echoer, only by a node that missed a dealer's round-1 broadcast which
/// others echoed: "send me its commitments". The answer is the dealer's own signed message.
public struct DKGFetch: Sendable, Equatable, SignedMessage {
    public static let kind = DKGMessageKind.fetch.rawValue
    public let session: SessionID
    public let sender: NodeID
    public let dealer: NodeID
    public var signature: [UInt8]

    public init(session: SessionID, sender: NodeID, dealer: NodeID, signature: [UInt8] = []) {
        self.session = session
        self.sender = sender
        self.dealer = dealer
        self.signature = signature
    }

    public var body: [UInt8] {
        var writer = ByteWriter()
        writer.append(node: dealer.value)
        return writer.bytes
    }

    public static let bodySize = WireSize.node
}

/// Round 4, broadcast by every participant (even with nothing to complain about, so that the
/// others know the round is over): its complaints about the shares it received.
public struct DKGComplaints: Sendable, Equatable, SignedMessage {
    public static let kind = DKGMessageKind.complaints.rawValue
    public let session: SessionID
    public let sender: NodeID
    public let complaints: [DKGComplaint]
    public var signature: [UInt8]

    public init(session: SessionID, sender: NodeID, complaints: [DKGComplaint], signature: [UInt8] = []) {
        precondition(complaints.count <= Int(UInt16.max), "complaint list too long to encode")
        self.session = session
        self.sender = sender
        self.complaints = complaints
        self.signature = signature
    }

    public var body: [UInt8] {
        var writer = ByteWriter()
        writer.append(UInt16(complaints.count))
        for complaint in complaints { complaint.write(&writer) }
        return writer.bytes
    }

    public var bodySize: Int { 2 + complaints.reduce(0) { $0 + $1.wireSize } }
}

/// Round 5, held only when round 4 raised complaints, broadcast by every participant: the
/// signed shares it sent to those who said they got none (now public, to be checked against
/// its commitments), and the shares it holds that fail on their own although its aggregated
/// check passed (errors that cancelled between colluding dealers), as late complaints.
public struct DKGJustification: Sendable, Equatable, SignedMessage {
    public static let kind = DKGMessageKind.justification.rawValue
    public let session: SessionID
    public let sender: NodeID
    public let shares: [DKGShare]
    public let lateComplaints: [DKGComplaint]
    public var signature: [UInt8]

    public init(session: SessionID, sender: NodeID, shares: [DKGShare], lateComplaints: [DKGComplaint] = [], signature: [UInt8] = []) {
        precondition(shares.count <= Int(UInt16.max) && lateComplaints.count <= Int(UInt16.max), "justification too long to encode")
        self.session = session
        self.sender = sender
        self.shares = shares
        self.lateComplaints = lateComplaints
        self.signature = signature
    }

    public var body: [UInt8] {
        var writer = ByteWriter()
        writer.append(UInt16(shares.count))
        for share in shares { writer.append(bytes: share.signedEncoding) }
        writer.append(UInt16(lateComplaints.count))
        for complaint in lateComplaints { complaint.write(&writer) }
        return writer.bytes
    }

    public var bodySize: Int { 2 + DKGShare.quotedSize * shares.count + 2 + lateComplaints.reduce(0) { $0 + $1.wireSize } }
}

/// Round 6, broadcast: the digest of what this node decided (qualified set, every qualified
/// dealer's round-1 body hash, hence the group key). An honest node votes once.
public struct DKGAgreement: Sendable, Equatable, SignedMessage {
    public static let kind = DKGMessageKind.agreement.rawValue
    public let session: SessionID
    public let sender: NodeID
    public let digest: [UInt8]
    public var signature: [UInt8]

    public init(session: SessionID, sender: NodeID, digest: [UInt8], signature: [UInt8] = []) {
        self.session = session
        self.sender = sender
        self.digest = digest
        self.signature = signature
    }

    public var body: [UInt8] { digest }
    public static let bodySize = WireSize.digest
    public static let quotedSize = envelopeSize + bodySize
}

/// Signed votes, sent in answer to a `DKGVoteRequest`. The receiver counts them like votes
/// it received (a node that voted two digests is caught by its two signed votes) and may
/// finish on them when the digest is its own.
public struct DKGCertificate: Sendable, Equatable, SignedMessage {
    public static let kind = DKGMessageKind.certificate.rawValue
    public let session: SessionID
    public let sender: NodeID
    public let votes: [DKGAgreement]
    public var signature: [UInt8]

    public init(session: SessionID, sender: NodeID, votes: [DKGAgreement], signature: [UInt8] = []) {
        precondition(votes.count <= Int(UInt16.max), "certificate too long to encode")
        self.session = session
        self.sender = sender
        self.votes = votes
        self.signature = signature
    }

    public var body: [UInt8] {
        var writer = ByteWriter()
        writer.append(UInt16(votes.count))
        for vote in votes { writer.append(bytes: vote.signedEncoding) }
        return writer.bytes
    }

    public var bodySize: Int { 2 + DKGAgreement.quotedSize * votes.count }
}

public enum DKGMessage: Sendable, Equatable, WireMessage {
    case commitments(DKGCommitments)
    case echoes(DKGEchoes)
    case fetch(DKGFetch)
    case share(DKGShare)
    case complaints(DKGComplaints)
    case justification(DKGJustification)
    case agreement(DKGAgreement)
    case certificate(DKGCertificate)
    case echoDigest(DKGEchoDigest)
    case voteSummary(DKGVoteSummary)
    case voteRequest(DKGVoteRequest)

    public static let protocolName = dkgProtocol

    /// The message inside, for what every kind has.
    public var payload: any SignedMessage {
        switch self {
        case let .commitments(m): m
        case let .echoes(m): m
        case let .fetch(m): m
        case let .share(m): m
        case let .complaints(m): m
        case let .justification(m): m
        case let .agreement(m): m
        case let .certificate(m): m
        case let .echoDigest(m): m
        case let .voteSummary(m): m
        case let .voteRequest(m): m
        }
    }

    public var sender: NodeID { payload.sender }
    public var session: SessionID { payload.session }
    public var signature: [UInt8] { payload.signature }
    public var kind: DKGMessageKind { DKGMessageKind(rawValue: type(of: payload).kind)! }

    /// The same message signed by `identity`.
    public func signed(by identity: NodeIdentity, meter: CostMeter) -> DKGMessage {
        switch self {
        case let .commitments(m): .commitments(m.signed(by: identity, meter: meter))
        case let .echoes(m): .echoes(m.signed(by: identity, meter: meter))
        case let .fetch(m): .fetch(m.signed(by: identity, meter: meter))
        case let .share(m): .share(m.signed(by: identity, meter: meter))
        case let .complaints(m): .complaints(m.signed(by: identity, meter: meter))
        case let .justification(m): .justification(m.signed(by: identity, meter: meter))
        case let .agreement(m): .agreement(m.signed(by: identity, meter: meter))
        case let .certificate(m): .certificate(m.signed(by: identity, meter: meter))
        case let .echoDigest(m): .echoDigest(m.signed(by: identity, meter: meter))
        case let .voteSummary(m): .voteSummary(m.signed(by: identity, meter: meter))
        case let .voteRequest(m): .voteRequest(m.signed(by: identity, meter: meter))
        }
    }

    // MARK: Wire

    public var wireSize: Int {
        let body = switch self {
        case let .commitments(m): m.bodySize
        case let .echoes(m): m.bodySize
        case .fetch: DKGFetch.bodySize
        case .share: DKGShare.bodySize
        case let .complaints(m): m.bodySize
        case let .justification(m): m.bodySize
        case .agreement: DKGAgreement.bodySize
        case let .certificate(m): m.bodySize
        case let .echoDigest(m): m.bodySize
        case let .voteSummary(m): m.bodySize
        case let .voteRequest(m): m.bodySize
        }
        return 1 + DKGCommitments.envelopeSize + body
    }

    /// Every kind `traceKind` names (what generic adversaries and coverage refer to).
    public static var traceKinds: [StaticString] { ["dkg.commitments", "dkg.echoes", "dkg.fetch", "dkg.share", "dkg.complaints", "dkg.justification", "dkg.agreement", "dkg.certificate", "dkg.echo-digest", "dkg.vote-summary", "dkg.vote-request"] }

    public var traceKind: StaticString {
        switch self {
        case .commitments: "dkg.commitments"
        case .echoes: "dkg.echoes"
        case .fetch: "dkg.fetch"
        case .share: "dkg.share"
        case .complaints: "dkg.complaints"
        case .justification: "dkg.justification"
        case .agreement: "dkg.agreement"
        case .certificate: "dkg.certificate"
        case .echoDigest: "dkg.echo-digest"
        case .voteSummary: "dkg.vote-summary"
        case .voteRequest: "dkg.vote-request"
        }
    }

    public var traceFingerprint: UInt64 { Self.fingerprint(signature) }

    public func encode(_ writer: inout ByteWriter) { writer.append(bytes: payload.signedEncoding) }

    /// Longer lists than any honest participant sends (one entry per participant, at most
    /// 1000 of them) are refused before anything in them costs work.
    static let listLimit = 4096

    public static func decode(_ reader: inout ByteReader) throws(WireError) -> DKGMessage {
        let raw = try reader.byte()
        guard let kind = DKGMessageKind(rawValue: raw) else { throw .unknownKind(raw) }
        let session = try SessionID.read(&reader, expected: dkgProtocol)
        let sender = NodeID(try reader.uint16())
        switch kind {
        case .commitments:
            let count = try reader.count("commitment points", itemSize: WireSize.point, limit: listLimit)
            var points = [Point]()
            // C₀ may be the identity (zero dealt in a transition); the others may not.
            for index in 0..<count { points.append(index == 0 ? try reader.pointOrIdentity() : try reader.point()) }
            let proof = SchnorrProof(commitment: try reader.point(), response: try reader.scalar())
            return .commitments(DKGCommitments(session: session, sender: sender, commitment: VSSCommitment(coefficients: points),
                                               proof: proof, signature: try reader.array(64)))
        case .echoes:
            let count = try reader.count("echoes", itemSize: SignedStatement.wireSize, limit: listLimit)
            var echoes = [SignedStatement]()
            for _ in 0..<count { echoes.append(try SignedStatement.read(&reader, protocolName: dkgProtocol)) }
            return .echoes(DKGEchoes(session: session, sender: sender, echoes: echoes, signature: try reader.array(64)))
        case .fetch:
            return .fetch(DKGFetch(session: session, sender: sender, dealer: NodeID(try reader.uint16()), signature: try reader.array(64)))
        case .share:
            return .share(try shareBody(&reader, session: session, sender: sender))
        case .complaints:
            let count = try reader.count("complaints", itemSize: 3, limit: listLimit)
            var complaints = [DKGComplaint]()
            for _ in 0..<count { complaints.append(try DKGComplaint.read(&reader)) }
            return .complaints(DKGComplaints(session: session, sender: sender, complaints: complaints, signature: try reader.array(64)))
        case .justification:
            let count = try reader.count("justified shares", itemSize: DKGShare.quotedSize, limit: listLimit)
            var shares = [DKGShare]()
            for _ in 0..<count { shares.append(try quotedShare(&reader)) }
            let lateCount = try reader.count("late complaints", itemSize: 3, limit: listLimit)
            var late = [DKGComplaint]()
            for _ in 0..<lateCount { late.append(try DKGComplaint.read(&reader)) }
            return .justification(DKGJustification(session: session, sender: sender, shares: shares, lateComplaints: late,
                                                   signature: try reader.array(64)))
        case .agreement:
            return .agreement(DKGAgreement(session: session, sender: sender, digest: try reader.array(32), signature: try reader.array(64)))
        case .certificate:
            let count = try reader.count("votes", itemSize: DKGAgreement.quotedSize, limit: listLimit)
            var votes = [DKGAgreement]()
            for _ in 0..<count {
                guard try reader.byte() == DKGAgreement.kind else { throw .invalidValue("quoted vote kind") }
                let voteSession = try SessionID.read(&reader, expected: dkgProtocol)
                let voter = NodeID(try reader.uint16())
                votes.append(DKGAgreement(session: voteSession, sender: voter, digest: try reader.array(32), signature: try reader.array(64)))
            }
            return .certificate(DKGCertificate(session: session, sender: sender, votes: votes, signature: try reader.array(64)))
        case .echoDigest:
            let digest = try reader.array(32)
            let dealers = try positionSet(&reader)
            return .echoDigest(DKGEchoDigest(session: session, sender: sender, digest: digest, dealers: dealers, signature: try reader.array(64)))
        case .voteSummary:
            let digest = try reader.array(32)
            let voters = try positionSet(&reader)
            return .voteSummary(DKGVoteSummary(session: session, sender: sender, digest: digest, voters: voters, signature: try reader.array(64)))
        case .voteRequest:
            let voters = try positionSet(&reader)
            return .voteRequest(DKGVoteRequest(session: session, sender: sender, voters: voters, signature: try reader.array(64)))
        }
    }

    /// A position bit set: at most one bit per possible participant.
    static func positionSet(_ reader: inout ByteReader) throws(WireError) -> PositionSet {
        let count = try reader.count("position set bytes", itemSize: 1, limit: listLimit / 8)
        return PositionSet(bits: try reader.array(count))
    }

    static func shareBody(_ reader: inout ByteReader, session: SessionID, sender: NodeID) throws(WireError) -> DKGShare {
        DKGShare(session: session, sender: sender, receiver: NodeID(try reader.uint16()), commitmentHash: try reader.array(32),
                 share: try reader.scalar(), signature: try reader.array(64))
    }

    /// A share quoted inside a complaint or justification: its whole signed encoding.
    static func quotedShare(_ reader: inout ByteReader) throws(WireError) -> DKGShare {
        guard try reader.byte() == DKGShare.kind else { throw .invalidValue("quoted share kind") }
        let session = try SessionID.read(&reader, expected: dkgProtocol)
        let sender = NodeID(try reader.uint16())
        return try shareBody(&reader, session: session, sender: sender)
    }
}
