package dev.berth.testing;

import dev.berth.time.Sleeper;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static java.util.Objects.requireNonNull;

/** A clock that moves only when told, and a sleeper that moves it instead of waiting: waits of minutes take no time. */
public final class TestingClock
        extends Clock
{
    private Instant now;
    private Duration slept = Duration.ZERO;

    public TestingClock(Instant start)
    {
        this.now = requireNonNull(start, "start is null");
    }

    public synchronized void advance(Duration duration)
    {
        now = now.plus(duration);
    }

    /** Sleeps by advancing this clock. */
    public Sleeper sleeper()
    {
        return duration -> {
            synchronized (this) {
                slept = slept.plus(duration);
                advance(duration);
            }
        };
    }

    /** How long its sleeper has slept in all. */
    public synchronized Duration slept()
    {
        return slept;
    }

    @Override
    public synchronized Instant instant()
    {
        return now;
    }

    @Override
    public ZoneId getZone()
    {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone)
    {
        throw new UnsupportedOperationException("a testing clock is in UTC");
    }
}
