package dev.berth.job;

/** Where one attempt (one Swarm service) is; {@link Lifecycle} says which moves are allowed. */
public enum AttemptState
{
    SUBMITTING, PENDING, RUNNING, SUCCEEDED, FAILED, INTERRUPTED, TIMED_OUT, CANCELLED;

    public boolean terminal()
    {
        return ordinal() >= SUCCEEDED.ordinal();
    }
}
