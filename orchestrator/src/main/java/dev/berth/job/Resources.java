package dev.berth.job;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What one job reserves on a node. Memory in bytes, CPUs as a fraction of cores. */
public record Resources(double cpus, long memoryBytes, int gpus)
{
    private static final Pattern MEMORY = Pattern.compile("(\\d{1,12})([kmgt]?)b?");

    public Resources
    {
        if (!(cpus > 0)) {
            throw new IllegalArgumentException("cpus must be positive: " + cpus);
        }
        if (memoryBytes <= 0) {
            throw new IllegalArgumentException("memory must be positive: " + memoryBytes);
        }
        if (gpus < 0) {
            throw new IllegalArgumentException("gpus must not be negative: " + gpus);
        }
    }

    public long nanoCpus()
    {
        return Math.round(cpus * 1e9);
    }

    /** Parses {@code 512m}, {@code 16g}, {@code 1048576} (bytes); empty for anything else, including negatives. */
    public static Optional<Long> parseMemory(String text)
    {
        Matcher matcher = MEMORY.matcher(text.strip().toLowerCase(Locale.ROOT));
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

    public static String formatMemory(long bytes)
    {
        String[] units = {"", "k", "m", "g", "t"};
        int unit = 0;
        long value = bytes;
        while (unit < units.length - 1 && value >= 1024 && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return value + units[unit];
    }

    @Override
    public String toString()
    {
        String cpuText = cpus == Math.rint(cpus) ? String.valueOf((long) cpus) : String.valueOf(cpus);
        return "cpus=" + cpuText + " memory=" + formatMemory(memoryBytes) + " gpus=" + gpus;
    }
}
