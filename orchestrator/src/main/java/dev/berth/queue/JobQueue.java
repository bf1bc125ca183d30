package dev.berth.queue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The job queue, the one way into berth: senders ({@code berth submit}, the HTTP API) send requests;
 * intake receives them, deletes what is stored, keeps the rest hidden while it is being stored, and
 * sets aside what can never become a job. {@link SqsJobQueue} is SQS behind it; tests use an
 * in-memory one.
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

    /**
     * Sends requests in order, in one message group, and returns their message ids, in order.
     *
     * @throws QueueException when the queue refused any of them, naming which
     */
    List<String> sendAll(List<Outgoing> messages, String groupId);

    /** Copies a message that cannot become a job to the dead-letter queue, with the reason. */
    void sendToDeadLetter(QueueMessage message, String reason);

    /**
     * A request to send, with the id that makes a resend within SQS's five-minute window a no-op, and
     * the user who sends it (the job's user unless the request names one), which travels as the message
     * attribute {@value QueueMessage#USER_ATTRIBUTE}.
     */
    record Outgoing(String body, String deduplicationId, Optional<String> user)
    {
        public Outgoing
        {
            requireNonNull(body, "body is null");
            requireNonNull(deduplicationId, "deduplicationId is null");
            requireNonNull(user, "user is null");
        }

        public Outgoing(String body, String deduplicationId)
        {
            this(body, deduplicationId, Optional.empty());
        }
    }
}
