package dev.berth.config;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the short durations users write in requests and config: {@code 500ms}, {@code 90s}, {@code 5m}, {@code 2h}, {@code 1d}. */
public final class Durations
{
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    private Durations() {}

    public static Optional<Duration> parse(String text)
    {
        Matcher matcher = DURATION.matcher(text.strip());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        long amount = Long.parseLong(matcher.group(1));
        return Optional.of(switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        });
    }

    public static String format(Duration duration)
    {
        long seconds = duration.toSeconds();
        if (seconds < 60) {
            return duration.toMillis() % 1000 == 0 ? seconds + "s" : duration.toMillis() + "ms";
        }
        if (seconds < 3600) {
            return "%dm%02ds".formatted(seconds / 60, seconds % 60);
        }
        return "%dh%02dm".formatted(seconds / 3600, (seconds % 3600) / 60);
    }
}
