import ArgumentParser
import Benchmarking

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the speed of LitSim's parts (build with -c release for real figures).",
        subcommands: [BenchCrypto.self, BenchEngine.self, BenchDKG.self]
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

    @Option(parsing: .upToNextOption, help: "Node counts (each 4 to 512).")
    var nodes: [Int] = [16, 32, 64, 128]

    func validate() throws {
        guard !nodes.isEmpty, nodes.allSatisfy({ (4...512).contains($0) }) else {
            throw ValidationError("--nodes takes counts between 4 and 512")
        }
    }

    func run() throws {
        print(formatDKGBenchmark(runDKGBenchmark(sizes: nodes)))
    }
}
