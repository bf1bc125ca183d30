package dev.berth.job;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One move of a job from state to state, with the cause and reason it records. Made only by
 * {@link Lifecycle}'s events, so a move that the state machine does not allow cannot be expressed.
 */
public record JobMove(JobState from, JobState to, Optional<Cause> cause, Optional<String> reason)
{
    public JobMove
    {
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        requireNonNull(cause, "cause is null");
        requireNonNull(reason, "reason is null");
        Lifecycle.check(from, to);
    }
}
