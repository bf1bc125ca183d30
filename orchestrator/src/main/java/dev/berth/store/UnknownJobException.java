package dev.berth.store;

import static java.util.Objects.requireNonNull;

/** A job id, or prefix of one, that matches no job. */
public final class UnknownJobException extends Exception
{
    private final String idOrPrefix;

    public UnknownJobException(String idOrPrefix)
    {
        super("no job '" + idOrPrefix + "' (see 'berth list'; a job sent a moment ago appears once the daemon has taken it off the queue)");
        this.idOrPrefix = requireNonNull(idOrPrefix, "idOrPrefix is null");
    }

    public String idOrPrefix()
    {
        return idOrPrefix;
    }
}
