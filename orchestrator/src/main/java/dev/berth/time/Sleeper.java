package dev.berth.time;

import java.time.Duration;

/** Pauses the calling thread; tests pass one that advances their clock instead of waiting. */
@FunctionalInterface
public interface Sleeper
{
    void sleep(Duration duration)
            throws InterruptedException;

    static Sleeper system()
    {
        return duration -> Thread.sleep(duration.toMillis());
    }
}
