package dev.berth.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.top.TopSnapshot;
import dev.berth.top.TopSnapshot.JobLine;
import dev.berth.top.TopSnapshot.PoolLine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** {@code berth top --json}: one snapshot, with the field names of {@code list} and {@code workers} where they have the same thing. */
final class TopJson
{
    private TopJson() {}

    static ObjectNode of(TopSnapshot snapshot)
    {
        ObjectNode root = JobViews.mapper().createObjectNode();
        root.put("taken_at", snapshot.takenAt().toString());
        ObjectNode fleet = root.putObject("fleet");
        snapshot.fleet().problem().ifPresentOrElse(problem -> fleet.put("problem", problem), () -> fleet.putNull("problem"));
        ArrayNode pools = fleet.putArray("pools");
        for (PoolLine pool : snapshot.fleet().pools()) {
            pools.addObject()
                    .put("pool", pool.pool())
                    .put("workers", pool.workers())
                    .put("ready", pool.ready())
                    .put("flagged", pool.flagged())
                    .put("gpus", pool.gpus())
                    .put("gpus_used", pool.gpusUsed())
                    .put("gpus_free", pool.gpusFree());
        }
        TopSnapshot.QueueCounts queue = snapshot.queue();
        root.putObject("queue")
                .put("queued", queue.queued())
                .put("preparing", queue.preparing())
                .put("pending_in_swarm", queue.pendingInSwarm())
                .put("running", queue.running());
        jobs(root.putArray("live"), snapshot.live(), snapshot.takenAt());
        jobs(root.putArray("recent_failures"), snapshot.failures(), snapshot.takenAt());
        return root;
    }

    private static void jobs(ArrayNode array, List<JobLine> jobs, Instant now)
    {
        for (JobLine job : jobs) {
            ObjectNode node = array.addObject();
            node.put("id", job.id());
            node.put("name", job.name());
            node.put("state", job.state().name());
            job.cause().ifPresent(cause -> node.put("cause", cause.label()));
            job.reason().ifPresent(reason -> node.put("reason", reason));
            node.put("cancel_requested", job.cancelRequested());
            node.put("attempt", job.attempt());
            node.put("gpus", job.gpus());
            job.node().ifPresent(host -> node.put("node", host));
            node.put("received_at", job.receivedAt().toString());
            putTime(node, "started_at", job.startedAt());
            putTime(node, "finished_at", job.finishedAt());
            if (job.finishedAt().isEmpty() && job.startedAt().isPresent()) {
                node.put("elapsed_seconds", Duration.between(job.startedAt().get(), now).toSeconds());
            }
            job.exitCode().ifPresent(code -> node.put("exit_code", code));
        }
    }

    private static void putTime(ObjectNode node, String field, Optional<Instant> time)
    {
        time.ifPresentOrElse(instant -> node.put(field, instant.toString()), () -> node.putNull(field));
    }
}
