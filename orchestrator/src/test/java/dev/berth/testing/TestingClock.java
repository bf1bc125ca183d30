package dev.berth.testing;

import dev.berth.time.Sleeper;
import dev.berth.time.Ticker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static java.util.Objects.requireNonNull;

/** Time that moves only when a test moves it: wall clock, ticker and sleeper in one, so they never disagree. */
public final class TestingClock
        extends Clock
        implements Ticker, Sleeper
{
    private Instant now;
    private long nanos;
    private Duration slept = Duration.ZERO;

    public TestingClock(Instant start)
    {
        this.now = requireNonNull(start, "start is null");
    }

    public synchronized void advance(Duration duration)
    {
        now = now.plus(duration);
        nanos += duration.toNanos();
    }

    @Override
    public synchronized Instant instant()
    {
        return now;
    }

    @Override
    public synchronized long read()
    {
        return nanos;
    }

    /** Sleeping is time passing, at once. */
    @Override
    public synchronized void sleep(Duration duration)
    {
        slept = slept.plus(duration);
        advance(duration);
    }

    /** This clock as the sleeper of code that takes one apart from its clock. */
    public Sleeper sleeper()
    {
        return this;
    }

    /** How long its sleeper has slept in all. */
    public synchronized Duration slept()
    {
        return slept;
    }

    @Override
    public ZoneId getZone()
    {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone)
    {
        throw new UnsupportedOperationException("a testing clock has one zone");
    }
}
