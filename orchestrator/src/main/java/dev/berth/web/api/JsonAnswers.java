package dev.berth.web.api;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static java.util.Objects.requireNonNull;

/**
 * Runs one of the API's handlers so that whatever goes wrong is still answered in JSON: its own
 * {@link ApiError}s, Javalin's (a body over the size limit), and anything unforeseen, which is logged.
 */
final class JsonAnswers
        implements Handler
{
    private static final Logger log = LoggerFactory.getLogger(JsonAnswers.class);

    private final Handler handler;

    JsonAnswers(Handler handler)
    {
        this.handler = requireNonNull(handler, "handler is null");
    }

    @Override
    public void handle(Context context)
    {
        try {
            handler.handle(context);
        }
        catch (ApiError e) {
            context.status(e.status()).json(e.body());
        }
        catch (HttpResponseException e) {
            context.status(e.getStatus()).json(ApiError.body(e.getMessage()));
        }
        catch (Exception e) {
            log.warn("Cannot answer {} {}", context.method(), context.path(), e);
            context.status(HttpStatus.INTERNAL_SERVER_ERROR).json(ApiError.body("berth could not answer " + context.method() + " " + context.path()
                    + ": " + e.getMessage() + " (berth's log has the details)"));
        }
    }
}
