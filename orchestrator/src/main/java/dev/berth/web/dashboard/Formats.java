package dev.berth.web.dashboard;

import dev.berth.config.Durations;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** How times, durations and links read on the dashboard: times and durations as {@code berth list} and {@code status} print them. */
final class Formats
{
    static final String NONE = "-";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final int SHORT_COMMIT = 12;

    private Formats() {}

    static String time(Instant instant)
    {
        return TIME.format(instant);
    }

    static String time(Optional<Instant> instant)
    {
        return instant.map(Formats::time).orElse(NONE);
    }

    /** From {@code from} to {@code to}, or to {@code now} while there is no end yet; {@link #NONE} with no start. */
    static String span(Optional<Instant> from, Optional<Instant> to, Instant now)
    {
        return from.map(start -> duration(Duration.between(start, to.orElse(now)))).orElse(NONE);
    }

    static String duration(Duration duration)
    {
        return Durations.format(duration.isNegative() ? Duration.ZERO : duration);
    }

    static String shortCommit(String commit)
    {
        return commit.length() > SHORT_COMMIT ? commit.substring(0, SHORT_COMMIT) : commit;
    }

    /** {@code path?name=value&...} with every value URL-encoded, the parameters in their order; {@code path} alone without any. */
    static String link(String path, List<Map.Entry<String, String>> parameters)
    {
        if (parameters.isEmpty()) {
            return path;
        }
        return path + "?" + parameters.stream()
                .map(entry -> entry.getKey() + "=" + URLEncoder.encode(entry.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /** The page of job {@code id}; ids are letters, digits, '_' and '-', but are encoded all the same. */
    static String jobHref(String id)
    {
        return "/jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
    }
}
