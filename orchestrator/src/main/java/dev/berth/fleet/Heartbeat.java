package dev.berth.fleet;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One worker's heartbeat file, {@code <shared>/.swarm/workers/<hostname>}, as written by
 * {@code heartbeat/berth-heartbeat} (its README documents the format).
 *
 * @param agentState {@code active}, {@code draining}, {@code leaving} or {@code off}
 * @param dockerReachable whether the agent's last look at dockerd succeeded (else {@code jobs} is unknown)
 * @param spotNotice the spot interruption notice the agent has seen, if any (it keeps one until it restarts)
 * @param rebalanceAt since when AWS recommends moving work off the instance, if it does
 * @param unhealthy why the agent found the host unhealthy (its GPUs), if it did; kept until the agent restarts
 * @param unhealthyReportedAt when the agent reported the host unhealthy to its Auto Scaling group, if it has
 */
public record Heartbeat(
        String hostname,
        Optional<String> nodeId,
        String pool,
        String lifecycle,
        String agentState,
        boolean dockerReachable,
        Instant writtenAt,
        Instant lastBusyAt,
        List<String> gpus,
        List<RunningJob> jobs,
        Optional<SpotNotice> spotNotice,
        Optional<Instant> rebalanceAt,
        Optional<String> unhealthy,
        Optional<Instant> unhealthyReportedAt)
{
    public Heartbeat
    {
        requireNonNull(hostname, "hostname is null");
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(pool, "pool is null");
        requireNonNull(lifecycle, "lifecycle is null");
        requireNonNull(agentState, "agentState is null");
        requireNonNull(writtenAt, "writtenAt is null");
        requireNonNull(lastBusyAt, "lastBusyAt is null");
        gpus = List.copyOf(gpus);
        jobs = List.copyOf(jobs);
        requireNonNull(spotNotice, "spotNotice is null");
        requireNonNull(rebalanceAt, "rebalanceAt is null");
        requireNonNull(unhealthy, "unhealthy is null");
        requireNonNull(unhealthyReportedAt, "unhealthyReportedAt is null");
    }

    /** The agent has powered its host off (a burst worker that ran out of work). */
    public boolean poweredOff()
    {
        return agentState.equals("off");
    }
}
