package dev.berth.bench;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One line of the results table.
 *
 * @param target what the figure should meet, in words; empty for figures shown for comparison
 * @param met whether the figure met its target; empty when it has none
 */
record Row(String scenario, String figure, String unit, int count, double min, double median, double p99, Optional<String> target,
        Optional<Boolean> met, String note)
{
    Row
    {
        requireNonNull(scenario, "scenario is null");
        requireNonNull(figure, "figure is null");
        requireNonNull(unit, "unit is null");
        requireNonNull(target, "target is null");
        requireNonNull(met, "met is null");
        requireNonNull(note, "note is null");
    }

    static Row of(String scenario, String figure, String unit, Samples samples)
    {
        return new Row(scenario, figure, unit, samples.count(), samples.min(), samples.median(), samples.p99(), Optional.empty(), Optional.empty(), "");
    }

    /** A figure measured once (a rate over a whole run, a peak). */
    static Row single(String scenario, String figure, String unit, double value)
    {
        return new Row(scenario, figure, unit, 1, value, value, value, Optional.empty(), Optional.empty(), "");
    }

    Row target(String target, boolean met)
    {
        return new Row(scenario, figure, unit, count, min, median, p99, Optional.of(target), Optional.of(met), note);
    }

    Row note(String note)
    {
        return new Row(scenario, figure, unit, count, min, median, p99, target, met, note);
    }
}
