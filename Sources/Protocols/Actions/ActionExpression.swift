import ThresholdCrypto

/// An action's `compute` language: numbers (fixed point, see `ActionNumber`), strings and
/// booleans; `+ - * / %`, `== != < <= > >=`, `&& || !`, parentheses, variables bound by earlier
/// steps, and the functions of `ActionExpression.functions`. Small on purpose: what a price
/// oracle or a condition needs, evaluated the same on every node.
public indirect enum ActionExpression: Hashable, Sendable, CustomStringConvertible {
    case literal(ActionValue)
    case variable(String)
    case unary(String, ActionExpression)
    case binary(String, ActionExpression, ActionExpression)
    case call(String, [ActionExpression])

    /// Every function, with its arity (a range) and what it does.
    public static let functions: [(name: String, arity: ClosedRange<Int>, summary: String)] = [
        ("round", 1...2, "round(x, d): x to d decimals (default 0), halves away from zero"),
        ("floor", 1...2, "floor(x, d): down to d decimals"),
        ("ceil", 1...2, "ceil(x, d): up to d decimals"),
        ("abs", 1...1, "abs(x)"),
        ("min", 1...16, "min(a, b, ...)"),
        ("max", 1...16, "max(a, b, ...)"),
        ("format", 2...2, "format(x, d): x as a string with exactly d decimals (JavaScript's toFixed)"),
        ("str", 1...1, "str(v): any value as a string"),
        ("num", 1...1, "num(s): a decimal string as a number"),
        ("len", 1...1, "len(s): a string's length in bytes"),
        ("sha256", 1...1, "sha256(s): the SHA-256 of s's UTF-8 bytes, in hex"),
        ("keccak256", 1...1, "keccak256(s): the Keccak-256 of s's UTF-8 bytes, in hex"),
        ("if", 3...3, "if(c, a, b): a when c is true, else b"),
    ]

    /// The longest expression text accepted, and the most operators and calls in it (bounds
    /// how deep evaluation recurses).
    public static let maximumLength = 4096
    public static let maximumOperations = 256

    /// Parses `text`; the error's column is 1-based.
    public init(parsing text: String) throws(ActionError) {
        guard text.utf8.count <= Self.maximumLength else { throw .parse("longer than \(Self.maximumLength) bytes", column: 1) }
        var parser = Parser(tokens: try Self.tokens(text))
        self = try parser.expression()
        guard parser.index == parser.tokens.count - 1 else {
            throw .parse("unexpected '\(parser.tokens[parser.index].text)'", column: parser.tokens[parser.index].column)
        }
    }

    /// The variables it reads, in order of appearance (a scenario is checked for them).
    public var variables: [String] {
        switch self {
        case .literal: []
        case let .variable(name): [name]
        case let .unary(_, operand): operand.variables
        case let .binary(_, left, right): left.variables + right.variables
        case let .call(_, arguments): arguments.flatMap(\.variables)
        }
    }

    public var description: String {
        switch self {
        case let .literal(.string(text)): "\"\(text)\""
        case let .literal(value): value.description
        case let .variable(name): name
        case let .unary(op, operand): "\(op)\(operand)"
        case let .binary(op, left, right): "(\(left) \(op) \(right))"
        case let .call(name, arguments): "\(name)(\(arguments.map(\.description).joined(separator: ", ")))"
        }
    }

    // MARK: Evaluation

    /// Its value under `variables`; hashing is charged to `meter`.
    public func evaluate(_ variables: [String: ActionValue], meter: CostMeter) throws(ActionError) -> ActionValue {
        switch self {
        case let .literal(value):
            return value
        case let .variable(name):
            guard let value = variables[name] else { throw .unknownVariable(name) }
            return value
        case let .unary(op, operand):
            let value = try operand.evaluate(variables, meter: meter)
            switch (op, value) {
            case let ("-", .number(number)): return .number(try ActionNumber(raw: 0) - number)
            case let ("!", .bool(flag)): return .bool(!flag)
            default: throw .typeMismatch("\(op) of a \(value.typeName)")
            }
        case let .binary(op, left, right):
            let a = try left.evaluate(variables, meter: meter)
            // && and || do not evaluate their right side when the left decides.
            if op == "&&" || op == "||" {
                guard case let .bool(first) = a else { throw .typeMismatch("\(op) of a \(a.typeName)") }
                if first == (op == "||") { return .bool(first) }
                let b = try right.evaluate(variables, meter: meter)
                guard case let .bool(second) = b else { throw .typeMismatch("\(op) of a \(b.typeName)") }
                return .bool(second)
            }
            return try Self.apply(op, a, try right.evaluate(variables, meter: meter))
        case let .call(name, arguments):
            if name == "if" {
                guard case let .bool(condition) = try arguments[0].evaluate(variables, meter: meter) else { throw .typeMismatch("if's condition must be a bool") }
                return try arguments[condition ? 1 : 2].evaluate(variables, meter: meter)
            }
            var values: [ActionValue] = []
            for argument in arguments { values.append(try argument.evaluate(variables, meter: meter)) }
            return try Self.call(name, values, meter: meter)
        }
    }

    static func apply(_ op: String, _ a: ActionValue, _ b: ActionValue) throws(ActionError) -> ActionValue {
        switch (op, a, b) {
        // (ActionValue compares strings by their UTF-8 bytes.)
        case ("==", _, _): return .bool(a == b)
        case ("!=", _, _): return .bool(a != b)
        case let ("+", .string(x), .string(y)):
            guard x.utf8.count + y.utf8.count <= ActionLimits.lit.stringBytes else { throw .outOfMemory(limitBytes: ActionLimits.lit.stringBytes) }
            return .string(x + y)
        case let (_, .number(x), .number(y)):
            switch op {
            case "+": return .number(try x + y)
            case "-": return .number(try x - y)
            case "*": return .number(try x * y)
            case "/": return .number(try x / y)
            case "%": return .number(try x % y)
            case "<": return .bool(x < y)
            case "<=": return .bool(x <= y)
            case ">": return .bool(x > y)
            case ">=": return .bool(x >= y)
            default: break
            }
        default: break
        }
        throw .typeMismatch("\(a.typeName) \(op) \(b.typeName)")
    }

    static func number(_ value: ActionValue, _ function: String) throws(ActionError) -> ActionNumber {
        guard case let .number(number) = value else { throw .typeMismatch("\(function) of a \(value.typeName)") }
        return number
    }

    static func string(_ value: ActionValue, _ function: String) throws(ActionError) -> String {
        guard case let .string(text) = value else { throw .typeMismatch("\(function) of a \(value.typeName)") }
        return text
    }

    /// A decimals argument: a whole number 0…9.
    static func digits(_ value: ActionValue, _ function: String) throws(ActionError) -> Int {
        let number = try number(value, function)
        guard number.raw % ActionNumber.scale == 0, (0...Int64(ActionNumber.decimals)).contains(number.raw / ActionNumber.scale) else {
            throw .badArgument("\(function)'s decimals must be a whole number 0…9, not \(number)")
        }
        return Int(number.raw / ActionNumber.scale)
    }

    static func call(_ name: String, _ values: [ActionValue], meter: CostMeter) throws(ActionError) -> ActionValue {
        switch name {
        case "round", "floor", "ceil":
            let rule: FloatingPointRoundingRule = name == "floor" ? .down : name == "ceil" ? .up : .toNearestOrAwayFromZero
            let places = values.count > 1 ? try digits(values[1], name) : 0
            return .number(try number(values[0], name).rounded(places, rule))
        case "abs":
            let value = try number(values[0], name)
            return .number(value.raw < 0 ? try ActionNumber(raw: 0) - value : value)
        case "min", "max":
            var numbers: [ActionNumber] = []
            for value in values { numbers.append(try number(value, name)) }
            return .number(name == "min" ? numbers.min()! : numbers.max()!)
        case "format":
            return .string(try number(values[0], name).formatted(try digits(values[1], name)))
        case "str":
            return .string(values[0].description)
        case "num":
            let text = try string(values[0], name)
            guard let number = ActionNumber(parsing: Substring(text)) else { throw .badArgument("num(\"\(text.prefix(40))\") is not a decimal number") }
            return .number(number)
        case "len":
            return .number(try ActionNumber(try string(values[0], name).utf8.count))
        case "sha256":
            return .string(Hashing.sha256(Array(try string(values[0], name).utf8), meter: meter).hexString)
        case "keccak256":
            return .string(Keccak.keccak256(Array(try string(values[0], name).utf8), meter: meter).hexString)
        default:
            throw .unknownFunction(name)
        }
    }

    // MARK: Parsing

    struct Token {
        enum Kind { case number, string, identifier, symbol, end }
        let kind: Kind
        let text: String
        let column: Int
    }

    static let symbols = ["==", "!=", "<=", ">=", "&&", "||", "+", "-", "*", "/", "%", "<", ">", "!", "(", ")", ","]

    static func tokens(_ text: String) throws(ActionError) -> [Token] {
        let characters = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let column = index + 1
            if character == " " || character == "\t" || character == "\n" { index += 1; continue }
            if character.properties.numericType != nil, character.isASCII {
                var end = index
                while end < characters.count, characters[end].isASCII, characters[end].properties.numericType != nil || characters[end] == "." { end += 1 }
                tokens.append(Token(kind: .number, text: String(String.UnicodeScalarView(characters[index..<end])), column: column))
                index = end
            } else if character == "\"" || character == "'" {
                var end = index + 1
                while end < characters.count, characters[end] != character { end += 1 }
                guard end < characters.count else { throw .parse("unterminated string", column: column) }
                tokens.append(Token(kind: .string, text: String(String.UnicodeScalarView(characters[(index + 1)..<end])), column: column))
                index = end + 1
            } else if character.isASCII, character.properties.isAlphabetic || character == "_" {
                var end = index
                while end < characters.count, characters[end].isASCII,
                      characters[end].properties.isAlphabetic || characters[end].properties.numericType != nil || characters[end] == "_" { end += 1 }
                tokens.append(Token(kind: .identifier, text: String(String.UnicodeScalarView(characters[index..<end])), column: column))
                index = end
            } else {
                let rest = String(String.UnicodeScalarView(characters[index..<min(index + 2, characters.count)]))
                guard let symbol = symbols.first(where: { rest.hasPrefix($0) }) else { throw .parse("unexpected character '\(character)'", column: column) }
                tokens.append(Token(kind: .symbol, text: symbol, column: column))
                index += symbol.count
            }
        }
        tokens.append(Token(kind: .end, text: "end of expression", column: characters.count + 1))
        return tokens
    }

    /// Precedence climbing: || < && < equality < comparison < + - < * / % < unary.
    struct Parser {
        let tokens: [Token]
        var index = 0
        var depth = 0
        var operations = 0

        mutating func operation() throws(ActionError) {
            operations += 1
            guard operations <= ActionExpression.maximumOperations else {
                throw .parse("more than \(ActionExpression.maximumOperations) operations", column: current.column)
            }
        }

        static let levels: [[String]] = [["||"], ["&&"], ["==", "!="], ["<", "<=", ">", ">="], ["+", "-"], ["*", "/", "%"]]

        var current: Token { tokens[index] }

        mutating func expression(level: Int = 0) throws(ActionError) -> ActionExpression {
            guard level < Self.levels.count else { return try unary() }
            var left = try expression(level: level + 1)
            while current.kind == .symbol, Self.levels[level].contains(current.text) {
                let op = current.text
                try operation()
                index += 1
                left = .binary(op, left, try expression(level: level + 1))
            }
            return left
        }

        mutating func unary() throws(ActionError) -> ActionExpression {
            depth += 1
            defer { depth -= 1 }
            guard depth < 64 else { throw .parse("nested too deeply", column: current.column) }
            if current.kind == .symbol, current.text == "-" || current.text == "!" {
                let op = current.text
                try operation()
                index += 1
                return .unary(op, try unary())
            }
            return try primary()
        }

        mutating func primary() throws(ActionError) -> ActionExpression {
            let token = current
            index += 1
            switch token.kind {
            case .number:
                guard let number = ActionNumber(parsing: Substring(token.text)) else { throw .parse("bad number '\(token.text)'", column: token.column) }
                return .literal(.number(number))
            case .string:
                return .literal(.string(token.text))
            case .identifier:
                if token.text == "true" || token.text == "false" { return .literal(.bool(token.text == "true")) }
                guard current.kind == .symbol, current.text == "(" else { return .variable(token.text) }
                try operation()
                index += 1
                var arguments: [ActionExpression] = []
                if !(current.kind == .symbol && current.text == ")") {
                    arguments.append(try expression())
                    while current.kind == .symbol, current.text == "," {
                        index += 1
                        arguments.append(try expression())
                    }
                }
                try expect(")")
                guard let function = ActionExpression.functions.first(where: { $0.name == token.text }) else { throw .unknownFunction(token.text) }
                guard function.arity.contains(arguments.count) else {
                    let expected = function.arity.count == 1 ? "\(function.arity.lowerBound)" : "\(function.arity.lowerBound)–\(function.arity.upperBound)"
                    throw .arity(token.text, expected: expected, got: arguments.count)
                }
                return .call(token.text, arguments)
            case .symbol where token.text == "(":
                let inner = try expression()
                try expect(")")
                return inner
            default:
                throw .parse("expected a value, found '\(token.text)'", column: token.column)
            }
        }

        mutating func expect(_ symbol: String) throws(ActionError) {
            guard current.kind == .symbol, current.text == symbol else { throw .parse("expected '\(symbol)', found '\(current.text)'", column: current.column) }
            index += 1
        }
    }
}
