import LitNetwork
import Protocols
import Simulation

/// `chains:`, `rpc:`, `chain_events:` and the `conditions:` of decrypt requests (DESIGN.md §5).
extension ScenarioLoader {
    static func accessSpecification(_ top: [(key: String, value: Located)], stop: SimDuration, reader r: Reader) -> AccessSpecification? {
        let chainsNode = r.child(top, "chains", path: "")
        let rpcNode = r.child(top, "rpc", path: "")
        let eventsNode = r.child(top, "chain_events", path: "")
        guard let chainsNode else {
            for node in [rpcNode, eventsNode].compactMap({ $0 }) { r.error(node, "`rpc` and `chain_events` need `chains` (the chains they concern)") }
            return nil
        }
        var chains: [SimulatedChainSpecification] = []
        for (name, value) in r.mapping(chainsNode, path: "chains", allowed: r.keys(of: chainsNode)) {
            let path = "chains.\(name)"
            let fields = r.mapping(value, path: path, allowed: ["block_time", "reorg"])
            var chain = SimulatedChainSpecification(name: name, blockTime: r.duration(r.child(fields, "block_time", path: path), path: "\(path).block_time",
                                                                                     default: .seconds(12), allowZero: false))
            if let reorgNode = r.child(fields, "reorg", path: path) {
                let reorg = r.mapping(reorgNode, path: "\(path).reorg", allowed: ["probability", "depth"])
                chain.reorgProbability = r.probability(r.child(reorg, "probability", path: "\(path).reorg"), path: "\(path).reorg.probability", default: .never)
                chain.reorgDepth = range(r.child(reorg, "depth", path: "\(path).reorg"), path: "\(path).reorg.depth", default: 1...1, within: 1...64, reader: r)
            }
            if name.isEmpty || name.utf8.count > 255 { r.error(value, "`\(path)`: a chain's name is 1 to 255 bytes") }
            chains.append(chain)
        }
        if chains.isEmpty { r.error(chainsNode, "`chains` declares no chain (e.g. `chains: { ethereum: { block_time: 12s } }`)") }
        var rpc = RPCSpecification()
        if let rpcNode {
            let fields = r.mapping(rpcNode, path: "rpc", allowed: ["lag_blocks", "latency"])
            rpc.lagBlocks = range(r.child(fields, "lag_blocks", path: "rpc"), path: "rpc.lag_blocks", default: 0...0, within: 0...1000, reader: r)
            rpc.latency = r.duration(r.child(fields, "latency", path: "rpc"), path: "rpc.latency", default: rpc.latency)
        }
        var events: [ChainEvent] = []
        let names = chains.map(\.name)
        for (index, entry) in r.list(eventsNode, path: "chain_events").enumerated() {
            let path = "chain_events[\(index)]"
            let fields = r.mapping(entry, path: path, allowed: ["at", "chain", "transfer", "reorg"])
            let atNode = r.child(fields, "at", path: path)
            if atNode == nil { r.error(entry, "`\(path).at` is required: when it happens") }
            let at = r.duration(atNode, path: "\(path).at", default: .zero)
            if at > stop { r.error(atNode, "`\(path).at` is \(at), after `stop` (\(stop))") }
            let chain = chainName(r.child(fields, "chain", path: path), in: entry, path: "\(path).chain", names: names, default: names.first ?? "", reader: r)
            let transfer = r.child(fields, "transfer", path: path), reorg = r.child(fields, "reorg", path: path)
            guard (transfer == nil) != (reorg == nil) else {
                r.error(entry, "`\(path)` needs exactly one of `transfer` or `reorg`")
                continue
            }
            if let reorg {
                let reorgFields = r.mapping(reorg, path: "\(path).reorg", allowed: ["depth"])
                let depth = r.integer(r.child(reorgFields, "depth", path: "\(path).reorg"), path: "\(path).reorg.depth", default: 1, range: 1...64)
                events.append(ChainEvent(at: at, chain: chain, action: .reorg(depth: depth)))
            } else if let transfer, let action = transferAction(transfer, path: "\(path).transfer", reader: r) {
                events.append(ChainEvent(at: at, chain: chain, action: action))
            }
        }
        return AccessSpecification(chains: chains, events: events, rpc: rpc)
    }

    /// `{token: nft-1, to: client-3}` (contract `nft`, token 1), `{contract: nft, token: 1, to: …}`,
    /// or a fungible `{token: usdc, amount: 100, to: …, from: …}`.
    static func transferAction(_ located: Located, path: String, reader r: Reader) -> ChainEvent.Action? {
        let fields = r.mapping(located, path: path, allowed: ["token", "contract", "to", "from", "amount"])
        let text = { (key: String) in r.child(fields, key, path: path).flatMap { r.scalar($0, path: "\(path).\(key)", expected: "a name") } }
        guard let token = text("token"), let to = text("to") else {
            r.error(located, "`\(path)` needs `token` and `to` (e.g. { token: nft-1, to: client-3 })")
            return nil
        }
        let from = text("from")
        if let amountNode = r.child(fields, "amount", path: path) {
            let amount = r.integer(amountNode, path: "\(path).amount", default: 1, range: 1...Int(Int64.max / 2))
            if let contract = r.child(fields, "contract", path: path) { r.error(contract, "a fungible transfer names its token in `token` alone") }
            return .transfer(contract: token, token: nil, from: from, to: to, amount: Int64(amount))
        }
        if let contract = text("contract") { return .transfer(contract: contract, token: token, from: from, to: to, amount: nil) }
        guard let dash = token.lastIndex(of: "-"), dash != token.startIndex, !token[token.index(after: dash)...].isEmpty else {
            r.error(r.child(fields, "token", path: path) ?? located,
                    "`\(path).token` is `\(token)`: name an NFT as CONTRACT-ID (nft-1) or give `contract` and `token`, or a fungible token with `amount`")
            return nil
        }
        return .transfer(contract: String(token[..<dash]), token: String(token[token.index(after: dash)...]), from: from, to: to, amount: nil)
    }

    static func chainName(_ located: Located?, in parent: Located, path: String, names: [String], default value: String, reader r: Reader) -> String {
        guard let located else {
            if names.count > 1 { r.error(parent, "`\(path)` is required when `chains` declares more than one") }
            return value
        }
        return r.choice(located, path: path, default: value, allowed: names)
    }

    /// `lo...hi` or a single integer.
    static func range(_ located: Located?, path: String, default value: ClosedRange<Int>, within bounds: ClosedRange<Int>, reader r: Reader) -> ClosedRange<Int> {
        guard let located, let text = r.scalar(located, path: path, expected: "an integer or a range such as 0...3") else { return value }
        let parts = text.components(separatedBy: "...").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard let low = parts.first ?? nil, let high = parts.count == 2 ? parts[1] : (parts.count == 1 ? low : nil), low <= high,
              bounds.contains(low), bounds.contains(high) else {
            r.error(located, "`\(path)` must be an integer or a range such as 0...3 within \(bounds.lowerBound)...\(bounds.upperBound); got `\(text)`")
            return value
        }
        return low...high
    }

    /// A condition in Lit's shape (`{chain, contract, method, parameters, return_value_test:
    /// {comparator, value}}`), or `{and: [...]}` / `{or: [...]}` of two or more, nested.
    static func accessCondition(_ located: Located, path: String, chains: [String], reader r: Reader) -> AccessCondition? {
        var calls = 0
        let condition = accessCondition(located, path: path, chains: chains, depth: 1, calls: &calls, reader: r)
        if calls > AccessCondition.maximumCalls {
            r.error(located, "`\(path)` has \(calls) contract calls; at most \(AccessCondition.maximumCalls) (what a node accepts)")
            return nil
        }
        return condition
    }

    static func accessCondition(_ located: Located, path: String, chains: [String], depth: Int, calls: inout Int, reader r: Reader) -> AccessCondition? {
        guard depth <= AccessCondition.maximumDepth else {
            r.error(located, "`\(path)` nests deeper than \(AccessCondition.maximumDepth)")
            return nil
        }
        let keys = r.keys(of: located)
        if keys == ["and"] || keys == ["or"] {
            let fields = r.mapping(located, path: path, allowed: keys)
            var items: [AccessCondition] = []
            for (index, item) in r.list(fields.first?.value, path: "\(path).\(keys[0])").enumerated() {
                if let condition = accessCondition(item, path: "\(path).\(keys[0])[\(index)]", chains: chains, depth: depth + 1, calls: &calls, reader: r) {
                    items.append(condition)
                }
            }
            guard items.count >= 2, items.count <= 255 else {
                r.error(located, "`\(path).\(keys[0])` joins two to 255 conditions (got \(items.count))")
                return nil
            }
            return keys == ["and"] ? .all(items) : .any(items)
        }
        calls += 1
        let fields = r.mapping(located, path: path, allowed: ["chain", "contract", "method", "parameters", "return_value_test"])
        let chain = chainName(r.child(fields, "chain", path: path), in: located, path: "\(path).chain", names: chains, default: chains.first ?? "", reader: r)
        guard let contractNode = r.child(fields, "contract", path: path), let contract = r.scalar(contractNode, path: "\(path).contract", expected: "a contract name"),
              let testNode = r.child(fields, "return_value_test", path: path) else {
            r.error(located, "`\(path)` needs `contract`, `method` and `return_value_test` (or is `and:`/`or:` of conditions)")
            return nil
        }
        let methodNode = r.child(fields, "method", path: path)
        let method = ContractCall.Method(rawValue: r.choice(methodNode, path: "\(path).method", default: "balanceOf",
                                                            allowed: ContractCall.Method.allCases.map(\.rawValue)))!
        let parameters = r.list(r.child(fields, "parameters", path: path), path: "\(path).parameters").enumerated().compactMap { index, item in
            r.scalar(item, path: "\(path).parameters[\(index)]", expected: "a parameter")
        }
        let test = r.mapping(testNode, path: "\(path).return_value_test", allowed: ["comparator", "value"])
        let comparator = ContractCall.Comparator(rawValue: r.choice(r.child(test, "comparator", path: "\(path).return_value_test"),
                                                                    path: "\(path).return_value_test.comparator", default: "=",
                                                                    allowed: ContractCall.Comparator.allCases.map(\.rawValue)))!
        guard let valueNode = r.child(test, "value", path: "\(path).return_value_test"),
              let value = r.scalar(valueNode, path: "\(path).return_value_test.value", expected: "a value") else {
            r.error(testNode, "`\(path).return_value_test` needs `value`")
            return nil
        }
        guard !chains.isEmpty else {
            r.error(located, "`\(path)` reads a chain, but the scenario declares no `chains`")
            return nil
        }
        if let problem = ContractCall.problem(method: method, parameters: parameters, comparator: comparator, value: value) {
            r.error(methodNode ?? located, "`\(path)`: \(problem)")
            return nil
        }
        guard let call = ContractCall(chain: chain, contract: contract, method: method, parameters: parameters, comparator: comparator, value: value) else {
            r.error(located, "`\(path)`: names and values are 1 to 255 bytes")
            return nil
        }
        return .call(call)
    }
}
