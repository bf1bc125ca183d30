package dev.berth.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * One worker as {@code berth workers} shows it: what Swarm says joined with what its heartbeat says.
 * Fields only one side can supply are empty when that side knows nothing of the worker.
 *
 * @param drainedBy who drained the node, by its label {@code berth.drained-by}: {@code heartbeat} (an idle
 *        burst worker) or {@code spot-notice}, both set by {@code berth-fleet-reconcile}
 * @param spotNotice the spot interruption notice in its heartbeat
 * @param rebalanceAt since when AWS recommends moving work off it, from its heartbeat
 * @param unhealthy why its agent found it unhealthy: from its heartbeat, else from the drain's label {@code berth.unhealthy}
 * @param unhealthyReportedAt when its agent reported it unhealthy to its Auto Scaling group
 */
public record WorkerStatus(
        String hostname,
        Optional<String> nodeId,
        Optional<String> pool,
        Optional<String> lifecycle,
        Optional<String> swarmState,
        Optional<String> availability,
        Optional<String> drainedBy,
        Optional<String> agentState,
        Optional<Duration> heartbeatAge,
        Optional<Duration> idleFor,
        List<RunningJob> jobs,
        List<String> gpus,
        Optional<SpotNotice> spotNotice,
        Optional<Instant> rebalanceAt,
        Optional<String> unhealthy,
        Optional<Instant> unhealthyReportedAt,
        Set<WorkerFlag> flags)
{
    public WorkerStatus
    {
        requireNonNull(hostname, "hostname is null");
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(pool, "pool is null");
        requireNonNull(lifecycle, "lifecycle is null");
        requireNonNull(swarmState, "swarmState is null");
        requireNonNull(availability, "availability is null");
        requireNonNull(drainedBy, "drainedBy is null");
        requireNonNull(agentState, "agentState is null");
        requireNonNull(heartbeatAge, "heartbeatAge is null");
        requireNonNull(idleFor, "idleFor is null");
        jobs = List.copyOf(jobs);
        gpus = List.copyOf(gpus);
        requireNonNull(spotNotice, "spotNotice is null");
        requireNonNull(rebalanceAt, "rebalanceAt is null");
        requireNonNull(unhealthy, "unhealthy is null");
        requireNonNull(unhealthyReportedAt, "unhealthyReportedAt is null");
        flags = Set.copyOf(flags);
    }

    public boolean healthy()
    {
        return flags.isEmpty();
    }
}
