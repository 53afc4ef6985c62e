// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "LitSim",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "litsim", targets: ["litsim"]),
        .library(name: "ThresholdCrypto", targets: ["ThresholdCrypto"]),
        .library(name: "Simulation", targets: ["Simulation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
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
            ]
        ),
        .target(name: "Simulation"),
        // Timed routines behind `litsim bench`: kept out of the libraries they measure.
        .target(
            name: "Benchmarking",
            dependencies: ["ThresholdCrypto", "Simulation", "CSecp256k1"]
        ),
        .executableTarget(
            name: "litsim",
            dependencies: [
                "Benchmarking",
                "ThresholdCrypto",
                "Simulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "ThresholdCryptoTests",
            dependencies: ["ThresholdCrypto", "CSecp256k1"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "SimulationTests",
            dependencies: ["Simulation"]
        ),
    ]
)
