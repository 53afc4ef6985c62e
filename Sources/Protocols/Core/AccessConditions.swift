import ThresholdCrypto

/// Lit's access-control conditions (LIT-FACTS.md, "Access control"): contract calls with a
/// return-value test, joined with and/or and nestable. Content is bound to its conditions by
/// the ciphertext's label, the SHA-256 of their canonical JSON; each node evaluates them on
/// its own view of the chain, so nodes can disagree.
public indirect enum AccessCondition: Hashable, Sendable {
    case call(ContractCall)
    case all([AccessCondition])
    case any([AccessCondition])

    /// Nesting and size limits: what a node accepts from the network.
    public static let maximumDepth = 8
    public static let maximumCalls = 64

    /// Lit's unified JSON shape: a list whose items are calls or nested lists, with
    /// `{"operator":"and"}` / `{"operator":"or"}` between them; keys sorted, no spaces. The
    /// label of content encrypted under these conditions is its SHA-256.
    public var canonicalJSON: String {
        switch self {
        case let .call(call): "[\(call.canonicalJSON)]"
        case .all, .any: itemJSON
        }
    }

    var itemJSON: String {
        switch self {
        case let .call(call): call.canonicalJSON
        case let .all(items): "[" + items.map(\.itemJSON).joined(separator: ",{\"operator\":\"and\"},") + "]"
        case let .any(items): "[" + items.map(\.itemJSON).joined(separator: ",{\"operator\":\"or\"},") + "]"
        }
    }

    /// The label binding a ciphertext to `conditions` (no conditions: the empty list's).
    public static func label(_ conditions: AccessCondition?, meter: CostMeter) -> [UInt8] {
        Hashing.sha256(Array((conditions?.canonicalJSON ?? "[]").utf8), meter: meter)
    }

    /// Whether the conditions hold for `user` in `state`.
    public func holds(for user: String, in state: some ChainState) -> Bool {
        switch self {
        case let .call(call): call.holds(for: user, in: state)
        case let .all(items): items.allSatisfy { $0.holds(for: user, in: state) }
        case let .any(items): items.contains { $0.holds(for: user, in: state) }
        }
    }

    /// The chains the conditions read, each once, in first-use order.
    public var chains: [String] {
        var names: [String] = []
        func visit(_ condition: AccessCondition) {
            switch condition {
            case let .call(call): if !names.contains(call.chain) { names.append(call.chain) }
            case let .all(items), let .any(items): items.forEach(visit)
            }
        }
        visit(self)
        return names
    }

    public func encode(_ writer: inout ByteWriter) {
        switch self {
        case let .call(call):
            writer.append(1 as UInt8)
            call.encode(&writer)
        case let .all(items), let .any(items):
            writer.append(self.isAll ? 2 as UInt8 : 3)
            writer.append(UInt8(items.count))
            for item in items { item.encode(&writer) }
        }
    }

    var isAll: Bool { if case .all = self { true } else { false } }

    /// Decodes and validates (depth, size, every field) what a client sent.
    public static func decode(_ reader: inout ByteReader) throws(WireError) -> AccessCondition {
        var calls = 0
        return try decode(&reader, depth: 1, calls: &calls)
    }

    static func decode(_ reader: inout ByteReader, depth: Int, calls: inout Int) throws(WireError) -> AccessCondition {
        guard depth <= maximumDepth else { throw .invalidValue("access conditions nested deeper than \(maximumDepth)") }
        switch try reader.byte() {
        case 1:
            calls += 1
            guard calls <= maximumCalls else { throw .invalidValue("more than \(maximumCalls) contract calls in access conditions") }
            return .call(try ContractCall.decode(&reader))
        case let kind where kind == 2 || kind == 3:
            let count = Int(try reader.byte())
            guard count >= 2 else { throw .invalidValue("an and/or of fewer than two conditions") }
            var items: [AccessCondition] = []
            for _ in 0..<count { items.append(try decode(&reader, depth: depth + 1, calls: &calls)) }
            return kind == 2 ? .all(items) : .any(items)
        case let kind:
            throw .unknownKind(kind)
        }
    }
}

/// One contract call and the test of its return value (Lit's `evmBasic` condition).
public struct ContractCall: Hashable, Sendable {
    public enum Method: String, Sendable, CaseIterable {
        /// ERC-721 `ownerOf(tokenId)`: the owner's address ("" for none).
        case ownerOf
        /// ERC-20/721 `balanceOf(address)`: the holder's balance (tokens held for an NFT contract).
        case balanceOf
    }

    public enum Comparator: String, Sendable, CaseIterable {
        case equal = "=", notEqual = "!=", greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="
    }

    /// Stands for the requesting user's address in parameters and values (Lit's placeholder).
    public static let userAddress = ":userAddress"

    public let chain: String
    public let contract: String
    public let method: Method
    public let parameters: [String]
    public let comparator: Comparator
    public let value: String

    /// Why a call cannot be evaluated (the scenario decoder reports it; the wire rejects it).
    public static func problem(method: Method, parameters: [String], comparator: Comparator, value: String) -> String? {
        guard parameters.count == 1 else { return "`\(method.rawValue)` takes one parameter (got \(parameters.count))" }
        switch method {
        case .ownerOf:
            if comparator != .equal, comparator != .notEqual { return "`ownerOf` returns an address: compare it with = or !=" }
        case .balanceOf:
            if Int64(value) == nil { return "`balanceOf` returns a number: the value must be an integer (got `\(value)`)" }
        }
        return nil
    }

    public init?(chain: String, contract: String, method: Method, parameters: [String], comparator: Comparator, value: String) {
        guard Self.problem(method: method, parameters: parameters, comparator: comparator, value: value) == nil,
              [chain, contract, value].allSatisfy({ !$0.isEmpty && $0.utf8.count <= 255 }), parameters.allSatisfy({ $0.utf8.count <= 255 })
        else { return nil }
        self.chain = chain
        self.contract = contract
        self.method = method
        self.parameters = parameters
        self.comparator = comparator
        self.value = value
    }

    func holds(for user: String, in state: some ChainState) -> Bool {
        let substitute = { (text: String) in text == Self.userAddress ? user : text }
        switch method {
        case .ownerOf:
            let owner = state.owner(chain: chain, contract: contract, token: substitute(parameters[0])) ?? ""
            return comparator == .equal ? owner == substitute(value) : owner != substitute(value)
        case .balanceOf:
            let balance = state.balance(chain: chain, contract: contract, holder: substitute(parameters[0]))
            let target = Int64(value)!
            switch comparator {
            case .equal: return balance == target
            case .notEqual: return balance != target
            case .greater: return balance > target
            case .greaterOrEqual: return balance >= target
            case .less: return balance < target
            case .lessOrEqual: return balance <= target
            }
        }
    }

    var canonicalJSON: String {
        let parameters = self.parameters.map(Self.quoted).joined(separator: ",")
        return "{\"chain\":\(Self.quoted(chain)),\"contractAddress\":\(Self.quoted(contract)),\"method\":\(Self.quoted(method.rawValue)),"
            + "\"parameters\":[\(parameters)],\"returnValueTest\":{\"comparator\":\(Self.quoted(comparator.rawValue)),\"value\":\(Self.quoted(value))}}"
    }

    static func quoted(_ text: String) -> String { JSONText.quoted(text) }

    func encode(_ writer: inout ByteWriter) {
        for text in [chain, contract] { Self.write(text, &writer) }
        writer.append(UInt8(Method.allCases.firstIndex(of: method)!))
        writer.append(UInt8(parameters.count))
        for parameter in parameters { Self.write(parameter, &writer) }
        writer.append(UInt8(Comparator.allCases.firstIndex(of: comparator)!))
        Self.write(value, &writer)
    }

    static func write(_ text: String, _ writer: inout ByteWriter) {
        let bytes = Array(text.utf8)
        writer.append(UInt8(bytes.count))
        writer.append(bytes: bytes)
    }

    static func read(_ reader: inout ByteReader) throws(WireError) -> String {
        let bytes = try reader.array(Int(try reader.byte()))
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidValue("access condition text is not UTF-8") }
        return text
    }

    static func decode(_ reader: inout ByteReader) throws(WireError) -> ContractCall {
        let chain = try read(&reader), contract = try read(&reader)
        let methodIndex = Int(try reader.byte())
        guard Method.allCases.indices.contains(methodIndex) else { throw .invalidValue("contract method") }
        var parameters: [String] = []
        for _ in 0..<Int(try reader.byte()) { parameters.append(try read(&reader)) }
        let comparatorIndex = Int(try reader.byte())
        guard Comparator.allCases.indices.contains(comparatorIndex) else { throw .invalidValue("comparator") }
        let value = try read(&reader)
        guard let call = ContractCall(chain: chain, contract: contract, method: Method.allCases[methodIndex], parameters: parameters,
                                      comparator: Comparator.allCases[comparatorIndex], value: value) else {
            throw .invalidValue("contract call")
        }
        return call
    }
}

/// What a condition reads: the state of the simulated chains as one node's RPC sees it.
public protocol ChainState {
    /// The owner of an NFT (`token` of `contract`), nil for none.
    func owner(chain: String, contract: String, token: String) -> String?
    /// A holder's balance of a fungible token, or the number of a contract's NFTs it owns.
    func balance(chain: String, contract: String, holder: String) -> Int64
}

/// A node's chain RPC: it evaluates conditions at the latest block *it* sees, when asked
/// (the host sets the time before each input; the service never sees a clock).
public protocol ChainView: AnyObject {
    /// How long one evaluation takes (the RPC's round trip): the service waits this long.
    var latency: Duration { get }
    func holds(_ condition: AccessCondition, for user: String) -> Bool
}
