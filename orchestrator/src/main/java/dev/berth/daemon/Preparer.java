package dev.berth.daemon;

import dev.berth.job.Job;

import java.io.IOException;

/**
 * Gets an admitted job, whose run dir is recorded, ready for its next attempt. Problems with the
 * request itself throw {@link RequestProblem} and fail the job; anything else is the infrastructure's,
 * and the job goes back to the queue.
 */
interface Preparer
{
    Prepared prepare(Job job, int attempt)
            throws RequestProblem, IOException;

    /** What preparation learned, kept so every later attempt runs the same bytes of the same commit. */
    record Prepared(String imageRef, String commit) {}

    final class RequestProblem
            extends Exception
    {
        RequestProblem(String message)
        {
            super(message);
        }
    }
}
