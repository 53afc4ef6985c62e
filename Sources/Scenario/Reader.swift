import Foundation
import Simulation
import Yams

/// A YAML node and the file (or `--set` argument) it came from.
struct Located {
    let node: Node
    let file: String

    var line: Int { node.mark?.line ?? 1 }
    var column: Int { node.mark?.column ?? 1 }

    var kind: String {
        switch node {
        case .scalar: "a scalar"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// The scalar's text (nil for a mapping or list).
    var text: String? { node.scalar?.string }
}

/// Reads typed values out of the YAML tree, recording every problem with its location and
/// carrying on, so that one run of `litsim validate` shows all of them.
final class Reader {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []
    /// `--set` and sweep values by dotted path; they replace what the file says.
    var overrides: [String: Located]
    private(set) var usedOverrides: Set<String> = []
    /// Nodes visited; a YAML alias bomb expands into far more than any real scenario has.
    private var visited = 0
    static let visitLimit = 100_000

    init(file: String, overrides: [String: Located]) {
        self.file = file
        self.overrides = overrides
    }

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// The bytes of every file the scenario reads besides itself (a cost table, action files),
    /// in the order read: the scenario's hash covers them.
    private(set) var includedFiles: [Data] = []

    func include(_ data: Data) { includedFiles.append(data) }

    /// A diagnostic found elsewhere (an included file's parser).
    func record(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

    func error(_ at: Located?, _ message: String) {
        diagnostics.append(Diagnostic(file: at?.file ?? file, line: at?.line ?? 1, column: at?.column ?? 1, message: message))
    }

    func warning(_ at: Located?, _ message: String) {
        diagnostics.append(Diagnostic(file: at?.file ?? file, line: at?.line ?? 1, column: at?.column ?? 1, severity: .warning, message: message))
    }

    func budgetExceeded(_ at: Located) -> Bool {
        visited += 1
        if visited == Self.visitLimit {
            error(at, "the document expands to more than \(Self.visitLimit) values (an alias bomb?)")
        }
        return visited >= Self.visitLimit
    }

    /// The keys of a mapping (checked against `allowed`), in file order.
    func mapping(_ located: Located?, path: String, allowed: [String]) -> [(key: String, value: Located)] {
        guard let located else { return [] }
        guard !budgetExceeded(located) else { return [] }
        guard case let .mapping(pairs) = located.node else {
            error(located, "`\(path)` must be a mapping, got \(located.kind)")
            return []
        }
        var entries = [(key: String, value: Located)]()
        // Node.Mapping keeps file order, so errors come out in file order.
        for (keyNode, valueNode) in pairs {
            let key = Located(node: keyNode, file: located.file)
            guard let name = keyNode.scalar?.string else {
                error(key, "keys of `\(path)` must be plain names")
                continue
            }
            let full = path.isEmpty ? name : "\(path).\(name)"
            guard allowed.contains(name) else {
                let hint = closestMatch(to: name, in: allowed).map { "; did you mean `\($0)`?" } ?? ""
                error(key, "unknown key `\(full)`\(hint) (expected one of: \(allowed.joined(separator: ", ")))")
                continue
            }
            entries.append((name, Located(node: valueNode, file: located.file)))
        }
        return entries
    }

    /// The keys a mapping has (none if it is not one): for mappings keyed by the user's names.
    func keys(of located: Located) -> [String] {
        guard case let .mapping(pairs) = located.node else { return [] }
        return pairs.compactMap { $0.key.scalar?.string }
    }

    /// The value at `path`: an override if there is one, else the mapping's entry.
    func child(_ entries: [(key: String, value: Located)], _ key: String, path: String) -> Located? {
        let full = path.isEmpty ? key : "\(path).\(key)"
        if let override = overrides[full] {
            usedOverrides.insert(full)
            return override
        }
        return entries.first { $0.key == key }?.value
    }

    func scalar(_ located: Located, path: String, expected: String) -> String? {
        guard !budgetExceeded(located) else { return nil }
        guard let text = located.text else {
            error(located, "`\(path)` must be \(expected), got \(located.kind)")
            return nil
        }
        return text
    }

    func integer(_ located: Located?, path: String, default value: Int, range: ClosedRange<Int>) -> Int {
        guard let located, let text = scalar(located, path: path, expected: "an integer") else { return value }
        guard let number = Int(text.replacingOccurrences(of: "_", with: "")) else {
            error(located, "`\(path)` must be an integer, got `\(text)`")
            return value
        }
        guard range.contains(number) else {
            error(located, "`\(path)` is \(number); expected \(range.lowerBound) to \(range.upperBound)")
            return value
        }
        return number
    }

    func seed(_ located: Located?, path: String, default value: UInt64) -> UInt64 {
        guard let located, let text = scalar(located, path: path, expected: "an unsigned integer") else { return value }
        guard let number = UInt64(text.replacingOccurrences(of: "_", with: "")) else {
            error(located, "`\(path)` must be an integer from 0 to \(UInt64.max), got `\(text)`")
            return value
        }
        return number
    }

    func duration(_ located: Located?, path: String, default value: SimDuration, allowZero: Bool = true) -> SimDuration {
        guard let located, let text = scalar(located, path: path, expected: "a duration such as 30s") else { return value }
        if text == "0" { return .zero }
        guard let duration = SimDuration(parsing: text) else {
            error(located, "`\(path)` must be a duration with a unit (ns, us, ms, s, m, h), e.g. 30s; got `\(text)`")
            return value
        }
        if !allowZero && duration.nanoseconds == 0 { error(located, "`\(path)` must be longer than zero") }
        guard duration.nanoseconds <= 365 * 24 * 3_600_000_000_000 else {
            error(located, "`\(path)` is \(text); durations are at most a year")
            return value
        }
        return duration
    }

    func probability(_ located: Located?, path: String, default value: Probability) -> Probability {
        guard let located, let text = scalar(located, path: path, expected: "a probability such as 0.01") else { return value }
        guard let probability = Probability(parsing: text) else {
            error(located, "`\(path)` must be a probability from 0 to 1 (0.01, 1%, 1/100); got `\(text)`")
            return value
        }
        return probability
    }

    func bool(_ located: Located?, path: String, default value: Bool) -> Bool {
        guard let located, let text = scalar(located, path: path, expected: "true or false") else { return value }
        switch text {
        case "true": return true
        case "false": return false
        default:
            error(located, "`\(path)` must be true or false, got `\(text)`")
            return value
        }
    }

    func choice(_ located: Located?, path: String, default value: String, allowed: [String]) -> String {
        guard let located, let text = scalar(located, path: path, expected: "one of \(allowed.joined(separator: ", "))") else { return value }
        guard allowed.contains(text) else {
            let hint = closestMatch(to: text, in: allowed).map { "; did you mean `\($0)`?" } ?? ""
            error(located, "`\(path)` is `\(text)`; expected one of: \(allowed.joined(separator: ", "))\(hint)")
            return value
        }
        return text
    }

    func list(_ located: Located?, path: String) -> [Located] {
        guard let located else { return [] }
        guard !budgetExceeded(located) else { return [] }
        guard case let .sequence(sequence) = located.node else {
            error(located, "`\(path)` must be a list, got \(located.kind)")
            return []
        }
        return sequence.map { Located(node: $0, file: located.file) }
    }

    /// A list of node ids, each below `count`.
    func nodeIDs(_ located: Located?, path: String, count: Int, what: String = "node") -> [Int] {
        var ids = [Int]()
        for (index, item) in list(located, path: path).enumerated() {
            let id = integer(item, path: "\(path)[\(index)]", default: -1, range: 0...Int.max)
            guard id >= 0 else { continue }
            guard id < count else {
                error(item, "`\(path)[\(index)]` is \(what) \(id), but there are only \(count) (ids are 0-based, so 0 to \(count - 1))")
                continue
            }
            if ids.contains(id) { error(item, "`\(path)` lists \(what) \(id) twice") } else { ids.append(id) }
        }
        return ids
    }
}
