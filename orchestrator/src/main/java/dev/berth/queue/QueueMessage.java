package dev.berth.queue;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One received message; {@code receiptHandle} is what deletes it or extends its visibility.
 * {@code user} is the sender's message attribute {@value #USER_ATTRIBUTE}, unchecked: the request's own
 * {@code user} field wins over it, and intake validates whichever it takes.
 */
public record QueueMessage(String messageId, String receiptHandle, String body, Optional<String> user)
{
    public static final String USER_ATTRIBUTE = "berth-user";

    public QueueMessage
    {
        requireNonNull(messageId, "messageId is null");
        requireNonNull(receiptHandle, "receiptHandle is null");
        requireNonNull(body, "body is null");
        requireNonNull(user, "user is null");
    }

    public QueueMessage(String messageId, String receiptHandle, String body)
    {
        this(messageId, receiptHandle, body, Optional.empty());
    }
}
