package dev.berth.job;


import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** One Swarm service run for a job. */
public record Attempt(
        String jobId,
        int number,
        String serviceName,
        AttemptState state,
        Optional<String> node,
        Optional<Cause> cause,
        Optional<String> reason,
        Optional<Integer> exitCode,
        Instant createdAt,
        Optional<Instant> startedAt,
        Optional<Instant> finishedAt)
{
    public Attempt
    {
        requireNonNull(jobId, "jobId is null");
        requireNonNull(serviceName, "serviceName is null");
        requireNonNull(state, "state is null");
        requireNonNull(node, "node is null");
        requireNonNull(cause, "cause is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(exitCode, "exitCode is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(finishedAt, "finishedAt is null");
    }
}
