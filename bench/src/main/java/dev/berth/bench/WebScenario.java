package dev.berth.bench;

import dev.berth.job.AttemptEnd;
import dev.berth.job.AttemptOutcome;
import dev.berth.job.AttemptState;
import dev.berth.job.Cause;
import dev.berth.job.Lifecycle;
import dev.berth.queue.EmbeddedSqs;
import dev.berth.store.JobEnded;
import dev.berth.store.JobStore;
import dev.berth.store.JobWrites;

import java.io.IOException;
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

/**
 * What an operator looks at, at 10⁵ jobs in the store: a week of finished jobs from ten users,
 * twenty repositories and three pools, and a thousand waiting for a pool no node carries. Each page
 * and endpoint is fetched one request after another, as a dashboard and a scraper do, against
 * {@code berth serve} as it runs; the first fetches, which load classes, are not counted.
 */
final class WebScenario
        implements Scenario
{
    private static final int WAITING = 1_000;
    private static final int WARM_UP = 20;
    private static final String[] POOLS = {"spot", "gpu", "burst"};

    @Override
    public String name()
    {
        return "web";
    }

    @Override
    public List<Row> run(Bench bench)
            throws Exception
    {
        int jobs = bench.size(100_000, 5_000);
        int fetches = bench.size(300, 30);
        Path dir = bench.work().resolve(name());
        Instant now = Instant.now();
        try (JobStore store = JobStore.open(dir.resolve("berth").resolve("state").resolve("berth.db"))) {
            fill(store.writes(), jobs, now);
        }
        String queued = String.format("%,d jobs in the store", jobs);
        List<Row> rows = new ArrayList<>();
        Row liveTableCpu;
        try (EmbeddedSqs sqs = EmbeddedSqs.start(0, dir.resolve("sqs"));
                BerthUnderTest berth = BerthUnderTest.start(dir.resolve("berth"), sqs.endpoint(), bench.testbed().managerDockerHost(), Map.of(),
                        Optional.empty())) {
            URI web = berth.webUri();
            HttpClient client = HttpClient.newHttpClient();
            rows.add(Row.of(name(), "jobs page (newest 50), " + queued, "ms", fetch(client, web.resolve("/"), fetches)));
            rows.add(Row.of(name(), "jobs page, FAILED of one user, " + queued, "ms", fetch(client, web.resolve("/?state=FAILED&user=user-3"), fetches)));
            // No name matches: every row is read, newest first, the worst a filter can cost
            rows.add(Row.of(name(), "jobs page, a name no job has, " + queued, "ms", fetch(client, web.resolve("/?name=no-such-job"), fetches)));
            double cpuBefore = berth.cpuSeconds();
            rows.add(Row.of(name(), "jobs page's live table, " + queued, "ms", fetch(client, web.resolve("/fragments/jobs"), fetches)));
            // What an open page costs berth each time it refreshes: what the throughput scenario's watched rounds pay for once a second
            liveTableCpu = Row.single(name(), "berth serve's CPU time per live-table refresh, " + queued, "ms",
                    (berth.cpuSeconds() - cpuBefore) * 1000 / (WARM_UP + fetches));
            rows.add(Row.of(name(), "list API, newest 50, " + queued, "ms", fetch(client, web.resolve("/api/v1/jobs?limit=50"), fetches)));
            rows.add(Row.of(name(), "list API, FAILED of one user, " + queued, "ms",
                    fetch(client, web.resolve("/api/v1/jobs?state=FAILED&user=user-3&limit=50"), fetches)));
            rows.add(Row.of(name(), "/metrics, " + queued, "ms", fetch(client, web.resolve("/metrics"), fetches)));
            rows.add(Row.of(name(), "stats API, last 24 h, " + queued, "ms", fetch(client, web.resolve("/api/v1/stats?since=24h"), fetches)));
            rows.add(Row.of(name(), "stats API, last 7 d, " + queued, "ms", fetch(client, web.resolve("/api/v1/stats?since=7d"), fetches)));
            rows.add(Row.of(name(), "stats page, last 7 d, " + queued, "ms", fetch(client, web.resolve("/stats?since=7d"), fetches)));
        }
        List<Row> measured = new ArrayList<>(targets(rows));
        measured.add(liveTableCpu);
        return measured;
    }

    /** Each figure's target, set on the p99 its row measured. */
    private static List<Row> targets(List<Row> rows)
    {
        return rows.stream().map(row -> {
            double limit = row.figure().startsWith("/metrics") ? 50 : row.figure().startsWith("stats") ? 200 : 100;
            return row.target("p99 ≤ " + (int) limit + " ms", row.p99() <= limit);
        }).toList();
    }

    private static Samples fetch(HttpClient client, URI uri, int count)
            throws IOException, InterruptedException
    {
        Samples samples = new Samples();
        for (int i = 0; i < WARM_UP + count; i++) {
            long start = System.nanoTime();
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
            double millis = (System.nanoTime() - start) / 1e6;
            if (response.statusCode() != 200) {
                throw new IllegalStateException(uri + " answered " + response.statusCode() + ": " + new String(response.body()));
            }
            if (i >= WARM_UP) {
                samples.add(millis);
            }
        }
        return samples;
    }

    /**
     * A week of work, as the daemon would have recorded it: received over seven days, waited up to ten
     * minutes, ran up to an hour; most succeeded, some failed or timed out. The newest wait still.
     */
    private static void fill(JobWrites writes, int jobs, Instant now)
    {
        Random random = new Random(42);
        long week = Duration.ofDays(7).toMillis();
        for (int i = 1; i <= jobs; i++) {
            String pool = POOLS[i % POOLS.length];
            String request = "{\"job_id\": \"web-" + i + "\", \"repo_uri\": \"https://github.com/lab/project-" + (i % 20) + "\", \"branch\": \"main\","
                    + " \"entrypoint\": \"train.sh\", \"user\": \"user-" + (i % 10) + "\", \"pool\": \"" + (i > jobs - WAITING ? "none" : pool) + "\","
                    + " \"resources\": {\"cpus\": " + (1 + i % 4) + ", \"gpus\": " + (pool.equals("gpu") ? 1 + i % 2 : 0) + "}}";
            Instant received = now.minusMillis(week * (jobs - i) / jobs + 1);
            writes.insert(Requests.parse(request), request, Optional.empty(), received);
            if (i > jobs - WAITING) {
                continue;
            }
            String id = "web-" + i;
            Instant started = received.plusMillis(random.nextInt(600_000));
            Instant finished = started.plusMillis(10_000 + random.nextInt(3_590_000));
            writes.moveJob(id, Lifecycle.admitted());
            writes.recordAttempt(id, 1, "berth-" + id + "-1", received);
            writes.attemptSubmitted(id, 1);
            writes.attemptRunning(id, 1, "worker-" + (i % 7), started);
            writes.finishAttempt(id, 1, new AttemptEnd(outcome(random.nextInt(100)), Optional.of("worker-" + (i % 7)), Optional.of(started), finished),
                    JobEnded.NOTHING);
        }
    }

    private static AttemptOutcome outcome(int percent)
    {
        if (percent < 85) {
            return new AttemptOutcome(AttemptState.SUCCEEDED, Optional.empty(), "exited with code 0", Optional.of(0));
        }
        if (percent < 97) {
            return new AttemptOutcome(AttemptState.FAILED, Optional.of(Cause.EXIT), "exited with code 1", Optional.of(1));
        }
        return new AttemptOutcome(AttemptState.TIMED_OUT, Optional.of(Cause.TIMEOUT), "ran past its timeout of 1h", Optional.empty());
    }
}
