package dev.berth.testing;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;

/** Runs each task on the calling thread at once, so a test of the scheduler sees every step in order. */
public final class DirectExecutor
        extends AbstractExecutorService
{
    private volatile boolean shutdown;

    @Override
    public void execute(Runnable command)
    {
        command.run();
    }

    @Override
    public void shutdown()
    {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow()
    {
        shutdown = true;
        return List.of();
    }

    @Override
    public boolean isShutdown()
    {
        return shutdown;
    }

    @Override
    public boolean isTerminated()
    {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit)
    {
        return true;
    }
}
