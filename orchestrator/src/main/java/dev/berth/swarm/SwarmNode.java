package dev.berth.swarm;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One node as {@code GET /nodes} reports it, reduced to what scheduling and {@code berth workers} need.
 *
 * @param state Swarm's node state: {@code ready}, {@code down}, {@code unknown}, {@code disconnected}
 * @param availability {@code active}, {@code pause} or {@code drain}
 * @param gpus the ids (or, for counted resources, synthetic ids) of the node's generic resources of berth's GPU kind
 * @param role {@code worker} or {@code manager}
 */
public record SwarmNode(
        String id,
        String hostname,
        String state,
        String availability,
        Map<String, String> labels,
        long nanoCpus,
        long memoryBytes,
        List<String> gpus,
        String role)
{
    public static final String POOL_LABEL = "berth.pool";
    /**
     * Who drained the node, set by the manager's {@code berth-fleet-reconcile} with the drain itself:
     * {@code heartbeat} (an idle burst worker leaving), {@link #DRAINED_FOR_SPOT_NOTICE} or {@link #DRAINED_AS_UNHEALTHY}.
     */
    public static final String DRAINED_BY_LABEL = "berth.drained-by";
    public static final String DRAINED_FOR_SPOT_NOTICE = "spot-notice";
    /** Its agent found the host unhealthy (its GPUs); why is in {@link #UNHEALTHY_LABEL}. */
    public static final String DRAINED_AS_UNHEALTHY = "unhealthy";
    public static final String UNHEALTHY_LABEL = "berth.unhealthy";
    /**
     * The EC2 instance a worker runs on: an engine label its boot script sets ({@code labels} in its
     * {@code daemon.json}), listed among the node's labels, since a worker cannot label its own node.
     */
    public static final String INSTANCE_ID_LABEL = "berth.instance-id";

    public SwarmNode
    {
        requireNonNull(id, "id is null");
        requireNonNull(hostname, "hostname is null");
        requireNonNull(state, "state is null");
        requireNonNull(availability, "availability is null");
        labels = Map.copyOf(labels);
        gpus = List.copyOf(gpus);
        requireNonNull(role, "role is null");
    }

    /** A worker node: what every node but the managers is. */
    public SwarmNode(String id, String hostname, String state, String availability, Map<String, String> labels, long nanoCpus, long memoryBytes, List<String> gpus)
    {
        this(id, hostname, state, availability, labels, nanoCpus, memoryBytes, gpus, "worker");
    }

    public Optional<String> pool()
    {
        return Optional.ofNullable(labels.get(POOL_LABEL));
    }

    public Optional<String> drainedBy()
    {
        return Optional.ofNullable(labels.get(DRAINED_BY_LABEL));
    }

    /** Whether the node is drained because its spot instance has been given notice: it is about to be reclaimed. */
    public boolean drainedForSpotNotice()
    {
        return availability.equals("drain") && drainedBy().filter(DRAINED_FOR_SPOT_NOTICE::equals).isPresent();
    }

    /** Whether the node is drained because its agent found it unhealthy: its instance is being replaced. */
    public boolean drainedAsUnhealthy()
    {
        return availability.equals("drain") && drainedBy().filter(DRAINED_AS_UNHEALTHY::equals).isPresent();
    }

    /** Why its agent found it unhealthy, as the drain recorded it. */
    public Optional<String> unhealthyReason()
    {
        return Optional.ofNullable(labels.get(UNHEALTHY_LABEL)).filter(reason -> !reason.isBlank());
    }

    /**
     * Whether the node is a drained manager: the fleet's manager is drained so that it runs berth and
     * Swarm and no job, for good, so it never counts as a node a job could wait for.
     */
    public boolean drainedManager()
    {
        return role.equals("manager") && availability.equals("drain");
    }

    /** Whether Swarm would place new tasks here right now. */
    public boolean schedulable()
    {
        return state.equals("ready") && availability.equals("active");
    }

    /** Whether tasks already on this node should be treated as lost (spot reclaim, drain for a spot notice, crash). */
    public boolean losesTasks()
    {
        return state.equals("down") || state.equals("disconnected") || availability.equals("drain");
    }
}
