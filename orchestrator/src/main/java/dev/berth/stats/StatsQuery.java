package dev.berth.stats;

import dev.berth.config.Durations;
import dev.berth.store.JobGrouping;

import java.time.Duration;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What {@code berth stats} is asked: how far back to look, and what to group by. The command line
 * and the HTTP API parse their text here, so both accept and refuse the same values with the same words.
 */
public record StatsQuery(Duration since, Optional<JobGrouping> by)
{
    public static final String DEFAULT_SINCE = "24h";
    static final Duration SHORTEST = Duration.ofMinutes(1);
    /** Long enough for a quarter's report, short enough that one answer stays a matter of seconds on a store of millions. */
    static final Duration LONGEST = Duration.ofDays(90);

    public StatsQuery
    {
        requireNonNull(since, "since is null");
        requireNonNull(by, "by is null");
        if (since.compareTo(SHORTEST) < 0 || since.compareTo(LONGEST) > 0) {
            throw new IllegalArgumentException("since out of range: " + since);
        }
    }

    /** The query for the parameters as given; absent ones take their defaults (the last 24 h, no grouping). */
    public static StatsQuery parse(Optional<String> since, Optional<String> by)
    {
        return new StatsQuery(parseSince(since.orElse(DEFAULT_SINCE)), by.map(StatsQuery::parseBy));
    }

    /** {@code --since}: a duration from 1m to 90d. */
    public static Duration parseSince(String text)
    {
        return Durations.parse(text)
                .filter(since -> since.compareTo(SHORTEST) >= 0 && since.compareTo(LONGEST) <= 0)
                .orElseThrow(() -> new StatsQueryException("since",
                        "'" + text + "' is not a window to look back over: give a duration from 1m to 90d, such as 1h, 24h or 7d"));
    }

    /** {@code --by}: one of {@link JobGrouping}'s labels. */
    public static JobGrouping parseBy(String text)
    {
        return JobGrouping.fromLabel(text)
                .orElseThrow(() -> new StatsQueryException("by", "'" + text + "' is not something to group jobs by: give " + JobGrouping.choices()));
    }
}
