package dev.berth.top;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * When {@code berth top} next reads the store and the fleet: every interval, counted from the last read,
 * so a slow read (an engine slow to answer) never makes reads pile up.
 */
final class RefreshTimer
{
    private final Clock clock;
    private final Duration interval;
    private Instant next;

    RefreshTimer(Clock clock, Duration interval)
    {
        this.clock = requireNonNull(clock, "clock is null");
        this.interval = requireNonNull(interval, "interval is null");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
        this.next = clock.instant();
    }

    /** How long until the next read is due; zero or less when it is. */
    Duration untilDue()
    {
        return Duration.between(clock.instant(), next);
    }

    boolean due()
    {
        Duration left = untilDue();
        return left.isNegative() || left.isZero();
    }

    /** A read has just been made: the next is due an interval from now. */
    void refreshed()
    {
        next = clock.instant().plus(interval);
    }
}
