import ArgumentParser
import Benchmarking

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the speed of LitSim's parts (build with -c release for real figures).",
        subcommands: [BenchCrypto.self, BenchEngine.self, BenchDKG.self, BenchSigning.self, BenchECDSA.self, BenchMSM.self]
    )
}

struct BenchCrypto: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crypto",
        abstract: "Scalar, point, hash and VSS operations beside the raw libsecp256k1 calls."
    )

    @Flag(help: "Fewer iterations (a smoke run, not a measurement).")
    var quick = false

    func run() throws {
        print(formatMeasurements(runCryptoBenchmarks(quick: quick)))
    }
}

struct BenchEngine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "The hold model through the engine's queue and dispatch, beside a bare heap loop."
    )

    @Option(help: "Events to pop (at least 100000, so the checksum is defined).")
    var events = 10_000_000

    @Flag(help: "Also compute the trace digest over every event (as a scenario run does).")
    var digest = false

    func validate() throws {
        guard events >= 100_000 else { throw ValidationError("--events must be at least 100000 (the checksum covers the first 100000 events)") }
        guard events <= 2_000_000_000 else { throw ValidationError("--events must be at most 2000000000") }
    }

    func run() throws {
        let result = runHoldModel(events: events, digest: digest)
        print("events: \(result.events)")
        print("events_per_second: \(Int(result.engineEventsPerSecond))")
        print("checksum: \(result.checksum)")
        print("bare_loop_events_per_second: \(Int(result.bareLoopEventsPerSecond))")
        print("bare_loop_checksum: \(result.bareChecksum)")
        print("engine_to_bare_ratio: \((result.engineEventsPerSecond / result.bareLoopEventsPerSecond * 1000).rounded() / 1000)")
    }
}

struct BenchDKG: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dkg",
        abstract: "Full simulated genesis DKGs (every node verifying everything) at several sizes."
    )

    @Option(parsing: .upToNextOption, help: "Node counts (each 4 to 1000).")
    var nodes: [Int] = [16, 32, 64, 128]

    @Flag(help: "Also an epoch refresh and a reshare (one validator leaves, one joins) at each size, next to the genesis DKG.")
    var transitions = false

    func validate() throws {
        guard !nodes.isEmpty, nodes.allSatisfy({ (4...1000).contains($0) }) else {
            throw ValidationError("--nodes takes counts between 4 and 1000")
        }
    }

    func run() throws {
        guard transitions else {
            print(formatDKGBenchmark(runDKGBenchmark(sizes: nodes)))
            return
        }
        print(formatTransitionBenchmark(runTransitionBenchmark(sizes: nodes)))
    }
}

struct BenchMSM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "msm",
        abstract: "Σ kᵢ·Pᵢ: Pippenger's bucket method over libsecp256k1's public calls against t multiplications and one sum."
    )

    @Option(parsing: .upToNextOption, help: "Numbers of terms.")
    var terms: [Int] = [10, 30, 100, 300, 667, 1000]

    func validate() throws {
        guard !terms.isEmpty, terms.allSatisfy({ (1...4096).contains($0) }) else { throw ValidationError("--terms takes counts between 1 and 4096") }
    }

    func run() throws {
        print("terms  best_window  naive_us   pippenger_us  ratio   results_agree")
        for row in MSMExperiment.measure(terms: terms) {
            print(String(format: "%-6d %-12d %-10.0f %-13.0f %-7.2f %@", row.terms, row.window, row.naiveMicroseconds, row.pippengerMicroseconds,
                         row.pippengerMicroseconds / row.naiveMicroseconds, row.agrees ? "yes" : "NO"))
            if !row.agrees { throw InvalidInput(message: "litsim bench msm: Pippenger disagrees with the naive sum at t = \(row.terms)") }
        }
    }
}

struct BenchSigning: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signing",
        abstract: "FROST round two and aggregation at 67-of-100, and whole networks signing at n = 10 and 100."
    )

    func run() throws {
        let cost = runFROSTCost(threshold: 67, participants: 100)
        let mult = cost.pointMultiplyNanoseconds
        print("FROST(secp256k1) \(cost.threshold)-of-\(cost.participants), one point multiplication = \(String(format: "%.1f", mult / 1000)) µs")
        print(String(format: "  signer round two: %.2f ms = %.1f point multiplications of time (%d counted)",
                     cost.roundTwoNanoseconds / 1e6, cost.roundTwoNanoseconds / mult, cost.roundTwoMultiplications))
        print(String(format: "  client aggregation (package, sum, verify): %.2f ms = %.1f point multiplications of time (%d counted)",
                     cost.aggregationNanoseconds / 1e6, cost.aggregationNanoseconds / mult, cost.aggregationMultiplications))
        print("network signing (constant 40 ms latency, 4 closed-loop clients):")
        print("(signatures/wall_s counts the genesis DKG's time too; after_dkg takes out the wall time of the same network signing once)")
        print("nodes  threshold  requests  succeeded  wall_s  signatures/wall_s  after_dkg  p50_ms  p99_ms")
        for (nodes, requests) in [(10, 400), (100, 100)] {
            let row = runSigningNetwork(nodes: nodes, requests: requests)
            print(String(format: "%-6d %-10d %-9d %-10d %-7.2f %-18.0f %-10.0f %-7.1f %.1f", row.nodes, row.threshold, row.requests, row.succeeded,
                         row.wallSeconds, Double(row.succeeded) / row.wallSeconds, row.signaturesPerSecondAfterSetup, row.p50Milliseconds, row.p99Milliseconds))
        }
    }
}

struct BenchECDSA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ecdsa",
        abstract: "Lit's DamFast: one pool presignature among n validators (cost, traffic against §1.11), and networks signing with FROST, an empty and a warm pool."
    )

    @Option(parsing: .upToNextOption, help: "Node counts for the presignature cost (each 4 to 200).")
    var nodes: [Int] = [10, 30, 100]

    @Option(parsing: .upToNextOption, help: "Node counts for the network runs (each 4 to 100; real-time presigning is O(t²) per request).")
    var networks: [Int] = [10, 30]

    @Option(help: "Requests per network run.")
    var requests = 20

    func validate() throws {
        guard !nodes.isEmpty, nodes.allSatisfy({ (4...200).contains($0) }) else { throw ValidationError("--nodes takes counts between 4 and 200") }
        guard networks.allSatisfy({ (4...100).contains($0) }) else { throw ValidationError("--networks takes counts between 4 and 100") }
        guard (1...10_000).contains(requests) else { throw ValidationError("--requests takes 1 to 10000") }
    }

    func run() throws {
        print("one presignature among n validators (a pool generation, Lit's threshold t):")
        print("n     t     wall_ms   sim_ms/party  mults/party  messages  bytes       bytes(§1.11)")
        for n in nodes {
            let row = runPresignCost(participants: n)
            print(String(format: "%-5d %-5d %-9.1f %-13.2f %-12d %-9d %-11d %d", row.participants, row.threshold, row.wallMilliseconds,
                         row.simulatedPerPartyMilliseconds, row.pointMultiplicationsPerParty, row.messages, row.bytes, row.formulaBytes))
        }
        guard !networks.isEmpty else { return }
        print("networks signing (constant 40 ms latency, 2 requests/s; warm pool: 2 presignatures per validator, requests after it filled):")
        print("n     kind              requests  succeeded  p50_ms    wall_s")
        for n in networks {
            for kind in ["frost", "ecdsa-empty-pool", "ecdsa-warm-pool"] {
                let row = runECDSANetwork(nodes: n, kind: kind, requests: requests)
                let kind = row.kind.padding(toLength: 17, withPad: " ", startingAt: 0)
                print(String(format: "%-5d ", row.nodes) + kind + String(format: " %-9d %-10d %-9.1f %.2f", row.requests, row.succeeded, row.p50Milliseconds,
                                                                          row.wallSeconds))
            }
        }
    }
}
