import Foundation
import Protocols

/// A JSON value written with keys in the order given, so outputs are byte-identical for the
/// same run (Foundation's encoders do not promise an order, and Dictionary has none).
public indirect enum JSON: Sendable {
    case string(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSON])
    case object([(String, JSON)])

    public var text: String {
        var out = ""
        write(into: &out, indent: 0, pretty: true)
        return out
    }

    /// One line, for JSON Lines files.
    public var line: String {
        var out = ""
        write(into: &out, indent: 0, pretty: false)
        return out
    }

    func write(into out: inout String, indent: Int, pretty: Bool) {
        let pad = pretty ? String(repeating: "  ", count: indent + 1) : ""
        let close = pretty ? String(repeating: "  ", count: indent) : ""
        let newline = pretty ? "\n" : ""
        switch self {
        case let .string(value): out += Self.quote(value)
        case let .integer(value): out += String(value)
        case let .number(value): out += value.isFinite ? (value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)") : "null"
        case let .bool(value): out += value ? "true" : "false"
        case .null: out += "null"
        case let .array(values):
            if values.isEmpty { out += "[]"; return }
            let scalars = values.allSatisfy { if case .object = $0 { false } else if case .array = $0 { false } else { true } }
            if scalars {
                out += "[" + values.map { value -> String in var s = ""; value.write(into: &s, indent: 0, pretty: false); return s }.joined(separator: ", ") + "]"
                return
            }
            out += "[" + newline
            for (index, value) in values.enumerated() {
                out += pad
                value.write(into: &out, indent: indent + 1, pretty: pretty)
                out += (index == values.count - 1 ? "" : ",") + newline
            }
            out += close + "]"
        case let .object(fields):
            if fields.isEmpty { out += "{}"; return }
            out += "{" + newline
            for (index, (key, value)) in fields.enumerated() {
                out += pad + Self.quote(key) + (pretty ? ": " : ":")
                value.write(into: &out, indent: indent + 1, pretty: pretty)
                out += (index == fields.count - 1 ? "" : ",") + newline
            }
            out += close + "}"
        }
    }

    static func quote(_ string: String) -> String { JSONText.quoted(string) }
}

