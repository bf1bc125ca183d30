package dev.berth.job;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** How an attempt ended: its final state, why, and the job's own exit code when it has one. Made by {@link Lifecycle}'s events. */
public record AttemptOutcome(AttemptState state, Optional<Cause> cause, String reason, Optional<Integer> exitCode)
{
    public AttemptOutcome
    {
        requireNonNull(state, "state is null");
        requireNonNull(cause, "cause is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(exitCode, "exitCode is null");
        if (!state.terminal()) {
            throw new IllegalArgumentException("not an end state: " + state);
        }
    }
}
