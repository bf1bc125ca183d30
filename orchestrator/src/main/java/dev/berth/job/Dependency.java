package dev.berth.job;

import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * One job this job waits for: by {@code after}, until it SUCCEEDED (and cancelled if it ends any other way);
 * by {@code after_any}, until it ended, however. {@code jobId} is as the request gave it until intake has
 * resolved it (an unambiguous prefix to the whole id); as stored, always the whole id.
 */
public record Dependency(String jobId, Kind kind)
{
    public Dependency
    {
        requireNonNull(jobId, "jobId is null");
        requireNonNull(kind, "kind is null");
    }

    public enum Kind
    {
        AFTER, AFTER_ANY;

        /** The request's field, and the store's word, for this kind. */
        public String field()
        {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind ofField(String field)
        {
            return valueOf(field.toUpperCase(Locale.ROOT));
        }
    }
}
