import Foundation
import LitNetwork
import Protocols
import Simulation
import Yams

/// A comparison in an `expect:` entry.
public enum Comparison: String, Sendable, CaseIterable {
    case greaterOrEqual = ">=", lessOrEqual = "<=", notEqual = "!=", equal = "==", greater = ">", less = "<"
}

/// One `expect:` entry: a metric and the condition it must meet.
public struct Expectation: Sendable {
    public enum Expected: Sendable, Equatable {
        case number(Double)
        case bool(Bool)
        case list([Int])
    }

    public let metric: String
    /// As written, for reports: ">= 0.99".
    public let condition: String
    public let comparison: Comparison
    public let expected: Expected
    /// Only requests started in [from, to) count (`sign.*` metrics).
    public var window: (from: SimDuration, to: SimDuration)?

    /// Whether `actual` meets the condition (a missing metric never does).
    public func holds(for actual: MetricValue?) -> Bool {
        guard let actual else { return false }
        switch expected {
        case let .bool(value):
            guard case let .bool(got) = actual else { return false }
            return comparison == .equal ? got == value : got != value
        case let .list(values):
            guard case let .list(got) = actual else { return false }
            return comparison == .equal ? got == values : got != values
        case let .number(value):
            guard let got = actual.numeric else { return false }
            switch comparison {
            case .equal: return got == value
            case .notEqual: return got != value
            case .less: return got < value
            case .lessOrEqual: return got <= value
            case .greater: return got > value
            case .greaterOrEqual: return got >= value
            }
        }
    }
}

/// One swept parameter: a dotted key path and the values it takes (YAML scalars as written).
public struct SweepAxis: Sendable, Equatable {
    public let path: String
    public let values: [String]
}

/// A validated scenario, ready to run.
public struct Scenario: Sendable {
    public let file: String
    public let name: String
    public let description: String
    public let specification: NetworkSpecification
    public let expectations: [Expectation]
    public let sweep: [SweepAxis]
    public let warnings: [Diagnostic]
    /// The `--set` options it was loaded with, in order.
    public var overrides: [String] = []
    /// The scenario with every override written into it (YAML): run as it is, it reproduces
    /// the run (defaults are the same for both, so they are left implicit).
    public var resolvedYAML: String = ""
    /// The bytes of every file it reads besides itself (a `nodes.cpu` table, action files), in
    /// order: a sweep point's key covers them, so editing one reruns the points.
    public var includedFiles: [Data] = []

    public var seed: UInt64 { specification.seed }
}

/// Every metric a scenario can expect, for validation and "did you mean".
/// (The registry's deterministic metrics: wall time is not something to expect.)
public let knownMetrics = MetricRegistry.all.filter(\.isDeterministic).map(\.name)

/// Reads, validates and builds scenarios.
public enum ScenarioLoader {
    /// Scenario files larger than this are rejected before parsing.
    public static let maximumBytes = 1 << 20
    /// Deeper flow nesting or indentation than this is rejected before parsing (the YAML
    /// composer recurses, and no real scenario comes close).
    public static let maximumDepth = 64

    /// Loads and validates a scenario file. `overrides` are `key.path=value` strings (`--set`).
    public static func load(path: String, overrides: [String] = []) throws(ScenarioErrors) -> Scenario {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ScenarioErrors(diagnostics: [Diagnostic(file: path, line: 1, column: 1, message: "cannot read the file: \(error.localizedDescription)")])
        }
        return try load(data: data, file: path, overrides: overrides)
    }

    public static func load(data: Data, file: String, overrides: [String] = []) throws(ScenarioErrors) -> Scenario {
        func fail(_ line: Int, _ column: Int, _ message: String) -> ScenarioErrors {
            ScenarioErrors(diagnostics: [Diagnostic(file: file, line: line, column: column, message: message)])
        }
        let (text, parsed) = try compose(data: data, file: file)
        guard let root = parsed else { throw fail(1, 1, "the scenario is empty; it needs at least `name:` (see Scenarios/naga-10.yaml)") }
        var overrideNodes = [String: Located]()
        var diagnostics = [Diagnostic]()
        for override in overrides {
            switch parseOverride(override) {
            case let .success((path, node)): overrideNodes[path] = Located(node: node, file: "--set \(override)")
            case let .failure(diagnostic): diagnostics.append(diagnostic)
            }
        }
        let reader = Reader(file: file, overrides: overrideNodes)
        let scenario = decode(Located(node: root, file: file), reader: reader)
        for path in overrideNodes.keys.sorted() where !reader.usedOverrides.contains(path) {
            let hint = closestMatch(to: path, in: overridablePaths).map { "; did you mean `\($0)`?" } ?? ""
            diagnostics.append(Diagnostic(file: "--set", line: 1, column: 1, message: "`\(path)` is not a scenario key that can be set\(hint)"))
        }
        diagnostics += reader.diagnostics
        diagnostics.sort { ($0.file, $0.line, $0.column) < ($1.file, $1.line, $1.column) }
        let errors = diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty, var scenario else {
            throw ScenarioErrors(diagnostics: errors.isEmpty ? diagnostics : errors)
        }
        scenario.overrides = overrides
        var resolved = root
        for override in overrides {
            if case let .success((path, node)) = parseOverride(override) { resolved = setting(path.split(separator: ".").map(String.init), to: node, in: resolved) }
        }
        scenario.resolvedYAML = (try? Yams.serialize(node: resolved)) ?? text
        return scenario
    }

    /// What every YAML file LitSim reads (scenarios, explore files) goes through before it is
    /// read: a size limit, no NUL byte, UTF-8, the nesting and alias pre-scan, then the YAML
    /// parser, each failure located. Returns the text and its root (nil for an empty document).
    static func compose(data: Data, file: String) throws(ScenarioErrors) -> (text: String, root: Node?) {
        func fail(_ line: Int, _ column: Int, _ message: String) -> ScenarioErrors {
            ScenarioErrors(diagnostics: [Diagnostic(file: file, line: line, column: column, message: message)])
        }
        guard data.count <= maximumBytes else { throw fail(1, 1, "the file is \(data.count) bytes; scenarios are at most \(maximumBytes)") }
        let bytes = [UInt8](data)
        if let nul = bytes.firstIndex(of: 0) {
            let (line, column) = position(of: nul, in: bytes)
            throw fail(line, column, "the file contains a NUL byte: it is binary, not a YAML scenario")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let bad = firstInvalidUTF8(bytes)
            let (line, column) = position(of: bad, in: bytes)
            throw fail(line, column, "the file is not UTF-8 text")
        }
        if let problem = preScan(text) { throw fail(problem.line, problem.column, problem.message) }
        do {
            return (text, try Yams.compose(yaml: text))
        } catch let error as YamlError {
            throw ScenarioErrors(diagnostics: [yamlDiagnostic(error, file: file)])
        } catch {
            throw fail(1, 1, "cannot parse YAML: \(error)")
        }
    }

    /// `root` with the value at `path` (mapping keys) replaced by `value`, creating mappings
    /// on the way where there are none.
    static func setting(_ path: [String], to value: Node, in root: Node) -> Node {
        guard let key = path.first else { return value }
        var pairs: [(Node, Node)] = []
        if case let .mapping(mapping) = root { pairs = mapping.map { ($0.key, $0.value) } }
        if let index = pairs.firstIndex(where: { $0.0.scalar?.string == key }) {
            pairs[index].1 = setting(Array(path.dropFirst()), to: value, in: pairs[index].1)
        } else {
            pairs.append((Node(key), setting(Array(path.dropFirst()), to: value, in: Node.mapping(Node.Mapping([])))))
        }
        return .mapping(Node.Mapping(pairs))
    }

    /// `a.b.c=value`, the value read as YAML (so lists and numbers work: `network.nodes=20`).
    static func parseOverride(_ text: String) -> Result<(String, Node), Diagnostic> {
        let origin = "--set \(text)"
        guard let equals = text.firstIndex(of: "=") else {
            return .failure(Diagnostic(file: origin, line: 1, column: 1, message: "expected key.path=value"))
        }
        let path = String(text[..<equals]).trimmingCharacters(in: .whitespaces)
        let value = String(text[text.index(after: equals)...])
        guard !path.isEmpty, path.split(separator: ".").allSatisfy({ !$0.isEmpty }) else {
            return .failure(Diagnostic(file: origin, line: 1, column: 1, message: "expected key.path=value"))
        }
        guard preScan(value) == nil, let node = try? Yams.compose(yaml: value.isEmpty ? "''" : value) else {
            return .failure(Diagnostic(file: origin, line: 1, column: path.count + 2, message: "cannot read `\(value)` as a YAML value"))
        }
        return .success((path, node))
    }

    static func yamlDiagnostic(_ error: YamlError, file: String) -> Diagnostic {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let detail = context.map { "\(problem) \($0.text)" } ?? problem
            return Diagnostic(file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(detail)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return Diagnostic(file: file, line: context.mark.line, column: context.mark.column,
                              message: "duplicate key \(duplicates.map { "`\($0)`" }.joined(separator: ", ")) in one mapping")
        default:
            return Diagnostic(file: file, line: 1, column: 1, message: "invalid YAML: \(error)")
        }
    }

    static func position(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        var line = 1, column = 1
        for byte in bytes.prefix(offset) {
            if byte == 0x0A { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }

    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
        var low = 0, high = bytes.count
        while low < high {
            let middle = (low + high) / 2
            if String(validating: bytes[..<middle], as: UTF8.self) != nil || middle == 0 { low = middle + 1 } else { high = middle }
        }
        return max(0, low - 1)
    }

    /// Checks the text before the YAML parser sees it: nesting deeper than allowed (the
    /// parser recurses) and aliases (`*name`, which YAML expands: an alias bomb used as a key
    /// would be expanded while the parser hashes keys, before any limit here could act).
    static func preScan(_ text: String) -> (line: Int, column: Int, message: String)? {
        var depth = 0
        var line = 1, column = 0
        var quote: Character?
        var atLineStart = true
        var inComment = false
        var indent = 0
        var previous: Character = "\n"
        for character in text {
            column += 1
            defer { previous = character }
            if character == "\n" {
                line += 1
                column = 0
                atLineStart = true
                inComment = false
                indent = 0
                continue
            }
            if inComment { continue }
            if atLineStart {
                if character == " " || character == "-" {
                    indent += 1
                    if indent > 2 * maximumDepth {
                        return (line, column, "nesting deeper than \(maximumDepth) levels; scenarios are shallow mappings and lists")
                    }
                    if character == " " { continue }
                }
                atLineStart = false
            }
            if let open = quote {
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "\"", "'": quote = character
            case "#" where previous == " " || previous == "\t" || column == 1: inComment = true
            case "[", "{":
                depth += 1
                if depth > maximumDepth {
                    return (line, column, "nesting deeper than \(maximumDepth) levels; scenarios are shallow mappings and lists")
                }
            case "]", "}": depth = max(0, depth - 1)
            case "*" where " \t[{,:-?\n".contains(previous):
                return (line, column, "YAML aliases (*name) are not supported in scenario files; write the value out")
            default: break
            }
        }
        return nil
    }
}
