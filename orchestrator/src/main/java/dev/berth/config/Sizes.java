package dev.berth.config;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the sizes users write in requests and config: {@code 512m}, {@code 16g}, {@code 1048576} (bytes). */
public final class Sizes
{
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})([kmgt]?)b?");
    private static final String[] UNITS = {"", "k", "m", "g", "t"};

    private Sizes() {}

    /** The size in bytes; empty for anything else, including negatives and sizes past {@code Long.MAX_VALUE}. */
    public static Optional<Long> parse(String text)
    {
        Matcher matcher = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            return Optional.empty();
        }
        long amount = Long.parseLong(matcher.group(1));
        int shift = switch (matcher.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        if (amount > (Long.MAX_VALUE >> shift)) {
            return Optional.empty();
        }
        return Optional.of(amount << shift);
    }

    /** For people to read, to three significant digits at most: {@code 3 B}, {@code 1.50 KiB}, {@code 12.3 GiB}. */
    public static String readable(long bytes)
    {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = bytes / 1024.0;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        String digits = value >= 100 ? "%.0f" : value >= 10 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, digits, value) + " " + units[unit];
    }

    /** The largest unit that divides {@code bytes} exactly: {@code 16g}, {@code 1536m}, {@code 100}. */
    public static String format(long bytes)
    {
        int unit = 0;
        long value = bytes;
        while (unit < UNITS.length - 1 && value >= 1024 && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return value + UNITS[unit];
    }
}
