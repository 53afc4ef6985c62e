import ArgumentParser

@main
struct LitSim: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "litsim",
        abstract: "A deterministic simulator and testbed for threshold-cryptography networks.",
        version: version,
        subcommands: [Bench.self, Calibrate.self, Toy.self]
    )
}
