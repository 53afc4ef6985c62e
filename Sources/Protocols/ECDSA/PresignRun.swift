import ThresholdCrypto

/// How many presignatures each node keeps ready (`protocol.presign_pool`, §1.9). A node leads
/// the presignatures it started: it generates them with every validator of the epoch and hands
/// them out when it is a request's leader. Below `min` it starts generating, up to `max`, with
/// at most `concurrency` generations at once; a failed one is retried after the round timeout,
/// doubling while they keep failing. `max: 0` (the default) disables the pool: every
/// request presigns in real time among its signers (Lit with `max_presign_count = 0`).
public struct PresignPool: Sendable, Equatable {
    public let min: Int
    public let max: Int
    public let concurrency: Int

    public init(min: Int, max: Int, concurrency: Int) {
        self.min = min
        self.max = max
        self.concurrency = concurrency
    }

    public static let disabled = PresignPool(min: 0, max: 0, concurrency: 0)
    public var enabled: Bool { max > 0 && concurrency > 0 }
}

/// One DamFast presigning run as one participant sees it (§1.3): deal five Feldman sharings,
/// then R, W_j and w_j, then ω_j, then k⁻¹ = ω. Every participant must take part; a failed check
/// (§1.4) or a missing peer ends the run, naming a peer only where one is known to be at fault.
/// The same run serves a request's real-time presignature and a pool generation.
struct PresignRun {
    /// Where a run stands after a message or a timeout.
    enum Outcome {
        case pending
        case done(DamFast.PreSignature)
        case failed(ECDSARefusalReason, named: [NodeID], note: String)
    }

    let id: PresignID
    let participants: [NodeID]
    let ids: [Scalar]
    let me: Int
    let parameters: DamFast.Parameters
    let dealing: DamFast.Dealing
    let commitments: DamFast.Commitments
    /// Round 1 sent (a request with a pool waits for its leader's word first).
    private(set) var started = false
    var round1: [NodeID: PresignRound1] = [:]
    var mine: DamFast.Shares?
    var bigR: Point?
    /// Each participant's round 2 (R as it sent it, W_j, w_j), this node's included.
    var round2: [NodeID: (bigR: Point, bigW: Point, w: Scalar)] = [:]
    var omega: Scalar?
    var round3: [NodeID: Scalar] = [:]

    var others: [NodeID] { participants.filter { $0 != participants[me] } }

    /// Nil when the participants cannot presign with this threshold (or this node is not one).
    /// `threshold`: Lit's t (the signers it will sign with), or the paper's key threshold.
    init?(id: PresignID, variant: DamFast.Variant, participants: [NodeID], roster: Roster, threshold: Int, me node: NodeID, _ context: ServiceContext) {
        guard let me = participants.firstIndex(of: node), Set(participants).count == participants.count,
              let parameters = DamFast.Parameters.of(variant, participants: participants.count, threshold: threshold) else { return nil }
        let ids = participants.compactMap { roster.identifier(of: $0)?.scalar }
        guard ids.count == participants.count else { return nil }
        var rng = context.random
        self.id = id
        self.participants = participants
        self.ids = ids
        self.me = me
        self.parameters = parameters
        dealing = DamFast.Dealing.random(parameters, using: &rng)
        commitments = dealing.commitments(meter: context.meter)
    }

    /// Round 1: this node's shares to each other participant.
    mutating func begin(_ context: ServiceContext) -> ([(ECDSAMessage, NodeID)], Outcome) {
        started = true
        let sends = participants.enumerated().filter { $0.offset != me }.map { index, node in
            (ECDSAMessage.round1(PresignRound1(id: id, commitments: commitments, shares: dealing.shares(at: ids[index]))), node)
        }
        let (more, outcome) = advance(context)
        return (sends + more, outcome)
    }

    /// A round message from a participant: kept once per sender and round.
    mutating func receive(_ message: ECDSAMessage, from node: NodeID, _ context: ServiceContext) -> ([(ECDSAMessage, NodeID)], Outcome) {
        guard others.contains(node) else { return ([], .pending) }
        switch message {
        case let .round1(payload):
            guard round1[node] == nil else { return ([], .pending) }
            guard payload.commitments.accepts(payload.shares, at: ids[me], parameters, meter: context.meter) else {
                // The dealer sent this node its shares directly: it alone is at fault (named,
                // though not provably to a third party).
                return ([], .failed(.presignCheckFailed, named: [node], note: "round-1 shares from \(node) fail their commitments"))
            }
            round1[node] = payload
        case let .round2(_, bigR, bigW, w):
            guard round2[node] == nil else { return ([], .pending) }
            // Every participant must have the same R (§1.3, receive round 2; checked in
            // `advance` for one that came before this node knew R).
            if let mine = self.bigR, mine != bigR { return ([], .failed(.presignCheckFailed, named: [], note: "\(node) has another R")) }
            round2[node] = (bigR, bigW, w)
        case let .round3(_, omega):
            guard round3[node] == nil else { return ([], .pending) }
            round3[node] = omega
        default:
            return ([], .pending)
        }
        return advance(context)
    }

    /// Runs every round whose inputs are complete.
    mutating func advance(_ context: ServiceContext) -> ([(ECDSAMessage, NodeID)], Outcome) {
        guard started else { return ([], .pending) }
        let meter = context.meter
        var sends = [(ECDSAMessage, NodeID)]()
        if mine == nil, others.allSatisfy({ round1[$0] != nil }) {
            // Round 2: summed shares, R from every dealer's K commitment, W_j and w_j.
            let received = others.map { round1[$0]! }
            let summed = DamFast.Shares.sum([dealing.shares(at: ids[me])] + received.map(\.shares))
            let bigR = Point.sum([commitments.values[0].publicKey] + received.map { $0.commitments.values[0].publicKey }, meter: meter)
            guard !bigR.isIdentity else { return (sends, .failed(.presignCheckFailed, named: [], note: "R is the identity")) }
            // Another R cannot be pinned on its sender: a round-1 equivocation looks the same.
            if let other = others.first(where: { round2[$0].map { $0.bigR != bigR } ?? false }) {
                return (sends, .failed(.presignCheckFailed, named: [], note: "\(other) has another R"))
            }
            mine = summed
            self.bigR = bigR
            let (bigW, w) = DamFast.round2(summed, r: bigR, meter: meter)
            round2[participants[me]] = (bigR, bigW, w)
            for node in others { sends.append((.round2(id: id, bigR: bigR, bigW: bigW, w: w), node)) }
        }
        if let mine, omega == nil, participants.allSatisfy({ round2[$0] != nil }) {
            // The paper's variant checks the W_j open consistently (it has no round 4 to catch a
            // shifted w_j later).
            if parameters.variant == .paper,
               !DamFast.consistentInExponent(ids: ids, points: participants.map { round2[$0]!.bigW }, coefficients: parameters.m, meter: meter) {
                return (sends, .failed(.presignCheckFailed, named: [], note: "the W_j do not lie on one polynomial"))
            }
            guard let omega = try? DamFast.round3(mine, ids: ids, bigWs: participants.map { round2[$0]!.bigW }, ws: participants.map { round2[$0]!.w },
                                                  meter: meter) else {
                return (sends, .failed(.presignCheckFailed, named: [], note: "w·G ≠ W"))
            }
            // The paper's variant ends here: ω_j = a_j·w⁻¹ is this node's share of k⁻¹, kept.
            if parameters.variant == .paper, let bigR {
                return (sends, .done(DamFast.PreSignature(variant: .paper, id: ids[me], signers: parameters.signers, bigR: bigR, kInverse: omega,
                                                          d: mine.d, e: mine.e)))
            }
            self.omega = omega
            round3[participants[me]] = omega
            for node in others { sends.append((.round3(id: id, omega: omega), node)) }
        }
        if let bigR, let mine, omega != nil, participants.allSatisfy({ round3[$0] != nil }) {
            guard let omega = try? DamFast.round4(ids: ids, omegas: participants.map { round3[$0]! }, r: bigR, meter: meter) else {
                return (sends, .failed(.presignCheckFailed, named: [], note: "ω·R ≠ G"))
            }
            return (sends, .done(DamFast.PreSignature(id: ids[me], signers: parameters.signers, bigR: bigR, kInverse: omega, d: mine.d, e: mine.e)))
        }
        return (sends, .pending)
    }

    /// The participants whose message of the current round has not come.
    var missing: [NodeID] {
        if mine == nil { return others.filter { round1[$0] == nil } }
        if omega == nil { return others.filter { round2[$0] == nil } }
        return others.filter { round3[$0] == nil }
    }
}
