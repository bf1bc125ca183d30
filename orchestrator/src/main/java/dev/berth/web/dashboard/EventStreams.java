package dev.berth.web.dashboard;

import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns a GET into a stream of server-sent events that stays open until it is closed. Javalin's own SSE
 * handler answers only requests that send {@code Accept: text/event-stream}; this one answers any, so
 * {@code curl} follows a log without extra headers, while browsers' {@code EventSource} works the same.
 */
final class EventStreams
{
    private EventStreams() {}

    static SseClient open(Context context)
    {
        HttpServletResponse response = context.res();
        response.setStatus(200);
        response.setCharacterEncoding("UTF-8");
        response.setContentType("text/event-stream");
        response.addHeader("Cache-Control", "no-cache");
        // A proxy in front (nginx) must pass each event on as it comes
        response.addHeader("X-Accel-Buffering", "no");
        try {
            response.flushBuffer();
        }
        catch (IOException e) {
            throw new UncheckedIOException("the browser left before its event stream began", e);
        }
        SseClient client = new SseClient(context);
        client.keepAlive();
        return client;
    }
}
