package dev.berth.stats;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The stretch of time stats cover, from {@code from} up to {@code to} (now, excluded; whole milliseconds,
 * as the store keeps times), cut into intervals for the per-interval figures. Intervals are aligned to
 * multiples of their length since the epoch (whole hours, whole 5 minutes, UTC days), so the first may
 * begin before {@code from} and the last end after {@code to}: each counts only what the window holds.
 */
public record StatsWindow(Instant from, Instant to, Duration interval)
{
    public StatsWindow
    {
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        requireNonNull(interval, "interval is null");
        if (!from.isBefore(to) || interval.toMillis() <= 0) {
            throw new IllegalArgumentException("not a window: " + from + " to " + to + " by " + interval);
        }
    }

    /**
     * The window of length {@code since} that ends at {@code now}. Its intervals are hours, as a
     * dashboard of the last day or week shows them, but 5 minutes for a window of 6 h or less (an hour
     * in hours would be one bar) and days beyond 14 days (so a long window stays under a hundred bars).
     */
    public static StatsWindow ending(Instant now, Duration since)
    {
        Instant to = now.truncatedTo(ChronoUnit.MILLIS);
        Duration interval;
        if (since.compareTo(Duration.ofHours(6)) <= 0) {
            interval = Duration.ofMinutes(5);
        }
        else if (since.compareTo(Duration.ofDays(14)) <= 0) {
            interval = Duration.ofHours(1);
        }
        else {
            interval = Duration.ofDays(1);
        }
        return new StatsWindow(to.minus(since), to, interval);
    }

    /** Where interval 0 begins: the last multiple of the interval at or before {@code from}. */
    public Instant origin()
    {
        long step = interval.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(from.toEpochMilli(), step) * step);
    }

    /** How many intervals the window touches (at least one). */
    public int intervals()
    {
        long span = to.toEpochMilli() - origin().toEpochMilli();
        return (int) Math.max(1, -Math.floorDiv(-span, interval.toMillis()));
    }

    public Instant intervalStart(int index)
    {
        return origin().plus(interval.multipliedBy(index));
    }

    /** When the queue's depth is sampled: {@code from}, every interval boundary after it, and {@code to}. */
    public List<Instant> samples()
    {
        List<Instant> samples = new ArrayList<>();
        samples.add(from);
        for (int i = 1; i < intervals(); i++) {
            Instant boundary = intervalStart(i);
            if (boundary.isAfter(from) && boundary.isBefore(to)) {
                samples.add(boundary);
            }
        }
        samples.add(to);
        return samples;
    }
}
