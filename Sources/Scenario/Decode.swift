import Foundation
import LitNetwork
import Protocols
import Simulation
import ThresholdCrypto
import Yams

extension ScenarioLoader {
    static let topKeys = ["name", "description", "seed", "stop", "network", "nodes", "protocol", "clients", "workload",
                          "faults", "byzantine", "expect", "sweep", "epochs", "membership", "kicking", "chains", "rpc", "chain_events",
                          "testing", "actions"]

    /// Keys `--set` and `sweep:` can change (whole lists included).
    public static let overridablePaths = [
        "name", "description", "seed", "stop",
        "network.nodes", "network.validators", "network.threshold", "network.latency", "network.latency.distribution", "network.latency.mean",
        "network.latency.stddev", "network.latency.min", "network.latency.max", "network.latency.value",
        "network.latency.jitter", "network.latency.matrix", "network.bandwidth", "network.loss", "network.duplicate", "network.reorder",
        "network.wire", "network.retransmit", "network.identifiers",
        "nodes.cpu", "nodes.slow", "nodes.cost_profile",
        "protocol.dkg", "protocol.dkg_agreement", "protocol.signing", "protocol.signing_flow", "protocol.round_timeout",
        "protocol.ecdsa", "protocol.root_keys", "protocol.presign_pool", "protocol.presign_pool.min", "protocol.presign_pool.max", "protocol.presign_pool.concurrency",
        "clients.count", "clients.timeout", "clients.retries", "clients.retries_on_invalid_shares", "clients.region",
        "clients.selection", "clients.cooldown", "clients.cosigner_wait", "clients.over_request", "clients.groups",
        "clients.stale_epoch_for",
        "workload", "faults", "byzantine",
        "epochs", "epochs.length", "epochs.vote_to_advance_timeout", "epochs.max_retries", "epochs.keep_previous", "membership", "kicking",
        "kicking.ping_interval",
        "chains", "rpc", "rpc.lag_blocks", "rpc.latency", "chain_events", "testing.planted_bug",
    ]

    static func decode(_ root: Located, reader r: Reader) -> Scenario? {
        let top = r.mapping(root, path: "", allowed: topKeys)
        guard r.diagnostics.isEmpty || !top.isEmpty else { return nil }
        let nameNode = r.child(top, "name", path: "")
        var name = ""
        if let nameNode, let text = r.scalar(nameNode, path: "name", expected: "a name") {
            if text.isEmpty || text.count > 100 || !text.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) || text.hasPrefix(".") {
                r.error(nameNode, "`name` is used in output paths: 1 to 100 letters, digits, '-', '_' or '.', not starting with '.'; got `\(text)`")
            } else {
                name = text
            }
        } else if nameNode == nil {
            r.error(root, "missing `name` (used in output paths, e.g. `name: naga-10`)")
        }
        let description = r.child(top, "description", path: "").flatMap { r.scalar($0, path: "description", expected: "text") } ?? ""
        let seed = r.seed(r.child(top, "seed", path: ""), path: "seed", default: 1)
        let stopNode = r.child(top, "stop", path: "")
        let stop = r.duration(stopNode, path: "stop", default: .seconds(300), allowZero: false)
        let access = accessSpecification(top, stop: stop, reader: r)
        let chainNames = access?.chains.map(\.name) ?? []
        let (actionPrograms, externalSources, actionSecrets) = actionPrograms(r.child(top, "actions", path: ""), files: actionFiles(top, reader: r), chains: chainNames,
                                                                     stop: stop, reader: r)
        let actionNames = actionPrograms.map(\.name)

        // network
        let network = r.mapping(r.child(top, "network", path: ""), path: "network",
                                allowed: ["nodes", "validators", "threshold", "latency", "bandwidth", "loss", "duplicate", "reorder", "wire", "retransmit",
                                          "identifiers"])
        let nodesNode = r.child(network, "nodes", path: "network")
        let n = r.integer(nodesNode, path: "network.nodes", default: 10, range: 2...1000)
        if n > 256 {
            // Each node sends its dealing (t commitments) and shares to every other: about 33·n²·t
            // bytes in all (reports/benchmarks/dkg-scale.txt), t taken at Lit's 2n/3 here.
            let gigabytes = 33 * Double(n) * Double(n) * Double(2 * n / 3) / 1e9
            r.warning(nodesNode, "\(n) nodes: the DKG alone sends about \(String(format: "%.1f", gigabytes)) GB and every node checks n dealings; expect a long run")
        }
        // Genesis validators: all nodes, the first k, or a list (the others wait to be staked).
        let epochsNode = r.child(top, "epochs", path: "")
        let validatorsNode = r.child(network, "validators", path: "network")
        var validators = Array(0..<n)
        if let validatorsNode {
            if epochsNode == nil { r.error(validatorsNode, "`network.validators` needs `epochs` (without epochs every node is a validator)") }
            if case .sequence = validatorsNode.node {
                validators = Array(Set(r.nodeIDs(validatorsNode, path: "network.validators", count: n))).sorted()
            } else {
                validators = Array(0..<r.integer(validatorsNode, path: "network.validators", default: n, range: 2...n))
            }
            if validators.count < 2 { r.error(validatorsNode, "`network.validators` needs at least two validators") }
        }
        let thresholdNode = r.child(network, "threshold", path: "network")
        let threshold = thresholdRule(thresholdNode, nodes: validators.count, reader: r)
        let t = threshold.threshold(nodes: validators.count)
        if t < 1 || t > validators.count {
            r.error(thresholdNode ?? nodesNode ?? root, "`network.threshold` gives \(t) signers of \(validators.count) validators; it must be between 1 and network.nodes (or network.validators, with epochs)")
        }

        // protocol
        let proto = r.mapping(r.child(top, "protocol", path: ""), path: "protocol", allowed: ["dkg", "dkg_agreement", "signing", "signing_flow", "round_timeout",
                                                                                                            "ecdsa", "presign_pool", "root_keys"])
        _ = r.choice(r.child(proto, "dkg", path: "protocol"), path: "protocol.dkg", default: "pedpop", allowed: ["pedpop"])
        let scheme = SigningScheme(rawValue: r.choice(r.child(proto, "signing", path: "protocol"), path: "protocol.signing",
                                                      default: "frost-secp256k1", allowed: SigningScheme.allCases.map(\.rawValue)))!
        let flow = SigningFlow(rawValue: r.choice(r.child(proto, "signing_flow", path: "protocol"), path: "protocol.signing_flow",
                                                  default: "lit", allowed: SigningFlow.allCases.map(\.rawValue)))!
        if flow == .coordinator, let flowNode = r.child(proto, "signing_flow", path: "protocol"),
           let program = actionPrograms.first(where: { $0.frostSignatureSteps > 0 }) {
            // An action's signers each sign the digest they computed: the client cannot build one
            // signing package for them, so `sign` steps go through Lit's flow.
            r.error(flowNode,
                    "action `\(program.name)` has a `sign` step, which needs `protocol.signing_flow: lit` (each signer signs the message it computed, so the client cannot choose one signing package)")
        }
        let roundTimeout = r.duration(r.child(proto, "round_timeout", path: "protocol"), path: "protocol.round_timeout",
                                      default: .seconds(30), allowZero: false)
        let presignPool = presignPoolSpecification(r.child(proto, "presign_pool", path: "protocol"), reader: r)
        let rootKeys = r.integer(r.child(proto, "root_keys", path: "protocol"), path: "protocol.root_keys", default: 1, range: 1...8)
        let ecdsaNode = r.child(proto, "ecdsa", path: "protocol")
        let ecdsaVariant = DamFast.Variant(rawValue: r.choice(ecdsaNode, path: "protocol.ecdsa", default: DamFast.Variant.lit.rawValue,
                                                              allowed: DamFast.Variant.allCases.map(\.rawValue))) ?? .lit
        if ecdsaVariant == .paper, let ecdsaNode {
            // The paper's signing needs 2t − 1 signers for a key of threshold t (n ≥ 2t + 1 for
            // its degree t − 1): an honest-majority threshold.
            let t = threshold.threshold(nodes: validators.count)
            if t < 2 || 2 * t - 1 > validators.count {
                r.error(ecdsaNode, "`protocol.ecdsa: damfast-paper` signs with 2·threshold − 1 nodes: threshold \(t) of \(validators.count) validators would need \(2 * t - 1); set `network.threshold` to at most \((validators.count + 1) / 2)")
            }
        }
        let agreementNode = r.child(proto, "dkg_agreement", path: "protocol")
        let agreement = DKGAgreementRule(rawValue: r.choice(agreementNode, path: "protocol.dkg_agreement", default: "quorum",
                                                            allowed: DKGAgreementRule.allCases.map(\.rawValue))) ?? .quorum
        if agreement == .threshold {
            r.warning(agreementNode, "`dkg_agreement: threshold` is unsafe: two groups of `threshold` nodes need not share an honest node, so the key can split (kept to reproduce that)")
        }

        // testing: a bug planted on purpose, for the explorer's own tests
        let testing = r.mapping(r.child(top, "testing", path: ""), path: "testing", allowed: ["planted_bug"])
        let plantedNode = r.child(testing, "planted_bug", path: "testing")
        let plantedBug = plantedNode.map {
            PlantedBug(rawValue: r.choice($0, path: "testing.planted_bug", default: "", allowed: PlantedBug.allCases.map(\.rawValue)))
        } ?? nil
        if let plantedBug { r.warning(plantedNode, "TESTING ONLY: `\(plantedBug.rawValue)` plants a bug in the nodes (\(plantedBug.summary))") }

        // clients (read early: the latency model places them)
        let clients = r.mapping(r.child(top, "clients", path: ""), path: "clients", allowed: clientKeys + ["groups"])
        let clientSpecification = clientSettings(clients, path: "clients", inheriting: nil, flow: flow, reader: r)
        // Further groups: each inherits the scenario's client settings and states its own count.
        var groups = [ClientGroup]()
        // Where each group's clients are: its own `region`, else the scenario's `clients.region`.
        var clientRegions: [(region: Located?, path: String, count: Int)] = [(r.child(clients, "region", path: "clients"), "clients.region", clientSpecification.count)]
        for (index, entry) in r.list(r.child(clients, "groups", path: "clients"), path: "clients.groups").enumerated() {
            let path = "clients.groups[\(index)]"
            let fields = r.mapping(entry, path: path, allowed: ["name", "workload"] + clientKeys)
            if r.child(fields, "count", path: path) == nil { r.error(entry, "`\(path).count` is required: how many clients the group has") }
            var groupName = "group\(index + 1)"
            if let nameNode = r.child(fields, "name", path: path), let text = r.scalar(nameNode, path: "\(path).name", expected: "a name") {
                if text.isEmpty || text.count > 40 || !text.allSatisfy({ $0.isLetter || $0.isNumber || "-_".contains($0) }) || text == "main"
                    || groups.contains(where: { $0.name == text }) {
                    r.error(nameNode, "`\(path).name` must be 1 to 40 letters, digits, '-' or '_', unique and not `main`; got `\(text)`")
                } else {
                    groupName = text
                }
            }
            let settings = clientSettings(fields, path: path, inheriting: clientSpecification, flow: flow, reader: r)
            let workload = workloadSpecifications(r.child(fields, "workload", path: path), path: "\(path).workload", chains: chainNames, actions: actionNames, reader: r)
            if workload.contains(where: { $0.count > 0 }), settings.count == 0 {
                r.error(r.child(fields, "workload", path: path) ?? entry, "`\(path).workload` has requests but the group has no clients")
            }
            groups.append(ClientGroup(name: groupName, settings: settings, workloads: workload))
            clientRegions.append((r.child(fields, "region", path: path), "\(path).region", settings.count))
        }
        let clientCount = clientSpecification.count + groups.reduce(0) { $0 + $1.settings.count }
        if clientCount > 1000 { r.error(r.child(top, "clients", path: "") ?? root, "\(clientCount) clients over all groups; at most 1000") }

        let latency = latencyModel(r.child(network, "latency", path: "network"), nodes: n, clientRegions: clientRegions,
                                   chain: epochsNode != nil, reader: r)
        let bandwidth = bandwidthValue(r.child(network, "bandwidth", path: "network"), reader: r)
        let loss = r.probability(r.child(network, "loss", path: "network"), path: "network.loss", default: .never)
        let duplicate = r.probability(r.child(network, "duplicate", path: "network"), path: "network.duplicate", default: .never)
        let reorder = r.bool(r.child(network, "reorder", path: "network"), path: "network.reorder", default: false)
        let wireNode = r.child(network, "wire", path: "network")
        let wireEncoded = r.choice(wireNode, path: "network.wire", default: "typed", allowed: ["typed", "encoded"]) == "encoded"
        let retransmitNode = r.child(network, "retransmit", path: "network")
        var retransmit: SimDuration? = .milliseconds(200)
        if let retransmitNode, retransmitNode.text == "none" { retransmit = nil } else if retransmitNode != nil {
            retransmit = r.duration(retransmitNode, path: "network.retransmit", default: .milliseconds(200), allowZero: false)
        }

        // nodes
        let nodes = r.mapping(r.child(top, "nodes", path: ""), path: "nodes", allowed: ["cpu", "slow", "cost_profile"])
        let costProfile = DecryptionCostProfile(rawValue: r.choice(r.child(nodes, "cost_profile", path: "nodes"), path: "nodes.cost_profile",
                                                                   default: "secp256k1", allowed: DecryptionCostProfile.allCases.map(\.rawValue))) ?? .secp256k1
        let costTable = cpuModel(r.child(nodes, "cpu", path: "nodes"), file: root.file, reader: r)
        var cpuFactors = [Int: Int64]()
        for (index, entry) in r.list(r.child(nodes, "slow", path: "nodes"), path: "nodes.slow").enumerated() {
            let path = "nodes.slow[\(index)]"
            let fields = r.mapping(entry, path: path, allowed: ["nodes", "factor"])
            guard let factorNode = r.child(fields, "factor", path: path), let listNode = r.child(fields, "nodes", path: path) else {
                r.error(entry, "`\(path)` needs `nodes` and `factor`, e.g. { nodes: [4], factor: 3.0 }")
                continue
            }
            guard let text = r.scalar(factorNode, path: "\(path).factor", expected: "a number"),
                  let decimal = Decimal64(parsing: text), let permille = decimal.scaled(by: 1000), permille >= 100, permille <= 1_000_000 else {
                r.error(factorNode, "`\(path).factor` must be a number from 0.1 to 1000 (how many times slower), got `\(factorNode.text ?? factorNode.kind)`")
                continue
            }
            for node in r.nodeIDs(listNode, path: "\(path).nodes", count: n) {
                if cpuFactors[node] != nil { r.error(listNode, "node \(node) is listed in more than one `nodes.slow` entry") }
                cpuFactors[node] = permille
            }
        }

        // workload
        let workloads = workloadSpecifications(r.child(top, "workload", path: ""), path: "workload", chains: chainNames, actions: actionNames, reader: r)
        if workloads.contains(where: { $0.count > 0 }), clientSpecification.count == 0 {
            r.error(r.child(top, "workload", path: ""), "`workload` has requests but `clients.count` is 0")
        }

        // faults
        var breaches: [(nodes: [Int], window: TimeWindow, located: Located)] = []
        let faults = faultSchedule(r.child(top, "faults", path: ""), nodes: n, endpoints: n + clientCount, stop: stop, reader: r, breaches: &breaches)

        // byzantine
        var behaviours = [Int: ByzantineBehaviour]()
        let byzantineNode = r.child(top, "byzantine", path: "")
        for (index, entry) in r.list(byzantineNode, path: "byzantine").enumerated() {
            let path = "byzantine[\(index)]"
            let fields = r.mapping(entry, path: path, allowed: ["nodes", "behaviour", "targets", "at", "for", "kind", "delay"])
            let behaviourNode = r.child(fields, "behaviour", path: path)
            let names = ByzantineBehaviour.catalogue.map(\.name)
            guard let behaviourNode, r.child(fields, "nodes", path: path) != nil else {
                r.error(entry, "`\(path)` needs `nodes` and `behaviour`, e.g. { nodes: [7], behaviour: bad-signature-share }")
                continue
            }
            let name = r.choice(behaviourNode, path: "\(path).behaviour", default: "", allowed: names)
            let targetsNode = r.child(fields, "targets", path: path)
            let targets = r.nodeIDs(targetsNode, path: "\(path).targets", count: n)
            if targetsNode != nil, let entry = ByzantineBehaviour.catalogue.first(where: { $0.name == name }), !entry.takesTargets {
                r.error(targetsNode, "`\(name)` takes no `targets`")
            }
            let window = byzantineWindow(fields, path: path, stop: stop, reader: r)
            if let verb = MessageAction.Verb(rawValue: name) {
                // Generic actions compose: a node may carry several, and nothing else.
                guard let action = messageAction(verb, fields, targets: targets, window: window, path: path, entry: entry, reader: r) else { continue }
                for node in r.nodeIDs(r.child(fields, "nodes", path: path), path: "\(path).nodes", count: n) {
                    if let held = behaviours[node], held.actions.isEmpty {
                        r.error(entry, "node \(node) has a Byzantine behaviour (`\(held.name)`) and generic actions; give it one or the other")
                        continue
                    }
                    if verb == .equivocate, behaviours[node]?.actions.contains(where: { $0.verb == .equivocate }) == true {
                        r.error(entry, "node \(node) has two `equivocate` actions; a node has one twin")
                        continue
                    }
                    var own = action
                    own.targets = action.targets.filter { $0 != node }
                    if !action.targets.isEmpty, own.targets.isEmpty {
                        r.error(entry, "`\(path).targets` names only node \(node) itself")
                        continue
                    }
                    behaviours[node] = .generic((behaviours[node]?.actions ?? []) + [own])
                }
                continue
            }
            for field in ["kind", "delay"] {
                if let extra = r.child(fields, field, path: path) { r.error(extra, "`\(field)` is for the generic actions (\(MessageAction.Verb.allCases.map(\.rawValue).joined(separator: ", "))), not `\(name)`") }
            }
            for node in r.nodeIDs(r.child(fields, "nodes", path: path), path: "\(path).nodes", count: n) {
                if behaviours[node] != nil { r.error(entry, "node \(node) has more than one Byzantine behaviour") }
                if var behaviour = ByzantineBehaviour(name: name, targets: targets.filter { $0 != node }) {
                    behaviour.window = window
                    behaviours[node] = behaviour
                }
                if name == "corrupt-bytes", !wireEncoded {
                    r.error(behaviourNode, "`corrupt-bytes` needs `network.wire: encoded` (typed messages have no bytes to corrupt)")
                }
            }
        }
        for breach in breaches {
            for node in breach.nodes {
                if behaviours[node] != nil { r.error(breach.located, "node \(node) has more than one Byzantine behaviour (a tee_breach makes it `compromised`)") }
                var compromised = ByzantineBehaviour.compromised
                compromised.window = breach.window
                behaviours[node] = compromised
            }
        }
        // Compromised nodes act honestly: only deviating ones count against the margins (the
        // mobile adversary's ledger, safety.key_exposed, measures what compromised ones leak).
        let deviating = behaviours.values.filter { !$0.leaksOnly }.count
        if deviating > n - t, t >= 1, t <= n {
            r.warning(byzantineNode, "\(deviating) Byzantine nodes exceed n − threshold = \(n - t): the network is not expected to tolerate them")
        } else if agreement == .quorum, deviating > (n - 1) / 3 {
            r.warning(byzantineNode, "\(deviating) Byzantine nodes exceed f = ⌊(n − 1)/3⌋ = \((n - 1) / 3): the DKG's quorum rule is safe only below n/3")
        }

        // expectations
        var expectations = [Expectation]()
        let expectNode = r.child(top, "expect", path: "")
        for (metric, condition) in r.mapping(expectNode, path: "expect", allowed: knownMetrics) {
            if let expectation = expectationValue(metric: metric, condition, reader: r) { expectations.append(expectation) }
        }

        // sweep
        var sweep = [SweepAxis]()
        let sweepNode = r.child(top, "sweep", path: "")
        if let sweepNode, case let .mapping(pairs) = sweepNode.node {
            // Node.Mapping keeps file order.
            for (keyNode, valueNode) in pairs {
                let key = Located(node: keyNode, file: sweepNode.file)
                let value = Located(node: valueNode, file: sweepNode.file)
                guard let path = keyNode.scalar?.string else { continue }
                guard isOverridable(path) else {
                    let hint = closestMatch(to: path, in: overridablePaths).map { "; did you mean `\($0)`?" } ?? ""
                    r.error(key, "`sweep.\(path)` is not a key that can be swept\(hint)")
                    continue
                }
                if let values = sweepValues(value, path: "sweep.\(path)", reader: r) { sweep.append(SweepAxis(path: path, values: values)) }
            }
            let points = sweep.reduce(1) { $0 * $1.values.count }
            if points > 10_000 { r.error(sweepNode, "`sweep` expands to \(points) points; at most 10000") }
        } else if let sweepNode {
            r.error(sweepNode, "`sweep` must be a mapping from key paths to lists or ranges, got \(sweepNode.kind)")
        }

        guard !r.hasErrors else { return nil }
        let model = NetworkModel(latency: latency, uplinkBitsPerSecond: bandwidth, loss: loss, duplicate: duplicate, reorder: reorder,
                                 retransmission: retransmit)
        var specification = NetworkSpecification(
            nodes: n, threshold: threshold, seed: seed, network: model, faults: faults, roundTimeout: roundTimeout,
            behaviours: behaviours, costTable: costTable, cpuFactorsPermille: cpuFactors,
            clients: clientSpecification, workloads: workloads, scheme: scheme, flow: flow, stop: stop, wireEncoded: wireEncoded)
        specification.extraClientGroups = groups
        specification.dkgAgreement = agreement
        specification.plantedBug = plantedBug
        specification.presignPool = presignPool
        specification.identifiers = IdentifierScheme(rawValue: r.choice(r.child(network, "identifiers", path: "network"), path: "network.identifiers",
                                                                        default: "sequential", allowed: IdentifierScheme.allCases.map(\.rawValue))) ?? .sequential
        specification.ecdsaVariant = ecdsaVariant
        specification.rootKeys = rootKeys
        specification.access = access
        specification.actions = actionPrograms
        specification.actionSecrets = actionSecrets
        specification.externalSources = externalSources
        specification.decryptionCosts = costProfile
        if ecdsaVariant == .paper, let ecdsaNode, r.child(top, "membership", path: "") != nil || r.child(top, "kicking", path: "") != nil {
            // Checked at genesis above; a later validator set with 2·threshold − 1 > its size
            // signs no ECDSA request (every one fails too-few-nodes) until it grows again.
            r.warning(ecdsaNode, "`damfast-paper` needs 2·threshold − 1 signers in every epoch: an epoch whose validator set is smaller than that signs no ECDSA request")
        }
        specification.epochs = epochSpecification(epochsNode, membership: r.child(top, "membership", path: ""), kicking: r.child(top, "kicking", path: ""),
                                                  validators: validators, nodes: n, stop: stop, reader: r)
        var scenario = Scenario(file: root.file, name: name, description: description, specification: specification,
                                expectations: expectations, sweep: sweep, warnings: r.diagnostics.filter { $0.severity == .warning })
        scenario.includedFiles = r.includedFiles
        return scenario
    }

    /// `protocol.presign_pool: {min, max, concurrency}`: how many presignatures each node leads
    /// (absent: no pool, every ECDSA request presigns in real time).
    static func presignPoolSpecification(_ located: Located?, reader r: Reader) -> PresignPool {
        guard let located else { return .disabled }
        let fields = r.mapping(located, path: "protocol.presign_pool", allowed: ["min", "max", "concurrency"])
        let max = r.integer(r.child(fields, "max", path: "protocol.presign_pool"), path: "protocol.presign_pool.max", default: 25, range: 0...10_000)
        let min = r.integer(r.child(fields, "min", path: "protocol.presign_pool"), path: "protocol.presign_pool.min", default: Swift.min(10, max),
                            range: 0...10_000)
        let concurrency = r.integer(r.child(fields, "concurrency", path: "protocol.presign_pool"), path: "protocol.presign_pool.concurrency",
                                    default: 2, range: 1...100)
        if min > max { r.error(r.child(fields, "min", path: "protocol.presign_pool") ?? located, "`protocol.presign_pool.min` (\(min)) is above `max` (\(max))") }
        return PresignPool(min: min, max: max, concurrency: concurrency)
    }

    static func thresholdRule(_ located: Located?, nodes: Int, reader r: Reader) -> ThresholdRule {
        guard let located, let text = r.scalar(located, path: "network.threshold", expected: "lit, an integer or a fraction") else { return .lit }
        if text == "lit" { return .lit }
        if let value = Int(text) { return .fixed(value) }
        let parts = text.split(separator: "/")
        if parts.count == 2, let numerator = Int(parts[0]), let denominator = Int(parts[1]), denominator > 0, numerator > 0, numerator <= denominator {
            return .fraction(numerator: numerator, denominator: denominator)
        }
        r.error(located, "`network.threshold` must be `lit`, an integer or a fraction such as \"2/3\"; got `\(text)`")
        return .lit
    }

    /// - Parameter clientRegions: per client group in client order, its `region` node (nil:
    ///   the first group's), the key's path, and how many clients it has.
    /// - Parameter chain: whether the run has the staking contract's chain endpoint (after the
    ///   clients; with regions it is in the first region).
    static func latencyModel(_ located: Located?, nodes n: Int, clientRegions: [(region: Located?, path: String, count: Int)], chain: Bool,
                             reader r: Reader) -> NetworkModel.Latency
    {
        let fallback = LatencyDistribution.lognormal(mean: .milliseconds(40), standardDeviation: .milliseconds(10), minimum: .milliseconds(1))
        func noRegions() {
            for group in clientRegions { if let node = group.region { r.error(node, "`\(group.path)` needs `network.latency.distribution: regions`") } }
        }
        guard let located else {
            noRegions()
            return .distribution(fallback)
        }
        let path = "network.latency"
        let fields = r.mapping(located, path: path, allowed: ["distribution", "mean", "stddev", "min", "max", "value", "regions", "jitter", "matrix"])
        let kinds = ["constant", "uniform", "normal", "lognormal", "exponential", "regions"]
        let kind = r.choice(r.child(fields, "distribution", path: path), path: "\(path).distribution", default: "lognormal", allowed: kinds)
        func duration(_ key: String, _ value: SimDuration) -> SimDuration {
            r.duration(r.child(fields, key, path: path), path: "\(path).\(key)", default: value)
        }
        func forbid(_ keys: [String]) {
            for key in keys { if let node = r.child(fields, key, path: path) { r.error(node, "`\(path).\(key)` does not apply to `\(kind)`") } }
        }
        if kind != "regions" {
            noRegions()
            forbid(["matrix"])
        }
        switch kind {
        case "constant":
            forbid(["mean", "stddev", "min", "max", "regions", "jitter"])
            return .distribution(.constant(duration("value", .milliseconds(40))))
        case "uniform":
            forbid(["mean", "stddev", "value", "regions", "jitter"])
            let low = duration("min", .milliseconds(20)), high = duration("max", .milliseconds(60))
            if high < low { r.error(r.child(fields, "max", path: path) ?? located, "`\(path).max` is below `min`") }
            return .distribution(.uniform(min: low, max: high))
        case "normal", "lognormal", "exponential":
            forbid(["max", "value", "regions", "jitter"])
            let mean = duration("mean", .milliseconds(40)), minimum = duration("min", .milliseconds(1))
            if mean.nanoseconds == 0 { r.error(r.child(fields, "mean", path: path) ?? located, "`\(path).mean` must be above zero") }
            if kind == "exponential" {
                forbid(["stddev"])
                return .distribution(.exponential(mean: mean, minimum: minimum))
            }
            let deviation = duration("stddev", .milliseconds(10))
            return .distribution(kind == "normal" ? .normal(mean: mean, standardDeviation: deviation, minimum: minimum)
                                                  : .lognormal(mean: mean, standardDeviation: deviation, minimum: minimum))
        default:
            forbid(["mean", "stddev", "min", "max", "value"])
            let jitter = duration("jitter", .zero)
            let regionsNode = r.child(fields, "regions", path: path)
            guard let regionsNode else {
                r.error(located, "`\(path).regions` is required: a mapping from region name to node ids")
                return .distribution(fallback)
            }
            let custom = customLatencies(r.child(fields, "matrix", path: path), reader: r)
            var names = [String]()
            let clients = clientRegions.reduce(0) { $0 + $1.count }
            var regionOf = Array(repeating: -1, count: n + clients + (chain ? 1 : 0))
            // A region is a list of node ids, a count (`4`), a share of n (`1/3`, `30%`,
            // rounded down) or `rest`. Lists claim their ids first; counts then take the lowest
            // free ids in file order; `rest` takes what is left. So `network.nodes` can be
            // overridden or swept without rewriting the regions.
            var counted: [(region: Int, count: Int?, located: Located)] = []
            let known = BuiltInRegions.names + custom.names.filter { !BuiltInRegions.names.contains($0) }
            for (name, value) in r.mapping(regionsNode, path: "\(path).regions", allowed: known) {
                let region = names.count
                names.append(name)
                if case .sequence = value.node {
                    for node in r.nodeIDs(value, path: "\(path).regions.\(name)", count: n) {
                        if regionOf[node] >= 0 { r.error(value, "node \(node) is in two regions") }
                        regionOf[node] = region
                    }
                } else if let text = r.scalar(value, path: "\(path).regions.\(name)", expected: "node ids, a count, a share of n or `rest`") {
                    guard let count = Self.regionSize(text, nodes: n) else {
                        r.error(value, "`\(path).regions.\(name)` is `\(text)`; expected a list of node ids, a count (4), a share of n (1/3, 30%) or `rest`")
                        continue
                    }
                    counted.append((region, count, value))
                }
            }
            if counted.filter({ $0.count == nil }).count > 1 {
                r.error(regionsNode, "only one region can take the `rest` of the nodes")
            }
            var free = (0..<n).filter { regionOf[$0] < 0 }
            for entry in counted {
                guard let count = entry.count else { continue }
                guard count <= free.count else {
                    r.error(entry.located, "\(count) nodes asked for, but only \(free.count) of \(n) are left")
                    free = []
                    continue
                }
                for node in free.prefix(count) { regionOf[node] = entry.region }
                free.removeFirst(count)
            }
            if let rest = counted.first(where: { $0.count == nil }) {
                for node in free { regionOf[node] = rest.region }
            }
            if let unplaced = (0..<n).first(where: { regionOf[$0] < 0 }), !names.isEmpty {
                r.error(regionsNode, "node \(unplaced) is in no region; every node needs one")
            }
            // Clients: each group in its own region, else the first group's, else the first region.
            func regionIndex(_ node: Located?, _ keyPath: String) -> Int? {
                guard let node else { return nil }
                let name = r.choice(node, path: keyPath, default: names.first ?? "", allowed: names)
                return names.firstIndex(of: name)
            }
            let mainRegion = regionIndex(clientRegions.first?.region, clientRegions.first?.path ?? "clients.region") ?? 0
            var client = n
            for (index, group) in clientRegions.enumerated() {
                let region = index == 0 ? mainRegion : regionIndex(group.region, group.path) ?? mainRegion
                for _ in 0..<group.count {
                    regionOf[client] = region
                    client += 1
                }
            }
            if chain { regionOf[client] = 0 }
            guard !names.isEmpty, let matrix = oneWayMatrix(names, custom: custom, at: r.child(fields, "matrix", path: path) ?? regionsNode, reader: r)
            else { return .distribution(fallback) }
            return .regions(RegionLatency(regionOfEndpoint: regionOf.map { max(0, $0) }, oneWay: matrix, jitter: jitter, names: names))
        }
    }

    /// `network.latency.matrix`: one-way delays `{ from: { to: 40ms } }`. A pair given one way
    /// holds both ways; a region's delay to itself is its entry under its own name.
    static func customLatencies(_ located: Located?, reader r: Reader) -> (names: [String], delays: [String: SimDuration]) {
        var names = [String]()
        var delays = [String: SimDuration]()
        guard let located else { return ([], [:]) }
        let path = "network.latency.matrix"
        guard case let .mapping(rows) = located.node else {
            r.error(located, "`\(path)` must be a mapping from region to a mapping from region to one-way delay, e.g. { lab: { lab: 1ms, cloud: 30ms } }")
            return ([], [:])
        }
        func valid(_ name: String) -> Bool { !name.isEmpty && name.count <= 40 && name.allSatisfy { $0.isLetter || $0.isNumber || "-_".contains($0) } }
        for (keyNode, rowNode) in rows {
            let key = Located(node: keyNode, file: located.file)
            guard let from = keyNode.scalar?.string, valid(from) else {
                r.error(key, "region names in `\(path)` are 1 to 40 letters, digits, '-' or '_'")
                continue
            }
            if !names.contains(from) { names.append(from) }
            let row = Located(node: rowNode, file: located.file)
            guard case let .mapping(cells) = row.node else {
                r.error(row, "`\(path).\(from)` must be a mapping from region to one-way delay, e.g. { \(from): 1ms, other: 30ms }")
                continue
            }
            for (toNode, valueNode) in cells {
                let toKey = Located(node: toNode, file: located.file)
                guard let to = toNode.scalar?.string, valid(to) else {
                    r.error(toKey, "region names in `\(path).\(from)` are 1 to 40 letters, digits, '-' or '_'")
                    continue
                }
                if !names.contains(to) { names.append(to) }
                let cellPath = "\(path).\(from).\(to)"
                let delay = r.duration(Located(node: valueNode, file: located.file), path: cellPath, default: .zero)
                if delays["\(from)|\(to)"] != nil { r.error(toKey, "`\(cellPath)` is given twice") }
                delays["\(from)|\(to)"] = delay
            }
        }
        return (names, delays)
    }

    /// One-way delays between `names`: the custom matrix first (either direction), then the
    /// built-in table for built-in regions; a pair neither gives is an error.
    static func oneWayMatrix(_ names: [String], custom: (names: [String], delays: [String: SimDuration]), at located: Located,
                             reader r: Reader) -> [[SimDuration]]? {
        let builtIn = BuiltInRegions.oneWayMatrix(for: names.filter { BuiltInRegions.names.contains($0) }) ?? []
        let builtInIndex = names.filter { BuiltInRegions.names.contains($0) }
        var missing = [String]()
        let matrix = names.map { from in
            names.map { to -> SimDuration in
                if let delay = custom.delays["\(from)|\(to)"] ?? custom.delays["\(to)|\(from)"] { return delay }
                if let a = builtInIndex.firstIndex(of: from), let b = builtInIndex.firstIndex(of: to) { return builtIn[a][b] }
                if !missing.contains("\(to) → \(from)") { missing.append("\(from) → \(to)") }
                return .zero
            }
        }
        guard missing.isEmpty else {
            r.error(located, "`network.latency.matrix` gives no delay for \(missing.joined(separator: ", ")) (a region not in the built-in table needs every pair, itself included)")
            return nil
        }
        return matrix
    }

    /// `4`, `1/3`, `30%` of `nodes` (rounded down), or nil for `rest` — inside `.some`; the
    /// outer nil is malformed text.
    static func regionSize(_ text: String, nodes: Int) -> Int?? {
        if text == "rest" { return .some(nil) }
        if let count = Int(text), count >= 0 { return count }
        if text.hasSuffix("%"), let percent = Int(text.dropLast()), (0...100).contains(percent) { return nodes * percent / 100 }
        let parts = text.split(separator: "/")
        if parts.count == 2, let numerator = Int(parts[0]), let denominator = Int(parts[1]), denominator > 0, (0...denominator).contains(numerator) {
            return nodes * numerator / denominator
        }
        return nil
    }

    static func bandwidthValue(_ located: Located?, reader r: Reader) -> Int64? {
        guard let located else { return 1_000_000_000 }
        guard let text = r.scalar(located, path: "network.bandwidth", expected: "a rate such as 1Gbps") else { return nil }
        if text == "none" || text == "unlimited" { return nil }
        for (suffix, scale) in [("Gbps", Int64(1_000_000_000)), ("Mbps", 1_000_000), ("kbps", 1_000), ("bps", 1)] where text.hasSuffix(suffix) {
            if let decimal = Decimal64(parsing: String(text.dropLast(suffix.count))), let bits = decimal.scaled(by: scale), bits > 0 {
                return bits
            }
        }
        r.error(located, "`network.bandwidth` must be a rate such as 1Gbps, 100Mbps, 10kbps, or `none`; got `\(text)`")
        return nil
    }

    static func cpuModel(_ located: Located?, file: String, reader r: Reader) -> CostTable {
        guard let located, let text = r.scalar(located, path: "nodes.cpu", expected: "calibrated, none or a path") else { return .builtIn }
        switch text {
        case "calibrated": return .builtIn
        case "none": return .zero
        default:
            // Relative paths are relative to the scenario file.
            let base = URL(fileURLWithPath: file).deletingLastPathComponent()
            let url = text.hasPrefix("/") ? URL(fileURLWithPath: text) : base.appendingPathComponent(text)
            guard let data = try? Data(contentsOf: url) else {
                r.error(located, "`nodes.cpu` is `\(text)`: no such cost table (expected calibrated, none, or a file from `litsim calibrate --out`)")
                return .builtIn
            }
            r.include(data)
            guard let table = try? CostTable.decode(data), table.nanoseconds.values.allSatisfy({ $0 >= 0 && $0 < 1_000_000_000 }) else {
                r.error(located, "`nodes.cpu` file `\(text)` is not a cost table (JSON from `litsim calibrate`)")
                return .builtIn
            }
            return table
        }
    }

    static func workloadSpecifications(_ located: Located?, path: String, chains: [String], actions: [String], reader r: Reader) -> [WorkloadSpecification] {
        r.list(located, path: path).enumerated().compactMap { index, entry in
            workloadEntry(entry, path: "\(path)[\(index)]", chains: chains, actions: actions, reader: r)
        }
    }

    /// When a Byzantine entry is in force: `at` (default 0) for `for` (default: to the end);
    /// nil for the whole run. A window past `stop` is clipped with a warning, as faults are.
    /// A generic action's fields: `kind` (a message kind a protocol sends), `targets` where the
    /// verb needs them, `delay` for `delay` only.
    static func messageAction(_ verb: MessageAction.Verb, _ fields: [(key: String, value: Located)], targets: [Int], window: TimeWindow?,
                              path: String, entry: Located, reader r: Reader) -> MessageAction? {
        let kinds = MessageAction.kinds
        guard let kindNode = r.child(fields, "kind", path: path) else {
            r.error(entry, "`\(path)`: `\(verb.rawValue)` needs `kind`, the message kind it acts on (one of \(kinds.joined(separator: ", ")))")
            return nil
        }
        let kind = r.choice(kindNode, path: "\(path).kind", default: "", allowed: kinds)
        if MessageAction.needsTargets(verb), targets.isEmpty {
            r.error(entry, "`\(path)`: `\(verb.rawValue)` needs `targets`, the nodes it sends \(verb == .equivocate ? "the twin's messages" : "to")")
        }
        let delayNode = r.child(fields, "delay", path: path)
        if delayNode != nil, verb != .delay { r.error(delayNode, "`delay` is for the `delay` action only") }
        if delayNode == nil, verb == .delay { r.error(entry, "`\(path)`: `delay` needs `delay`, how late it sends, e.g. delay: 2s") }
        let delay = delayNode.map { r.duration($0, path: "\(path).delay", default: .zero, allowZero: false) } ?? .zero
        guard kinds.contains(kind) else { return nil }
        return MessageAction(verb, kind: kind, targets: targets, delay: delay, window: window)
    }

    static func byzantineWindow(_ fields: [(key: String, value: Located)], path: String, stop: SimDuration, reader r: Reader) -> TimeWindow? {
        let atNode = r.child(fields, "at", path: path), forNode = r.child(fields, "for", path: path)
        guard atNode != nil || forNode != nil else { return nil }
        let at = r.duration(atNode, path: "\(path).at", default: .zero)
        if at >= stop {
            r.error(atNode ?? forNode!, "`\(path).at` is \(at), not before `stop` (\(stop))")
            return nil
        }
        var length = forNode.map { r.duration($0, path: "\(path).for", default: .zero, allowZero: false) } ?? stop - at
        if let forNode, at + length > stop {
            r.warning(forNode, "`\(path)` lasts until \(at + length), after `stop` (\(stop)); it is clipped at \(stop)")
            length = stop - at
        }
        return TimeWindow(at: at, for: length)
    }

    /// `epochs`, `membership` and `kicking` (the last two need the first).
    static func epochSpecification(_ located: Located?, membership: Located?, kicking: Located?, validators: [Int], nodes n: Int,
                                   stop: SimDuration, reader r: Reader) -> EpochSpecification? {
        guard let located else {
            for (node, key) in [(membership, "membership"), (kicking, "kicking")] {
                if let node { r.error(node, "`\(key)` needs `epochs` (validator sets change only at epoch transitions)") }
            }
            return nil
        }
        let fields = r.mapping(located, path: "epochs", allowed: ["length", "vote_to_advance_timeout", "max_retries", "keep_previous"])
        var specification = EpochSpecification(validators: validators)
        specification.length = r.duration(r.child(fields, "length", path: "epochs"), path: "epochs.length", default: .seconds(3600), allowZero: false)
        specification.voteToAdvanceTimeout = r.duration(r.child(fields, "vote_to_advance_timeout", path: "epochs"), path: "epochs.vote_to_advance_timeout",
                                                        default: .seconds(60), allowZero: false)
        specification.maxRetries = r.integer(r.child(fields, "max_retries", path: "epochs"), path: "epochs.max_retries", default: 10, range: 0...1000)
        specification.keepPrevious = r.integer(r.child(fields, "keep_previous", path: "epochs"), path: "epochs.keep_previous", default: 2, range: 0...100)
        for (index, entry) in r.list(membership, path: "membership").enumerated() {
            let path = "membership[\(index)]"
            let change = r.mapping(entry, path: path, allowed: ["at", "join", "leave"])
            let atNode = r.child(change, "at", path: path)
            if atNode == nil { r.error(entry, "`\(path).at` is required: when the staked set changes") }
            let at = r.duration(atNode, path: "\(path).at", default: .zero)
            if at >= stop { r.error(atNode ?? entry, "`\(path).at` is \(at), not before `stop` (\(stop))") }
            let join = r.nodeIDs(r.child(change, "join", path: path), path: "\(path).join", count: n)
            let leave = r.nodeIDs(r.child(change, "leave", path: path), path: "\(path).leave", count: n)
            if join.isEmpty && leave.isEmpty { r.error(entry, "`\(path)` needs `join` or `leave` (node ids)") }
            specification.membership.append(MembershipChange(at: at, join: join, leave: leave))
        }
        if let kicking {
            let fields = r.mapping(kicking, path: "kicking", allowed: ["ping_interval", "window", "tolerance"])
            let interval = r.duration(r.child(fields, "ping_interval", path: "kicking"), path: "kicking.ping_interval", default: .seconds(12), allowZero: false)
            let window = r.duration(r.child(fields, "window", path: "kicking"), path: "kicking.window", default: .seconds(90), allowZero: false)
            let tolerance = r.integer(r.child(fields, "tolerance", path: "kicking"), path: "kicking.tolerance", default: 6, range: 1...1000)
            if window < interval { r.error(r.child(fields, "window", path: "kicking") ?? kicking, "`kicking.window` is shorter than `kicking.ping_interval`") }
            specification.pings = PingPolicy(interval: interval.duration, window: window.duration, tolerance: tolerance)
        }
        if specification.length >= stop {
            r.warning(r.child(fields, "length", path: "epochs") ?? located, "`epochs.length` (\(specification.length)) is not before `stop` (\(stop)): no transition happens")
        }
        return specification
    }

    /// The keys of a client group's settings (`clients` and each of `clients.groups`).
    static let clientKeys = ["count", "timeout", "retries", "retries_on_invalid_shares", "region", "selection", "cooldown",
                             "cosigner_wait", "over_request", "stale_epoch_for"]

    /// One group's client settings; a further group inherits what it does not state from `inherited`.
    static func clientSettings(_ fields: [(key: String, value: Located)], path: String, inheriting inherited: ClientSpecification?,
                               flow: SigningFlow, reader r: Reader) -> ClientSpecification {
        let base = inherited ?? ClientSpecification(count: 4)
        func node(_ key: String) -> Located? { r.child(fields, key, path: path) }
        let count = r.integer(node("count"), path: "\(path).count", default: inherited == nil ? 4 : 0, range: 0...1000)
        let timeout = r.duration(node("timeout"), path: "\(path).timeout", default: base.timeout, allowZero: false)
        let retries = r.integer(node("retries"), path: "\(path).retries", default: base.retries, range: 0...100)
        let invalidRetries = r.integer(node("retries_on_invalid_shares"), path: "\(path).retries_on_invalid_shares",
                                       default: base.invalidShareRetries, range: 0...100)
        let selection = NodeSelection(rawValue: r.choice(node("selection"), path: "\(path).selection", default: base.selection.rawValue,
                                                         allowed: NodeSelection.allCases.map(\.rawValue))) ?? base.selection
        let cooldown = r.duration(node("cooldown"), path: "\(path).cooldown", default: base.cooldown, allowZero: true)
        let cosignerWaitNode = node("cosigner_wait")
        let cosignerWait = cosignerWaitNode.map { r.duration($0, path: "\(path).cosigner_wait", default: .zero, allowZero: false) } ?? base.cosignerWait
        if let cosignerWait, let cosignerWaitNode, cosignerWait > timeout {
            r.warning(cosignerWaitNode, "`\(path).cosigner_wait` (\(cosignerWait)) is longer than `\(path).timeout` (\(timeout)): a signer's refusal cannot reach the client before it gives up")
        }
        var overRequest = base.overRequest
        if let overNode = node("over_request"), let text = r.scalar(overNode, path: "\(path).over_request", expected: "a count or `all`") {
            if text == "all" {
                overRequest = .all
            } else if let extra = Int(text), (0...1000).contains(extra) {
                overRequest = .extra(extra)
            } else {
                r.error(overNode, "`\(path).over_request` must be a count of extra nodes (0 to 1000) or `all`; got `\(text)`")
            }
            if flow == .lit, overRequest != .extra(0) {
                // FROST signs over one commitment list: in the lit flow the client names the
                // signers before round one, so an extra node's answer could never be used.
                r.error(overNode, "`\(path).over_request` needs `protocol.signing_flow: coordinator`: in the lit flow the signer set is fixed before the first round, so answers from extra nodes cannot be combined (the coordinator flow signs with the first `threshold` nodes to commit)")
            }
        }
        var settings = ClientSpecification(count: count, timeout: timeout, retries: retries, invalidShareRetries: invalidRetries, selection: selection,
                                           cooldown: cooldown, cosignerWait: cosignerWait, overRequest: overRequest)
        settings.staleEpochFor = r.duration(node("stale_epoch_for"), path: "\(path).stale_epoch_for", default: base.staleEpochFor, allowZero: true)
        return settings
    }

    static func workloadEntry(_ entry: Located, path: String, chains: [String], actions: [String], reader r: Reader) -> WorkloadSpecification? {
        let fields = r.mapping(entry, path: path, allowed: ["op", "rate", "count", "start", "keys", "conditions", "action"])
        let opName = r.choice(r.child(fields, "op", path: path), path: "\(path).op", default: "sign", allowed: ["sign", "sign-ecdsa", "decrypt", "jwt", "action"])
        let actionNode = r.child(fields, "action", path: path)
        if opName != "action", let actionNode { r.error(actionNode, "`\(path).action` goes with `op: action` (the Lit Action to run)") }
        let keysNode = r.child(fields, "keys", path: path)
        var op = RequestOp.sign
        if opName != "decrypt", opName != "jwt", let conditions = r.child(fields, "conditions", path: path) {
            r.error(conditions, "`\(path).conditions` goes with `op: decrypt` or `op: jwt` (the access conditions content is encrypted under, or a JWT attests)")
        }
        if opName == "action" {
            if let keysNode { r.error(keysNode, "`\(path).keys` goes with `op: sign-ecdsa` (an action signs under its own PKP)") }
            if let name = actionNode.flatMap({ r.scalar($0, path: "\(path).action", expected: "an action's name") }) {
                if actions.contains(name) {
                    op = .action(program: name)
                } else {
                    let hint = closestMatch(to: name, in: actions).map { "; did you mean `\($0)`?" } ?? ""
                    r.error(actionNode, "`\(path).action` is `\(name)`, which `actions:` does not define\(hint)")
                }
            } else if actionNode == nil {
                r.error(entry, "`\(path)` (op: action) needs `action`: the name of an action under `actions:`")
            }
        } else if opName == "sign-ecdsa" {
            op = .signECDSA(keys: r.integer(keysNode, path: "\(path).keys", default: 1, range: 1...1_000_000))
        } else if opName == "jwt" {
            if let keysNode { r.error(keysNode, "`\(path).keys` goes with `op: sign-ecdsa` (the PKP keys it signs under)") }
            if let conditions = r.child(fields, "conditions", path: path).flatMap({ accessCondition($0, path: "\(path).conditions", chains: chains, reader: r) }) {
                op = .jwt(conditions: conditions)
            } else if r.child(fields, "conditions", path: path) == nil {
                r.error(entry, "`\(path)` (op: jwt) needs `conditions`: what the JWT attests")
            }
        } else if opName == "decrypt" {
            op = .decrypt(conditions: r.child(fields, "conditions", path: path).flatMap {
                accessCondition($0, path: "\(path).conditions", chains: chains, reader: r)
            })
            if let keysNode { r.error(keysNode, "`\(path).keys` goes with `op: sign-ecdsa` (the PKP keys it signs under)") }
        } else if let keysNode {
            r.error(keysNode, "`\(path).keys` goes with `op: sign-ecdsa` (the PKP keys it signs under)")
        }
        let countNode = r.child(fields, "count", path: path)
        if countNode == nil { r.error(entry, "`\(path).count` is required: how many requests") }
        let count = r.integer(countNode, path: "\(path).count", default: 0, range: 1...10_000_000)
        var rate: (numerator: Int64, denominator: Int64)?
        if let rateNode = r.child(fields, "rate", path: path), let text = r.scalar(rateNode, path: "\(path).rate", expected: "a rate such as 20/s") {
            let parts = text.split(separator: "/")
            let units: [String: Int64] = ["s": 1, "m": 60, "h": 3600]
            if parts.count == 2, let unit = units[String(parts[1])], let decimal = Decimal64(parsing: String(parts[0])),
               let perUnitTimesMillion = decimal.scaled(by: 1_000_000), perUnitTimesMillion > 0 {
                rate = (perUnitTimesMillion, 1_000_000 * unit)
            } else {
                r.error(rateNode, "`\(path).rate` must be requests per unit such as 20/s, 5/m or 100/h; got `\(text)`")
            }
        }
        var start = WorkloadStart.afterDKG
        if let startNode = r.child(fields, "start", path: path), startNode.text != "after-dkg" {
            start = .at(r.duration(startNode, path: "\(path).start", default: .zero))
        }
        var workload = WorkloadSpecification(count: count, rate: rate, start: start)
        workload.op = op
        return workload
    }

    /// - Parameter breaches: `tee_breach` entries (the adversary reads those nodes' state from
    ///   `at`, for `for` or to the end): the byzantine section makes them `compromised`.
    static func faultSchedule(_ located: Located?, nodes n: Int, endpoints: Int, stop: SimDuration, reader r: Reader,
                              breaches: inout [(nodes: [Int], window: TimeWindow, located: Located)]) -> FaultSchedule {
        var schedule = FaultSchedule()
        let kinds = ["partition", "crash", "clog", "link", "pause", "tee_breach"]
        for (index, entry) in r.list(located, path: "faults").enumerated() {
            let path = "faults[\(index)]"
            let fields = r.mapping(entry, path: path, allowed: ["at", "for", "restart"] + kinds)
            let present = kinds.filter { r.child(fields, $0, path: path) != nil }
            guard present.count == 1, let kind = present.first else {
                r.error(entry, "`\(path)` needs exactly one of \(kinds.joined(separator: ", ")) (found \(present.isEmpty ? "none" : present.joined(separator: ", ")))")
                continue
            }
            let atNode = r.child(fields, "at", path: path)
            if atNode == nil { r.error(entry, "`\(path).at` is required: when the fault starts") }
            let at = r.duration(atNode, path: "\(path).at", default: .zero)
            let forNode = r.child(fields, "for", path: path)
            var length = r.duration(forNode, path: "\(path).for", default: .zero)
            if at > stop { r.error(atNode, "`\(path).at` is \(at), after `stop` (\(stop))") }
            if let forNode, at <= stop, at + length > stop {
                // Nothing happens after `stop`: the window is cut there, and the user told so.
                r.warning(forNode, "`\(path)` lasts until \(at + length), after `stop` (\(stop)); it is clipped at \(stop)")
                length = stop - at
            }
            let window = TimeWindow(at: at, for: length)
            if kind == "tee_breach" {
                let ends = forNode == nil ? TimeWindow(start: SimInstant(nanoseconds: at.nanoseconds), end: SimInstant(nanoseconds: stop.nanoseconds)) : window
                if let value = r.child(fields, kind, path: path) { breaches.append((r.nodeIDs(value, path: "\(path).tee_breach", count: n), ends, value)) }
                continue
            }
            let needsWindow = kind != "crash"
            if needsWindow, forNode == nil { r.error(entry, "`\(path).\(kind)` needs `for`: how long it lasts") }
            if !needsWindow, let forNode { r.error(forNode, "`\(path).crash` takes `restart` (an absolute time), not `for`") }
            if kind != "crash", let restart = r.child(fields, "restart", path: path) { r.error(restart, "`restart` goes with `crash`") }
            let value = r.child(fields, kind, path: path)
            switch kind {
            case "partition":
                guard let value else { continue }
                if case .mapping = value.node {
                    let sides = r.mapping(value, path: "\(path).partition", allowed: ["from", "to"])
                    let from = r.nodeIDs(r.child(sides, "from", path: "\(path).partition"), path: "\(path).partition.from", count: endpoints, what: "endpoint")
                    let to = r.nodeIDs(r.child(sides, "to", path: "\(path).partition"), path: "\(path).partition.to", count: endpoints, what: "endpoint")
                    if from.isEmpty || to.isEmpty { r.error(value, "a one-way partition needs non-empty `from` and `to`") }
                    schedule.partitions.append(Partition(window: window, shape: .oneWay(from: from, to: to)))
                } else {
                    var groups = [[Int]]()
                    var seen = Set<Int>()
                    for (groupIndex, group) in r.list(value, path: "\(path).partition").enumerated() {
                        let ids = r.nodeIDs(group, path: "\(path).partition[\(groupIndex)]", count: endpoints, what: "endpoint")
                        for id in ids where seen.contains(id) { r.error(group, "endpoint \(id) is in two groups of the partition") }
                        seen.formUnion(ids)
                        groups.append(ids)
                    }
                    if groups.count < 2 { r.error(value, "a partition needs at least two groups, e.g. [[0, 1], [2, 3]]") }
                    schedule.partitions.append(Partition(window: window, shape: .groups(groups)))
                }
            case "crash":
                let ids = r.nodeIDs(value, path: "\(path).crash", count: n)
                var restart: SimInstant?
                if let restartNode = r.child(fields, "restart", path: path) {
                    let time = r.duration(restartNode, path: "\(path).restart", default: .zero)
                    if time <= at { r.error(restartNode, "`\(path).restart` (\(time)) must come after `at` (\(at))") }
                    if time > stop { r.error(restartNode, "`\(path).restart` is after `stop`") }
                    restart = SimInstant(nanoseconds: time.nanoseconds)
                }
                schedule.hostFaults.append(.crash(endpoints: ids, at: SimInstant(nanoseconds: at.nanoseconds), restart: restart))
            case "pause":
                schedule.hostFaults.append(.pause(endpoints: r.nodeIDs(value, path: "\(path).pause", count: n), window: window))
            case "clog", "link":
                let allowed = kind == "clog" ? ["from", "to"] : ["from", "to", "loss", "latency"]
                let link = r.mapping(value, path: "\(path).\(kind)", allowed: allowed)
                let sub = "\(path).\(kind)"
                guard let fromNode = r.child(link, "from", path: sub), let toNode = r.child(link, "to", path: sub) else {
                    r.error(value, "`\(sub)` needs `from` and `to` endpoint ids")
                    continue
                }
                let from = r.integer(fromNode, path: "\(sub).from", default: 0, range: 0...(endpoints - 1))
                let to = r.integer(toNode, path: "\(sub).to", default: 0, range: 0...(endpoints - 1))
                if kind == "clog" {
                    schedule.clogs.append(Clog(window: window, from: from, to: to))
                } else {
                    let lossNode = r.child(link, "loss", path: sub), latencyNode = r.child(link, "latency", path: sub)
                    if lossNode == nil && latencyNode == nil { r.error(value, "`\(sub)` needs `loss` or `latency`") }
                    let loss = lossNode.map { r.probability($0, path: "\(sub).loss", default: .never) }
                    let latency = latencyNode.map { LatencyDistribution.constant(r.duration($0, path: "\(sub).latency", default: .zero)) }
                    schedule.linkOverrides.append(LinkOverride(window: window, from: from, to: to, loss: loss, latency: latency))
                }
            default:
                break
            }
        }
        return schedule
    }

    static func expectationValue(metric: String, _ located: Located, reader r: Reader) -> Expectation? {
        let path = "expect.\(metric)"
        if case .mapping = located.node {
            // `{ ">=": 0.99, window: { from: 60s, to: 120s } }`: one comparison, over the
            // requests started in the window.
            let allowed = Comparison.allCases.map(\.rawValue) + ["window"]
            let pairs = r.mapping(located, path: path, allowed: allowed)
            let comparisons = pairs.filter { $0.0 != "window" }
            guard comparisons.count == 1, let (comparator, value) = comparisons.first, let text = r.scalar(value, path: "\(path).\(comparator)", expected: "a number") else {
                r.error(located, "`\(path)` needs exactly one comparison such as `\">=\": 0.99`")
                return nil
            }
            let condition = Node.scalar(Node.Scalar("\(comparator) \(text)", .implicit, .any, value.node.mark))
            guard var expectation = expectationValue(metric: metric, Located(node: condition, file: located.file), reader: r) else { return nil }
            if let windowNode = pairs.first(where: { $0.0 == "window" })?.1 {
                guard metric.hasPrefix("sign.") || metric.hasPrefix("ecdsa.") else {
                    r.error(windowNode, "`\(path).window`: only `sign.*` and `ecdsa.*` metrics can be read over a window")
                    return nil
                }
                let window = r.mapping(windowNode, path: "\(path).window", allowed: ["from", "to"])
                let from = r.duration(r.child(window, "from", path: "\(path).window"), path: "\(path).window.from", default: .zero)
                let to = r.duration(r.child(window, "to", path: "\(path).window"), path: "\(path).window.to", default: .seconds(1_000_000_000))
                if to <= from { r.error(windowNode, "`\(path).window`: `to` must be after `from`") }
                expectation.window = (from, to)
            }
            return expectation
        }
        if case let .sequence(sequence) = located.node {
            let values = sequence.compactMap { $0.scalar?.string }.compactMap(Int.init)
            guard values.count == sequence.count else {
                r.error(located, "`\(path)` lists must hold node ids")
                return nil
            }
            return Expectation(metric: metric, condition: "== \(values)", comparison: .equal, expected: .list(values))
        }
        guard let text = r.scalar(located, path: path, expected: "a value or a condition such as \">= 0.99\"") else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var comparison = Comparison.equal
        var operand = trimmed
        for candidate in Comparison.allCases where trimmed.hasPrefix(candidate.rawValue) {
            comparison = candidate
            operand = String(trimmed.dropFirst(candidate.rawValue.count)).trimmingCharacters(in: .whitespaces)
            break
        }
        if operand == "true" || operand == "false" {
            guard comparison == .equal || comparison == .notEqual else {
                r.error(located, "`\(path)`: true and false can only be compared with == or !=")
                return nil
            }
            return Expectation(metric: metric, condition: trimmed, comparison: comparison, expected: .bool(operand == "true"))
        }
        guard let number = Double(operand), number.isFinite else {
            r.error(located, "`\(path)` must be a number, true/false, or a condition such as \">= 0.99\" or \"< 2000\"; got `\(text)`")
            return nil
        }
        return Expectation(metric: metric, condition: trimmed, comparison: comparison, expected: .number(number))
    }

    static func sweepValues(_ located: Located, path: String, reader r: Reader) -> [String]? {
        if let text = located.text {
            let parts = text.components(separatedBy: "...")
            guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]), low <= high, high - low < 10_000 else {
                r.error(located, "`\(path)` must be a list of values or a range such as 1...20, got `\(text)`")
                return nil
            }
            return (low...high).map(String.init)
        }
        let items = r.list(located, path: path)
        guard !items.isEmpty else {
            r.error(located, "`\(path)` has no values")
            return nil
        }
        var values = [String]()
        for item in items {
            // Lists and mappings are written back out as flow YAML so they can be re-read.
            if let text = item.text { values.append(text) } else if let flow = try? Yams.serialize(node: flowStyle(item.node), width: -1) {
                values.append(flow.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        return values
    }

    /// The node with every collection in flow style: one line, fit for a CSV cell and `--set`.
    static func flowStyle(_ node: Node) -> Node {
        switch node {
        case .scalar, .alias:
            return node
        case let .mapping(mapping):
            return .mapping(Node.Mapping(mapping.map { (flowStyle($0.key), flowStyle($0.value)) }, mapping.tag, .flow))
        case let .sequence(sequence):
            return .sequence(Node.Sequence(sequence.map(flowStyle), sequence.tag, .flow))
        }
    }
}
