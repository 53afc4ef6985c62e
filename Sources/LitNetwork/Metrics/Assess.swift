import Protocols
import Simulation
import ThresholdCrypto

/// Blame, metrics and the report over a finished run; the oracles' end-of-run checks.
func assess(_ simulator: Simulator<LitEndpoint>, specification: NetworkSpecification, threshold: Int, stopReason: StopReason,
            observer: RunObserver) -> RunReport {
    let nodes = simulator.processes.compactMap(\.node)
    let clients = simulator.processes.compactMap(\.client)
    let byzantine = Set(specification.deviating)
    // The genesis DKG's participants (with epochs, later validators join only at transitions).
    let genesis = Set(specification.genesisValidators)
    let honest = nodes.indices.filter { !byzantine.contains($0) && genesis.contains($0) }
    var results = [DKGResult?](repeating: nil, count: nodes.count)
    var finishedAt = [SimInstant?](repeating: nil, count: nodes.count)
    var phases = [[(phase: DKGParticipant.Phase, at: SimInstant)]](repeating: [], count: nodes.count)
    for logged in observer.outputs {
        guard let outcome = logged.output as? DKGOutcome else { continue }
        let node = logged.node.value
        switch outcome {
        case let .phase(phase): phases[node].append((phase, logged.time))
        case let .finished(result):
            results[node] = result
            finishedAt[node] = logged.time
        case .failed: break
        }
    }
    observer.finish(nodes: nodes)
    let violations = observer.violations
    // A node that crashed before finishing never rejoins that DKG.
    let crashedDuringDKG = nodes.indices.map { nodes[$0].crashed && results[$0] == nil }
    let live = honest.filter { !crashedDuringDKG[$0] && simulator.isUp($0) }
    let finished = honest.filter { results[$0] != nil }
    let agreed = violations.contains { $0.oracle == "dkg.agreement" } ? nil : finished.first.flatMap { results[$0] }

    var records = clients.flatMap { $0.records + $0.unfinished }
    records.sort { $0.index < $1.index }
    let signatures = observer.accepted.sorted { $0.request < $1.request }

    // Blame: what honest nodes and clients proved.
    let trusted = observer.accusations.filter { $0.by.node.map { !byzantine.contains($0.value) } ?? true }
    let accusedSet = Set(trusted.map(\.accusation.node.value))
    let accused = accusedSet.sorted()
    // Recall counts Byzantine nodes that did something provable.
    let provable = specification.byzantine.filter { (specification.behaviours[$0]?.isProvable ?? false) && nodes[$0].actedProvably }
    // Unresponsive, not accused: missed a DKG round an honest node waited for, or held up a
    // client's attempt by silence. Nothing about it is provable, so it is only counted.
    var unresponsiveSet = Set<Int>()
    for node in honest { for missing in results[node]?.unresponsive ?? [] { unresponsiveSet.insert(missing.value) } }
    for client in clients { for (node, strikes) in client.strikes.enumerated() where strikes > 0 { unresponsiveSet.insert(node) } }
    let unresponsive = unresponsiveSet.subtracting(accusedSet).sorted()
    let precision = accused.isEmpty ? 1.0 : Double(accused.filter { byzantine.contains($0) }.count) / Double(accused.count)
    let recall = provable.isEmpty ? 1.0 : Double(provable.filter { accusedSet.contains($0) }.count) / Double(provable.count)

    let finishTimes = finished.compactMap { finishedAt[$0]?.nanoseconds }
    // Complete: every live honest node finished, all agree, and at least a threshold of honest
    // nodes hold consistent shares (a key nobody can sign with is not a completed DKG).
    let usableShares = finished.filter { results[$0]?.shareIsConsistent == true }.count
    let completed = !live.isEmpty && live.allSatisfy { results[$0] != nil } && agreed != nil && usableShares >= threshold
    let counters = simulator.counters
    let qualified = agreed?.qualified.count ?? 0
    let dkgSent = nodes.map { $0.sent(by: dkgProtocol) }
    // A metric that does not exist in a run is absent, never 0 (a failed DKG has no duration;
    // no successful request, no latency).
    var metrics: [(String, MetricValue)] = [("dkg.completed", .bool(completed))]
    if completed, let last = finishTimes.max() { metrics.append(("dkg.duration_ms", .number(Double(last) / 1e6))) }
    metrics += [
        ("dkg.messages", .integer(Int64(dkgSent.reduce(0) { $0 + $1.messages }))),
        ("dkg.bytes", .integer(Int64(dkgSent.reduce(0) { $0 + $1.bytes }))),
        ("dkg.qualified", .integer(Int64(qualified))),
        ("dkg.excluded", .integer(Int64(agreed == nil ? 0 : genesis.count - qualified))),
    ]
    let exposed = exposedEpochs(observer: observer, specification: specification, end: simulator.now)
    let exposedPKPs = exposedECDSAKeys(observer: observer, specification: specification, end: simulator.now)
    // Epochs (after the safety metrics, as the registry orders them).
    var epochs: [(String, MetricValue)] = []
    if let chain = simulator.processes.lazy.compactMap(\.chain).first {
        if specification.hasWorkload {
            let atSwitch = records.filter { $0.attemptLog.contains { attempt in
                if case let .failed(failure)? = attempt.outcome { failure.reasons.contains(SignRefusal.Reason.wrongEpoch.rawValue) } else { false }
            } }
            epochs.append(("sign.failed_at_switch", .integer(Int64(atSwitch.count))))
        }
        epochs += epochMetrics(chain, observer: observer, end: simulator.now)
    }
    // FROST requests give sign.*, ECDSA requests ecdsa.* (a run with a workload has one or both).
    let entries = specification.clientGroups.flatMap(\.workloads)
    let requested = { (op: String) in entries.filter { $0.op.name == op }.reduce(0) { $0 + $1.count } }
    if specification.hasWorkload, entries.contains(where: { $0.op == .sign }) || requested("sign-ecdsa") + requested("decrypt") + requested("jwt") + requested("action") == 0 {
        let frost = records.filter { $0.op == "sign" }
        metrics += signingMetrics(frost, requested: requested("sign"))
        if let recovery = recoveryTime(frost, faults: specification.faults) { metrics.append(("sign.recovery_ms", .number(recovery))) }
    }
    var poolDepth: [[(at: SimInstant, depth: Int)]] = []
    if requested("sign-ecdsa") > 0 {
        metrics += signingMetrics(records.filter { $0.op == "sign-ecdsa" }, requested: requested("sign-ecdsa"), prefix: "ecdsa")
    }
    // JWTs and actions' signing steps are ECDSA signatures too: the protocol's traffic and pools count theirs.
    if requested("sign-ecdsa") + requested("jwt") + requested("action") > 0 {
        let sent = nodes.map { $0.sent(by: ecdsaProtocol) }
        metrics += [("ecdsa.messages", .integer(Int64(sent.reduce(0) { $0 + $1.messages }))),
                    ("ecdsa.bytes", .integer(Int64(sent.reduce(0) { $0 + $1.bytes })))]
        if specification.presignPool.enabled {
            let (pool, depth) = presignMetrics(observer: observer, nodes: nodes.count)
            metrics += pool
            poolDepth = depth
        }
    }
    if requested("decrypt") > 0 {
        metrics += accessRequestMetrics(records.filter { $0.op == "decrypt" }, requested: requested("decrypt"), prefix: "decrypt")
    }
    if requested("jwt") > 0 {
        metrics += accessRequestMetrics(records.filter { $0.op == "jwt" }, requested: requested("jwt"), prefix: "jwt")
    }
    if requested("action") > 0 {
        metrics += actionMetrics(records.filter { $0.op == "action" }, requested: requested("action"), observer: observer,
                                 nodes: nodes.map { $0.sent(by: actionProtocol) })
    }
    if requested("decrypt") + requested("jwt") > 0 {
        metrics += accessMetrics(observer: observer, records: records, facts: observer.facts)
    }
    metrics += [
        ("blame.accused", .list(accused)),
        ("blame.unresponsive", .list(unresponsive)),
        ("blame.precision", .number(precision)),
        ("blame.recall", .number(recall)),
        ("safety.violations", .integer(Int64(violations.count))),
        ("safety.key_exposed", .integer(Int64(exposed.count + exposedPKPs.count))),
    ]
    metrics += epochs
    metrics += [
        ("network.messages_sent", .integer(Int64(counters.messagesSent))),
        ("network.messages_delivered", .integer(Int64(counters.messagesDelivered))),
        ("network.messages_dropped", .integer(Int64(counters.messagesDropped))),
        ("network.bytes_sent", .integer(Int64(counters.bytesSent))),
        ("network.messages_undecodable", .integer(Int64(nodes.reduce(0) { $0 + $1.undecodableMessages } + clients.reduce(0) { $0 + $1.undecodableMessages }))),
        ("sim.events", .integer(Int64(counters.events))),
        // The last thing that happened: a request ending or a protocol output (a timer left
        // over after the work is done does not count).
        ("sim.end_ms", .number(lastActivity(records: records, observer: observer).milliseconds)),
        ("sim.quiescent_ms", .number(simulator.now.milliseconds)),
    ]
    for (name, _) in metrics { precondition(MetricRegistry.definition(name) != nil, "metric \(name) is not in the registry") }
    var totals = Array(repeating: 0, count: CryptoOperation.allCases.count)
    for node in nodes { for index in totals.indices { totals[index] += node.operationTotals[index] } }
    var report = RunReport(
        specification: specification, threshold: threshold, stopReason: stopReason, endTime: simulator.now,
        traceDigest: simulator.trace.digestHex, counters: counters, agreedResult: agreed,
        results: results, finishedAt: finishedAt, violations: violations,
        accused: accused, requests: records, signatures: signatures, metrics: metrics, trace: simulator.trace,
        operationTotals: totals, accusations: accusationRecords(trusted), dkgPhases: phases)
    report.exposedEpochs = exposed
    if specification.coverage {
        let sent = nodes.map(\.kindsSent) + clients.map(\.kindsSent) + simulator.processes.compactMap(\.chain).map(\.kindsSent)
        report.coverage = CoverageCount.collect(sent: sent, observer: observer, records: records)
    }
    report.exposedECDSAKeys = exposedPKPs
    report.presignPoolDepth = poolDepth
    report.decryptions = observer.releases.compactMap { $0.release as? Decryption }.sorted { $0.request < $1.request }
    report.jwts = observer.releases.compactMap { $0.release as? SignedJWT }.sorted { $0.request < $1.request }
    if let chain = simulator.processes.lazy.compactMap(\.chain).first {
        report.transitions = chain.transitions
        report.kicks = chain.kicked
    }
    return report
}

/// The mobile adversary's ledger: each Byzantine node, while its behaviour is in force (the
/// whole run without a window), gives the adversary every share it holds — installed by a DKG
/// it finished, held until replaced by another attempt of its epoch or deleted `keepPrevious`
/// epochs later. A sharing (one DKG session) is exposed when the adversary held a threshold of
/// its shares, from however many epochs apart it collected them. Returns the exposed epochs.
func exposedEpochs(observer: RunObserver, specification: NetworkSpecification, end: SimInstant) -> [Epoch] {
    let keep = UInt64(specification.epochs?.keepPrevious ?? 2)
    struct Holding {
        let sharing: String
        let epoch: Epoch
        let threshold: Int
        let from: SimInstant
        var until: SimInstant
    }
    var holdings: [Int: [Holding]] = [:]
    for logged in observer.outputs {
        let node = logged.node.value
        guard specification.behaviours[node] != nil else { continue }
        // The network key's sharing stands for the epoch's: every root is dealt to the same
        // roster in the same transition. (A Byzantine node can finish one root's session and not
        // another's; the ledger does not follow roots apart — noted as a limit.)
        if let (session, key, result) = finishedDKG(logged.output), key == .group, result.shareIsConsistent {
            let epoch = result.roster.epoch
            // Another attempt's share of the same epoch replaces the one held.
            for index in (holdings[node] ?? []).indices where holdings[node]![index].epoch == epoch && holdings[node]![index].until == end {
                holdings[node]![index].until = logged.time
            }
            holdings[node, default: []].append(Holding(sharing: session?.description ?? "genesis", epoch: epoch, threshold: result.threshold,
                                                       from: logged.time, until: end))
        } else if case let .advanced(advance)? = logged.output as? EpochEvent {
            for index in (holdings[node] ?? []).indices where holdings[node]![index].epoch.value + keep < advance.epoch.value
                && holdings[node]![index].until == end {
                holdings[node]![index].until = logged.time
            }
        }
    }
    var holders: [String: (epoch: Epoch, threshold: Int, nodes: Set<Int>)] = [:]
    for node in holdings.keys.sorted() {
        let window = specification.behaviours[node]?.window ?? TimeWindow(start: .zero, end: end)
        for holding in holdings[node]! where holding.from < window.end && holding.until >= window.start {
            holders[holding.sharing, default: (holding.epoch, holding.threshold, [])].nodes.insert(node)
        }
    }
    return Set(holders.values.filter { $0.nodes.count >= $0.threshold }.map(\.epoch)).sorted()
}

/// PKP keys the adversary computes from ECDSA signatures: a Byzantine node that presigned an
/// accepted signature while its behaviour was in force knew its nonce k' (Lit's variant opens
/// k⁻¹ to every presigner, §1.10), so y = (s·k' − z)/r for s or −s; one that kept its
/// presignatures (`keep-presignatures`) hands over every nonce it ever knew once its window
/// starts. In the paper's variant each signer holds only a share of k'⁻¹: the adversary
/// interpolates those it holds for an attempt (a threshold of them give k'⁻¹). (A pool
/// presignature's other holders know ω but not the request's δ: not counted.) Each candidate
/// is checked against the key — the ledger computes the key, it does not assume it. Returns the
/// exposed public keys (compressed, hex), sorted.
func exposedECDSAKeys(observer: RunObserver, specification: NetworkSpecification, end: SimInstant) -> [String] {
    var nonces: [Int: [Scalar]] = [:]
    var inverseShares: [AttemptID: [(id: Scalar, share: Scalar)]] = [:]
    for logged in observer.outputs {
        guard let behaviour = specification.behaviours[logged.node.value],
              case let .signed(id, knowledge, _)? = logged.output as? ECDSASignerOutput else { continue }
        let kept = behaviour.name == ByzantineBehaviour.keepsPresignatures.name && (behaviour.window?.start ?? .zero) <= end
        guard kept || behaviour.isActive(at: logged.time) else { continue }
        switch knowledge {
        case let .nonce(nonce): nonces[Int(clamping: id.request), default: []].append(nonce)
        case let .inverseShare(at, share): inverseShares[id, default: []].append((at, share))
        }
    }
    let meter = CostMeter()
    for (attempt, shares) in inverseShares.sorted(by: { $0.key < $1.key }) {
        guard let lambdas = try? Lagrange.coefficients(for: shares.map(\.id), meter: meter),
              let nonce = zip(lambdas, shares).reduce(Scalar.zero, { $0 + $1.0 * $1.1.share }).inverse(meter: meter) else { continue }
        nonces[Int(clamping: attempt.request), default: []].append(nonce)
    }
    var exposed = Set<String>()
    for signature in observer.accepted {
        guard case .ecdsa = signature.kind, let known = nonces[signature.request], signature.signature.count == 64,
              let r = try? Scalar(bytes: signature.signature.prefix(32)), let s = try? Scalar(bytes: signature.signature.suffix(32)),
              let rInverse = r.inverse(meter: meter), let key = try? Point(compressed: signature.publicKey, meter: meter) else { continue }
        let z = ECDSA.messageScalar(signature.message)
        let found = known.contains { nonce in [s, -s].contains { Point.base(($0 * nonce - z) * rInverse, meter: meter) == key } }
        if found { exposed.insert(signature.publicKey.hexString) }
    }
    return exposed.sorted()
}

/// The `action.*` metrics: requests as `signingMetrics` counts them, with the diverged apart
/// from the failed; what the nodes' runs fetched and why they stopped; and each step's time,
/// from the nodes' outputs (a waiting step from the wait's start; the isolate's start-up is in
/// no step).
func actionMetrics(_ records: [RequestRecord], requested: Int, observer: RunObserver, nodes sent: [(messages: Int, bytes: Int)])
    -> [(String, MetricValue)] {
    let diverged = records.filter { $0.outcome == .failed && $0.failure?.code == .diverged }.count
    var metrics = signingMetrics(records, requested: requested, prefix: "action").map { name, value in
        name == "action.failed" ? (name, MetricValue.integer(Int64(requested - records.filter { $0.outcome == .success }.count - diverged))) : (name, value)
    }
    var fetches = 0, fetchFailures = 0, errors = 0
    struct Run: Hashable {
        let node: NodeID
        let attempt: AttemptID
    }
    var waitStarted: [Run: SimInstant] = [:]
    var stepTotals: [String: (total: Int64, count: Int64)] = [:]
    for logged in observer.outputs {
        guard let output = logged.output as? ActionOutput else { continue }
        switch output {
        case let .fetched(_, _, failed):
            fetches += 1
            if failed { fetchFailures += 1 }
        case let .finished(_, error):
            if error != nil { errors += 1 }
        case let .waiting(id):
            waitStarted[Run(node: logged.node, attempt: id)] = logged.time
        case let .stepDone(id, kind, took):
            let elapsed = took.map { SimDuration($0).nanoseconds }
                ?? waitStarted[Run(node: logged.node, attempt: id)].map { (logged.time - $0).nanoseconds } ?? 0
            let sum = stepTotals[kind] ?? (0, 0)
            stepTotals[kind] = (sum.total + elapsed, sum.count + 1)
        case .started, .computed:
            break
        }
    }
    metrics.insert(("action.diverged", .integer(Int64(diverged))), at: 3)
    metrics.insert(("action.divergence_rate", .number(requested == 0 ? 0 : Double(diverged) / Double(requested))), at: 4)
    metrics += [
        ("action.fetches", .integer(Int64(fetches))),
        ("action.fetch_failures", .integer(Int64(fetchFailures))),
        ("action.node_errors", .integer(Int64(errors))),
        ("action.messages", .integer(Int64(sent.reduce(0) { $0 + $1.messages }))),
        ("action.bytes", .integer(Int64(sent.reduce(0) { $0 + $1.bytes }))),
    ]
    for kind in ActionStep.kinds {
        guard let sum = stepTotals[kind], sum.count > 0 else { continue }
        metrics.append(("action.step_ms.\(kind)", .number(Double(sum.total) / Double(sum.count) / 1e6)))
    }
    return metrics
}

/// The `presign.*` metrics of a run with a pool, and each node's pool depth over time.
func presignMetrics(observer: RunObserver, nodes: Int) -> ([(String, MetricValue)], [[(at: SimInstant, depth: Int)]]) {
    var depth = [[(at: SimInstant, depth: Int)]](repeating: [], count: nodes)
    var generated = 0, failed = 0, hits = 0, misses = 0
    // The fewest presignatures a leader had left as it led a request (0 on a miss).
    var lowest: Int?
    for logged in observer.outputs {
        guard let output = logged.output as? ECDSASignerOutput else { continue }
        let node = logged.node.value
        switch output {
        case .generated: generated += 1
        case .generationFailed: failed += 1
        case let .poolDepth(count): depth[node].append((logged.time, count))
        case let .led(_, hit):
            if hit { hits += 1 } else { misses += 1 }
            let left = depth[node].last?.depth ?? 0
            lowest = min(lowest ?? left, left)
        case .signed, .aborted: break
        }
    }
    var metrics: [(String, MetricValue)] = [
        ("presign.generated", .integer(Int64(generated))),
        ("presign.failed", .integer(Int64(failed))),
        ("presign.hits", .integer(Int64(hits))),
        ("presign.misses", .integer(Int64(misses))),
    ]
    if let lowest { metrics.append(("presign.pool_min_observed", .integer(Int64(lowest)))) }
    return (metrics, depth)
}

/// The `epoch.*` and `kick.*` metrics: transitions as the chain saw them, and how long after
/// each advance it took a threshold of the new validators to learn of it.
func epochMetrics(_ chain: StakingChain, observer: RunObserver, end: SimInstant) -> [(String, MetricValue)] {
    let advanced = chain.transitions.filter { $0.outcome == .advanced }
    var metrics: [(String, MetricValue)] = [("epoch.count", .integer(Int64(advanced.count)))]
    // From the first lock of an epoch (attempt 1) to its advance, retries included.
    let durations = advanced.compactMap { record -> Int64? in
        guard let first = chain.transitions.first(where: { $0.epoch == record.epoch }), let end = record.endedAt else { return nil }
        return end.nanoseconds - first.lockedAt.nanoseconds
    }.sorted()
    if !durations.isEmpty {
        metrics.append(("epoch.transition_ms.p50", .number(Double(durations[(durations.count - 1) / 2]) / 1e6)))
        metrics.append(("epoch.transition_ms.max", .number(Double(durations.last!) / 1e6)))
    }
    metrics.append(("epoch.aborts", .integer(Int64(chain.transitions.filter { $0.outcome == .aborted }.count))))
    // Per advance: until a threshold of the new roster activated the epoch.
    var unavailable: Int64 = 0
    for record in advanced {
        guard let at = record.endedAt else { continue }
        let threshold = record.threshold
        let activations = observer.outputs.compactMap { logged -> Int64? in
            guard case let .advanced(advance)? = logged.output as? EpochEvent, advance.epoch == record.epoch,
                  record.next.contains(logged.node.value) else { return nil }
            return logged.time.nanoseconds
        }.sorted()
        // Never reached: unavailable until the run ended.
        let reached = activations.count >= threshold ? activations[threshold - 1] : end.nanoseconds
        unavailable += max(0, reached - at.nanoseconds)
    }
    metrics.append(("epoch.unavailable_ms", .number(Double(unavailable) / 1e6)))
    if !advanced.isEmpty { metrics.append(("epoch.unavailable_ms_per_switch", .number(Double(unavailable) / 1e6 / Double(advanced.count)))) }
    metrics.append(("kick.count", .integer(Int64(chain.kicked.count))))
    metrics.append(("kick.nodes", .list(chain.kicked.map(\.node))))
    return metrics
}

/// The `sign.*` (or `ecdsa.*`) metrics of a set of requests (`requested` counts those never
/// issued too). Latency percentiles are exact nearest ranks, and absent without a success.
public func signingMetrics(_ records: [RequestRecord], requested: Int, prefix: String = "sign") -> [(String, MetricValue)] {
    let succeeded = records.filter { $0.outcome == .success }
    let latencies = succeeded.compactMap { $0.latency?.nanoseconds }.sorted()
    func percentile(_ p: Int) -> Double {
        let rank = max(1, (p * latencies.count + 99) / 100)
        return Double(latencies[rank - 1]) / 1e6
    }
    var metrics: [(String, MetricValue)] = [
        ("requested", .integer(Int64(requested))),
        ("succeeded", .integer(Int64(succeeded.count))),
        ("failed", .integer(Int64(requested - succeeded.count))),
        ("success_rate", .number(requested == 0 ? 1 : Double(succeeded.count) / Double(requested))),
        ("retries", .integer(Int64(records.reduce(0) { $0 + max(0, $1.attempts - 1) }))),
    ]
    if !latencies.isEmpty {
        metrics += [
            ("latency_ms.p50", .number(percentile(50))),
            ("latency_ms.p90", .number(percentile(90))),
            ("latency_ms.p99", .number(percentile(99))),
            ("latency_ms.max", .number(Double(latencies.last!) / 1e6)),
            ("latency_ms.mean", .number(Double(latencies.reduce(0, +)) / Double(latencies.count) / 1e6)),
        ]
    }
    return metrics.map { ("\(prefix).\($0.0)", $0.1) }
}

/// The slowest recovery after a fault window: for each window's end, the time until the first
/// request started after it succeeded; nil without windows or without such a request.
func recoveryTime(_ records: [RequestRecord], faults: FaultSchedule) -> Double? {
    var ends = faults.partitions.map(\.window.end) + faults.clogs.map(\.window.end) + faults.linkOverrides.map(\.window.end)
    for fault in faults.hostFaults {
        switch fault {
        case let .pause(_, window): ends.append(window.end)
        case let .crash(_, _, restart?): ends.append(restart)
        default: break
        }
    }
    let recoveries = ends.compactMap { end -> Int64? in
        records.filter { $0.outcome == .success && $0.start >= end }.compactMap(\.end).min().map { ($0 - end).nanoseconds }
    }
    return recoveries.max().map { Double($0) / 1e6 }
}

extension RunReport {
    /// The `sign.*`, `ecdsa.*` and `decrypt.*` metrics of the requests started in [from, to).
    public func signingMetrics(from: SimInstant, to: SimInstant) -> [(String, MetricValue)] {
        let inWindow = requests.filter { $0.start >= from && $0.start < to }
        let frost = inWindow.filter { $0.op == "sign" }
        let ecdsa = inWindow.filter { $0.op == "sign-ecdsa" }
        let decrypt = inWindow.filter { $0.op == "decrypt" }
        return LitNetwork.signingMetrics(frost, requested: frost.count) + LitNetwork.signingMetrics(ecdsa, requested: ecdsa.count, prefix: "ecdsa")
            + accessRequestMetrics(decrypt, requested: decrypt.count, prefix: "decrypt")
    }
}

/// When the last request ended or the last protocol output happened.
func lastActivity(records: [RequestRecord], observer: RunObserver) -> SimInstant {
    let requests = records.compactMap(\.end).max() ?? .zero
    let outputs = observer.outputs.last?.time ?? .zero
    return max(requests, outputs)
}

/// Each distinct (node, code) with the first honest node or client that proved it.
func accusationRecords(_ accusations: [RunObserver.LoggedAccusation]) -> [AccusationRecord] {
    var seen = Set<String>()
    var list = [AccusationRecord]()
    for logged in accusations where seen.insert("\(logged.accusation.node.value)|\(logged.accusation.code)").inserted {
        let accusation = logged.accusation
        list.append(AccusationRecord(node: accusation.node.value, protocolName: type(of: accusation.evidence).protocolName.name,
                                     code: accusation.code, evidence: accusation.evidence.description, provenBy: logged.by.description))
    }
    return list.sorted { ($0.node, $0.code) < ($1.node, $1.code) }
}

/// `decrypt.*` and `jwt.*`: like the signing metrics, with `denied` apart from `failed`.
func accessRequestMetrics(_ records: [RequestRecord], requested: Int, prefix: String) -> [(String, MetricValue)] {
    let denied = records.filter { $0.outcome == .denied }.count
    return signingMetrics(records, requested: requested, prefix: prefix).flatMap { name, value -> [(String, MetricValue)] in
        guard name == "\(prefix).failed", case let .integer(failed) = value else { return [(name, value)] }
        return [("\(prefix).denied", .integer(Int64(denied))), (name, .integer(failed - Int64(denied)))]
    }
}

/// `access.*`: content opened against the conditions (in every node's view, at the head), the
/// requests the nodes disagreed on, and the time from a grant on the chain to the first opening.
func accessMetrics(observer: RunObserver, records: [RequestRecord], facts: RunFacts) -> [(String, MetricValue)] {
    guard let chains = facts.chains else { return [] }
    // Openings against every taking part node's view are the access.respected oracle's
    // violations (judged as they happened); the head is judged here.
    let everyView = observer.violations.filter { $0.oracle == AccessOracle.name }.count
    var atHead = 0
    for (release, start, time) in observer.releases {
        guard let conditions = release.conditions else { continue }
        let user = release.client.address
        if !chains.heldSometime(conditions, for: user, lag: 0, from: start, through: time) { atHead += 1 }
    }
    // Each request's evaluations by the nodes (a release by a node that ignored a false
    // condition counts as false).
    var evaluations: [UInt64: (held: Bool, denied: Bool)] = [:]
    for logged in observer.outputs {
        guard let output = logged.output as? DecryptOutput else { continue }
        switch output {
        case let .released(id, held): evaluations[id.request, default: (false, false)].held = evaluations[id.request, default: (false, false)].held || held
            if !held { evaluations[id.request, default: (false, false)].denied = true }
        case let .denied(id): evaluations[id.request, default: (false, false)].denied = true
        }
    }
    var metrics: [(String, MetricValue)] = [
        ("access.violations", .integer(Int64(everyView))),
        ("access.violations_at_head", .integer(Int64(atHead))),
        ("access.disagreement", .integer(Int64(evaluations.values.filter { $0.held && $0.denied }.count))),
    ]
    if let first = observer.releases.first(where: { $0.release.conditions != nil }), let conditions = first.release.conditions,
       let granted = chains.grantedSince(conditions, for: first.release.client.address, before: first.time) {
        metrics.append(("access.time_to_grant_ms", .number(Double((first.time - granted).nanoseconds) / 1e6)))
    }
    return metrics
}
