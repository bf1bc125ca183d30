package dev.berth.store;

import dev.berth.job.ArraySummary;

import static java.util.Objects.requireNonNull;

/** A job id, or prefix of one, that matches no job. */
public final class UnknownJobException extends Exception
{
    private final String idOrPrefix;

    public UnknownJobException(String idOrPrefix)
    {
        this(idOrPrefix, "no job '" + idOrPrefix + "' (see 'berth list'; a job sent a moment ago appears once the daemon has taken it off the queue)");
    }

    /** The id names an array, where one job is needed: the message says how to name one of its tasks. */
    static UnknownJobException arrayNotJob(String idOrPrefix, ArraySummary array)
    {
        return new UnknownJobException(idOrPrefix, "'" + idOrPrefix + "' is array " + array.id() + " of " + array.spec().size()
                + " tasks, not one job: name one task, as " + array.id() + ":" + array.spec().first() + " (see 'berth list --tasks')");
    }

    private UnknownJobException(String idOrPrefix, String message)
    {
        super(message);
        this.idOrPrefix = requireNonNull(idOrPrefix, "idOrPrefix is null");
    }

    public String idOrPrefix()
    {
        return idOrPrefix;
    }
}
