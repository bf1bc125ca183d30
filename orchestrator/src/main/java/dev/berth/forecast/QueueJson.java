package dev.berth.forecast;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Optional;

/**
 * A job's place in line in JSON, as {@code status --json}, {@code list --json} and the HTTP API show it:
 * {@code "queue": {"position", "waiting", "pool", "estimated_start"}} (the last null when berth makes no
 * estimate), or {@code "queue": null} for a job that is not queued. The names are an interface: keep them stable.
 */
public final class QueueJson
{
    private QueueJson() {}

    public static void put(ObjectNode job, Optional<QueuePlace> place)
    {
        if (place.isEmpty()) {
            job.putNull("queue");
            return;
        }
        ObjectNode queue = job.putObject("queue")
                .put("position", place.get().position())
                .put("waiting", place.get().waiting());
        place.get().pool().ifPresentOrElse(pool -> queue.put("pool", pool), () -> queue.putNull("pool"));
        place.get().estimatedStart().ifPresentOrElse(start -> queue.put("estimated_start", start.toString()), () -> queue.putNull("estimated_start"));
    }
}
