import LitNetwork
import Protocols
import Simulation
import Testing
import ThresholdCrypto

/// The beacon runs on the engine beside every built-in protocol, registered by the test alone.
@Suite struct BeaconTests {
    let registration = ServiceRegistration.service(BeaconService.self) { setup in
        BeaconService(roster: setup.dkg.roster, timeout: .seconds(5))
    }

    func run(seed: UInt64, wireEncoded: Bool = false, oracle: BeaconOracle) -> RunReport {
        print("beacon: n=7, 10% loss, node 3 crashed, seed \(seed)")
        let faults = FaultSchedule(hostFaults: [.crash(endpoints: [3], at: .zero, restart: nil)])
        let network = NetworkModel(latency: .distribution(.constant(.milliseconds(40))), loss: Probability(numerator: 1, denominator: 10),
                                   retransmission: .milliseconds(200))
        let specification = NetworkSpecification(nodes: 7, seed: seed, network: network, faults: faults, wireEncoded: wireEncoded)
        return runNetwork(specification, services: ServiceRegistration.all() + [registration], oracles: standardOracles() + [oracle])
    }

    @Test(arguments: [false, true]) func beaconAgreesUnderLossAndACrash(wireEncoded: Bool) {
        let oracle = BeaconOracle()
        let report = run(seed: 5, wireEncoded: wireEncoded, oracle: oracle)
        #expect(report.violations.isEmpty, "\(report.violations)")
        #expect(oracle.checked == 6, "every live node output a beacon")
        #expect(oracle.beacons.count == 1, "all with the same contributors")
        #expect(oracle.beacons.keys.first == [0, 1, 2, 4, 5, 6].map { NodeID($0) }, "the crashed node contributes nothing")
        #expect(report.metric("network.messages_dropped").map { ($0.numeric ?? 0) > 0 } == true, "messages were lost and resent")
        #expect(report.metric("network.messages_undecodable") == .integer(0))
    }

    @Test func theOracleCatchesABeaconThatIsNotTheXOROfItsReveals() {
        let oracle = BeaconOracle()
        let facts = RunFacts(specification: NetworkSpecification(nodes: 2), threshold: 2, directory: IdentityDirectory(keys: []), byzantine: [])
        #expect(oracle.observe(.output(node: NodeID(0), BeaconOutput.revealed([UInt8](repeating: 1, count: 32))), facts).isEmpty)
        #expect(oracle.observe(.output(node: NodeID(1), BeaconOutput.revealed([UInt8](repeating: 2, count: 32))), facts).isEmpty)
        let right = BeaconOutput.beacon(value: [UInt8](repeating: 3, count: 32), contributors: [NodeID(0), NodeID(1)])
        let wrong = BeaconOutput.beacon(value: [UInt8](repeating: 4, count: 32), contributors: [NodeID(0), NodeID(1)])
        #expect(oracle.observe(.output(node: NodeID(0), right), facts).isEmpty)
        #expect(oracle.observe(.output(node: NodeID(1), wrong), facts).count == 2)
    }
}
