import Foundation
import Testing

/// The built `litsim` executable, next to the test bundle in the build folder.
func litsimExecutable() throws -> URL {
    let buildFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [buildFolder, buildFolder.deletingLastPathComponent(),
                      buildFolder.deletingLastPathComponent().deletingLastPathComponent()] {
        let url = candidate.appendingPathComponent("litsim")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    let fromSource = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/litsim")
    guard FileManager.default.isExecutableFile(atPath: fromSource.path) else { throw ExecutableMissing() }
    return fromSource
}

struct ExecutableMissing: Error, CustomStringConvertible {
    var description: String { "litsim was not built; run `swift build --build-tests` first" }
}

/// Runs litsim with arguments; returns (exit status, standard output, standard error).
func runLitsim(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = try litsimExecutable()
    process.arguments = arguments
    let output = Pipe(), error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
}

@Suite struct DeterminismAcrossProcessesTests {
    func digest(seed: Int) throws -> String {
        let result = try runLitsim(["toy", "--nodes", "60", "--seed", "\(seed)"])
        #expect(result.status == 0, "\(result.error)")
        return result.output.split(separator: "\n").first { $0.hasPrefix("trace_digest: ") }.map(String.init) ?? ""
    }

    @Test func sameSeedGivesTheSameDigestInTwoProcesses() throws {
        print("replay: litsim toy --nodes 60 --seed 5")
        let first = try digest(seed: 5)
        let second = try digest(seed: 5)
        #expect(!first.isEmpty)
        #expect(first == second)
        #expect(try digest(seed: 6) != first)
    }

    @Test func badArgumentsExitWithUsageError() throws {
        let result = try runLitsim(["toy", "--nodes", "1"])
        #expect(result.status == 2, "status \(result.status)")
        #expect(result.error.contains("--nodes"))
        let bench = try runLitsim(["bench", "engine", "--events", "10"])
        #expect(bench.status != 0)
        #expect(bench.error.contains("--events"))
    }

    @Test func versionAndHelpWork() throws {
        #expect(try runLitsim(["--version"]).output.hasPrefix("0."))
        #expect(try runLitsim(["--help"]).output.contains("USAGE"))
    }
}
