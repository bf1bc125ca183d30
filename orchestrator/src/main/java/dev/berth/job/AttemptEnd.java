package dev.berth.job;

import dev.berth.cost.Cost;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** How an attempt ended, as the watcher saw it: the outcome, where and when the attempt ran, and what that cost. */
public record AttemptEnd(AttemptOutcome outcome, Optional<String> node, Optional<Instant> startedAt, Instant finishedAt, Cost cost)
{
    public AttemptEnd
    {
        requireNonNull(outcome, "outcome is null");
        requireNonNull(node, "node is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(finishedAt, "finishedAt is null");
        requireNonNull(cost, "cost is null");
    }

    /** An end whose cost nobody measured: stored as unknown, never as 0. */
    public AttemptEnd(AttemptOutcome outcome, Optional<String> node, Optional<Instant> startedAt, Instant finishedAt)
    {
        this(outcome, node, startedAt, finishedAt, Cost.unknown("not measured"));
    }
}
