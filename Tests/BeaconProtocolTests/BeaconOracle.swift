import LitNetwork
import Protocols

/// `beacon.consistent`: every honest beacon is the XOR of its contributors' true values (as
/// they revealed them), and honest nodes with the same contributors output the same beacon.
final class BeaconOracle: Oracle {
    let name = "beacon.consistent"
    var values: [NodeID: [UInt8]] = [:]
    var beacons: [[NodeID]: [UInt8]] = [:]
    var checked = 0

    func observe(_ event: ObservedEvent, _ facts: RunFacts) -> [String] {
        guard case let .output(node, output) = event, let beacon = output as? BeaconOutput else { return [] }
        switch beacon {
        case let .revealed(value):
            values[node] = value
            return []
        case let .beacon(value, contributors):
            guard facts.isHonest(node) else { return [] }
            checked += 1
            var expected = [UInt8](repeating: 0, count: 32)
            for contributor in contributors {
                guard let revealed = values[contributor] else { return ["\(node)'s beacon counts \(contributor), which never revealed"] }
                for index in expected.indices { expected[index] ^= revealed[index] }
            }
            var found = [String]()
            if expected != value { found.append("\(node)'s beacon is not the XOR of its contributors' values") }
            if let earlier = beacons[contributors], earlier != value { found.append("\(node)'s beacon differs from another with the same contributors") }
            beacons[contributors] = value
            return found
        }
    }
}
