import Foundation
import LitNetwork
import Protocols
import Simulation
import Yams

/// `actions:` — Lit Actions by name, each inline or in its own YAML file (a path, relative to
/// the scenario):
///
///     actions:
///       price-oracle:
///         parameters: { digits: 2 }           # Lit's jsParams: variables the steps can read
///         secrets: { api-key: "sk-live-123" }      # only the client knows them; sent encrypted
///         sources:
///           eth-usd: { latency: 80ms, jitter: 20ms, skew: 500ms, failure: 0.001,
///                      random_walk: { start: 3000, step: 0.5, every: 100ms } }
///         limits: { fetches: 50, signatures: 10, timeout: 30s, memory_mb: 256 }
///         costs: { startup: 5ms, step: 50us, peer_wait: 5s }
///         steps:
///           - fetch: { name: price, source: eth-usd }
///           - decrypt: { name: key, secret: api-key }        # threshold decryption among the signers
///           - sign-ecdsa: { message: "format(price, digits)" }    # Keccak-256, ECDSA under the PKP
///           - sign: { message: "format(price, digits)", scheme: frost-taproot }   # SHA-256, FROST
///           - respond: { value: "format(price, digits)" }
///       conditional: actions/conditional.yaml
extension ScenarioLoader {
    static let stepKinds = ActionStep.kinds

    /// The programs and every source they read (sources are one namespace for the run): those
    /// under `actions:`, and action files a workload names directly (`action: oracle.yaml`, a
    /// path relative to the scenario), each named by its path as written.
    static func actionPrograms(_ located: Located?, files: [Located], chains: [String], stop: SimDuration, reader r: Reader)
        -> (programs: [ActionProgram], sources: [ExternalSourceSpecification], secrets: [String: [String]]) {
        var programs: [ActionProgram] = []
        var secretTexts: [String: [String]] = [:]
        var sources: [ExternalSourceSpecification] = []
        var sourceNodes: [String: Located] = [:]
        let names = located.map { r.keys(of: $0) } ?? []
        var entries = r.mapping(located, path: "actions", allowed: names).map { (name: $0.key, value: $0.value, path: "actions.\($0.key)") }
        for file in files {
            guard let name = file.text, !names.contains(name), !entries.contains(where: { $0.name == name }) else { continue }
            entries.append((name, file, "the action file `\(name)`"))
        }
        for (name, value, path) in entries {
            guard isPlainName(name) || path.hasPrefix("the action file") else {
                r.error(value, "`\(path)`: action names are 1 to 64 letters, digits, '-' or '_'")
                continue
            }
            guard let definition = actionDefinition(value, path: path, reader: r) else { continue }
            // (`name` documents an action file; the workload names it by its path.)
            let fields = r.mapping(definition, path: path, allowed: ["name", "description", "parameters", "sources", "secrets", "limits", "costs", "steps"])
            var defined: [String] = []
            var parameters: [ActionStep] = []
            let parametersNode = r.child(fields, "parameters", path: path)
            for (parameter, node) in r.mapping(parametersNode, path: "\(path).parameters", allowed: parametersNode.map { r.keys(of: $0) } ?? []) {
                let node = r.child([(parameter, node)], parameter, path: "\(path).parameters") ?? node
                guard isVariableName(parameter) else {
                    r.error(node, "`\(path).parameters.\(parameter)`: a parameter is a variable name (letters, digits, '_'; not starting with a digit)")
                    continue
                }
                guard let value = actionValue(node, path: "\(path).parameters.\(parameter)", reader: r) else { continue }
                parameters.append(.compute(name: parameter, .literal(value)))
                defined.append(parameter)
            }
            let sourcesNode = r.child(fields, "sources", path: path)
            var available: [String] = []
            for (sourceName, node) in r.mapping(sourcesNode, path: "\(path).sources", allowed: sourcesNode.map { r.keys(of: $0) } ?? []) {
                guard let source = externalSource(sourceName, node, path: "\(path).sources.\(sourceName)", chains: chains, reader: r) else { continue }
                if case let .randomWalk(_, _, every) = source.value, stop.nanoseconds / every.nanoseconds > 10_000_000 {
                    r.error(node, "`\(path).sources.\(sourceName).random_walk.every` is \(every): over `stop` (\(stop)) that is more than 10 million steps, each drawn in advance")
                }
                available.append(sourceName)
                if let previous = sources.first(where: { $0.name == sourceName }) {
                    if previous != source {
                        r.error(node, "source `\(sourceName)` is defined differently in two actions (the first at \(sourceNodes[sourceName].map { "\($0.file):\($0.line)" } ?? "?")); sources are shared by the run, so give one another name")
                    }
                } else {
                    sources.append(source)
                    sourceNodes[sourceName] = node
                }
            }
            // Secrets: texts only the client knows; it sends them encrypted to the network key.
            let secretsNode = r.child(fields, "secrets", path: path)
            var secrets: [(name: String, text: String)] = []
            for (secret, node) in r.mapping(secretsNode, path: "\(path).secrets", allowed: secretsNode.map { r.keys(of: $0) } ?? []) {
                guard isPlainName(secret) else {
                    r.error(node, "`\(path).secrets.\(secret)`: secret names are 1 to 64 letters, digits, '-' or '_'")
                    continue
                }
                guard let text = r.scalar(node, path: "\(path).secrets.\(secret)", expected: "the secret's text") else { continue }
                guard text.utf8.count <= 4096 else {
                    r.error(node, "`\(path).secrets.\(secret)` is \(text.utf8.count) bytes; a secret is at most 4096")
                    continue
                }
                secrets.append((secret, text))
            }
            if secrets.count > ActionRequest.maximumSecrets {
                r.error(secretsNode, "`\(path).secrets` has \(secrets.count) secrets; a request carries at most \(ActionRequest.maximumSecrets)")
                secrets = Array(secrets.prefix(ActionRequest.maximumSecrets))
            }
            let limits = actionLimits(r.child(fields, "limits", path: path), path: "\(path).limits", reader: r)
            let costs = actionCosts(r.child(fields, "costs", path: path), path: "\(path).costs", reader: r)
            let stepsNode = r.child(fields, "steps", path: path)
            if stepsNode == nil { r.error(definition, "`\(path)` needs `steps`: what the action does") }
            let steps = actionSteps(stepsNode, path: "\(path).steps", sources: available, secrets: secrets.map(\.name), defined: &defined, reader: r)
            let program = ActionProgram(name: name, steps: parameters + steps, secrets: secrets.map(\.name), limits: limits, costs: costs)
            secretTexts[name] = secrets.map(\.text)
            for problem in program.problems { r.error(stepsNode, "`\(path).steps`: \(problem)") }
            if program.signatureSteps > 16 {
                r.error(stepsNode, "`\(path)` has \(program.signatureSteps) signing steps; an action attempt signs at most 16 times")
            }
            programs.append(program)
        }
        return (programs, sources, secretTexts)
    }

    /// `action:` values of workload entries (top level and client groups) that name a YAML file.
    static func actionFiles(_ top: [(key: String, value: Located)], reader r: Reader) -> [Located] {
        func entries(_ workload: Located?) -> [Located] {
            guard let workload, case let .sequence(items) = workload.node else { return [] }
            return items.compactMap { item -> Located? in
                guard case let .mapping(pairs) = item, let value = pairs.first(where: { $0.key.scalar?.string == "action" })?.value,
                      let text = value.scalar?.string, text.hasSuffix(".yaml") || text.hasSuffix(".yml") else { return nil }
                return Located(node: value, file: workload.file)
            }
        }
        var found = entries(r.child(top, "workload", path: ""))
        if let clients = r.child(top, "clients", path: ""), case let .mapping(pairs) = clients.node,
           let groups = pairs.first(where: { $0.key.scalar?.string == "groups" })?.value, case let .sequence(items) = groups {
            for case let .mapping(group) in items {
                found += entries(group.first { $0.key.scalar?.string == "workload" }.map { Located(node: $0.value, file: clients.file) })
            }
        }
        return found
    }

    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return name.count <= 64 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            && !["true", "false"].contains(name) && !ActionExpression.functions.contains { $0.name == name }
    }

    /// The definition itself, or the root of the file a path names (recorded in the reader, so
    /// the scenario's hash covers it).
    static func actionDefinition(_ value: Located, path: String, reader r: Reader) -> Located? {
        guard let file = value.text else { return value }
        let base = URL(fileURLWithPath: value.file).deletingLastPathComponent()
        let url = file.hasPrefix("/") ? URL(fileURLWithPath: file) : base.appendingPathComponent(file)
        guard let data = try? Data(contentsOf: url) else {
            r.error(value, "`\(path)` is `\(file)`: no such action file (a path relative to the scenario, or an inline definition)")
            return nil
        }
        r.include(data)
        do {
            guard let root = try compose(data: data, file: url.path).root else {
                r.error(value, "`\(path)`: the action file `\(file)` is empty")
                return nil
            }
            return Located(node: root, file: url.path)
        } catch {
            for diagnostic in error.diagnostics { r.record(diagnostic) }
            return nil
        }
    }

    /// A YAML scalar as an action value: a plain number is a number, true/false a boolean,
    /// anything else (or anything quoted) a string.
    static func actionValue(_ located: Located, path: String, reader r: Reader) -> ActionValue? {
        guard let text = r.scalar(located, path: path, expected: "a number, a string or true/false") else { return nil }
        if located.node.scalar?.style == .plain {
            if text == "true" || text == "false" { return .bool(text == "true") }
            if let number = ActionNumber(parsing: Substring(text)) { return .number(number) }
            if text.first.map({ $0.isNumber || $0 == "-" }) == true {
                r.error(located, "`\(path)` is `\(text)`: numbers have at most 9 decimals and lie within ±9,223,372,036 (quote it for a string)")
                return nil
            }
        }
        return .string(text)
    }

    static func actionNumber(_ located: Located?, path: String, reader r: Reader) -> ActionNumber? {
        guard let located else { return nil }
        guard case let .number(number)? = actionValue(located, path: path, reader: r) else {
            if r.scalar(located, path: path, expected: "a number") != nil { r.error(located, "`\(path)` must be a number") }
            return nil
        }
        return number
    }

    static func externalSource(_ name: String, _ located: Located, path: String, chains: [String], reader r: Reader) -> ExternalSourceSpecification? {
        let shapes = ["constant", "steps", "list", "random_walk", "balance"]
        let fields = r.mapping(located, path: path, allowed: ["latency", "jitter", "skew", "failure"] + shapes)
        let present = shapes.filter { r.child(fields, $0, path: path) != nil }
        guard present.count == 1, let shape = present.first, let node = r.child(fields, shape, path: path) else {
            r.error(located, "`\(path)` needs exactly one of \(shapes.joined(separator: ", ")) (found \(present.isEmpty ? "none" : present.joined(separator: ", ")))")
            return nil
        }
        let value: ExternalSourceSpecification.Value
        switch shape {
        case "constant":
            guard let constant = actionValue(node, path: "\(path).constant", reader: r) else { return nil }
            value = .constant(constant)
        case "steps":
            var steps: [ExternalSourceSpecification.Step] = []
            for (index, entry) in r.list(node, path: "\(path).steps").enumerated() {
                let itemPath = "\(path).steps[\(index)]"
                let item = r.mapping(entry, path: itemPath, allowed: ["at", "value"])
                guard let valueNode = r.child(item, "value", path: itemPath) else {
                    r.error(entry, "`\(itemPath)` needs `at` and `value`")
                    continue
                }
                let at = r.duration(r.child(item, "at", path: itemPath), path: "\(itemPath).at", default: .zero)
                if let last = steps.last, at < last.at { r.error(entry, "`\(itemPath).at` comes before the step above it: steps are in time order") }
                if let stepValue = actionValue(valueNode, path: "\(itemPath).value", reader: r) { steps.append(.init(at: at, value: stepValue)) }
            }
            guard !steps.isEmpty else {
                r.error(node, "`\(path).steps` needs at least one `{at, value}`")
                return nil
            }
            value = .steps(steps)
        case "list":
            let item = r.mapping(node, path: "\(path).list", allowed: ["values", "every"])
            let values = r.list(r.child(item, "values", path: "\(path).list"), path: "\(path).list.values").enumerated().compactMap { index, entry in
                actionValue(entry, path: "\(path).list.values[\(index)]", reader: r)
            }
            let every = r.duration(r.child(item, "every", path: "\(path).list"), path: "\(path).list.every", default: .seconds(1), allowZero: false)
            guard !values.isEmpty else {
                r.error(node, "`\(path).list` needs `values`: at least one")
                return nil
            }
            value = .list(values, every: every)
        case "random_walk":
            let item = r.mapping(node, path: "\(path).random_walk", allowed: ["start", "step", "every"])
            guard let start = actionNumber(r.child(item, "start", path: "\(path).random_walk"), path: "\(path).random_walk.start", reader: r),
                  let step = actionNumber(r.child(item, "step", path: "\(path).random_walk"), path: "\(path).random_walk.step", reader: r) else {
                r.error(node, "`\(path).random_walk` needs `start` and `step` (numbers)")
                return nil
            }
            guard step.raw >= 0, step.raw <= Int64.max / 4 else {
                r.error(node, "`\(path).random_walk.step` must be a number ≥ 0 (each tick moves by at most that much either way)")
                return nil
            }
            let every = r.duration(r.child(item, "every", path: "\(path).random_walk"), path: "\(path).random_walk.every", default: .milliseconds(100), allowZero: false)
            value = .randomWalk(start: start, step: step, every: every)
        default:
            let item = r.mapping(node, path: "\(path).balance", allowed: ["chain", "contract", "holder"])
            let text = { (key: String) -> String? in
                r.child(item, key, path: "\(path).balance").flatMap { r.scalar($0, path: "\(path).balance.\(key)", expected: "a name") }
            }
            guard let chain = text("chain"), let contract = text("contract"), let holder = text("holder") else {
                r.error(node, "`\(path).balance` needs `chain`, `contract` and `holder`")
                return nil
            }
            if !chains.contains(chain) { r.error(node, "`\(path).balance.chain` is `\(chain)`, which `chains:` does not define") }
            value = .balance(chain: chain, contract: contract, holder: holder)
        }
        var source = ExternalSourceSpecification(name: name, value: value)
        source.latency = r.duration(r.child(fields, "latency", path: path), path: "\(path).latency", default: source.latency)
        source.jitter = r.duration(r.child(fields, "jitter", path: path), path: "\(path).jitter", default: .zero)
        source.skew = r.duration(r.child(fields, "skew", path: path), path: "\(path).skew", default: .zero)
        source.failure = r.probability(r.child(fields, "failure", path: path), path: "\(path).failure", default: .never)
        return source
    }

    static func actionLimits(_ located: Located?, path: String, reader r: Reader) -> ActionLimits {
        var limits = ActionLimits.lit
        let fields = r.mapping(located, path: path, allowed: ["fetches", "signatures", "timeout", "memory_mb"])
        limits.fetches = r.integer(r.child(fields, "fetches", path: path), path: "\(path).fetches", default: limits.fetches, range: 0...10_000)
        limits.signatures = r.integer(r.child(fields, "signatures", path: path), path: "\(path).signatures", default: limits.signatures, range: 0...16)
        let timeout = r.duration(r.child(fields, "timeout", path: path), path: "\(path).timeout", default: .seconds(30), allowZero: false)
        limits.milliseconds = max(1, timeout.nanoseconds / 1_000_000)
        limits.memoryBytes = r.integer(r.child(fields, "memory_mb", path: path), path: "\(path).memory_mb", default: 256, range: 1...65_536) * 1024 * 1024
        return limits
    }

    static func actionCosts(_ located: Located?, path: String, reader r: Reader) -> ActionCosts {
        var costs = ActionCosts()
        let fields = r.mapping(located, path: path, allowed: ["startup", "step", "peer_wait"])
        // (The defaults are ActionCosts()'s.)
        costs.startup = r.duration(r.child(fields, "startup", path: path), path: "\(path).startup", default: .milliseconds(5)).duration
        costs.step = r.duration(r.child(fields, "step", path: path), path: "\(path).step", default: .microseconds(50)).duration
        costs.peerWait = r.duration(r.child(fields, "peer_wait", path: path), path: "\(path).peer_wait", default: .seconds(5), allowZero: false).duration
        return costs
    }

    static func expression(_ located: Located?, path: String, defined: [String], reader r: Reader) -> ActionExpression? {
        guard let located else { return nil }
        guard let text = r.scalar(located, path: path, expected: "an expression such as \"round(price, 2)\"") else { return nil }
        do {
            let expression = try ActionExpression(parsing: text)
            for name in expression.variables where !defined.contains(name) {
                let hint = closestMatch(to: name, in: defined).map { "; did you mean `\($0)`?" } ?? ""
                r.error(located, "`\(path)` reads `\(name)`, which no parameter or earlier step defines\(hint)")
            }
            return expression
        } catch {
            r.error(located, "`\(path)`: \(error) (in `\(text)`)")
            return nil
        }
    }

    static func variable(_ located: Located?, path: String, reader r: Reader) -> String? {
        guard let located else { return nil }
        guard let name = r.scalar(located, path: path, expected: "a variable name"), isVariableName(name) else {
            if located.text != nil { r.error(located, "`\(path)` must be a variable name (letters, digits, '_'; not starting with a digit; not a function's name)") }
            return nil
        }
        return name
    }

    /// The steps of a block; `defined` grows with the variables they bind (a branch's
    /// variables count after it: the check is a help, not a proof).
    static func actionSteps(_ located: Located?, path: String, sources: [String], secrets: [String], defined: inout [String], reader r: Reader) -> [ActionStep] {
        var steps: [ActionStep] = []
        for (index, entry) in r.list(located, path: path).enumerated() {
            let itemPath = "\(path)[\(index)]"
            let kinds = r.keys(of: entry)
            guard kinds.count == 1, let kind = kinds.first, stepKinds.contains(kind) else {
                r.error(entry, "`\(itemPath)` must be a mapping with one of \(stepKinds.joined(separator: ", ")) (found \(kinds.isEmpty ? entry.kind : kinds.joined(separator: ", ")))")
                continue
            }
            let body = r.mapping(entry, path: itemPath, allowed: stepKinds)[0].value
            let stepPath = "\(itemPath).\(kind)"
            let field = { (allowed: [String]) in r.mapping(body, path: stepPath, allowed: allowed) }
            // A step's variable `name` and the expression under `key`; nil once what is wrong is reported.
            func named(_ fields: [(key: String, value: Located)], _ key: String) -> (String, ActionExpression)? {
                let name = variable(r.child(fields, "name", path: stepPath), path: "\(stepPath).name", reader: r)
                let expression = expression(r.child(fields, key, path: stepPath), path: "\(stepPath).\(key)", defined: defined, reader: r)
                if r.child(fields, key, path: stepPath) == nil || r.child(fields, "name", path: stepPath) == nil {
                    r.error(body, "`\(stepPath)` needs `name` and `\(key)`")
                }
                return name.flatMap { name in expression.map { (name, $0) } }
            }
            // A step whose one field is an expression; nil once what is wrong is reported.
            func sole(_ key: String, _ meaning: String) -> ActionExpression? {
                let fields = field([key])
                guard let located = r.child(fields, key, path: stepPath) else {
                    r.error(body, "`\(stepPath)` needs `\(key)`: \(meaning)")
                    return nil
                }
                return expression(located, path: "\(stepPath).\(key)", defined: defined, reader: r)
            }
            // A step binding the variable `name` to one of the action's `sources` or `secrets`
            // (named under `key`); nil once what is wrong is reported.
            func binding(_ key: String, declared: [String], meaning: String) -> (name: String, reference: String)? {
                let fields = field(["name", key])
                guard let name = variable(r.child(fields, "name", path: stepPath), path: "\(stepPath).name", reader: r),
                      let reference = r.child(fields, key, path: stepPath).flatMap({ r.scalar($0, path: "\(stepPath).\(key)", expected: "a \(key) name") }) else {
                    r.error(body, "`\(stepPath)` needs `name` (\(meaning)) and `\(key)`")
                    return nil
                }
                if !declared.contains(reference) {
                    let hint = closestMatch(to: reference, in: declared).map { "; did you mean `\($0)`?" } ?? ""
                    r.error(r.child(fields, key, path: stepPath), "`\(stepPath).\(key)` is `\(reference)`, which this action's `\(key)s` does not define\(hint)")
                }
                return (name, reference)
            }
            switch kind {
            case "fetch":
                guard let (name, source) = binding("source", declared: sources, meaning: "the variable") else { continue }
                defined.append(name)
                steps.append(.fetch(name: name, source: source))
            case "compute":
                guard let (name, expression) = named(field(["name", "expr"]), "expr") else { continue }
                defined.append(name)
                steps.append(.compute(name: name, expression))
            case "if":
                let fields = field(["condition", "then", "else"])
                guard let condition = expression(r.child(fields, "condition", path: stepPath), path: "\(stepPath).condition", defined: defined, reader: r) else {
                    if r.child(fields, "condition", path: stepPath) == nil { r.error(body, "`\(stepPath)` needs `condition`") }
                    continue
                }
                var thenDefined = defined, elseDefined = defined
                let then = actionSteps(r.child(fields, "then", path: stepPath), path: "\(stepPath).then", sources: sources, secrets: secrets, defined: &thenDefined, reader: r)
                let otherwise = actionSteps(r.child(fields, "else", path: stepPath), path: "\(stepPath).else", sources: sources, secrets: secrets, defined: &elseDefined, reader: r)
                for name in thenDefined + elseDefined where !defined.contains(name) { defined.append(name) }
                steps.append(.branch(condition, then: then, otherwise: otherwise))
            case "sign-ecdsa":
                guard let message = sole("message", "what to sign (its Keccak-256 is signed)") else { continue }
                steps.append(.signECDSA(message: message))
            case "sign":
                let fields = field(["message", "scheme"])
                let scheme = SigningScheme(rawValue: r.choice(r.child(fields, "scheme", path: stepPath), path: "\(stepPath).scheme", default: "frost-secp256k1",
                                                              allowed: SigningScheme.allCases.map(\.rawValue))) ?? .frostSecp256k1
                guard let located = r.child(fields, "message", path: stepPath) else {
                    r.error(body, "`\(stepPath)` needs `message`: what to sign (its SHA-256 is signed with FROST under the network key)")
                    continue
                }
                guard let message = expression(located, path: "\(stepPath).message", defined: defined, reader: r) else { continue }
                steps.append(.sign(message: message, scheme: scheme))
            case "decrypt":
                guard let (name, secret) = binding("secret", declared: secrets, meaning: "the variable its text is bound to") else { continue }
                defined.append(name)
                steps.append(.decrypt(name: name, secret: secret))
            case "jwt":
                guard let value = sole("value", "the JWT's `value` claim") else { continue }
                steps.append(.signJWT(value: value))
            case "run-once":
                let fields = field(["steps", "result"])
                var inner = defined
                let block = actionSteps(r.child(fields, "steps", path: stepPath), path: "\(stepPath).steps", sources: sources, secrets: secrets, defined: &inner, reader: r)
                guard let result = variable(r.child(fields, "result", path: stepPath), path: "\(stepPath).result", reader: r) else {
                    if r.child(fields, "result", path: stepPath) == nil { r.error(body, "`\(stepPath)` needs `result`: the variable the leader shares") }
                    continue
                }
                if !inner.contains(result) { r.error(r.child(fields, "result", path: stepPath), "`\(stepPath).result` is `\(result)`, which the block's steps never define") }
                defined.append(result)
                steps.append(.runOnce(steps: block, result: result))
            case "broadcast-and-collect":
                let fields = field(["name", "value", "reduce"])
                let reduce = ActionReduction(rawValue: r.choice(r.child(fields, "reduce", path: stepPath), path: "\(stepPath).reduce", default: "median",
                                                                allowed: ActionReduction.allCases.map(\.rawValue))) ?? .median
                guard let (name, value) = named(fields, "value") else { continue }
                defined.append(name)
                steps.append(.broadcastAndCollect(name: name, value: value, reduce: reduce))
            default:
                guard let value = sole("value", "the response") else { continue }
                steps.append(.respond(value))
            }
        }
        return steps
    }

    /// Whether `--set` or `sweep:` may change `path`: a listed key, or an action's parameter,
    /// source setting, limit or cost (`actions.NAME.parameters.P`, `actions.NAME.sources.S.skew`).
    static func isOverridable(_ path: String) -> Bool {
        if overridablePaths.contains(path) { return true }
        let parts = path.split(separator: ".").map(String.init)
        guard parts.count >= 3, parts[0] == "actions" else { return false }
        switch parts[2] {
        case "parameters": return parts.count == 4
        case "sources": return parts.count == 5 && ["latency", "jitter", "skew", "failure"].contains(parts[4])
        case "limits": return parts.count == 4 && ["fetches", "signatures", "timeout", "memory_mb"].contains(parts[3])
        case "costs": return parts.count == 4 && ["startup", "step", "peer_wait"].contains(parts[3])
        default: return false
        }
    }
}
