package dev.berth.stats;

import static java.util.Objects.requireNonNull;

/** A window or grouping berth stats cannot take: the message names the value and what is accepted, {@link #field} the parameter. */
public final class StatsQueryException
        extends IllegalArgumentException
{
    private final String field;

    StatsQueryException(String field, String message)
    {
        super(message);
        this.field = requireNonNull(field, "field is null");
    }

    /** The parameter at fault, as the HTTP API names it: {@code since} or {@code by}. */
    public String field()
    {
        return field;
    }
}
