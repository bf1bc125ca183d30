package dev.berth.metrics;

import dev.berth.queue.JobQueue;
import dev.berth.queue.QueueMessage;

import java.time.Duration;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The job queue with its failures counted: receives that threw, and messages left undeleted, whether
 * the queue refused some of a batch or the whole call failed. Intake already rides these out (backoff,
 * redelivery); the counts let an operator see an outage that the log reports only once a minute.
 */
public final class CountedJobQueue
        implements JobQueue
{
    private final JobQueue queue;
    private final BerthMetrics metrics;

    public CountedJobQueue(JobQueue queue, BerthMetrics metrics)
    {
        this.queue = requireNonNull(queue, "queue is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    @Override
    public String describe()
    {
        return queue.describe();
    }

    @Override
    public List<QueueMessage> receive(Duration wait, Duration visibility)
    {
        try {
            return queue.receive(wait, visibility);
        }
        catch (RuntimeException e) {
            metrics.queueReceiveFailed();
            throw e;
        }
    }

    @Override
    public List<String> delete(List<QueueMessage> messages)
    {
        List<String> undeleted;
        try {
            undeleted = queue.delete(messages);
        }
        catch (RuntimeException e) {
            metrics.queueDeleteFailed(messages.size());
            throw e;
        }
        if (!undeleted.isEmpty()) {
            metrics.queueDeleteFailed(undeleted.size());
        }
        return undeleted;
    }

    @Override
    public void extendVisibility(List<QueueMessage> messages, Duration visibility)
    {
        queue.extendVisibility(messages, visibility);
    }

    @Override
    public void sendToDeadLetter(QueueMessage message, String reason)
    {
        queue.sendToDeadLetter(message, reason);
    }
}
