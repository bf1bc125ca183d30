package dev.berth.testing;

import dev.berth.queue.JobQueue;
import dev.berth.queue.QueueMessage;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An in-memory job queue with SQS's at-least-once contract: a received message stays in flight until
 * it is deleted, and {@link #redeliverInFlight} hands undeleted ones out again, as a visibility
 * timeout would. Receives fail while the queue is made unreachable; deletes are refused while it is told to refuse them.
 */
public final class FakeJobQueue
        implements JobQueue
{
    private final Deque<QueueMessage> waiting = new ArrayDeque<>();
    private final Map<String, QueueMessage> inFlight = new LinkedHashMap<>();
    private final Map<String, String> deadLetters = new LinkedHashMap<>();
    private final List<String> deleted = new ArrayList<>();
    private int sent;
    private boolean unreachable;
    private boolean refusingDeletes;

    public synchronized String send(String body)
    {
        return send(body, Optional.empty());
    }

    /** Sends as SQS does with the sender's {@value QueueMessage#USER_ATTRIBUTE} message attribute. */
    public synchronized String send(String body, Optional<String> user)
    {
        String id = "msg-" + ++sent;
        waiting.add(new QueueMessage(id, "receipt-" + id, body, user));
        return id;
    }

    public synchronized void unreachable(boolean value)
    {
        unreachable = value;
    }

    /** Deletes leave every message in flight and name it as not deleted, as SQS does with a receipt handle it no longer takes. */
    public synchronized void refuseDeletes(boolean value)
    {
        refusingDeletes = value;
    }

    /** What a visibility timeout does to messages received and never deleted. */
    public synchronized void redeliverInFlight()
    {
        inFlight.values().forEach(waiting::addFirst);
        inFlight.clear();
    }

    public synchronized List<String> deleted()
    {
        return List.copyOf(deleted);
    }

    /** Message id to the reason it was set aside. */
    public synchronized Map<String, String> deadLetters()
    {
        return Map.copyOf(deadLetters);
    }

    public synchronized int waiting()
    {
        return waiting.size();
    }

    @Override
    public String describe()
    {
        return "in-memory queue";
    }

    @Override
    public synchronized List<QueueMessage> receive(Duration wait, Duration visibility)
    {
        if (unreachable) {
            throw new IllegalStateException("queue unreachable");
        }
        List<QueueMessage> batch = new ArrayList<>();
        while (batch.size() < 10 && !waiting.isEmpty()) {
            QueueMessage message = waiting.poll();
            inFlight.put(message.messageId(), message);
            batch.add(message);
        }
        return batch;
    }

    @Override
    public synchronized List<String> delete(List<QueueMessage> messages)
    {
        if (refusingDeletes) {
            return messages.stream().map(QueueMessage::messageId).toList();
        }
        for (QueueMessage message : messages) {
            inFlight.remove(message.messageId());
            deleted.add(message.messageId());
        }
        return List.of();
    }

    @Override
    public void extendVisibility(List<QueueMessage> messages, Duration visibility) {}

    @Override
    public synchronized void sendToDeadLetter(QueueMessage message, String reason)
    {
        deadLetters.put(message.messageId(), reason);
    }
}
