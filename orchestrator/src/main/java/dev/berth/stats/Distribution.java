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

    /**
     * The distribution of {@code millis}, whose order it changes. Its two percentiles are selected, not
     * sorted for: a pass or two over the values each, where a sort of 10⁵ values costs several times that.
     */
    static Distribution of(long[] millis)
    {
        if (millis.length == 0) {
            return new Distribution(0, Optional.empty(), Optional.empty(), Optional.empty(), List.of());
        }
        int p95 = rank(millis.length, 95);
        int median = rank(millis.length, 50);
        // The 95th first: after it, every value before its place is at most it, so the median is selected among those
        select(millis, 0, millis.length - 1, p95);
        select(millis, 0, p95, median);
        long max = Arrays.stream(millis).max().orElseThrow();
        return new Distribution(millis.length, Optional.of(Duration.ofMillis(millis[median])), Optional.of(Duration.ofMillis(millis[p95])),
                Optional.of(Duration.ofMillis(max)), histogram(millis));
    }

    /** Nearest rank, as an index into the sorted values: of 20 values the p95 is the 19th (index 18), the median the 10th. */
    private static int rank(int count, int percent)
    {
        return Math.max((int) Math.ceil(percent / 100.0 * count), 1) - 1;
    }

    /**
     * Moves the value that sorting would put at {@code index} there, with none greater before it and none
     * smaller after it, looking only between {@code low} and {@code high} (Hoare's selection).
     */
    private static void select(long[] values, int low, int high, int index)
    {
        while (low < high) {
            long pivot = values[(low + high) >>> 1];
            int i = low;
            int j = high;
            while (i <= j) {
                while (values[i] < pivot) {
                    i++;
                }
                while (values[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    long swap = values[i];
                    values[i] = values[j];
                    values[j] = swap;
                    i++;
                    j--;
                }
            }
            if (index <= j) {
                high = j;
            }
            else if (index >= i) {
                low = i;
            }
            else {
                return;
            }
        }
    }

    private static List<Bin> histogram(long[] millis)
    {
        long[] counts = new long[EDGES.length];
        for (long value : millis) {
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
