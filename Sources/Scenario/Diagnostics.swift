/// One problem in a scenario file, located: `FILE:LINE:COLUMN: error: MESSAGE`.
public struct Diagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }
    public let file: String
    public let line: Int
    public let column: Int
    public let severity: Severity
    public let message: String

    public init(file: String, line: Int, column: Int, severity: Severity = .error, message: String) {
        self.file = file
        self.line = max(1, line)
        self.column = max(1, column)
        self.severity = severity
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): \(severity.rawValue): \(message)" }
}

/// Everything wrong with a scenario (errors first by position; nothing is simulated from it).
public struct ScenarioErrors: Error, Sendable, CustomStringConvertible {
    public let diagnostics: [Diagnostic]
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// "Did you mean" for a misspelt name: the closest candidate within a small edit distance.
/// Also catches abbreviations: `bad-sig-share` for `bad-signature-share`.
public func closestMatch(to word: String, in candidates: [String]) -> String? {
    let lowered = word.lowercased()
    let scored = candidates.map { ($0, editDistance(lowered, $0.lowercased())) }
    if let best = scored.min(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }), best.1 <= max(2, word.count / 3) {
        return best.0
    }
    return candidates.first { candidate in
        let target = candidate.lowercased()
        return lowered.count >= 4 && target.hasPrefix(String(lowered.prefix(3))) && isSubsequence(lowered, of: target)
    }
}

func isSubsequence(_ small: String, of large: String) -> Bool {
    var iterator = large.makeIterator()
    for character in small {
        while true {
            guard let next = iterator.next() else { return false }
            if next == character { break }
        }
    }
    return true
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
