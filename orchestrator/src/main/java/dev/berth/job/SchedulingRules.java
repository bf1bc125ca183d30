package dev.berth.job;

import static java.util.Objects.requireNonNull;

/** The rules for the fields that say where a job stands in line: {@code priority}, which orders a user's own jobs. */
final class SchedulingRules
{
    /** Wide enough for any ordering a person means to give; a bound keeps the value a plain column and a typo visible. */
    static final int MAX_PRIORITY = 1_000_000;

    private final RequestFields fields;

    SchedulingRules(RequestFields fields)
    {
        this.fields = requireNonNull(fields, "fields is null");
    }

    /** Higher first among the same user's jobs; 0 when not given. */
    int priority()
    {
        return fields.wholeNumber("priority", fields.value("priority"), -MAX_PRIORITY, MAX_PRIORITY).orElse(0);
    }
}
