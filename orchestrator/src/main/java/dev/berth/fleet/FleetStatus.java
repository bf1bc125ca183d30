package dev.berth.fleet;

import dev.berth.swarm.SwarmNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The fleet as {@code berth workers} reports it: every swarm node and every heartbeat, joined
 * (by node id, else by hostname) and flagged where they disagree or a heartbeat is stale.
 *
 * @param unreadableHeartbeats heartbeat file name to what is wrong with it
 */
public record FleetStatus(List<WorkerStatus> workers, Map<String, String> unreadableHeartbeats)
{
    private static final Comparator<WorkerStatus> ORDER = Comparator
            .comparing((WorkerStatus worker) -> worker.pool().orElse("~"))
            .thenComparing(WorkerStatus::hostname);

    public FleetStatus
    {
        workers = List.copyOf(workers);
        unreadableHeartbeats = Map.copyOf(unreadableHeartbeats);
    }

    public static FleetStatus of(List<SwarmNode> nodes, HeartbeatScan scan, Instant now, Duration staleAfter)
    {
        requireNonNull(nodes, "nodes is null");
        requireNonNull(scan, "scan is null");
        requireNonNull(now, "now is null");
        requireNonNull(staleAfter, "staleAfter is null");

        Map<String, Heartbeat> byNodeId = new HashMap<>();
        Map<String, Heartbeat> byHostname = new HashMap<>();
        for (Heartbeat heartbeat : scan.heartbeats()) {
            heartbeat.nodeId().ifPresent(id -> byNodeId.put(id, heartbeat));
            byHostname.put(heartbeat.hostname(), heartbeat);
        }

        List<WorkerStatus> workers = new ArrayList<>();
        Set<Heartbeat> joined = new HashSet<>();
        for (SwarmNode node : nodes) {
            Heartbeat heartbeat = byNodeId.get(node.id());
            if (heartbeat == null) {
                heartbeat = byHostname.get(node.hostname());
            }
            Set<WorkerFlag> flags = EnumSet.noneOf(WorkerFlag.class);
            if (heartbeat != null) {
                joined.add(heartbeat);
            }
            else if (scan.unreadable().containsKey(node.hostname())) {
                flags.add(WorkerFlag.UNREADABLE_HEARTBEAT);
            }
            else {
                flags.add(WorkerFlag.MISSING_HEARTBEAT);
            }
            boolean poweredOff = heartbeat != null && heartbeat.poweredOff();
            if ((node.state().equals("down") || node.state().equals("disconnected")) && !poweredOff) {
                flags.add(WorkerFlag.NODE_DOWN);
            }
            workers.add(status(node.hostname(), Optional.of(node), Optional.ofNullable(heartbeat), flags, now, staleAfter));
        }
        for (Heartbeat heartbeat : scan.heartbeats()) {
            if (joined.contains(heartbeat)) {
                continue;
            }
            Set<WorkerFlag> flags = EnumSet.noneOf(WorkerFlag.class);
            // A burst worker that powered itself off is rightly gone from the swarm.
            if (!heartbeat.poweredOff()) {
                flags.add(WorkerFlag.NOT_IN_SWARM);
            }
            workers.add(status(heartbeat.hostname(), Optional.empty(), Optional.of(heartbeat), flags, now, staleAfter));
        }
        workers.sort(ORDER);
        return new FleetStatus(workers, scan.unreadable());
    }

    private static WorkerStatus status(String hostname, Optional<SwarmNode> node, Optional<Heartbeat> heartbeat, Set<WorkerFlag> flags, Instant now, Duration staleAfter)
    {
        Optional<Duration> age = heartbeat.map(beat -> nonNegative(Duration.between(beat.writtenAt(), now)));
        if (heartbeat.isPresent() && !heartbeat.get().poweredOff()) {
            if (age.get().compareTo(staleAfter) > 0) {
                flags.add(WorkerFlag.STALE_HEARTBEAT);
            }
            else if (!heartbeat.get().dockerReachable()) {
                flags.add(WorkerFlag.DOCKER_UNREACHABLE);
            }
        }
        Optional<String> unhealthy = heartbeat.flatMap(Heartbeat::unhealthy)
                .or(() -> node.filter(SwarmNode::drainedAsUnhealthy).map(drained -> drained.unhealthyReason().orElse("drained as unhealthy")));
        if (unhealthy.isPresent()) {
            flags.add(WorkerFlag.UNHEALTHY);
        }
        List<String> gpus = node.map(SwarmNode::gpus).filter(list -> !list.isEmpty())
                .or(() -> heartbeat.map(Heartbeat::gpus))
                .orElse(List.of());
        return new WorkerStatus(
                hostname,
                node.map(SwarmNode::id).or(() -> heartbeat.flatMap(Heartbeat::nodeId)),
                node.flatMap(SwarmNode::pool).or(() -> heartbeat.map(Heartbeat::pool)),
                Optional.ofNullable(node.map(SwarmNode::labels).map(labels -> labels.get("berth.lifecycle")).orElse(null))
                        .or(() -> heartbeat.map(Heartbeat::lifecycle)),
                node.map(SwarmNode::state),
                node.map(SwarmNode::availability),
                node.flatMap(SwarmNode::drainedBy),
                heartbeat.map(Heartbeat::agentState),
                age,
                heartbeat.filter(beat -> beat.jobs().isEmpty())
                        .map(beat -> nonNegative(Duration.between(beat.lastBusyAt(), now))),
                heartbeat.map(Heartbeat::jobs).orElse(List.of()),
                gpus,
                heartbeat.flatMap(Heartbeat::spotNotice),
                heartbeat.flatMap(Heartbeat::rebalanceAt),
                unhealthy,
                heartbeat.flatMap(Heartbeat::unhealthyReportedAt),
                flags);
    }

    private static Duration nonNegative(Duration duration)
    {
        return duration.isNegative() ? Duration.ZERO : duration;
    }

    public boolean healthy()
    {
        return unreadableHeartbeats.isEmpty() && workers.stream().allMatch(WorkerStatus::healthy);
    }
}
