package dev.berth.web.dashboard;

import io.javalin.http.HttpStatus;

import static java.util.Objects.requireNonNull;

/** A page that cannot be shown as asked, with what to do instead: answered with {@code status} and an error page saying so. */
final class PageException
        extends RuntimeException
{
    private final HttpStatus status;

    PageException(HttpStatus status, String message)
    {
        super(requireNonNull(message, "message is null"));
        this.status = requireNonNull(status, "status is null");
    }

    HttpStatus status()
    {
        return status;
    }
}
