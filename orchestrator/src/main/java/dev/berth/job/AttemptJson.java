package dev.berth.job;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * How an attempt reads in JSON, in {@code result.json} and in {@code berth status --json} alike. The
 * field names are an interface: keep them stable.
 */
public final class AttemptJson
{
    private AttemptJson() {}

    /** Adds the {@code attempts} array, oldest first, to {@code parent}. */
    public static void putAttempts(ObjectNode parent, List<Attempt> attempts)
    {
        ArrayNode list = parent.putArray("attempts");
        for (Attempt attempt : attempts) {
            ObjectNode entry = list.addObject();
            entry.put("number", attempt.number());
            entry.put("service", attempt.serviceName());
            entry.put("state", attempt.state().name());
            attempt.node().ifPresent(value -> entry.put("node", value));
            attempt.cause().ifPresent(cause -> entry.put("cause", cause.label()));
            attempt.reason().ifPresent(reason -> entry.put("reason", reason));
            attempt.exitCode().ifPresent(code -> entry.put("exit_code", code));
            attempt.startedAt().ifPresent(time -> entry.put("started_at", time.toString()));
            attempt.finishedAt().ifPresent(time -> entry.put("finished_at", time.toString()));
        }
    }
}
