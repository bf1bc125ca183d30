package dev.berth.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.config.BerthConfig;
import dev.berth.config.HttpAddress;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.store.JobStore;
import dev.berth.testing.FakeJobQueue;
import dev.berth.testing.FakeSwarm;
import dev.berth.time.Ticker;
import dev.berth.testing.TestingClock;
import dev.berth.web.WebServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The API as {@code berth serve} answers it, on a free loopback port, over a real SQLite store in a
 * temp dir, with the in-memory queue and swarm in place of SQS and Docker.
 */
final class ApiFixture
        implements AutoCloseable
{
    static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    final BerthConfig config;
    final JobStore store;
    final FakeJobQueue queue = new FakeJobQueue();
    final TestingClock clock = new TestingClock(NOW);
    final FakeSwarm swarm = new FakeSwarm(clock);
    final RequestParser parser;
    final AtomicInteger wakes = new AtomicInteger();
    final ApiRoutes routes;
    private final WebServer server;
    private final HttpClient client = HttpClient.newHttpClient();

    ApiFixture(Path temp)
    {
        config = BerthConfig.load(Map.of(
                "BERTH_STATE_DIR", temp.resolve("state").toString(),
                "BERTH_SHARED_DIR", temp.resolve("shared").toString(),
                "BERTH_DEFAULT_IMAGE", "busybox:1",
                "BERTH_DEFAULT_CPUS", "0.5",
                "BERTH_DEFAULT_MEMORY", "64m"));
        store = JobStore.open(config.databaseFile());
        parser = new RequestParser(RequestDefaults.of(config));
        routes = new ApiRoutes(config, store, queue, parser, swarm, wakes::incrementAndGet, clock, Ticker.system());
        server = WebServer.start(new HttpAddress("127.0.0.1", 0), Optional.empty(), List.of(routes));
    }

    /** Stores a job as intake stores one it took off the queue. */
    void stored(String body)
    {
        try {
            store.writes().insert(parser.parse(body, "unused"), body, Optional.empty(), clock.instant());
        }
        catch (Exception e) {
            throw new AssertionError("the test's request is not valid: " + body, e);
        }
    }

    JsonNode json(String text)
    {
        try {
            return JSON.readTree(text);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Answer get(String pathAndQuery)
    {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET());
    }

    Answer post(String path, String body)
    {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json"));
    }

    Answer send(HttpRequest.Builder request)
    {
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body(),
                    response.headers().map().entrySet().stream()
                            .collect(Collectors.toMap(entry -> entry.getKey().toLowerCase(), entry -> entry.getValue().get(0))));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    URI uri(String pathAndQuery)
    {
        return server.uri().resolve(pathAndQuery);
    }

    @Override
    public void close()
    {
        server.close();
        store.close();
    }

    /** What the server answered. */
    record Answer(int status, String contentType, String body, Map<String, String> headers)
    {
        JsonNode json()
        {
            try {
                return JSON.readTree(body);
            }
            catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        String error()
        {
            return json().path("error").asText();
        }
    }
}
