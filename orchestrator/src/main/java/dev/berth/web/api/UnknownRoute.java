package dev.berth.web.api;

import io.javalin.http.Context;
import io.javalin.http.ExceptionHandler;
import io.javalin.http.HttpStatus;
import io.javalin.router.EndpointNotFound;
import io.javalin.router.exception.HttpResponseExceptionMapper;

/**
 * A request for no route: under {@code /api/} a JSON 404 pointing at the API's description, as every
 * other answer of the API is JSON; elsewhere Javalin's own answer.
 */
final class UnknownRoute
        implements ExceptionHandler<EndpointNotFound>
{
    @Override
    public void handle(EndpointNotFound exception, Context context)
    {
        if (!context.path().startsWith("/api/")) {
            HttpResponseExceptionMapper.INSTANCE.handle(exception, context);
            return;
        }
        ApiError error = ApiError.of(HttpStatus.NOT_FOUND, "no route " + context.method() + " " + context.path()
                + ": the API's routes are described at " + ApiRoutes.PREFIX + "/openapi.json");
        context.status(error.status()).json(error.body());
    }
}
