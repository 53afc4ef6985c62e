import ArgumentParser
import Foundation
import Reports

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tell one request's story from a run folder: its attempts, messages, critical path and where the time went.",
        discussion: "Reads requests.csv, attempts.csv and (for the messages) trace.json, which `litsim run` writes unless --trace-limit 0."
    )

    @Argument(help: "A run folder (litsim run --out DIR).") var runDirectory: String
    @Argument(help: "The request id (requests.csv's `id`).") var request: Int

    func run() throws {
        do {
            print(try RequestExplanation.explain(runDirectory: URL(fileURLWithPath: runDirectory), request: request), terminator: "")
        } catch let failure as RequestExplanation.Failure {
            throw InvalidInput(message: failure.description)
        }
    }
}
