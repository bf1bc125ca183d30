package dev.berth.queue;

/** The queue refused a request that reached it (as opposed to the queue being unreachable). */
public final class QueueException
        extends RuntimeException
{
    public QueueException(String message)
    {
        super(message);
    }
}
