// swift-tools-version: 6.1
import PackageDescription

// The engine is generic over the process type, and LitNetwork instantiates it from another
// module: without cross-module optimisation that code runs unspecialised, about 8× slower.
let optimised: [SwiftSetting] = [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]

let package = Package(
    name: "LitSim",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "litsim", targets: ["litsim"]),
        .library(name: "ThresholdCrypto", targets: ["ThresholdCrypto"]),
        .library(name: "Simulation", targets: ["Simulation"]),
        .library(name: "Protocols", targets: ["Protocols"]),
        // For the benchmark package (Benchmarks/), which builds on LitSim's own workloads.
        .library(name: "Benchmarking", targets: ["Benchmarking"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSecp256k1",
            pkgConfig: "libsecp256k1",
            providers: [.apt(["libsecp256k1-dev"])]
        ),
        .systemLibrary(
            name: "CGMP",
            pkgConfig: "gmp",
            providers: [.apt(["libgmp-dev"])]
        ),
        .target(
            name: "ThresholdCrypto",
            dependencies: [
                "CSecp256k1",
                "CGMP",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: optimised
        ),
        .target(name: "Protocols", dependencies: ["ThresholdCrypto"], swiftSettings: optimised),
        .target(name: "Simulation", swiftSettings: optimised),
        // Where the crypto and the engine meet: the Lit node and network model.
        .target(
            name: "LitNetwork",
            // CSecp256k1, CGMP and Crypto directly: the signature oracle checks signatures with
            // code independent of ThresholdCrypto, which produced them.
            dependencies: ["Protocols", "Simulation", "ThresholdCrypto", "CSecp256k1", "CGMP", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: optimised
        ),
        // Timed routines behind `litsim bench`: kept out of the libraries they measure.
        .target(
            name: "Benchmarking",
            dependencies: ["ThresholdCrypto", "Simulation", "LitNetwork", "CSecp256k1"],
            swiftSettings: optimised
        ),
        .executableTarget(
            name: "litsim",
            dependencies: [
                "Benchmarking",
                "Exploration",
                "Scenario",
                "Reports",
                "LitNetwork",
                "ThresholdCrypto",
                "Simulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: optimised
        ),
        .testTarget(
            name: "ThresholdCryptoTests",
            dependencies: ["ThresholdCrypto", "CSecp256k1", "Simulation"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "ProtocolsTests",
            dependencies: ["Protocols", "ThresholdCrypto", "Simulation"]
        ),
        // Scenario files: YAML schema, located errors, overrides, sweeps, expectations.
        .target(
            name: "Scenario",
            dependencies: ["LitNetwork", "Simulation", "Protocols", "ThresholdCrypto", .product(name: "Yams", package: "Yams")],
            swiftSettings: optimised
        ),
        // Run outputs: summary.json, CSVs, signatures.jsonl, keys.json, written atomically.
        .target(
            name: "Reports",
            dependencies: ["LitNetwork", "Scenario", "Simulation", "ThresholdCrypto", "Protocols"],
            swiftSettings: optimised
        ),
        // `litsim explore`: swarm generation, exploration runs, shrinking, coverage.
        .target(
            name: "Exploration",
            dependencies: ["Scenario", "Reports", "LitNetwork", "Simulation", .product(name: "Yams", package: "Yams")],
            swiftSettings: optimised
        ),
        .testTarget(
            name: "ExplorationTests",
            dependencies: ["Exploration", "Scenario", "LitNetwork", "Simulation", .product(name: "Yams", package: "Yams")]
        ),
        .testTarget(
            name: "ScenarioTests",
            dependencies: ["Scenario", "LitNetwork", "Simulation"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "LitNetworkTests",
            dependencies: ["LitNetwork", "Protocols", "Simulation", "ThresholdCrypto"]
        ),
        .testTarget(
            name: "SimulationTests",
            dependencies: ["Simulation"]
        ),
        // A protocol added by files alone (a commit–reveal beacon), run on the engine: the
        // framework's own test that adding a protocol touches nothing else.
        .testTarget(name: "BeaconProtocolTests", dependencies: ["LitNetwork", "Protocols", "Simulation", "ThresholdCrypto"]),
        // Runs the built litsim executable (determinism across processes, exit codes).
        .testTarget(name: "LitSimCLITests", dependencies: ["Scenario"], exclude: ["Fixtures"]),
    ]
)
