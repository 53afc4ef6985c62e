import Testing
@testable import LitNetwork
import Protocols
import Simulation

/// Nodes share the host's work on identical checks (signature verifications, proofs, FROST
/// signing packages, commitment sums) through the run's CryptoMemo, and each node is still
/// charged the full cost: a run's trace is the same with the sharing on and off.
@Suite struct SharedWorkTests {
    @Test(arguments: [8, 16, 32])
    func sharingWorkChangesNoTrace(nodes: Int) {
        var specification = NetworkSpecification(nodes: nodes, seed: UInt64(nodes),
                                                 network: NetworkModel(latency: .distribution(.uniform(min: .milliseconds(5), max: .milliseconds(60)))),
                                                 clients: ClientSpecification(count: 2), workload: WorkloadSpecification(count: 4))
        // A dealer with bad shares: the per-dealer checks and complaints run too.
        specification.behaviours = [nodes - 1: .dkgBadShare(targets: [0, 1])]
        let shared = runNetwork(specification)
        specification.sharesCryptoWork = false
        let alone = runNetwork(specification)
        #expect(shared.metric("dkg.completed") == .bool(true))
        #expect(shared.metric("sign.succeeded")?.numeric == 4)
        #expect(shared.traceDigest == alone.traceDigest, "n = \(nodes)")
        #expect(shared.operationTotals == alone.operationTotals)
    }
}
