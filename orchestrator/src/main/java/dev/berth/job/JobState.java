package dev.berth.job;

/**
 * Where a job is in its life; {@link Lifecycle} says which moves are allowed. WAITING is a job whose
 * dependencies ({@code after}, {@code after_any}) have not all ended: out of admission's line until they have.
 */
public enum JobState
{
    WAITING, QUEUED, PREPARING, SUBMITTED, RUNNING, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED, REJECTED;

    public boolean terminal()
    {
        return this == SUCCEEDED || this == FAILED || this == TIMED_OUT || this == CANCELLED || this == REJECTED;
    }

    /** Holds a place in the fleet: counted against node capacity and the pending cap. */
    public boolean active()
    {
        return this == PREPARING || this == SUBMITTED || this == RUNNING;
    }
}
