package dev.berth.store;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/** What jobs can be grouped by in {@code berth stats --by}: a column of theirs, named as users type it. */
public enum JobGrouping
{
    REPO("repo"),
    POOL("pool"),
    USER("user");

    private final String column;

    JobGrouping(String column)
    {
        this.column = requireNonNull(column, "column is null");
    }

    /** As users type it and JSON names it. */
    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The grouping a user typed, any case. */
    public static Optional<JobGrouping> fromLabel(String text)
    {
        return Arrays.stream(values()).filter(grouping -> grouping.label().equalsIgnoreCase(text.strip())).findFirst();
    }

    /** The labels, as a sentence lists them: "repo, pool or user". */
    public static String choices()
    {
        String labels = Arrays.stream(values()).map(JobGrouping::label).collect(Collectors.joining(", "));
        int last = labels.lastIndexOf(", ");
        return last < 0 ? labels : labels.substring(0, last) + " or " + labels.substring(last + 2);
    }

    /** The column, from this enum's own constants only, so it goes into the SQL as it is. */
    String column()
    {
        return column;
    }
}
