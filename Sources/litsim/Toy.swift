import ArgumentParser
import Simulation

/// Runs a toy gossip simulation and prints its trace digest: the engine's determinism check
/// across processes (the test suite runs it twice and compares).
struct Toy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the engine's toy gossip protocol and print its trace digest.",
        shouldDisplay: false
    )

    @Option(help: "Root seed.")
    var seed: UInt64 = 1

    @Option(help: "Number of nodes (2 to 10000).")
    var nodes = 50

    func validate() throws {
        guard (2...10_000).contains(nodes) else { throw ValidationError("--nodes must be between 2 and 10000") }
    }

    func run() throws {
        let result = runToyGossip(nodes: nodes, seed: seed)
        print("trace_digest: \(result.digest)")
        print("events: \(result.events)")
        print("stop: \(result.stop.rawValue)")
    }
}
