package dev.berth.stats;

import dev.berth.config.Durations;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** How the figures of a report read as text, the same in {@code berth stats} and on the Stats page. */
public final class StatsFormat
{
    private static final String NONE = "-";

    private StatsFormat() {}

    /** Under a second in milliseconds, under a minute in tenths of seconds, then as durations read elsewhere in berth; none as "-". */
    public static String duration(Optional<Duration> duration)
    {
        if (duration.isEmpty()) {
            return NONE;
        }
        long millis = duration.get().toMillis();
        if (millis < 1_000) {
            return millis + "ms";
        }
        if (millis < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
        }
        return Durations.format(duration.get());
    }

    /** A window's length as it is typed: 7d, 24h, 90m. */
    public static String window(Duration length)
    {
        if (length.toMinutes() % (24 * 60) == 0 && length.toDays() >= 2) {
            return length.toDays() + "d";
        }
        return length.toMinutes() % 60 == 0 ? length.toHours() + "h" : length.toMinutes() + "m";
    }

    public static String count(long count)
    {
        return String.format(Locale.ROOT, "%,d", count);
    }

    /** Hours to a tenth. */
    public static String hours(double hours)
    {
        return String.format(Locale.ROOT, "%,.1f", hours);
    }
}
