package dev.berth.web.dashboard;

import dev.berth.config.BerthConfig;
import dev.berth.config.HttpAddress;
import dev.berth.fleet.NodeLister;
import dev.berth.job.AttemptEnd;
import dev.berth.job.AttemptOutcome;
import dev.berth.job.Lifecycle;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.rundir.RunDirs;
import dev.berth.store.JobEnded;
import dev.berth.store.JobStore;
import dev.berth.testing.TestingClock;
import dev.berth.web.AccessToken;
import dev.berth.web.Pages;
import dev.berth.web.WebServer;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The dashboard on a real server and a real SQLite store in a temp dir, for the route tests: jobs are
 * stored and moved as the daemon would, and requests are made over HTTP as a browser makes them.
 */
final class DashboardServer
        implements AutoCloseable
{
    static final Instant NOW = Instant.parse("2026-05-06T07:08:09Z");

    private final JobStore store;
    private final BerthConfig config;
    private final RunDirs runDirs;
    private final TestingClock clock;
    private final AtomicInteger wakes;
    private final DashboardRoutes routes;
    private final WebServer server;
    private final HttpClient client = HttpClient.newHttpClient();

    private DashboardServer(JobStore store, BerthConfig config, TestingClock clock, AtomicInteger wakes, DashboardRoutes routes, WebServer server)
    {
        this.store = store;
        this.config = config;
        this.runDirs = new RunDirs(config.runsDir());
        this.clock = clock;
        this.wakes = wakes;
        this.routes = routes;
        this.server = server;
    }

    static DashboardServer start(Path temp, NodeLister nodes)
    {
        return start(temp, nodes, new HttpAddress("127.0.0.1", 0), Optional.empty());
    }

    static DashboardServer start(Path temp, NodeLister nodes, HttpAddress address, Optional<AccessToken> token)
    {
        BerthConfig config = BerthConfig.load(Map.of("BERTH_STATE_DIR", temp.resolve("state").toString(), "BERTH_SHARED_DIR", temp.resolve("shared").toString()));
        JobStore store = JobStore.open(config.databaseFile());
        TestingClock clock = new TestingClock(NOW);
        AtomicInteger wakes = new AtomicInteger();
        DashboardRoutes routes = new DashboardRoutes(store, wakes::incrementAndGet, nodes, config, token, clock, new Pages());
        return new DashboardServer(store, config, clock, wakes, routes, WebServer.start(address, token, List.of(routes)));
    }

    JobStore store()
    {
        return store;
    }

    BerthConfig config()
    {
        return config;
    }

    TestingClock clock()
    {
        return clock;
    }

    int wakes()
    {
        return wakes.get();
    }

    URI uri(String path)
    {
        return URI.create("http://127.0.0.1:" + server.uri().getPort() + path);
    }

    /** Stores a request as intake does; {@code fields} are more JSON members, such as {@code "name": "x"}. */
    void submit(String id, String fields)
            throws Exception
    {
        submit(id, "https://github.com/org/repo", fields);
    }

    void submit(String id, String repo, String fields)
            throws Exception
    {
        String body = "{\"repo_uri\": \"" + repo + "\", \"branch\": \"main\", \"entrypoint\": \"run.sh\""
                + (fields.isEmpty() ? "" : ", " + fields) + "}";
        store.writes().insert(new RequestParser(new RequestDefaults("busybox:1", 1, 1 << 30, 3)).parse(body, id), body, Optional.empty(), clock.instant());
    }

    /** Prepares and starts the job's next attempt on {@code node}, as the scheduler would; returns the attempt's directory. */
    Path startAttempt(String id, int number, String node)
            throws IOException
    {
        store.writes().moveJob(id, Lifecycle.admitted());
        Path runDir = runDirs.runDirFor(id, "job", NOW);
        store.writes().recordRunDir(id, runDir);
        Path attemptDir = runDirs.startAttempt(runDir, number);
        store.writes().recordPreparation(id, "busybox@sha256:" + "ab".repeat(32), "c0ffee".repeat(6) + "abcd");
        store.writes().recordAttempt(id, number, "berth-" + id + "-" + number, clock.instant());
        store.writes().attemptSubmitted(id, number);
        clock.advance(Duration.ofSeconds(2));
        store.writes().attemptRunning(id, number, node, clock.instant());
        return attemptDir;
    }

    void endAttempt(String id, int number, AttemptOutcome outcome)
    {
        clock.advance(Duration.ofSeconds(5));
        store.writes().finishAttempt(id, number, new AttemptEnd(outcome, Optional.empty(), Optional.empty(), clock.instant()), JobEnded.NOTHING);
    }

    HttpResponse<String> get(String path, String... headers)
            throws IOException, InterruptedException
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, Map<String, String> form, String... headers)
            throws IOException, InterruptedException
    {
        String body = form.entrySet().stream()
                .map(entry -> entry.getKey() + "=" + URLEncoder.encode(entry.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close()
    {
        routes.close();
        server.close();
        store.close();
    }
}
