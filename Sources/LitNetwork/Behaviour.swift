import Protocols

/// The Byzantine catalogue (DESIGN.md §5). A node has one behaviour; DKG behaviours leave its
/// signing honest and signing behaviours leave its DKG honest, except `silent`, which is both.
public enum ByzantineBehaviour: Hashable, Sendable {
    case silent
    case dkgBadShare(targets: [Int])
    case dkgBadProof
    case dkgExtraCommitments
    case dkgEquivocate
    case dkgFalseComplaint(targets: [Int])
    case dkgWithholdShare(targets: [Int])
    case badSignatureShare
    case withholdShare
    case equivocateCommitments
    case replayOldMessages
    case delayUntilTimeout
    case corruptBytes

    /// Name, whether it takes `targets`, and the line `litsim behaviours` prints.
    public static let catalogue: [(name: String, takesTargets: Bool, summary: String)] = [
        ("silent", false, "sends nothing at all, in the DKG or when asked to sign"),
        ("dkg-bad-share", true, "DKG: sends wrong shares to its targets (all peers if none); proven by the signed share"),
        ("dkg-bad-proof", false, "DKG: broadcasts a proof of knowledge that does not verify; proven"),
        ("dkg-extra-commitments", false, "DKG: commits to threshold + 1 coefficients (threshold raising); rejected, proven"),
        ("dkg-equivocate", false, "DKG: different commitments and shares to the two halves of its peers; proven by echoes"),
        ("dkg-false-complaint", true, "DKG: claims its targets sent no share; they justify; not provable, so not accused"),
        ("dkg-withhold-share", true, "DKG: sends no share to its targets and never justifies; excluded, not accused"),
        ("bad-signature-share", false, "signing: sends a wrong signature share; the client proves it and retries without it"),
        ("withhold-share", false, "signing: commits but never sends its share; the client times out and retries without it"),
        ("equivocate-commitments", false, "signing: sends different nonce commitments to different co-signers; proven by the client"),
        ("replay-old-messages", false, "signing: replays its messages from the previous request instead of answering"),
        ("delay-until-timeout", false, "signing: holds every message until just before the client's timeout"),
        ("corrupt-bytes", false, "flips bytes in every message it sends (needs network.wire: encoded); receivers drop them"),
    ]

    public var name: String {
        switch self {
        case .silent: "silent"
        case .dkgBadShare: "dkg-bad-share"
        case .dkgBadProof: "dkg-bad-proof"
        case .dkgExtraCommitments: "dkg-extra-commitments"
        case .dkgEquivocate: "dkg-equivocate"
        case .dkgFalseComplaint: "dkg-false-complaint"
        case .dkgWithholdShare: "dkg-withhold-share"
        case .badSignatureShare: "bad-signature-share"
        case .withholdShare: "withhold-share"
        case .equivocateCommitments: "equivocate-commitments"
        case .replayOldMessages: "replay-old-messages"
        case .delayUntilTimeout: "delay-until-timeout"
        case .corruptBytes: "corrupt-bytes"
        }
    }

    /// Builds a behaviour from its catalogue name; nil for an unknown name.
    public init?(name: String, targets: [Int]) {
        switch name {
        case "silent": self = .silent
        case "dkg-bad-share": self = .dkgBadShare(targets: targets)
        case "dkg-bad-proof": self = .dkgBadProof
        case "dkg-extra-commitments": self = .dkgExtraCommitments
        case "dkg-equivocate": self = .dkgEquivocate
        case "dkg-false-complaint": self = .dkgFalseComplaint(targets: targets)
        case "dkg-withhold-share": self = .dkgWithholdShare(targets: targets)
        case "bad-signature-share": self = .badSignatureShare
        case "withhold-share": self = .withholdShare
        case "equivocate-commitments": self = .equivocateCommitments
        case "replay-old-messages": self = .replayOldMessages
        case "delay-until-timeout": self = .delayUntilTimeout
        case "corrupt-bytes": self = .corruptBytes
        default: return nil
        }
    }

    /// What the node does in the DKG.
    public var dkgBehaviour: DKGBehaviour {
        switch self {
        case .silent: .silent
        case let .dkgBadShare(targets): .badShare(targets: targets)
        case .dkgBadProof: .badProof
        case .dkgExtraCommitments: .extraCommitments
        case .dkgEquivocate: .equivocate
        case let .dkgFalseComplaint(targets): .falseComplaint(targets: targets)
        case let .dkgWithholdShare(targets): .withholdShare(targets: targets)
        default: .honest
        }
    }

    /// Whether the misbehaviour leaves evidence that proves it (blame recall counts these).
    public var isProvable: Bool {
        switch self {
        case .dkgBadShare, .dkgBadProof, .dkgExtraCommitments, .dkgEquivocate, .badSignatureShare, .equivocateCommitments: true
        default: false
        }
    }

    var isSigningBehaviour: Bool {
        switch self {
        case .badSignatureShare, .withholdShare, .equivocateCommitments, .replayOldMessages, .delayUntilTimeout: true
        default: false
        }
    }
}
