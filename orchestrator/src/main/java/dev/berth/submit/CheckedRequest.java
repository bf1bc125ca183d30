package dev.berth.submit;

import dev.berth.queue.JobQueue;

import static java.util.Objects.requireNonNull;

/** A request that passed every check, and the message that carries it to the queue. */
public record CheckedRequest(String jobId, JobQueue.Outgoing message)
{
    public CheckedRequest
    {
        requireNonNull(jobId, "jobId is null");
        requireNonNull(message, "message is null");
    }
}
