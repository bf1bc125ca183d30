package dev.berth.bench;

import dev.berth.queue.EmbeddedSqs;
import dev.berth.store.JobStore;
import dev.berth.testing.StoredJobs;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.awaitility.Awaitility.await;

/**
 * Stats over a store of 10⁵ jobs that ended over the last week (a few hundred still waiting in a pool no
 * node carries, costing Swarm nothing), each written through berth's own store with its times as the
 * daemon records them: received, started, ended, by outcome, in three pools and 40 repositories. Then
 * {@code berth serve} answers {@code GET /api/v1/stats} for the last day and week, whole and by
 * repository, and the Stats page, each timed from request to the last byte after a warm-up; and
 * {@code berth stats} as a new process reads the database itself.
 */
final class StatsScenario
        implements Scenario
{
    private static final int WARM_UP = 10;

    @Override
    public String name()
    {
        return "stats";
    }

    @Override
    public List<Row> run(Bench bench)
            throws Exception
    {
        return measure(bench.work().resolve(name()), bench.testbed().managerDockerHost(), bench.projectRoot(), bench.size(100_000, 5_000),
                bench.size(50, 10));
    }

    /** Apart from {@link #run}: it needs a swarm manager's engine, not the test bed's workers. */
    static List<Row> measure(Path dir, String dockerHost, Path projectRoot, int jobs, int samples)
            throws Exception
    {
        Path root = dir.resolve("berth");
        long fillStart = System.nanoTime();
        try (JobStore store = JobStore.open(root.resolve("state").resolve("berth.db"))) {
            fill(new StoredJobs(store), jobs, Instant.now());
        }
        double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
        String queued = String.format("%,d jobs", jobs);
        List<Row> rows = new ArrayList<>();
        rows.add(Row.single("stats", "storing " + queued + ", each received, started and ended through the store", "s", fillSeconds));
        int port = freePort();
        try (EmbeddedSqs sqs = EmbeddedSqs.start(0, dir.resolve("sqs"));
                BerthUnderTest berth = BerthUnderTest.start(root, sqs.endpoint(), dockerHost, Map.of("BERTH_HTTP_ADDRESS", "127.0.0.1:" + port),
                        Optional.empty())) {
            HttpClient http = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + port);
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> get(http, base.resolve("/api/v1/stats")) > 0);
            for (String path : List.of("/api/v1/stats?since=24h", "/api/v1/stats?since=7d", "/api/v1/stats?since=7d&by=repo", "/stats?since=7d")) {
                for (int i = 0; i < WARM_UP; i++) {
                    get(http, base.resolve(path));
                }
                Samples timings = new Samples();
                for (int i = 0; i < samples; i++) {
                    timings.add(get(http, base.resolve(path)));
                }
                Row row = Row.of("stats", "`GET " + path + "`, " + queued + " in the store", "ms", timings);
                rows.add(path.contains("by=") || path.startsWith("/stats") ? row : row.target("p99 ≤ 200 ms", timings.p99() <= 200));
            }
            Samples command = new Samples();
            List<String> stats = List.of(projectRoot.resolve("berth").toString(), "stats", "--since", "7d", "--state-dir=" + berth.stateDir());
            Processes.timed(stats, projectRoot);
            for (int i = 0; i < Math.max(5, samples / 5); i++) {
                command.add(Processes.timed(stats, projectRoot));
            }
            rows.add(Row.of("stats", "`berth stats --since 7d`, a new process reading the database, " + queued, "ms", command)
                    .note("with the JVM's start"));
        }
        return rows;
    }

    /** Jobs received over the week before {@code now}: waits up to 20 minutes, runs of 30 s to 50 minutes, one in 50 still waiting. */
    private static void fill(StoredJobs jobs, int count, Instant now)
    {
        Random random = new Random(15);
        long week = Duration.ofDays(7).toMillis();
        for (int i = 0; i < count; i++) {
            Instant received = now.minusMillis((long) (random.nextDouble() * week));
            Instant started = received.plusMillis(random.nextInt(1_200_000));
            Instant ended = started.plusMillis(30_000 + random.nextInt(3_000_000));
            StoredJobs.Life job = jobs.job("stats-" + i).repo("https://git.example/team/repo-" + i % 40).received(received);
            if (i % 50 == 0 || !ended.isBefore(now)) {
                job.pool("none").queued();
                continue;
            }
            switch (i % 3) {
                case 0 -> job.pool("gpu").gpus(1 + i % 4);
                case 1 -> job.pool("spot");
                default -> { }
            }
            job.started(started);
            switch (i % 20) {
                case 0, 7 -> job.failed(ended);
                case 1 -> job.timedOut(ended);
                case 2 -> job.cancelled(ended);
                default -> job.succeeded(ended);
            }
        }
    }

    /** Milliseconds from the request to the last byte of a 200 answer. */
    private static double get(HttpClient http, URI uri)
            throws IOException, InterruptedException
    {
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(uri + " answered " + response.statusCode() + ": " + response.body());
        }
        return (System.nanoTime() - start) / 1e6;
    }

    private static int freePort()
            throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
