package dev.berth.fleet;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How the fleet reads in JSON: in {@code berth workers --json} and in the HTTP API. The field names
 * are an interface: keep them stable.
 */
public final class FleetJson
{
    private FleetJson() {}

    /** @param staleAfter when a heartbeat is flagged stale, said with the workers so a reader knows what the flag means */
    public static ObjectNode of(FleetStatus fleet, Duration staleAfter)
    {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("stale_after_seconds", staleAfter.toSeconds());
        root.put("healthy", fleet.healthy());
        ArrayNode workers = root.putArray("workers");
        for (WorkerStatus worker : fleet.workers()) {
            ObjectNode node = workers.addObject();
            node.put("hostname", worker.hostname());
            putOptional(node, "node_id", worker.nodeId());
            putOptional(node, "pool", worker.pool());
            putOptional(node, "lifecycle", worker.lifecycle());
            putOptional(node, "swarm_state", worker.swarmState());
            putOptional(node, "availability", worker.availability());
            putOptional(node, "drained_by", worker.drainedBy());
            putOptional(node, "agent_state", worker.agentState());
            if (worker.heartbeatAge().isPresent()) {
                node.put("heartbeat_age_seconds", worker.heartbeatAge().get().toSeconds());
            }
            else {
                node.putNull("heartbeat_age_seconds");
            }
            if (worker.idleFor().isPresent()) {
                node.put("idle_seconds", worker.idleFor().get().toSeconds());
            }
            else {
                node.putNull("idle_seconds");
            }
            ArrayNode jobs = node.putArray("jobs");
            for (RunningJob job : worker.jobs()) {
                jobs.addObject().put("job", job.job()).put("attempt", job.attempt()).put("container", job.container());
            }
            ArrayNode gpus = node.putArray("gpus");
            worker.gpus().forEach(gpus::add);
            if (worker.spotNotice().isPresent()) {
                ObjectNode notice = node.putObject("spot_notice").put("action", worker.spotNotice().get().action());
                putOptional(notice, "time", worker.spotNotice().get().time().map(Instant::toString));
            }
            else {
                node.putNull("spot_notice");
            }
            putOptional(node, "rebalance_at", worker.rebalanceAt().map(Instant::toString));
            putOptional(node, "unhealthy", worker.unhealthy());
            putOptional(node, "unhealthy_reported_at", worker.unhealthyReportedAt().map(Instant::toString));
            ArrayNode flags = node.putArray("flags");
            worker.flags().stream().sorted().map(Enum::name).forEach(flags::add);
        }
        ObjectNode unreadable = root.putObject("unreadable_heartbeats");
        fleet.unreadableHeartbeats().forEach(unreadable::put);
        return root;
    }

    private static void putOptional(ObjectNode node, String field, Optional<String> value)
    {
        if (value.isPresent()) {
            node.put(field, value.get());
        }
        else {
            node.putNull(field);
        }
    }
}
