package dev.berth.job;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** How an attempt ended, as the watcher saw it: the outcome, and where and when the attempt ran. */
public record AttemptEnd(AttemptOutcome outcome, Optional<String> node, Optional<Instant> startedAt, Instant finishedAt)
{
    public AttemptEnd
    {
        requireNonNull(outcome, "outcome is null");
        requireNonNull(node, "node is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(finishedAt, "finishedAt is null");
    }
}
