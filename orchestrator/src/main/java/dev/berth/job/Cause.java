package dev.berth.job;

import java.util.Locale;

/**
 * Why a job or attempt did not succeed. Users and retries treat these differently: {@link #INFRA} is
 * retried, because there the job itself is not to blame, and {@link #EXIT} only when the request lists
 * the exit code in {@code retry_exit_codes} (see {@link Lifecycle#retryable}).
 */
public enum Cause
{
    /** The job's own non-zero exit code. */
    EXIT,
    /** A node was lost or drained, the engine refused the task, the image was missing on the node. */
    INFRA,
    /** The request cannot run: bad branch, unreachable repository, missing entrypoint, unknown image. */
    REQUEST,
    TIMEOUT,
    CANCELLED;

    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
