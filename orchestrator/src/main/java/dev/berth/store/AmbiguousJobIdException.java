package dev.berth.store;

import java.util.List;

/** A prefix that matches more than one job. */
public final class AmbiguousJobIdException extends Exception
{
    public AmbiguousJobIdException(String prefix, List<String> matches)
    {
        super("'" + prefix + "' matches several jobs (" + String.join(", ", matches) + "); give more of the id");
    }
}
