package dev.berth.job;


import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What scheduling needs of a job every round: its state and what it asks of a node, read from plain
 * columns. Reading a whole {@link Job} parses its request again, and every round of a deep queue
 * would pay that for hundreds of jobs. {@code user} and {@code priority} place a queued job in line; a live
 * job's {@code startedAt} (its first start) says how long it has been using what it holds.
 */
public record Claim(
        long seq,
        String jobId,
        JobState state,
        Resources resources,
        Optional<String> pool,
        Optional<Duration> timeout,
        int attempts,
        boolean cancelRequested,
        String user,
        int priority,
        Optional<Instant> startedAt)
{
    public Claim
    {
        requireNonNull(jobId, "jobId is null");
        requireNonNull(state, "state is null");
        requireNonNull(resources, "resources is null");
        requireNonNull(pool, "pool is null");
        requireNonNull(timeout, "timeout is null");
        requireNonNull(user, "user is null");
        requireNonNull(startedAt, "startedAt is null");
    }
}
