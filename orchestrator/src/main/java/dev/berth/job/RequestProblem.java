package dev.berth.job;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One thing wrong with a request: the message a user reads (it names the field itself) and, when it
 * is about one field, that field's path ({@code resources.cpus}, {@code env.HOME}, {@code secrets[0]}),
 * so a program can point at it.
 */
public record RequestProblem(Optional<String> field, String message)
{
    public RequestProblem
    {
        requireNonNull(field, "field is null");
        requireNonNull(message, "message is null");
    }

    public static RequestProblem about(String field, String message)
    {
        return new RequestProblem(Optional.of(field), message);
    }

    /** A problem with the request as a whole, such as JSON that does not parse. */
    public static RequestProblem general(String message)
    {
        return new RequestProblem(Optional.empty(), message);
    }
}
