import Foundation
import Reports

/// `i/N`: the points (or seeds) whose index is i modulo N.
struct Shard: CustomStringConvertible {
    let index: Int
    let count: Int

    init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count > 0, (0..<count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    func contains(_ position: Int) -> Bool { position % count == index }
    var description: String { "\(index)/\(count)" }
}

/// One point of a sweep's plan (`litsim sweep --plan`, and plan.jsonl in every sweep folder):
/// what `litsim merge` checks shards against.
struct PlannedPoint: Codable, Equatable {
    let index: Int
    /// The point's folder name.
    let id: String
    let scenario: String
    let file: String
    /// The point key: the scenario file's bytes, every override and the litsim version.
    let hash: String
    /// `--set` options for every point.
    let overrides: [String]
    /// The swept keys and their values for this point, in axis order.
    let point: [[String]]
    let seed: UInt64

    enum CodingKeys: String, CodingKey {
        case index, id, scenario, file, hash = "scenario_hash", overrides, point, seed
    }

    var line: String {
        JSON.object([
            ("index", .integer(Int64(index))), ("id", .string(id)), ("scenario", .string(scenario)), ("file", .string(file)),
            ("scenario_hash", .string(hash)), ("overrides", .array(overrides.map(JSON.string))),
            ("point", .array(point.map { .array($0.map(JSON.string)) })), ("seed", .integer(Int64(seed))),
        ]).line
    }

    var axes: [String] { point.map { $0[0] } }
    var values: [(path: String, value: String)] { point.map { ($0[0], $0[1]) } }

    /// A plan file's points; nil when it does not read as one.
    static func read(_ url: URL) -> [PlannedPoint]? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        var points: [PlannedPoint] = []
        for line in text.split(separator: "\n") where !line.isEmpty {
            guard let point = try? JSONDecoder().decode(PlannedPoint.self, from: Data(line.utf8)) else { return nil }
            points.append(point)
        }
        return points.isEmpty ? nil : points
    }
}

/// A sweep as a cluster job (`litsim sweep --emit`): each task runs one shard into the same
/// output folder (a shared file system), and `litsim merge` makes sweep.csv once all are done.
struct ClusterJob {
    let kind: String
    let file: String
    let overrides: [String]
    let out: String
    let name: String
    let shards: Int
    let image: String

    /// The shell command of one shard; `index` is the variable the scheduler sets.
    func command(index: String, out: String) -> String {
        (["litsim", "sweep", quoted(file), "--jobs", "1", "--out", quoted(out), "--shard", "\"\(index)/\(shards)\""]
            + overrides.flatMap { ["--set", quoted($0)] }).joined(separator: " ")
    }

    func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// A Kubernetes object name: lower-case letters, digits and '-', at most 63 characters.
    var objectName: String {
        let cleaned = ("litsim-" + name).lowercased().map { $0.isLetter && $0.isASCII || $0.isNumber ? String($0) : "-" }.joined()
        return String(cleaned.prefix(63)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }

    var text: String {
        get throws {
            switch kind {
            case "slurm":
                return """
                    #!/bin/bash
                    # litsim sweep \(file) as a Slurm job array of \(shards) shards. Submit with `sbatch` from the
                    # directory that holds the scenario file (a file system every node shares); when every task
                    # is done, `litsim merge \(out)` writes sweep.csv and sweep.html.
                    #SBATCH --job-name=litsim-\(name)
                    #SBATCH --array=0-\(shards - 1)
                    #SBATCH --cpus-per-task=1
                    #SBATCH --output=slurm-%A_%a.log
                    set -euo pipefail
                    \(command(index: "${SLURM_ARRAY_TASK_ID}", out: out))

                    """
            case "k8s":
                // Each completion index runs one shard; the image must hold litsim and the
                // scenario file at the same relative path (working directory /work), and the
                // claim `litsim-results` receives the point folders for `litsim merge`.
                let leaf = URL(fileURLWithPath: out).standardized.lastPathComponent
                let results = "/results/" + (leaf.isEmpty || leaf == "/" || leaf == "." ? "sweep" : leaf)
                let shell = command(index: "${JOB_COMPLETION_INDEX}", out: results)
                return """
                    # litsim sweep \(file) as a Kubernetes Indexed Job of \(shards) completions: `kubectl apply -f` this
                    # file; when it has completed, run `litsim merge \(results)` where the claim is mounted.
                    apiVersion: batch/v1
                    kind: Job
                    metadata:
                      name: \(objectName)
                      labels:
                        app.kubernetes.io/name: litsim
                    spec:
                      completionMode: Indexed
                      completions: \(shards)
                      parallelism: \(min(shards, 16))
                      backoffLimit: \(max(6, shards))
                      template:
                        metadata:
                          labels:
                            app.kubernetes.io/name: litsim
                        spec:
                          restartPolicy: Never
                          containers:
                            - name: litsim
                              image: \(JSON.string(image).line)
                              workingDir: /work
                              command: ["/bin/sh", "-c"]
                              args: [\(JSON.string(shell).line)]
                              resources:
                                requests:
                                  cpu: "1"
                              volumeMounts:
                                - name: results
                                  mountPath: /results
                          volumes:
                            - name: results
                              persistentVolumeClaim:
                                claimName: litsim-results

                    """
            default:
                throw InvalidInput(message: "--emit must be slurm or k8s")
            }
        }
    }
}
