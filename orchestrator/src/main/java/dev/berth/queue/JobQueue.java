package dev.berth.queue;

import java.time.Duration;
import java.util.List;

/**
 * What intake uses of the job queue: receive, delete what is stored, keep the rest hidden while it is
 * being stored, and set aside what can never become a job. {@link SqsJobQueue} is SQS behind it;
 * tests of intake use an in-memory one.
 */
public interface JobQueue
{
    /** Where the queue is, for log lines: never holds a secret. */
    String describe();

    /** Long-polls for up to ten messages; returns early as soon as any arrive. */
    List<QueueMessage> receive(Duration wait, Duration visibility);

    /** Deletes messages in one call; returns the ids that could not be deleted (they will come back and be deduplicated). */
    List<String> delete(List<QueueMessage> messages);

    /** Keeps messages hidden from other consumers for {@code visibility} more. */
    void extendVisibility(List<QueueMessage> messages, Duration visibility);

    /** Copies a message that cannot become a job to the dead-letter queue, with the reason. */
    void sendToDeadLetter(QueueMessage message, String reason);
}
