package dev.berth.store;

import java.util.List;

/** A prefix that matches more than one job. */
public final class AmbiguousJobIdException extends Exception
{
    private final String prefix;
    private final List<String> matches;

    public AmbiguousJobIdException(String prefix, List<String> matches)
    {
        super("'" + prefix + "' matches several jobs (" + String.join(", ", matches) + "); give more of the id");
        this.prefix = prefix;
        this.matches = List.copyOf(matches);
    }

    public String prefix()
    {
        return prefix;
    }

    /** Some of the jobs it matches, oldest first. */
    public List<String> matches()
    {
        return matches;
    }
}
