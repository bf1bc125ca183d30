package dev.berth.queue;

import static java.util.Objects.requireNonNull;

/** One received message; {@code receiptHandle} is what deletes it or extends its visibility. */
public record QueueMessage(String messageId, String receiptHandle, String body)
{
    public QueueMessage
    {
        requireNonNull(messageId, "messageId is null");
        requireNonNull(receiptHandle, "receiptHandle is null");
        requireNonNull(body, "body is null");
    }
}
