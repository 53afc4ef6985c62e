import ArgumentParser
import Benchmarking

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the speed of LitSim's parts (build with -c release for real figures).",
        subcommands: [BenchCrypto.self]
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
