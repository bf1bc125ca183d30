package dev.berth.stats;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * How a set of durations (waits, runs) is spread: how many, the median, the 95th percentile and the
 * longest, exact (nearest rank: the smallest value at least that share of the set is at or under), and
 * a histogram on fixed, readable edges, from its first non-empty bin to its last.
 */
public record Distribution(long count, Optional<Duration> median, Optional<Duration> p95, Optional<Duration> max, List<Bin> histogram)
{
    /** The histogram's edges, in milliseconds: steps a person reads at a glance, about twice apart, up to a day. */
    private static final long[] EDGES = {0, 1_000, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000,
            7_200_000, 21_600_000, 43_200_000, 86_400_000};

    public Distribution
    {
        requireNonNull(median, "median is null");
        requireNonNull(p95, "p95 is null");
        requireNonNull(max, "max is null");
        histogram = List.copyOf(histogram);
    }

    /** The distribution of {@code millis}, which it sorts in place. */
    static Distribution of(long[] millis)
    {
        Arrays.sort(millis);
        if (millis.length == 0) {
            return new Distribution(0, Optional.empty(), Optional.empty(), Optional.empty(), List.of());
        }
        return new Distribution(millis.length, Optional.of(percentile(millis, 50)), Optional.of(percentile(millis, 95)),
                Optional.of(Duration.ofMillis(millis[millis.length - 1])), histogram(millis));
    }

    /** Nearest rank over sorted values: of 20 values the p95 is the 19th, the median the 10th. */
    private static Duration percentile(long[] sorted, int percent)
    {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return Duration.ofMillis(sorted[Math.max(rank, 1) - 1]);
    }

    private static List<Bin> histogram(long[] sorted)
    {
        long[] counts = new long[EDGES.length];
        for (long value : sorted) {
            counts[bin(value)]++;
        }
        int first = 0;
        while (counts[first] == 0) {
            first++;
        }
        int last = counts.length - 1;
        while (counts[last] == 0) {
            last--;
        }
        List<Bin> bins = new ArrayList<>();
        for (int i = first; i <= last; i++) {
            Optional<Duration> upTo = i + 1 < EDGES.length ? Optional.of(Duration.ofMillis(EDGES[i + 1])) : Optional.empty();
            bins.add(new Bin(Duration.ofMillis(EDGES[i]), upTo, counts[i]));
        }
        return bins;
    }

    /** The bin a value falls in; a negative one (clocks of two machines) in the first. */
    private static int bin(long millis)
    {
        int bin = 0;
        while (bin + 1 < EDGES.length && millis >= EDGES[bin + 1]) {
            bin++;
        }
        return bin;
    }

    /** The durations from {@code from} (included) up to {@code upTo} (excluded; none for the last, open bin). */
    public record Bin(Duration from, Optional<Duration> upTo, long count)
    {
        public Bin
        {
            requireNonNull(from, "from is null");
            requireNonNull(upTo, "upTo is null");
        }
    }
}
