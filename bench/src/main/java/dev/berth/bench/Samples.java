package dev.berth.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Measurements of one figure, in the order they were taken. */
final class Samples
{
    private final List<Double> values = new ArrayList<>();

    void add(double value)
    {
        values.add(value);
    }

    int count()
    {
        return values.size();
    }

    double min()
    {
        return sorted().get(0);
    }

    double max()
    {
        return sorted().get(values.size() - 1);
    }

    double median()
    {
        return percentile(50);
    }

    double p99()
    {
        return percentile(99);
    }

    /** Nearest rank: with 50 samples the p99 is the largest but none, as a reader expects. */
    double percentile(double percent)
    {
        List<Double> sorted = sorted();
        int rank = (int) Math.ceil(percent / 100 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    private List<Double> sorted()
    {
        if (values.isEmpty()) {
            throw new IllegalStateException("no samples");
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted;
    }
}
