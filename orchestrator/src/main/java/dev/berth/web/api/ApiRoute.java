package dev.berth.web.api;

import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

import static java.util.Objects.requireNonNull;

/** One route of the API: a method, a path in Javalin's (and OpenAPI's) {@code {param}} form, and what answers it. */
record ApiRoute(HandlerType method, String path, Handler handler)
{
    ApiRoute
    {
        requireNonNull(method, "method is null");
        requireNonNull(path, "path is null");
        requireNonNull(handler, "handler is null");
    }
}
