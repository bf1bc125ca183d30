package dev.berth.job;


import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** How an attempt ended, as the watcher saw it. */
public record AttemptEnd(
        AttemptState state,
        Optional<Cause> cause,
        String reason,
        Optional<Integer> exitCode,
        Optional<String> node,
        Optional<Instant> startedAt,
        Instant finishedAt)
{
    public AttemptEnd
    {
        requireNonNull(state, "state is null");
        requireNonNull(cause, "cause is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(exitCode, "exitCode is null");
        requireNonNull(node, "node is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(finishedAt, "finishedAt is null");
        if (!state.terminal()) {
            throw new IllegalArgumentException("not an end state: " + state);
        }
    }

    public static AttemptEnd of(AttemptOutcome outcome, Optional<String> node, Optional<Instant> startedAt, Instant finishedAt)
    {
        return new AttemptEnd(outcome.state(), outcome.cause(), outcome.reason(), outcome.exitCode(), node, startedAt, finishedAt);
    }

    public AttemptOutcome outcome()
    {
        return new AttemptOutcome(state, cause, reason, exitCode);
    }
}
