import ThresholdCrypto

/// The network key's Schnorr schemes (FROST signs with them; an action's `sign` step names one).
public enum SigningScheme: String, Sendable, CaseIterable {
    /// RFC 9591 FROST(secp256k1, SHA-256).
    case frostSecp256k1 = "frost-secp256k1"
    /// FROST producing BIP-340 signatures.
    case frostTaproot = "frost-taproot"
}

/// One of a node's services asking another of its services to sign a digest on a client's
/// behalf (a Lit Action's signing step asks the node's threshold-ECDSA signer). Protocol
/// folders do not know each other: the host offers the request to every service of the node,
/// and the one that signs `scheme` takes it.
public struct DelegatedSignature: Sendable, Equatable {
    /// The signing scheme ("ecdsa": Lit's threshold ECDSA under a PKP key).
    public let scheme: String
    /// The delegating protocol's attempt, and which of its signatures this is.
    public let origin: AttemptID
    public let index: Int
    public let digest: [UInt8]
    public let keyID: [UInt8]
    public let signers: [NodeID]
    public let nonce: [UInt8]
    /// How long a signer may wait for its peers (the client's cosigner wait).
    public let waitMilliseconds: UInt32
    /// This node will never sign this one (its run ended first): the signer forgets what its
    /// peers sent for it, instead of keeping it for a request that never comes.
    public let declined: Bool

    /// Lit's threshold ECDSA under a PKP key (the ECDSA signer takes these). FROST's schemes
    /// are named by `SigningScheme`'s raw values (the lit-flow FROST signer takes those).
    public static let ecdsa = "ecdsa"
    /// The lit-flow FROST signer, whichever scheme: a declined signature names the signer it
    /// is declined to (both FROST schemes share that signer's attempts), not a scheme.
    public static let frost = "frost"

    /// The signer a scheme's signatures go to: `ecdsa` or `frost`.
    public static func signer(of scheme: String) -> String { scheme == ecdsa ? ecdsa : frost }

    /// Signatures one attempt may delegate.
    public static let maximumPerAttempt = 16

    /// Whether an attempt number leaves room for the signature index (callers check first).
    public static func fits(_ origin: AttemptID) -> Bool { origin.attempt < 1 << 28 }

    public init(scheme: String, origin: AttemptID, index: Int, digest: [UInt8], keyID: [UInt8], signers: [NodeID], nonce: [UInt8],
                waitMilliseconds: UInt32, declined: Bool = false) {
        precondition((0..<Self.maximumPerAttempt).contains(index) && Self.fits(origin), "at most 16 signatures per attempt")
        self.declined = declined
        self.scheme = scheme
        self.origin = origin
        self.index = index
        self.digest = digest
        self.keyID = keyID
        self.signers = signers
        self.nonce = nonce
        self.waitMilliseconds = waitMilliseconds
    }

    /// The same digest signed by someone else's choosing (an adversary's rewrite).
    public func with(digest: [UInt8]) -> Self {
        Self(scheme: scheme, origin: origin, index: index, digest: digest, keyID: keyID, signers: signers, nonce: nonce, waitMilliseconds: waitMilliseconds,
             declined: declined)
    }

    /// The attempt the signing protocol runs it under: the origin's client request number,
    /// its attempt number times 16 plus the index — one presignature and one "handled" entry
    /// per signature, never shared with another request (request numbers are the client's).
    public func attempt(in protocolName: ProtocolName) -> AttemptID {
        let session = SessionID(protocolName: protocolName, epoch: origin.session.epoch, initiator: origin.session.initiator, counter: origin.request)
        return AttemptID(session: session, attempt: origin.attempt << 4 | UInt32(index))
    }

    /// The delegating attempt (of `protocolName`) and signature index a signing attempt
    /// made by `attempt(in:)` belongs to.
    public static func origin(of attempt: AttemptID, delegatedBy protocolName: ProtocolName) -> (attempt: AttemptID, index: Int) {
        let session = SessionID(protocolName: protocolName, epoch: attempt.session.epoch, initiator: attempt.session.initiator, counter: attempt.request)
        return (AttemptID(session: session, attempt: attempt.attempt >> 4), Int(attempt.attempt & 15))
    }
}
