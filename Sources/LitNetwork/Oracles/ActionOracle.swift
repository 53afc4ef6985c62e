import Protocols
import Simulation
import ThresholdCrypto

/// `action.honest_message`: a Lit Action's signature is over a message honest nodes computed.
/// Every honest signer whose share it combines computed that digest for that request, and the
/// honest nodes that computed it, with the Byzantine signers, reach the threshold — so a
/// minority cannot get the network's signature over a message of its own, whatever it fetched,
/// equivocated or claimed. (The letter "a threshold of honest nodes" cannot hold when a
/// Byzantine signer signs the honest message too: its share is one of the threshold.)
final class ActionMessageOracle: Oracle {
    let name = "action.honest_message"
    /// Per request, per digest: the honest nodes that computed it (in any attempt).
    var computed: [Int: [[UInt8]: Set<NodeID>]] = [:]

    func observe(_ event: ObservedEvent, _ facts: RunFacts) -> [String] {
        switch event {
        case let .output(node, output):
            guard facts.isHonest(node), case let .computed(id, _, digest)? = output as? ActionOutput else { return [] }
            computed[Int(clamping: id.request), default: [:]][digest, default: []].insert(node)
            return []
        case let .accepted(signature) where signature.fromAction:
            let honest = computed[signature.request]?[signature.message] ?? []
            let signers = signature.signers.map(NodeID.init)
            let lying = signers.filter { facts.isHonest($0) && !honest.contains($0) }
            if !lying.isEmpty {
                return ["request \(signature.request)'s action signature combines shares of honest \(lying.map(\.description).joined(separator: ", ")) over a message they did not compute"]
            }
            let byzantine = signers.filter { !facts.isHonest($0) }.count
            guard honest.count + byzantine >= facts.threshold else {
                return ["request \(signature.request)'s action signature is over a message only \(honest.count) honest nodes computed (threshold \(facts.threshold), \(byzantine) Byzantine signers)"]
            }
            return []
        default:
            return []
        }
    }

    func finish(_ facts: RunFacts, nodes: [LitNode]) -> [String] { [] }
}
