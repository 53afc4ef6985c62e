import ArgumentParser
import Foundation

@main
struct LitSim: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "litsim",
        abstract: "A deterministic simulator and testbed for threshold-cryptography networks.",
        discussion: """
            Exit codes: 0 success, 1 an expectation failed, 2 invalid input (usage or scenario).
            Reproduce any run with `litsim run FILE --seed N` (the seed is in its summary.json).
            """,
        version: version,
        subcommands: [Run.self, Check.self, Validate.self, Sweep.self, Explore.self, Merge.self, Report.self, Behaviours.self, Metrics.self, Regions.self, Explain.self, Bench.self, Calibrate.self, Toy.self]
    )

    /// Parses and runs, mapping every failure to DESIGN.md's exit codes: 1 only for a failed
    /// expectation, 2 for anything the user got wrong. Nothing a user types makes it trap.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failed as ExpectationsFailed {
            _ = failed
            Foundation.exit(1)
        } catch let invalid as InvalidInput {
            FileHandle.standardError.write(Data((invalid.message + "\n").utf8))
            Foundation.exit(2)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)  // --help, --version
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}

/// A run finished but an expectation did not hold (exit 1).
struct ExpectationsFailed: Error {}

/// Bad input found after parsing: a scenario error, an unwritable output folder (exit 2).
struct InvalidInput: Error {
    let message: String
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Whether standard error is a terminal (progress lines are drawn only there).
var standardErrorIsTerminal: Bool { isatty(2) == 1 }

/// This very executable, for the worker processes of check, sweep and explore
/// (/proc/self/exe on Linux, the bundle path elsewhere).
var thisExecutable: URL {
    FileManager.default.fileExists(atPath: "/proc/self/exe")
        ? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        : (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0]))
}

/// `[#####.....]`: `done` of `total` in `width` characters.
func progressBar(_ done: Int, of total: Int, width: Int = 30) -> String {
    let filled = min(width, width * done / max(1, total))
    return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
}
