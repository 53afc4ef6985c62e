import Protocols
import Simulation
import ThresholdCrypto

/// Which FROST flow a run uses (`protocol.signing_flow`).
public enum SigningFlow: String, Sendable, CaseIterable {
    /// Lit's: signers exchange commitments, then each sends its share to the client.
    case lit
    /// RFC 9591 §5: the client collects commitments, sends the signing package, collects shares.
    case coordinator
}

/// What a registration needs to make one node's service for a run.
public struct NodeSetup {
    public let node: NodeID
    public let specification: NetworkSpecification
    /// The genesis DKG's parameters (roster, threshold, identity keys, session).
    public let dkg: DKGConfiguration
    /// The genesis DKGs of further root keys (`protocol.root_keys`).
    public let roots: [DKGConfiguration]
    /// The node's Byzantine behaviour, if any.
    public let behaviour: ByzantineBehaviour?

    /// Every node with the same behaviour as this choice (colluders).
    func sharing(_ choice: BehaviourChoice) -> [NodeID] {
        specification.behaviours.keys.sorted().filter { specification.behaviours[$0]?.name == choice.name }.map(NodeID.init)
    }
}

/// One protocol the nodes can run: its wire type, its Byzantine behaviours, and how a node's
/// service is made. Adding a protocol is a folder under Protocols/ plus one entry in `all`.
public struct ServiceRegistration {
    let protocolName: ProtocolName
    let registerWire: (inout WireRegistry) -> Void
    let behaviours: [BehaviourDescription]
    /// The message kinds it sends (the trace's names).
    let messageKinds: [String]
    /// The node's service, or nil when the run does not use this protocol.
    let make: (NodeSetup) -> AnyServiceHost?

    /// A protocol with no adversaries of its own (`silent` still applies): its service per
    /// node, or nil where the run does not use it.
    public static func service<S: NodeService>(_ type: S.Type, _ make: @escaping (NodeSetup) -> S?) -> ServiceRegistration {
        .make(S.Message.self, behaviours: []) { setup in make(setup).map { hosted($0, setup) { _, _ in nil } } }
    }

    /// The protocols every run registers.
    public static func all() -> [ServiceRegistration] {
        [
            .make(DKGMessage.self, behaviours: DKGAdversary.catalogue) { setup in
                // Genesis and every epoch transition; a DKG behaviour applies to each session.
                let make = { (behaviour: DKGAdversary.Behaviour?) in
                    DKGService(genesis: setup.dkg, roots: setup.roots, directory: setup.dkg.directory, roundTimeout: setup.dkg.roundTimeout,
                               agreement: setup.dkg.agreement, behaviour: behaviour)
                }
                return hosted(make(nil), setup) { _, choice in
                    DKGAdversary.behaviour(for: choice, colluders: setup.sharing(choice)).map { ServiceHost(make($0)) }
                }
            },
            .make(ECDSAMessage.self, behaviours: ECDSAAdversary.catalogue) { setup in
                // Lit's ECDSA (`op: sign-ecdsa`): presignature pools, or one in real time per request.
                hosted(ECDSASigner(roundTimeout: setup.specification.roundTimeout.duration, pool: setup.specification.presignPool,
                                    variant: setup.specification.ecdsaVariant, ignoreConditions: setup.behaviour?.name == DecryptAdversary.ignoreConditions,
                                    rootKeys: setup.specification.rootKeys),
                       setup) { service, choice in
                    ECDSAAdversary.behaviour(for: choice).map { ServiceHost(Adversarial(service, adversary: ECDSAAdversary($0))) }
                }
            },
            .make(DecryptMessage.self, behaviours: DecryptAdversary.catalogue) { setup in
                // Threshold decryption (`op: decrypt`).
                // `ignore-conditions` is the service's own switch: only it knows the ciphertext.
                let ignore = setup.behaviour?.name == DecryptAdversary.ignoreConditions
                return hosted(DecryptService(ignoreConditions: ignore, costs: setup.specification.decryptionCosts), setup) { service, choice in
                    DecryptAdversary.behaviour(for: choice).map { ServiceHost(Adversarial(service, adversary: DecryptAdversary($0))) }
                }
            },
            .make(StakingMessage.self, behaviours: EpochAdversary.catalogue) { setup in
                guard let epochs = setup.specification.epochs else { return nil }
                return hosted(EpochService(pings: epochs.pings, rootKeys: setup.specification.rootKeys), setup) { service, choice in
                    EpochAdversary.behaviour(for: choice).map { ServiceHost(Adversarial(service, adversary: EpochAdversary($0))) }
                }
            },
            .make(ActionMessage.self, behaviours: ActionAdversary.catalogue) { setup in
                // Lit Actions (`op: action`); their signing steps go to the ECDSA signer.
                guard !setup.specification.actions.isEmpty else { return nil }
                return hosted(ActionService(programs: setup.specification.actions), setup) { service, choice in
                    ActionAdversary.behaviour(for: choice).map { ServiceHost(Adversarial(service, adversary: ActionAdversary($0))) }
                }
            },
            .make(HandshakeMessage.self, behaviours: []) { setup in
                hosted(HandshakeService(rootKeys: setup.specification.rootKeys), setup) { _, _ in nil }
            },
            .make(SigningMessage<LitFlow>.self, behaviours: SigningAdversary<LitFlowSigner>.catalogue) { setup in
                guard setup.specification.flow == .lit else { return nil }
                return hosted(LitFlowSigner(roundTimeout: setup.specification.roundTimeout.duration,
                                            plantedNonceReuse: setup.specification.plantedBug == .frostNonceReuse),
                              setup, adversary: signingAdversary)
            },
            .make(SigningMessage<CoordinatorFlow>.self, behaviours: []) { setup in
                guard setup.specification.flow == .coordinator else { return nil }
                return hosted(CoordinatorFlowSigner(roundTimeout: setup.specification.roundTimeout.duration), setup, adversary: signingAdversary)
            },
        ]
    }

    static func make<M: WireMessage>(_ type: M.Type, behaviours: [BehaviourDescription], _ make: @escaping (NodeSetup) -> AnyServiceHost?)
        -> ServiceRegistration {
        ServiceRegistration(protocolName: M.protocolName, registerWire: { $0.register(M.self) }, behaviours: behaviours,
                            messageKinds: M.traceKinds.map { "\($0)" }, make: make)
    }

    /// The service as the node's behaviour makes it: honest, silent, or wrapped by the
    /// protocol's own adversary when the behaviour is one of its.
    static func hosted<S: NodeService>(_ service: S, _ setup: NodeSetup,
                                       adversary: (S, BehaviourChoice) -> AnyServiceHost?) -> AnyServiceHost {
        guard let behaviour = setup.behaviour else { return ServiceHost(service) }
        if behaviour.name == ByzantineBehaviour.silent.name { return ServiceHost(Adversarial(service, adversary: Silent<S>())) }
        return adversary(service, behaviour.choice) ?? ServiceHost(service)
    }

    static func signingAdversary<S: SigningFlowService>(_ service: S, _ choice: BehaviourChoice, clientTimeout: Duration) -> AnyServiceHost? {
        SigningAdversary<S>.behaviour(for: choice, clientTimeout: clientTimeout).map { ServiceHost(Adversarial(service, adversary: SigningAdversary<S>($0))) }
    }

    static func hosted<S: SigningFlowService>(_ service: S, _ setup: NodeSetup,
                                              adversary: (S, BehaviourChoice, Duration) -> AnyServiceHost?) -> AnyServiceHost {
        // Timed to stay under every client's timeout (the shortest of any group with clients).
        let groups = setup.specification.clientGroups.filter { $0.settings.count > 0 }
        let timeout = groups.map(\.settings.timeout).min() ?? setup.specification.clients.timeout
        return hosted(service, setup) { service, choice in adversary(service, choice, timeout.duration) }
    }

    /// The decoders of these protocols.
    static func wireRegistry(_ registrations: [ServiceRegistration] = all()) -> WireRegistry {
        var registry = WireRegistry()
        for registration in registrations { registration.registerWire(&registry) }
        return registry
    }
}

/// Bugs that can be planted on purpose (`testing.planted_bug`): the explorer's tests must find
/// and shrink them. Never in a real scenario.
public enum PlantedBug: String, Sendable, CaseIterable {
    /// A FROST (lit flow) signer answers a repeat of a request it already signed by signing
    /// again with the nonces it used.
    case frostNonceReuse = "frost-nonce-reuse"

    public var summary: String {
        switch self {
        case .frostNonceReuse: "a FROST signer signs a repeated request again with the nonces it already used"
        }
    }
}

/// The Byzantine catalogue (DESIGN.md §5): the behaviours every registered protocol declares,
/// and two that concern the whole node.
public struct ByzantineBehaviour: Hashable, Sendable {
    public let name: String
    public let targets: [Int]
    /// When the behaviour is in force (`at`/`for` in the scenario); nil: the whole run. Outside
    /// it the node acts honestly (its services always compute honestly underneath).
    public var window: TimeWindow?
    /// Generic actions (the explorer's, `drop` ... `replay`): a node may carry several; its
    /// services stay honest and only what it sends is changed.
    public var actions: [MessageAction] = []

    /// A node with generic actions only; its name lists their verbs.
    public static func generic(_ actions: [MessageAction]) -> Self {
        var behaviour = Self(checked: actions.map(\.verb.rawValue).joined(separator: "+"))
        behaviour.actions = actions
        return behaviour
    }

    /// Whether the node misbehaves at `time`.
    public func isActive(at time: SimInstant) -> Bool { window?.contains(time) ?? true }

    /// Sends nothing at all, in any protocol.
    public static let silent = ByzantineBehaviour(checked: "silent")
    /// Flips bytes in every message it sends (with `network.wire: encoded`).
    public static let corruptBytes = ByzantineBehaviour(checked: "corrupt-bytes")
    /// Honest, but its state is the adversary's (safety.key_exposed's ledger).
    public static let compromised = ByzantineBehaviour(checked: "compromised")
    /// Compromised, and keeping every ECDSA presignature it used (with the request's ν) instead
    /// of deleting it: its window's start hands the adversary all it ever presigned.
    public static let keepsPresignatures = ByzantineBehaviour(checked: "keep-presignatures")

    /// Acts honestly; only what the adversary learns from its state differs (the oracles count
    /// it as honest, the ledger as the adversary's).
    public var leaksOnly: Bool { name == Self.compromised.name || name == Self.keepsPresignatures.name }

    /// The nodes of `behaviours` that deviate from the protocol (all but leaking-only ones), ascending.
    public static func deviating(_ behaviours: [Int: ByzantineBehaviour]) -> [Int] {
        behaviours.keys.sorted().filter { behaviours[$0]?.leaksOnly == false }
    }

    static let nodeWide = [
        BehaviourDescription("silent", provable: false, "sends nothing at all, in the DKG or when asked to sign"),
        BehaviourDescription("corrupt-bytes", provable: false,
                             "flips bytes in every message it sends (needs network.wire: encoded); receivers drop them"),
        BehaviourDescription("compromised", provable: false,
                             "acts honestly, but the adversary reads its state (a TEE breach); with at/for, a mobile adversary: safety.key_exposed counts what it collects"),
        BehaviourDescription("keep-presignatures", provable: false,
                             "compromised, and keeps every ECDSA presignature it used instead of deleting it: from its window's start the adversary has the nonce of every signature it ever presigned (Lit relies on deletion in the enclave)"),
    ]

    /// Every behaviour, as `litsim behaviours` lists them.
    public static var catalogue: [BehaviourDescription] { nodeWide + ServiceRegistration.all().flatMap(\.behaviours) + MessageAction.catalogue }

    /// A behaviour from its catalogue name; nil for an unknown name.
    public init?(name: String, targets: [Int] = []) {
        guard Self.catalogue.contains(where: { $0.name == name }) else { return nil }
        self.name = name
        self.targets = targets
    }

    init(checked name: String, targets: [Int] = []) {
        self.name = name
        self.targets = targets
    }

    public var description: BehaviourDescription? { Self.catalogue.first { $0.name == name } }
    /// Whether the misbehaviour leaves evidence that proves it (blame recall counts these).
    public var isProvable: Bool { description?.provable ?? false }
    var choice: BehaviourChoice { BehaviourChoice(name: name, targets: targets.map(NodeID.init)) }

    public static func dkgBadShare(targets: [Int]) -> Self { Self(checked: "dkg-bad-share", targets: targets) }
    public static let dkgBadProof = Self(checked: "dkg-bad-proof")
    public static let dkgExtraCommitments = Self(checked: "dkg-extra-commitments")
    public static let dkgEquivocate = Self(checked: "dkg-equivocate")
    public static func dkgFalseComplaint(targets: [Int]) -> Self { Self(checked: "dkg-false-complaint", targets: targets) }
    public static func dkgWithholdShare(targets: [Int]) -> Self { Self(checked: "dkg-withhold-share", targets: targets) }
    public static let badSignatureShare = Self(checked: "bad-signature-share")
    public static let changeKey = Self(checked: "dkg-change-key")
    public static let withholdShare = Self(checked: "withhold-share")
    public static let equivocateCommitments = Self(checked: "equivocate-commitments")
    public static let replayOldMessages = Self(checked: "replay-old-messages")
    public static let delayUntilTimeout = Self(checked: "delay-until-timeout")
}

extension SimDuration {
    public var duration: Duration { .nanoseconds(nanoseconds) }
}
