import Benchmark
import Benchmarking

/// Whole networks on the engine: the engine's hold model, a genesis DKG and FROST signing
/// (LitSim's real cryptography, one run per iteration).
/// (Names have no spaces: the plugin writes threshold files with spaces replaced and reads
/// them back without, so a name with a space never finds its baseline.)
let benchmarks: @Sendable () -> Void = {
    // A regression is p90 wall time more than double the saved baseline, or peak memory
    // more than 25 % above it: whole runs on this 2-core VM vary by up to 42 % at p90.
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(10), maxIterations: 20,
                                           thresholds: [.wallClock: .init(relative: [.p90: 100.0]), .peakMemoryResident: .init(relative: [.p90: 25.0])])

    Benchmark("EngineHoldModel.200k") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(runHoldModel(events: 200_000)) }
    }
    Benchmark("GenesisDKG.n16") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(runDKGBenchmark(sizes: [16])) }
    }
    Benchmark("GenesisDKG.n64") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(runDKGBenchmark(sizes: [64])) }
    }
    Benchmark("FROSTSigning.n10.100requests") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(runSigningNetwork(nodes: 10, requests: 100)) }
    }
    // With its genesis DKG (about a third of the time at this size).
    Benchmark("FROSTSigning.n100.50requests", configuration: .init(maxDuration: .seconds(30), maxIterations: 3)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(runSigningNetwork(nodes: 100, requests: 50)) }
    }
    Benchmark("FROSTRoundTwoAndAggregation.67of100") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(runFROSTCost(threshold: 67, participants: 100)) }
    }
}
