// swift-tools-version: 6.1
// LitSim's benchmarks (ordo-one/benchmark), a package of their own so that building LitSim
// never builds the benchmark framework. `make bench` runs them; `make bench-check` compares
// them with the baseline saved for the reference machine (Benchmarks/.benchmarkBaselines).
import PackageDescription

let package = Package(
    name: "LitSimBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "LitSim", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "Primitives",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ThresholdCrypto", package: "LitSim"),
                .product(name: "Simulation", package: "LitSim"),
            ],
            path: "Benchmarks/Primitives",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Network",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Benchmarking", package: "LitSim"),
            ],
            path: "Benchmarks/Network",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
