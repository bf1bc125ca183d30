package dev.berth.job;

import java.util.List;

/** A request that cannot become a job. The message lists every problem, each naming its field. */
public final class InvalidRequestException extends Exception
{
    private final List<RequestProblem> details;

    public InvalidRequestException(List<RequestProblem> details)
    {
        super(String.join("; ", details.stream().map(RequestProblem::message).toList()));
        this.details = List.copyOf(details);
    }

    /** Each problem's message, in the order the rules found them. */
    public List<String> problems()
    {
        return details.stream().map(RequestProblem::message).toList();
    }

    /** Each problem with the field it is about. */
    public List<RequestProblem> details()
    {
        return details;
    }
}
