package dev.berth.job;

import java.util.List;

/** A request that cannot become a job. The message lists every problem, each naming its field. */
public final class InvalidRequestException extends Exception
{
    private final List<String> problems;

    public InvalidRequestException(List<String> problems)
    {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems()
    {
        return problems;
    }
}
