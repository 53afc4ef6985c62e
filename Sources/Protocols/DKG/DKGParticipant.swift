import ThresholdCrypto

/// What every participant of one DKG session agrees on beforehand (from the staking
/// contract: the roster and its identity keys, the threshold).
public struct DKGConfiguration: Sendable {
    /// Names this run of the DKG; bound into every proof and signature.
    public let session: SessionID
    /// The participants, who deal and receive; identifiers come from it.
    public let roster: Roster
    /// Shares needed to reconstruct: the polynomials have `threshold` coefficients.
    public let threshold: Int
    public let directory: IdentityDirectory
    public let roundTimeout: Duration
    /// Which key the finished DKG installs in the node's key store.
    public let key: KeyID
    /// When a node may finish (and which dealers it deals with).
    public let agreement: DKGAgreementRule
    /// What the dealers share: a fresh key, or the previous epoch's key, refreshed or reshared.
    public let dealing: DKGDealing

    public init(session: SessionID, roster: Roster, threshold: Int, directory: IdentityDirectory, roundTimeout: Duration,
                key: KeyID = .group, agreement: DKGAgreementRule = .quorum, dealing: DKGDealing = .fresh) {
        if case let .reshare(_, previousRoster) = dealing { precondition(previousRoster.epoch.value + 1 == roster.epoch.value, "reshare from the epoch before") }
        if case .refresh = dealing { precondition(threshold >= 2, "a transition needs a threshold of at least 2") }
        if case .reshare = dealing { precondition(threshold >= 2, "a transition needs a threshold of at least 2") }
        self.dealing = dealing
        precondition(session.protocolName == dkgProtocol, "a DKG session")
        precondition(session.epoch == roster.epoch, "the session's epoch is the roster's")
        precondition(threshold >= 1 && threshold <= roster.count, "1 ≤ threshold ≤ participants")
        precondition(roster.members.allSatisfy { directory.key(of: $0) != nil }, "an identity key per participant")
        self.session = session
        self.roster = roster
        self.threshold = threshold
        self.directory = directory
        self.roundTimeout = roundTimeout
        self.key = key
        self.agreement = agreement
    }

    /// The genesis session: epoch 0, started by the roster's first member, attempt 0.
    /// The genesis session of `key` (the network key 0, or a further root key: its number
    /// in the counter's high half, so every root has its own session).
    public static func genesisSession(roster: Roster, attempt: UInt64 = 0, key: KeyID = .group) -> SessionID {
        SessionID(protocolName: dkgProtocol, epoch: roster.epoch, initiator: .node(roster.members[0]), counter: UInt64(key.value) << 32 | attempt)
    }

    public var participants: Int { roster.count }

    /// f: the most Byzantine participants the `quorum` rule is safe against (n ≥ 3f + 1).
    public var faultTolerance: Int { (participants - 1) / 3 }

    /// The smallest number of votes any two sets of which share an honest participant:
    /// ⌊(n + f) / 2⌋ + 1, so 2q − n > f.
    public var quorum: Int { (participants + faultTolerance) / 2 + 1 }

    /// Matching agreement votes a node needs to finish. Under `quorum`, never fewer than the
    /// threshold: fewer voters cannot hold a threshold of shares, so finishing would declare a
    /// key complete that can never sign (found by `litsim explore`: n = 3, t = 3, one node
    /// crashed during the DKG, the other two finished at their quorum of 2).
    public var votesToFinish: Int {
        switch agreement {
        case .quorum: max(quorum, threshold)
        case .all: participants
        case .threshold: threshold
        }
    }
}

/// How a DKG decides it is done (`protocol.dkg_agreement`).
public enum DKGAgreementRule: String, Sendable, CaseIterable {
    /// A dealer is dealt with when a quorum echoed its round-1 broadcast, and a node finishes
    /// at a quorum of matching votes: two quorums share an honest node, which votes once, so
    /// no two honest nodes finish with different keys while fewer than n/3 are Byzantine,
    /// under any network fault. Tolerates n − quorum silent nodes (3 of 10).
    case quorum
    /// Every participant must vote for the same transcript (Lit's epoch advance needs every
    /// next validator ready): safe, and one silent node stalls it.
    case all
    /// A threshold of matching votes, each node dealing with the dealers it heard itself: the
    /// rule before the safety review, kept so its split-key schedules can be reproduced.
    /// Unsafe: two groups of `threshold` need not share an honest node.
    case threshold
}

/// What the dealers of a DKG share (Lit's modes, ../shared/research/LIT-ECDSA-EPOCHS.md §4).
/// Every dealer deals; what its round-1 broadcast must commit to is fixed by public data (the
/// previous epoch's roster and group commitment), so anyone can check it.
public enum DKGDealing: Sendable, Equatable {
    /// Genesis: each dealer shares a random secret and proves it knows it.
    case fresh
    /// Proactive refresh, same members: each dealer shares zero (C₀ = O) and proves it holds
    /// its current share (against its verification share); new share = old share + Σ, so the
    /// group key is unchanged and old shares are useless with new ones.
    case refresh(previous: VSSCommitment)
    /// Resharing to another set: a member of the previous roster shares its old share (C₀ must
    /// be its old verification share, and it proves it knows it); a newcomer shares zero and
    /// proves it knows its polynomial's first coefficient. After agreement each receiver
    /// weights the old members' sub-shares by their Lagrange coefficients over the *qualified*
    /// old members (Lit fixes the weights before dealing and so needs every old member; here
    /// an excluded one is tolerated while `previous.threshold` old members qualify).
    case reshare(previous: VSSCommitment, previousRoster: Roster)

    /// The mode of a transition from `previousRoster` to `roster`: refresh when the members are
    /// the same, else reshare. Evidence checks use the same rule.
    public init(previous: VSSCommitment?, previousRoster: Roster?, roster: Roster) {
        guard let previous, let previousRoster else {
            self = .fresh
            return
        }
        self = previousRoster.members == roster.members ? .refresh(previous: previous) : .reshare(previous: previous, previousRoster: previousRoster)
    }

    /// The dealing of a session as public parameters define it: a transition's from its lock,
    /// the genesis DKG fresh.
    static func of(_ session: SessionID, _ parameters: PublicParameters) -> DKGDealing? {
        if let lock = parameters.transition(session) {
            // The root key the session re-keys is the counter's high half (0: the network key).
            let key = Int(session.counter >> 32)
            guard key <= lock.previousRoots.count else { return nil }
            return DKGDealing(previous: key == 0 ? lock.previousCommitment : lock.previousRoots[key - 1], previousRoster: lock.previous, roster: lock.next)
        }
        return session.epoch == .genesis && parameters.roster(.genesis) != nil ? .fresh : nil
    }

    public var previous: VSSCommitment? {
        switch self {
        case .fresh: nil
        case let .refresh(previous), let .reshare(previous, _): previous
        }
    }

    /// Whether `dealer` must hold a share of the previous epoch to deal (refresh: to prove it;
    /// reshare: an old member deals it).
    func needsOldShare(_ dealer: NodeID) -> Bool {
        if case .refresh = self { return true }
        return dealsOldShare(dealer)
    }

    /// Whether `dealer` deals its old share (a continuing member in a reshare).
    func dealsOldShare(_ dealer: NodeID) -> Bool {
        if case let .reshare(_, previousRoster) = self { return previousRoster.contains(dealer) }
        return false
    }

    /// The C₀ a dealer's commitments must have (nil: any but the identity).
    /// - Complexity: threshold − 1 point multiplications for an old member in a reshare.
    func requiredConstant(of dealer: NodeID, meter: CostMeter, memo: CryptoMemo? = nil) -> Point? {
        switch self {
        case .fresh: nil
        case .refresh: .identity
        case let .reshare(previous, previousRoster):
            previousRoster.contains(dealer) ? previous.verificationShare(at: previousRoster.identifier(ofAny: dealer), meter: meter, memo: memo) : .identity
        }
    }

    /// The public key a dealer's proof of knowledge is checked against (`roster`: the
    /// session's, whose scheme gives the dealer's identifier).
    func proofKey(of dealer: NodeID, in roster: Roster, _ commitment: VSSCommitment, meter: CostMeter, memo: CryptoMemo? = nil) -> Point? {
        switch self {
        case .fresh: return commitment.publicKey
        case let .refresh(previous):
            return previous.verificationShare(at: roster.identifier(ofAny: dealer), meter: meter, memo: memo)
        case .reshare:
            if dealsOldShare(dealer) { return commitment.publicKey }
            return commitment.coefficients.count > 1 ? commitment.coefficients[1] : nil
        }
    }
}

/// A finished DKG as one node sees it.
public struct DKGResult: Sendable {
    public let roster: Roster
    public let groupPublicKey: Point
    /// Dealers whose polynomials make up the key, ascending.
    public let qualified: [NodeID]
    /// Σ of the qualified dealers' commitments: every verification share derives from it.
    public let groupCommitment: VSSCommitment
    /// This node's share of the group secret. Never printed, never traced.
    public let secretShare: Scalar
    /// False when the shares this node kept do not add up to its verification share (only
    /// possible when colluding dealers cancelled each other's errors and one was dropped).
    public let shareIsConsistent: Bool
    public let transcriptDigest: [UInt8]
    /// Nodes this node proved misbehaved, with the proofs.
    public let accused: [Accusation]
    /// Nodes that missed a round this node waited for (not accused: could be the network).
    public let unresponsive: [NodeID]
    public let threshold: Int

    /// A node's public verification share: the group commitment evaluated at its identifier.
    /// - Complexity: threshold − 1 point multiplications.
    public func verificationShare(of node: NodeID, meter: CostMeter) -> Point? {
        roster.identifier(of: node).map { groupCommitment.evaluate(at: $0.scalar, meter: meter) }
    }
}

public enum DKGFailure: Sendable, Equatable, CustomStringConvertible {
    /// Fewer than `threshold` dealers qualified.
    case tooFewQualified(Int)
    /// The agreement round timed out with fewer matching digests than the rule needs.
    case noAgreement(matching: Int)

    /// A stable code for reports.
    public var code: String {
        switch self {
        case .tooFewQualified: "too-few-qualified"
        case .noAgreement: "no-agreement"
        }
    }

    public var description: String {
        switch self {
        case let .tooFewQualified(count): "only \(count) dealers qualified"
        case let .noAgreement(matching): "agreement timed out with \(matching) matching digests"
        }
    }
}

/// What the DKG tells its host.
public enum DKGOutcome: Sendable {
    /// The node entered a phase (for timelines).
    case phase(DKGParticipant.Phase)
    case finished(DKGResult)
    case failed(DKGFailure)
}

/// One participant of the PedPoP DKG, hardened (the safety review, DESIGN.md §4a).
///
/// Rounds: (1) broadcast commitments and a proof of knowledge; (2) broadcast an echo of every
/// round-1 header received — two headers of one dealer over different bodies prove
/// equivocation, and a node that missed a broadcast a quorum echoed fetches it, so honest
/// nodes deal with the same dealers; (3) send each peer its share, naming the round-1 body it
/// evaluates; (4) broadcast complaints (bad or inconsistent shares, quoted as their dealer
/// signed them; missing shares); (5) only if there were complaints: dealers publish the shares
/// they were said to have withheld, and every node checks each kept share on its own (errors
/// that cancelled in the aggregated check are caught here, while a colluder is being dropped)
/// and publishes any that fail; (6) vote for the transcript digest and finish at the rule's
/// number of matching votes, then broadcast the votes finished with (a node that voted twice
/// is caught by its two signed votes). Each round waits for the peers it expects until the
/// round timeout. A missing justification entry excludes a dealer without accusing it: the
/// network may have lost the complaint. A sans-IO state machine: inputs in, effects out; a
/// finished DKG installs its key share in the node's key store.
public struct DKGParticipant: NodeService, Sendable {
    public typealias Message = DKGMessage
    public typealias Timer = DKGRound
    public typealias Output = DKGOutcome

    public enum Phase: String, Sendable, Equatable, CaseIterable {
        case idle, commitments, echoes, shares, complaints, justifications, agreement, finished, failed
    }

    public let configuration: DKGConfiguration
    public let me: NodeID
    /// This node's position in the roster: the index of its entries in the arrays below.
    let mine: Int
    public private(set) var phase = Phase.idle
    /// Lost its round state in a crash: it takes no further part.
    var lost = false

    var polynomial: Polynomial?
    var commitments: [DKGCommitments?]
    var commitmentHeaders: [SignedStatement?]
    var roundOneValid: [Bool]
    /// Echo lists: this node's, and those it asked for or was sent.
    var echoes: [DKGEchoes?]
    /// The digest of the echo list this node sent (nil before its echo round), and which
    /// dealers' headers that list had.
    var echoDigest: [UInt8]?
    var echoed: [Bool]
    /// Per peer, the echo digest it sent.
    var echoDigests: [[UInt8]?]
    /// Peers whose echo digest equals this node's (this node included): each holds exactly
    /// the round-1 headers this node echoed, so each supports every one of them.
    var matching: [Bool]
    var matchingCount = 0
    /// Peers this node sent its echo list to (their digest differed).
    var listsSent: Set<Int> = []
    /// (summary sender, voter) pairs this node asked for, and vote requests answered per peer.
    var votesAsked: Set<[Int]> = []
    var voteRequestsAnswered: [Int]
    /// Each peer's vote summary (the first): a vote that arrives later and conflicts with one
    /// is asked for then (a double vote proven late).
    var summaries: [DKGVoteSummary?]
    /// Per dealer, the echoers whose echo matched the round-1 header this node holds.
    var support: [Set<Int>]
    /// Per dealer whose round-1 broadcast this node missed, the echoers it asked for it (every
    /// echoer that shows it, until one answers: a single one may not).
    var fetching: [Set<Int>]
    /// Dealers whose justification this node passed on (so a dealer that sends it to a few
    /// nodes only cannot make honest nodes disagree on whether it justified).
    var relayed: Set<Int> = []
    var fetchesAnswered: Set<[Int]> = []
    /// Dealers this node deals with (a quorum echoed them, or with `threshold`, heard directly).
    var dealt: [Bool]
    var shares: [DKGShare?]
    var complaintMessages: [DKGComplaints?]
    var justifications: [DKGJustification?]
    var agreements: [DKGAgreement?]
    var disqualified: [Bool]
    var accusations: [Accusation] = []
    var accusationKeys: Set<String> = []
    var unresponsive: [Bool]
    /// (dealer, complainer) positions waiting for a justification.
    var openComplaints: [(dealer: Int, complainer: Int)] = []
    var agreementDigest: [UInt8]?
    var pendingResult: DKGResult?

    public init(configuration: DKGConfiguration, me: NodeID) {
        guard let position = configuration.roster.position(of: me) else { preconditionFailure("\(me) is not a participant") }
        self.configuration = configuration
        self.me = me
        mine = position
        let n = configuration.participants
        commitments = Array(repeating: nil, count: n)
        commitmentHeaders = Array(repeating: nil, count: n)
        roundOneValid = Array(repeating: false, count: n)
        echoes = Array(repeating: nil, count: n)
        echoed = Array(repeating: false, count: n)
        echoDigests = Array(repeating: nil, count: n)
        matching = Array(repeating: false, count: n)
        voteRequestsAnswered = Array(repeating: 0, count: n)
        summaries = Array(repeating: nil, count: n)
        support = Array(repeating: [], count: n)
        fetching = Array(repeating: [], count: n)
        dealt = Array(repeating: false, count: n)
        shares = Array(repeating: nil, count: n)
        complaintMessages = Array(repeating: nil, count: n)
        justifications = Array(repeating: nil, count: n)
        agreements = Array(repeating: nil, count: n)
        disqualified = Array(repeating: false, count: n)
        unresponsive = Array(repeating: false, count: n)
    }

    var n: Int { configuration.participants }
    var threshold: Int { configuration.threshold }
    var session: SessionID { configuration.session }
    var roster: Roster { configuration.roster }
    func node(_ position: Int) -> NodeID { roster.members[position] }
    var others: [NodeID] { roster.members.filter { $0 != me } }

    /// The context a dealer's proof of knowledge is bound to: session and identifier.
    public static func proofContext(session: SessionID, identifier: Identifier) -> [UInt8] {
        var writer = ByteWriter()
        writer.append(bytes: Array("LitSim/v2 DKG proof of knowledge".utf8))
        session.write(&writer)
        writer.append(identifier.scalar)
        return writer.bytes
    }

    /// Round state is volatile: a node that crashes mid-DKG does not rejoin it (its key, once
    /// installed, is durable in the key store).
    public mutating func crash() {
        guard phase != .finished else { return }
        lost = true
        polynomial = nil
        shares = Array(repeating: nil, count: n)
    }

    // MARK: Inputs

    /// Round 1: draw the polynomial, commit, prove, broadcast.
    public mutating func start(_ context: ServiceContext) -> [Effect] {
        guard phase == .idle, !lost else { return [] }
        let meter = context.meter
        var rng = context.random
        // The constant and the secret proven, by dealing (see DKGDealing).
        let oldShare = configuration.dealing.previous.flatMap { _ in
            context.keys.share(configuration.key, epoch: Epoch(session.epoch.value - 1))?.secretShare
        }
        let constant: Scalar
        switch configuration.dealing {
        case .fresh: constant = .randomNonZero(using: &rng)
        case .refresh: constant = .zero
        case .reshare: constant = configuration.dealing.dealsOldShare(me) ? (oldShare ?? .zero) : .zero
        }
        if oldShare == nil, configuration.dealing.needsOldShare(me) {
            // It cannot deal what it does not hold: it sits the transition out (and gets no new share).
            lost = true
            return [.note("dkg: no share of the previous epoch to deal; not taking part")]
        }
        let polynomial = Polynomial.random(constant: constant, threshold: threshold, using: &rng)
        self.polynomial = polynomial
        let commitment = polynomial.commitment(meter: meter)
        let proven: Scalar = switch configuration.dealing {
        case .fresh: constant
        case .refresh: oldShare!
        case .reshare: configuration.dealing.dealsOldShare(me) ? constant : polynomial.coefficients[1]
        }
        // The proven key is C₀ when the constant is what is proven (no extra multiplication).
        let provenKey = proven == constant ? commitment.publicKey : Point.base(proven, meter: meter)
        let proof = SchnorrProof.prove(
            secret: proven, publicKey: provenKey,
            context: Self.proofContext(session: session, identifier: roster.identifier(at: mine)), using: &rng, meter: meter)
        let signed = DKGCommitments(session: session, sender: me, commitment: commitment, proof: proof).signed(by: context.identity, meter: meter)
        holdRoundOne(signed, of: mine)
        commitmentHeaders[mine] = signed.statement(meter: meter)
        roundOneValid[mine] = true
        support[mine].insert(mine)
        var effects = enter(.commitments)
        effects += [.broadcast(.commitments(signed), to: others), .setTimer(.commitments, after: configuration.roundTimeout)]
        effects += advance(context)
        return effects
    }

    /// A message from another participant. Anything malformed, unsigned or out of place is
    /// dropped with a note; nothing here traps on remote input.
    public mutating func receive(_ message: DKGMessage, from sender: EndpointID, _ context: ServiceContext) -> [Effect] {
        guard phase != .idle, !lost else { return [] }
        let done = phase == .finished || phase == .failed
        // After the end only votes matter (a double vote is evidence whenever it is seen), and
        // requests for what this node holds are still answered.
        if done { switch message { case .agreement, .certificate, .voteSummary, .voteRequest, .fetch: break; default: return [] } }
        guard let from = sender.node.flatMap(roster.position(of:)), from != mine, let author = roster.position(of: message.sender) else {
            return [.note("dkg: dropped a message claiming \(message.sender) from \(sender)")]
        }
        // A round-1 broadcast (fetched from an echoer) and a justification may be relayed:
        // the author's signature, not the sender, makes them authentic. Everything else comes
        // from its author.
        switch message {
        case .commitments, .justification: break
        default: if author != from { return [.note("dkg: dropped a message claiming \(message.sender) from \(sender)")] }
        }
        guard message.session == session else { return [.note("dkg: dropped a message for another session from \(sender)")] }
        guard fitsTheRoster(message) else {
            // One entry per participant at most: longer lists cost every receiver work for
            // nothing (a flood), so they are dropped unread.
            return [.note("dkg: dropped an oversized message from \(sender)")]
        }
        let meter = context.meter
        let statement = message.payload.statement(meter: meter)
        guard statement.isValid(configuration.directory, meter: meter, memo: context.memo) else {
            return [.note("dkg: dropped a message with a bad signature from \(sender)")]
        }
        var effects = [Effect]()
        switch message {
        case let .commitments(package):
            receiveCommitments(package, statement: statement, from: author, &effects, context)
        case let .echoDigest(message):
            if echoDigests[from] == nil {
                echoDigests[from] = message.digest
                fetchMissing(shownBy: message, from: from, &effects, context)
                compareEchoDigest(of: from, &effects, context)
            }
        case let .echoes(list):
            if echoes[from] == nil {
                echoes[from] = list
                checkEchoes(list, from: from, &effects, context)
            }
        case let .fetch(request):
            // Answer each request once, with the dealer's own signed broadcast.
            if let dealer = roster.position(of: request.dealer), let package = commitments[dealer],
               fetchesAnswered.insert([from, dealer]).inserted {
                effects.append(.send(.commitments(package), to: sender))
            }
        case let .share(share):
            guard share.receiver == me else { return [.note("dkg: share from \(sender) addressed to \(share.receiver)")] }
            if shares[from] == nil { shares[from] = share }
        case let .complaints(complaints):
            if complaintMessages[from] == nil { complaintMessages[from] = complaints }
        case let .justification(justification):
            if justifications[author] == nil {
                justifications[author] = justification
                effects += relayIfComplained(author)
            }
        case let .agreement(vote):
            receiveVote(vote, from: from, &effects, context)
        case let .voteSummary(summary):
            if summaries[from] == nil {
                summaries[from] = summary
                askForVotes(in: summary, from: from, &effects, context)
            }
        case let .voteRequest(request):
            // A few answers per peer: it asks once per summary it is sent.
            let votes = request.voters.positions.compactMap { $0 < n ? agreements[$0] : nil }
            if !votes.isEmpty, voteRequestsAnswered[from] < Self.voteAnswersPerPeer {
                voteRequestsAnswered[from] += 1
                let certificate = DKGCertificate(session: session, sender: me, votes: votes).signed(by: context.identity, meter: meter)
                effects.append(.send(.certificate(certificate), to: sender))
            }
        case let .certificate(certificate):
            // Only votes this node asked that peer for: an unasked flood costs nothing.
            for vote in certificate.votes where vote.session == session {
                guard let voter = roster.position(of: vote.sender), voter != mine, votesAsked.contains([from, voter]) else { continue }
                // A vote identical to the one held needs no second check.
                if agreements[voter] == vote { continue }
                guard vote.hasValidSignature(configuration.directory, meter: meter, memo: context.memo) else { continue }
                receiveVote(vote, from: voter, &effects, context)
            }
        }
        if !done {
            effects += advance(context)
        } else if phase == .failed, pendingResult != nil, agreementDigest != nil, agreements[mine] != nil,
                  matchingAgreements >= configuration.votesToFinish {
            // Its agreement round timed out, but the votes it was missing arrived since (in a
            // certificate, say): the transcript it voted for is agreed, so it finishes.
            effects += finish(context)
        }
        return effects
    }

    func fitsTheRoster(_ message: DKGMessage) -> Bool {
        switch message {
        case let .echoes(m): m.echoes.count <= n
        case let .complaints(m): m.complaints.count <= n
        case let .justification(m): m.shares.count <= n && m.lateComplaints.count <= n
        case let .certificate(m): m.votes.count <= n
        case let .echoDigest(m): m.dealers.bits.count == (n + 7) / 8
        case let .voteSummary(m): m.voters.bits.count == (n + 7) / 8
        case let .voteRequest(m): m.voters.bits.count == (n + 7) / 8
        case let .commitments(m): m.commitment.threshold <= n + 1
        default: true
        }
    }

    /// A timer: stop waiting and go on with what arrived.
    public mutating func timerFired(_ round: DKGRound, _ context: ServiceContext) -> [Effect] {
        guard !lost else { return [] }
        var effects = [Effect]()
        switch (round, phase) {
        case (.commitments, .commitments): completeCommitments(&effects, context)
        case (.echoes, .echoes): completeEchoes(&effects, context)
        case (.shares, .shares): completeShares(&effects, context)
        case (.complaints, .complaints): completeComplaints(&effects, context)
        case (.justifications, .justifications): completeJustifications(&effects, context)
        case (.agreement, .agreement):
            effects += enter(.failed)
            effects.append(.output(.failed(.noAgreement(matching: matchingAgreements))))
        default: return []
        }
        effects += advance(context)
        return effects
    }

    // MARK: Rounds

    mutating func enter(_ next: Phase) -> [Effect] {
        phase = next
        return [.output(.phase(next))]
    }

    /// Runs every round whose inputs are complete.
    mutating func advance(_ context: ServiceContext) -> [Effect] {
        var effects = [Effect]()
        while true {
            let before = phase
            switch phase {
            case .commitments where commitments.allSatisfy({ $0 != nil }):
                completeCommitments(&effects, context)
            case .echoes where participants.allSatisfy({ $0 == mine || matching[$0] || echoes[$0] != nil }) && !awaitingFetch:
                completeEchoes(&effects, context)
            case .shares where (0..<n).allSatisfy({ shares[$0] != nil || !dealt[$0] }):
                completeShares(&effects, context)
            case .complaints where participants.allSatisfy({ complaintMessages[$0] != nil }):
                completeComplaints(&effects, context)
            case .justifications where participants.allSatisfy({ justifications[$0] != nil }):
                completeJustifications(&effects, context)
            case .agreement where matchingAgreements >= configuration.votesToFinish:
                effects += finish(context)
            default:
                break
            }
            if phase == before { return effects }
        }
    }

    /// Everyone whose round-1 broadcast this node holds (this node included), ascending: the
    /// peers later rounds wait for, so a crashed dealer costs one timeout, not one per round.
    /// Kept as broadcasts arrive (recomputing it after every message cost O(n) each).
    var participants: [Int] = []

    mutating func holdRoundOne(_ package: DKGCommitments, of dealer: Int) {
        commitments[dealer] = package
        participants.insert(dealer, at: participants.firstIndex { $0 > dealer } ?? participants.count)
    }

    /// A fetch is outstanding for a dealer a quorum may still make this node deal with.
    var awaitingFetch: Bool { (0..<n).contains { !fetching[$0].isEmpty && commitments[$0] == nil } }

    /// Passes on a dealer's justification once, if the dealer drew complaints (only then does
    /// whether it justified decide the qualified set).
    mutating func relayIfComplained(_ dealer: Int) -> [Effect] {
        guard phase == .justifications, dealer != mine, let justification = justifications[dealer],
              openComplaints.contains(where: { $0.dealer == dealer }), relayed.insert(dealer).inserted else { return [] }
        return [.broadcast(.justification(justification), to: others.filter { $0 != node(dealer) })]
    }

    /// Votes held for this node's transcript digest (kept as votes arrive).
    var matchingAgreements = 0

    /// A round-1 broadcast, directly or relayed: kept and checked once; a second body proves
    /// equivocation.
    mutating func receiveCommitments(_ package: DKGCommitments, statement: SignedStatement, from dealer: Int,
                                     _ effects: inout [Effect], _ context: ServiceContext) {
        if let existing = commitmentHeaders[dealer] {
            if existing.header.bodyHash != statement.header.bodyHash, !disqualified[dealer] {
                // Before the dealers are fixed, equivocation excludes; after, a second body shown
                // to some nodes only must not change their dealers: it is only accused.
                disqualify(dealer, .equivocation(existing, statement), &effects, exclude: phase == .commitments || phase == .echoes)
            }
            return
        }
        // After the echo round, the set of dealers is decided: a late broadcast changes nothing.
        guard phase == .commitments || phase == .echoes else { return }
        holdRoundOne(package, of: dealer)
        commitmentHeaders[dealer] = statement
        support[dealer].insert(mine)
        if package.commitment.threshold != threshold {
            // More coefficients than the threshold would raise it: rejected, and provable.
            disqualify(dealer, .wrongCommitmentLength(package), &effects)
        } else if !hasRequiredConstant(package, dealer: dealer, context) {
            // A transition dealing that would change the group key (or the wrong kind of dealing).
            disqualify(dealer, .wrongConstant(package), &effects)
        } else if !verifyProof(package, dealer: dealer, context) {
            disqualify(dealer, .invalidProof(package), &effects)
        } else {
            roundOneValid[dealer] = true
        }
        // Echoes that arrived before the broadcast count now.
        for echoer in 0..<n {
            guard let list = echoes[echoer], let echo = list.echoes.first(where: { $0.header.sender == .node(package.sender) }) else { continue }
            if echo.header == statement.header { support[dealer].insert(echoer) }
        }
    }

    /// Round 2: the digest of this node's echo list to everyone; the list itself only to peers
    /// that ask (their digest differs).
    mutating func completeCommitments(_ effects: inout [Effect], _ context: ServiceContext) {
        for dealer in 0..<n where commitments[dealer] == nil { markUnresponsive(dealer, in: "commitments", &effects) }
        let list = (0..<n).compactMap { commitmentHeaders[$0] }
        let signed = DKGEchoes(session: session, sender: me, echoes: list).signed(by: context.identity, meter: context.meter)
        echoes[mine] = signed
        let digest = DKGEchoes.headerDigest(list, meter: context.meter)
        echoDigest = digest
        for dealer in 0..<n { echoed[dealer] = commitmentHeaders[dealer] != nil }
        matching[mine] = true
        matchingCount = 1
        effects += enter(.echoes)
        let message = DKGEchoDigest(session: session, sender: me, digest: digest, dealers: PositionSet((0..<n).filter { echoed[$0] }, count: n))
            .signed(by: context.identity, meter: context.meter)
        effects.append(.broadcast(.echoDigest(message), to: others))
        for peer in 0..<n where peer != mine && echoDigests[peer] != nil { compareEchoDigest(of: peer, &effects, context) }
        effects.append(.setTimer(.echoes, after: configuration.roundTimeout))
    }

    /// A dealer this node has no round-1 broadcast of, that a peer's echo shows it holds:
    /// fetched from that peer (while this node still waits for round 1 too, so that its own
    /// echo then includes it). Not under `threshold`, where each node deals with whom it heard.
    /// At most f + 1 peers are asked for one dealer: one of them is honest, so holds it, and a
    /// partition that healed late does not make every node fetch from every other.
    mutating func fetchMissing(shownBy echo: DKGEchoDigest, from peer: Int, _ effects: inout [Effect], _ context: ServiceContext) {
        guard configuration.agreement != .threshold, phase == .commitments || phase == .echoes, participants.count < n else { return }
        for dealer in 0..<n where commitments[dealer] == nil && echo.dealers.contains(dealer) && fetching[dealer].count <= configuration.faultTolerance
            && fetching[dealer].insert(peer).inserted {
            let request = DKGFetch(session: session, sender: me, dealer: node(dealer)).signed(by: context.identity, meter: context.meter)
            effects.append(.send(.fetch(request), to: .node(node(peer))))
        }
    }

    /// A peer's echo digest against this node's (once both exist): the same supports every
    /// header this node echoed; another makes this node send the peer its list (the peer,
    /// seeing the same difference, sends its own: one hop, as a broadcast list was).
    mutating func compareEchoDigest(of peer: Int, _ effects: inout [Effect], _ context: ServiceContext) {
        guard let echoDigest, let theirs = echoDigests[peer], !matching[peer] else { return }
        if theirs == echoDigest {
            matching[peer] = true
            matchingCount += 1
        } else if phase == .echoes, let list = echoes[mine], listsSent.insert(peer).inserted {
            effects.append(.send(.echoes(list), to: .node(node(peer))))
        }
    }

    /// Echoers that hold this dealer's round-1 header as this node does: every matching peer
    /// for a dealer this node echoed, and those whose lists show it.
    func supportCount(_ dealer: Int) -> Int {
        guard echoed[dealer] else { return support[dealer].count }
        return matchingCount + support[dealer].filter { !matching[$0] }.count
    }

    /// Another node's view of the round-1 broadcasts. A header identical to the one held needs
    /// no check and counts as support; another valid header of this session from the same
    /// dealer proves equivocation; a valid header of a dealer this node missed is fetched. The
    /// header names protocol, kind, session and sender, so a signature on any other message
    /// can never pass for a round-1 broadcast here.
    /// An entry no honest node would echo (another kind, session or protocol, or a signature
    /// that fails) proves the echoer forged it.
    mutating func checkEchoes(_ list: DKGEchoes, from echoer: Int, _ effects: inout [Effect], _ context: ServiceContext) {
        for (index, echo) in list.echoes.enumerated() {
            let header = echo.header
            guard let dealerID = header.sender.node, let dealer = roster.position(of: dealerID),
                  DKGEvidence.isRoundOneHeader(echo, of: dealerID, in: session) else {
                disqualify(echoer, .forgedEcho(list, index: index), &effects, exclude: false)
                continue
            }
            if let ours = commitmentHeaders[dealer], ours.header == header {
                support[dealer].insert(echoer)
                continue
            }
            guard echo.isValid(configuration.directory, meter: context.meter, memo: context.memo) else {
                disqualify(echoer, .forgedEcho(list, index: index), &effects, exclude: false)
                continue
            }
            if let ours = commitmentHeaders[dealer] {
                if !disqualified[dealer] {
                    disqualify(dealer, .equivocation(ours, echo), &effects, exclude: phase == .commitments || phase == .echoes)
                }
            } else if configuration.agreement != .threshold, phase == .commitments || phase == .echoes, fetching[dealer].insert(echoer).inserted {
                let request = DKGFetch(session: session, sender: me, dealer: dealerID).signed(by: context.identity, meter: context.meter)
                effects.append(.send(.fetch(request), to: .node(node(echoer))))
            }
        }
    }

    /// The dealers to deal with: valid round-1 broadcasts a quorum echoed (with `threshold`,
    /// those heard at all). Then round 3: a share for every other node, naming this node's
    /// round-1 body.
    mutating func completeEchoes(_ effects: inout [Effect], _ context: ServiceContext) {
        let meter = context.meter
        for dealer in 0..<n where commitments[dealer] != nil && roundOneValid[dealer] && !disqualified[dealer] {
            if configuration.agreement == .threshold || supportCount(dealer) >= configuration.quorum {
                dealt[dealer] = true
            } else {
                effects.append(.note("dkg: dealer \(node(dealer).value) echoed by \(supportCount(dealer)), fewer than \(configuration.quorum)"))
            }
        }
        let polynomial = polynomial!
        let hash = commitmentHeaders[mine]!.header.bodyHash
        shares[mine] = DKGShare(session: session, sender: me, receiver: me, commitmentHash: hash,
                                share: polynomial.evaluate(at: roster.identifier(at: mine).scalar))
        effects += enter(.shares)
        for receiver in 0..<n where receiver != mine {
            let share = DKGShare(session: session, sender: me, receiver: node(receiver), commitmentHash: hash,
                                 share: polynomial.evaluate(at: roster.identifier(at: receiver).scalar))
            effects.append(.send(.share(share.signed(by: context.identity, meter: meter)), to: .node(node(receiver))))
        }
        effects.append(.setTimer(.shares, after: configuration.roundTimeout))
    }

    mutating func completeShares(_ effects: inout [Effect], _ context: ServiceContext) {
        let meter = context.meter
        var complaints = [DKGComplaint]()
        var received = [VSS.DealtShare<Int>]()
        for dealer in 0..<n where dealt[dealer] && dealer != mine {
            guard let share = shares[dealer] else {
                markUnresponsive(dealer, in: "shares", &effects)
                complaints.append(.missingShare(dealer: node(dealer)))
                continue
            }
            if share.commitmentHash != commitmentHeaders[dealer]!.header.bodyHash {
                complaints.append(.inconsistentShare(share, commitmentHeaders[dealer]!))
            } else {
                received.append(VSS.DealtShare(dealer: dealer, share: share.share, commitment: commitments[dealer]!.commitment))
            }
        }
        // One aggregated check; per-dealer checks only when it fails, to name the culprits. This
        // node's own dealing is in it too (trivially consistent): then every receiver of the
        // same dealers checks against the same sum, which the run computes once.
        if dealt[mine], let own = shares[mine], let package = commitments[mine] {
            received.append(VSS.DealtShare(dealer: mine, share: own.share, commitment: package.commitment))
        }
        received.sort { $0.dealer < $1.dealer }
        let aggregate = commitmentSum(received.map(\.dealer), context)
        for culprit in VSS.verifyBatch(received, at: roster.identifier(at: mine).scalar, aggregate: aggregate, meter: meter) {
            complaints.append(.invalidShare(shares[culprit]!))
        }
        complaints.sort { $0.dealer < $1.dealer }
        let signed = DKGComplaints(session: session, sender: me, complaints: complaints).signed(by: context.identity, meter: meter)
        complaintMessages[mine] = signed
        if !complaints.isEmpty { effects.append(.note("dkg: complaints against \(complaints.map(\.dealer.value))")) }
        effects += enter(.complaints)
        effects.append(.broadcast(.complaints(signed), to: others))
        effects.append(.setTimer(.complaints, after: configuration.roundTimeout))
    }

    mutating func completeComplaints(_ effects: inout [Effect], _ context: ServiceContext) {
        let meter = context.meter
        var anyComplaint = false
        for complainer in participants {
            guard let message = complaintMessages[complainer] else {
                markUnresponsive(complainer, in: "complaints", &effects)
                continue
            }
            if !message.complaints.isEmpty { anyComplaint = true }
            for (index, complaint) in message.complaints.enumerated() {
                if case let .missingShare(dealerID) = complaint {
                    guard let dealer = roster.position(of: dealerID), dealt[dealer], !disqualified[dealer], dealer != complainer else { continue }
                    openComplaints.append((dealer, complainer))
                } else {
                    judge(complaint, in: .complaints(message), index: index, from: complainer, &effects, context)
                }
            }
        }
        openComplaints.removeAll { disqualified[$0.dealer] }
        guard anyComplaint else {
            finalize(&effects, context)
            return
        }
        // Round 5. Dealers publish the shares they were said to have withheld.
        let answered = openComplaints.filter { $0.dealer == mine }.map(\.complainer)
        let polynomial = polynomial!
        let hash = commitmentHeaders[mine]!.header.bodyHash
        let published = answered.map { receiver in
            DKGShare(session: session, sender: me, receiver: node(receiver), commitmentHash: hash,
                     share: polynomial.evaluate(at: roster.identifier(at: receiver).scalar)).signed(by: context.identity, meter: meter)
        }
        // A dealer may now be dropped; errors that cancelled in this node's aggregated check
        // would then leave its share wrong. Each kept share is checked on its own (only when
        // there were complaints: honest runs never pay for it) and any that fails is published.
        var late = [DKGComplaint]()
        for dealer in 0..<n where dealt[dealer] && !disqualified[dealer] && dealer != mine {
            guard let share = shares[dealer], share.commitmentHash == commitmentHeaders[dealer]!.header.bodyHash else { continue }
            if !VSS.verify(share: share.share, at: roster.identifier(at: mine).scalar, against: commitments[dealer]!.commitment, meter: meter) {
                late.append(.invalidShare(share))
            }
        }
        let signed = DKGJustification(session: session, sender: me, shares: published, lateComplaints: late)
            .signed(by: context.identity, meter: meter)
        justifications[mine] = signed
        effects += enter(.justifications)
        effects.append(.broadcast(.justification(signed), to: others))
        effects.append(.setTimer(.justifications, after: configuration.roundTimeout))
        // Justifications that came before this node knew of the complaints go on now.
        for dealer in 0..<n { effects += relayIfComplained(dealer) }
    }

    /// Fresh: C₀ is not the identity; a transition: C₀ is what the dealing fixes for the dealer.
    func hasRequiredConstant(_ package: DKGCommitments, dealer: Int, _ context: ServiceContext) -> Bool {
        guard let required = configuration.dealing.requiredConstant(of: node(dealer), meter: context.meter, memo: context.memo) else {
            return !package.commitment.publicKey.isIdentity
        }
        return package.commitment.publicKey == required
    }

    func verifyProof(_ package: DKGCommitments, dealer: Int, _ context: ServiceContext) -> Bool {
        let proofContext = Self.proofContext(session: session, identifier: roster.identifier(at: dealer))
        guard let key = configuration.dealing.proofKey(of: node(dealer), in: configuration.roster, package.commitment, meter: context.meter, memo: context.memo) else { return false }
        let check = { (local: CostMeter) in package.proof.verify(publicKey: key, context: proofContext, meter: local) }
        guard let memo = context.memo else { return check(context.meter) }
        return memo.proofs.value(for: [package.signature, package.body, proofContext], meter: context.meter, compute: check)
    }

    /// A complaint that quotes the dealer's signed share: the share decides who lied, judged
    /// only against the round-1 body the dealer named in it. A share naming another body than
    /// a round-1 header the dealer signed convicts the dealer (it signed both), never the
    /// complainer, whichever header this node itself holds.
    mutating func judge(_ complaint: DKGComplaint, in claim: DKGClaim, index: Int, from complainer: Int, _ effects: inout [Effect],
                        _ context: ServiceContext) {
        let meter = context.meter
        let quoted: DKGShare
        var quotedHeader: SignedStatement?
        switch complaint {
        case let .invalidShare(share): quoted = share
        case let .inconsistentShare(share, header):
            quoted = share
            quotedHeader = header
        case .missingShare: return
        }
        guard let dealer = roster.position(of: quoted.sender), dealt[dealer], !disqualified[dealer], dealer != complainer,
              quoted.receiver == node(complainer), quoted.session == session, let package = commitments[dealer] else { return }
        let identifier = roster.identifier(at: complainer)
        let falseComplaint = DKGEvidence.falseComplaint(claim, index: index, package)
        guard quoted.hasValidSignature(configuration.directory, meter: meter, memo: context.memo) else {
            // The complainer signed a complaint around a share the dealer never signed.
            disqualify(complainer, falseComplaint, &effects, exclude: false)
            return
        }
        if let header = quotedHeader {
            if DKGEvidence.isRoundOneHeader(header, of: quoted.sender, in: session), header.header.bodyHash != quoted.commitmentHash,
               header.isValid(configuration.directory, meter: meter, memo: context.memo) {
                disqualify(dealer, .inconsistentShare(quoted, header), &effects)
            } else {
                disqualify(complainer, falseComplaint, &effects, exclude: false)
            }
            return
        }
        let ours = commitmentHeaders[dealer]!
        if quoted.commitmentHash != ours.header.bodyHash {
            disqualify(dealer, .inconsistentShare(quoted, ours), &effects)
        } else if VSS.verify(share: quoted.share, at: identifier.scalar, against: package.commitment, meter: meter) {
            disqualify(complainer, falseComplaint, &effects, exclude: false)
        } else {
            disqualify(dealer, .invalidShare(quoted, package), &effects)
        }
    }

    mutating func completeJustifications(_ effects: inout [Effect], _ context: ServiceContext) {
        let meter = context.meter
        // Late complaints first: a dealer whose bad share cancelled another's is proven so,
        // even if it is about to be dropped for not justifying.
        for sender in participants {
            guard let message = justifications[sender] else {
                markUnresponsive(sender, in: "justifications", &effects)
                continue
            }
            for (index, complaint) in message.lateComplaints.enumerated() {
                judge(complaint, in: .justification(message), index: index, from: sender, &effects, context)
            }
        }
        for (dealer, complainer) in openComplaints where !disqualified[dealer] {
            // No answer, or no entry for this complainer: excluded, but not accused — the
            // dealer may never have seen the complaint.
            guard let justification = justifications[dealer],
                  let share = justification.shares.first(where: { $0.receiver == node(complainer) }) else {
                disqualified[dealer] = true
                markUnresponsive(dealer, in: "justifications", &effects)
                continue
            }
            let identifier = roster.identifier(at: complainer)
            guard share.sender == node(dealer), share.session == session, share.commitmentHash == commitmentHeaders[dealer]!.header.bodyHash,
                  share.hasValidSignature(configuration.directory, meter: meter, memo: context.memo),
                  VSS.verify(share: share.share, at: identifier.scalar, against: commitments[dealer]!.commitment, meter: meter)
            else {
                disqualify(dealer, .invalidJustification(justification, complainer: node(complainer), commitments[dealer]!), &effects)
                continue
            }
            if complainer == mine { shares[dealer] = share }
        }
        finalize(&effects, context)
    }

    mutating func finalize(_ effects: inout [Effect], _ context: ServiceContext) {
        let meter = context.meter
        let qualified = (0..<n).filter { dealt[$0] && !disqualified[$0] && shares[$0] != nil }
        guard qualified.count >= threshold else {
            effects += enter(.failed)
            effects.append(.output(.failed(.tooFewQualified(qualified.count))))
            return
        }
        guard let (secretShare, groupCommitment) = combine(qualified, context) else {
            effects += enter(.failed)
            effects.append(.output(.failed(.tooFewQualified(qualified.filter { configuration.dealing.dealsOldShare(node($0)) }.count))))
            return
        }
        let myIdentifier = roster.identifier(at: mine).scalar
        // The aggregated check covered the dealers heard in round 3; the key uses `qualified`,
        // so check the share this node keeps against its verification share once more.
        let consistent = Point.base(secretShare, meter: meter) == groupCommitment.evaluate(at: myIdentifier, meter: meter)
        if !consistent {
            let culprits = qualified.filter {
                !VSS.verify(share: shares[$0]!.share, at: myIdentifier, against: commitments[$0]!.commitment, meter: meter)
            }
            effects.append(.note("dkg: kept shares from \(culprits.map { node($0).value }) do not match their commitments"))
        }
        var transcript = ByteWriter()
        session.write(&transcript)
        transcript.append(UInt16(qualified.count))
        for dealer in qualified {
            transcript.append(node: node(dealer).value)
            transcript.append(bytes: commitmentHeaders[dealer]!.header.bodyHash)
        }
        let digest = Hashing.sha256(Array("LitSim/v2 DKG transcript".utf8), transcript.bytes, meter: meter)
        agreementDigest = digest
        matchingAgreements = agreements.reduce(0) { $0 + ($1?.digest == digest ? 1 : 0) }
        pendingResult = DKGResult(
            roster: roster, groupPublicKey: groupCommitment.publicKey, qualified: qualified.map(node), groupCommitment: groupCommitment,
            secretShare: secretShare, shareIsConsistent: consistent, transcriptDigest: digest,
            accused: accusations, unresponsive: (0..<n).filter { unresponsive[$0] }.map(node), threshold: threshold)
        // Only a node whose share is consistent vouches for the transcript: every vote is then a
        // node able to sign with the key.
        if consistent {
            let signed = DKGAgreement(session: session, sender: me, digest: digest).signed(by: context.identity, meter: meter)
            agreements[mine] = signed
            matchingAgreements += 1
            effects.append(.broadcast(.agreement(signed), to: others))
        }
        effects += enter(.agreement)
        effects.append(.setTimer(.agreement, after: configuration.roundTimeout))
    }

    /// This node's share and the group commitment from the qualified dealers, by dealing; nil
    /// when a reshare has fewer old members qualified than the old threshold (the key could
    /// not be carried over) or the result would not keep the group key.
    /// Σ of the dealers' commitments (dealers ascending): computed once per run for each set of
    /// dealings, each node charged its full cost.
    func commitmentSum(_ dealers: [Int], _ context: ServiceContext) -> VSSCommitment {
        let compute = { (local: CostMeter) in VSSCommitment.sum(dealers.map { self.commitments[$0]!.commitment }, meter: local) }
        guard let memo = context.memo else { return compute(context.meter) }
        var sessionBytes = ByteWriter()
        session.write(&sessionBytes)
        let key = MemoKey([sessionBytes.bytes] + dealers.map { commitmentHeaders[$0]!.header.bodyHash })
        return memo.commitmentSums.value(for: key, meter: context.meter, compute: compute)
    }

    func combine(_ qualified: [Int], _ context: ServiceContext) -> (Scalar, VSSCommitment)? {
        let meter = context.meter
        switch configuration.dealing {
        case .fresh:
            return (qualified.reduce(Scalar.zero) { $0 + shares[$1]!.share }, commitmentSum(qualified, context))
        case let .refresh(previous):
            guard let old = context.keys.share(configuration.key, epoch: Epoch(session.epoch.value - 1))?.secretShare else { return nil }
            let added = commitmentSum(qualified, context)
            return (qualified.reduce(old) { $0 + shares[$1]!.share }, VSSCommitment.sum([previous, added], meter: meter))
        case let .reshare(previous, _):
            let old = qualified.filter { configuration.dealing.dealsOldShare(node($0)) }
            let newcomers = qualified.filter { !configuration.dealing.dealsOldShare(node($0)) }
            guard old.count >= previous.threshold,
                  let weights = try? Lagrange.coefficients(for: old.map { roster.identifier(at: $0).scalar }, meter: meter) else { return nil }
            var share = Scalar.zero
            for (dealer, weight) in zip(old, weights) { share += weight * shares[dealer]!.share }
            for dealer in newcomers { share += shares[dealer]!.share }
            // The new group commitment is the same for every node with these dealers: computed
            // once per run (each meter pays for it).
            let compute = { (local: CostMeter) -> VSSCommitment in
                var parts = zip(old, weights).map { dealer, weight in
                    VSSCommitment(coefficients: self.commitments[dealer]!.commitment.coefficients.map { $0.multiplied(by: weight, meter: local) })
                }
                parts += newcomers.map { self.commitments[$0]!.commitment }
                return VSSCommitment.sum(parts, meter: local)
            }
            var sessionBytes = ByteWriter()
            session.write(&sessionBytes)
            let key = [sessionBytes.bytes] + qualified.map { commitmentHeaders[$0]!.header.bodyHash }
            let commitment = context.memo.map { $0.reshareCommitments.value(for: MemoKey(key), meter: meter, compute: compute) } ?? compute(meter)
            return commitment.publicKey == previous.publicKey ? (share, commitment) : nil
        }
    }

    /// Answers per peer to its vote requests (it sees one summary from this node, so asks once;
    /// a little slack, never a flood).
    static let voteAnswersPerPeer = 4

    /// A peer's summary of the votes it finished with. This node asks it for the signed votes
    /// of listed voters it still needs (same digest, or no digest of its own yet, while it has
    /// not finished) and of listed voters it holds another vote from (a double vote, proven by
    /// the two).
    mutating func askForVotes(in summary: DKGVoteSummary, from peer: Int, _ effects: inout [Effect], _ context: ServiceContext) {
        // A node that failed before it had a transcript of its own can use no vote.
        let needsVotes = phase != .finished && !(phase == .failed && agreementDigest == nil)
            && (agreementDigest == nil || agreementDigest == summary.digest)
        var wanted: [Int] = []
        for voter in summary.voters.positions where voter < n && voter != mine {
            if let held = agreements[voter] {
                if held.digest != summary.digest { wanted.append(voter) }
            } else if needsVotes {
                wanted.append(voter)
            }
        }
        wanted = wanted.filter { votesAsked.insert([peer, $0]).inserted }
        guard !wanted.isEmpty else { return }
        let request = DKGVoteRequest(session: session, sender: me, voters: PositionSet(wanted, count: n)).signed(by: context.identity, meter: context.meter)
        effects.append(.send(.voteRequest(request), to: .node(node(peer))))
    }

    /// A vote, received or learnt from a certificate. A second vote of one voter for another
    /// digest is proof that it voted twice.
    mutating func receiveVote(_ vote: DKGAgreement, from voter: Int, _ effects: inout [Effect], _ context: ServiceContext) {
        guard let held = agreements[voter] else {
            agreements[voter] = vote
            if vote.digest == agreementDigest { matchingAgreements += 1 }
            // A summary seen earlier that lists this voter for another digest: its vote now proves a double vote.
            for peer in 0..<n {
                guard let summary = summaries[peer], summary.digest != vote.digest, summary.voters.contains(voter),
                      votesAsked.insert([peer, voter]).inserted else { continue }
                let request = DKGVoteRequest(session: session, sender: me, voters: PositionSet([voter], count: n)).signed(by: context.identity, meter: context.meter)
                effects.append(.send(.voteRequest(request), to: .node(node(peer))))
            }
            return
        }
        if held.digest != vote.digest { disqualify(voter, .doubleVote(held, vote), &effects, exclude: false) }
    }

    /// The rule's number of matching votes: output the result and keep the share, unless it is
    /// inconsistent (it would only make invalid signature shares and get this honest node
    /// blamed: it abstains). Then tell the others which votes it finished with.
    mutating func finish(_ context: ServiceContext) -> [Effect] {
        let result = pendingResult!
        var effects = enter(.finished)
        if result.shareIsConsistent {
            context.keys.install(KeyShare(key: configuration.key, roster: roster, identifier: roster.identifier(at: mine),
                                          secretShare: result.secretShare, groupCommitment: result.groupCommitment,
                                          session: session, transcriptDigest: result.transcriptDigest))
        } else {
            effects.append(.note("dkg: this node's share is inconsistent; it will not sign"))
        }
        effects.append(.output(.finished(DKGResult(
            roster: result.roster, groupPublicKey: result.groupPublicKey, qualified: result.qualified, groupCommitment: result.groupCommitment,
            secretShare: result.secretShare, shareIsConsistent: result.shareIsConsistent, transcriptDigest: result.transcriptDigest,
            accused: accusations, unresponsive: result.unresponsive, threshold: result.threshold))))
        let voters = (0..<n).filter { agreements[$0]?.digest == agreementDigest }
        let summary = DKGVoteSummary(session: session, sender: me, digest: agreementDigest ?? result.transcriptDigest, voters: PositionSet(voters, count: n))
            .signed(by: context.identity, meter: context.meter)
        effects.append(.broadcast(.voteSummary(summary), to: others))
        effects.append(.cancelTimer(.agreement))
        return effects
    }

    // MARK: Helpers

    mutating func disqualify(_ position: Int, _ evidence: DKGEvidence, _ effects: inout [Effect], exclude: Bool = true) {
        if exclude { disqualified[position] = true }
        let accusation = Accusation(evidence)
        guard accusationKeys.insert("\(position)|\(evidence.code)").inserted else { return }
        accusations.append(accusation)
        effects.append(.accuse(accusation))
    }

    mutating func markUnresponsive(_ position: Int, in round: String, _ effects: inout [Effect]) {
        guard !unresponsive[position] else { return }
        unresponsive[position] = true
        effects.append(.note("dkg: non-participation complaint against \(node(position).value) in \(round)"))
    }
}
