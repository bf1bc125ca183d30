package dev.berth.job;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/** An array as a whole, for {@code list} and {@code status}: what was asked, and how many of its tasks are in each state. */
public record ArraySummary(String id, String name, ArraySpec spec, String user, Instant receivedAt, Map<JobState, Integer> counts)
{
    public ArraySummary
    {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(spec, "spec is null");
        requireNonNull(user, "user is null");
        requireNonNull(receivedAt, "receivedAt is null");
        counts = new EnumMap<>(counts.isEmpty() ? Map.of(JobState.SUCCEEDED, 0) : counts);
    }

    /** See {@link Lifecycle#arrayState}. */
    public JobState state()
    {
        return Lifecycle.arrayState(counts);
    }

    /** The array as a listing names it: {@code sweep[0-99]}. */
    public String label()
    {
        return name + "[" + spec.range() + "]";
    }

    /** The counts as a sentence, in the order of a job's life: {@code 90 WAITING, 8 QUEUED, 2 RUNNING}. */
    public String countsText()
    {
        return counts.entrySet().stream().filter(entry -> entry.getValue() > 0)
                .map(entry -> entry.getValue() + " " + entry.getKey())
                .collect(Collectors.joining(", "));
    }
}
