package dev.berth.metrics;

import dev.berth.config.HttpAddress;
import dev.berth.fleet.HeartbeatReader;
import dev.berth.job.InvalidRequestException;
import dev.berth.job.Lifecycle;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.store.JobStore;
import dev.berth.swarm.EngineException;
import dev.berth.swarm.ServiceRequest;
import dev.berth.swarm.Swarm;
import dev.berth.swarm.SwarmNode;
import dev.berth.testing.FakeSwarm;
import dev.berth.testing.TestingClock;
import dev.berth.web.WebServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /metrics} over a real HTTP server, a real store and the Prometheus registry, with Swarm and the heartbeat tree in memory. */
class MetricsRoutesTest
{
    private static final String GPU_KIND = "GPU";

    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(Instant.parse("2026-03-04T05:06:07Z"));
    private final FakeSwarm swarm = new FakeSwarm(clock)
            .withNode(node("gpu-1", "gpu", "ready", "active", 2))
            .withNode(node("gpu-2", "gpu", "ready", "drain", 2))
            .withNode(node("cpu-1", "spot", "down", "active", 0));
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpClient client = HttpClient.newHttpClient();
    private JobStore store;
    private WebServer server;

    @BeforeEach
    void start()
    {
        store = JobStore.open(temp.resolve("berth.db"));
        StateGauges gauges = new StateGauges(registry, store.reads(), new TimedSwarm(swarm, new BerthMetrics(registry), clock), store.instanceId(),
                GPU_KIND, new HeartbeatReader(temp.resolve("workers")), clock, Duration.ofSeconds(60));
        server = WebServer.start(new HttpAddress("127.0.0.1", 0), Optional.empty(), List.of(new MetricsRoutes(registry, gauges)));
    }

    @AfterEach
    void stop()
    {
        server.close();
        store.close();
    }

    @Test
    void answersInPrometheusTextFormatWithEveryStateOfJobs()
            throws Exception
    {
        queued("q1", 0);
        queued("q2", 0);

        HttpResponse<String> response = scrape();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body()).contains("# TYPE berth_jobs gauge");
        assertThat(value(response.body(), "berth_jobs{state=\"QUEUED\"}")).hasValue(2);
        assertThat(value(response.body(), "berth_jobs{state=\"SUCCEEDED\"}")).as("a state no job is in reads 0, not missing").hasValue(0);
        assertThat(value(response.body(), "berth_jobs_submitted_total")).hasValue(0);
    }

    @Test
    void eachScrapeCountsTheJobsAfresh()
            throws Exception
    {
        queued("q1", 0);
        assertThat(value(scrape().body(), "berth_jobs{state=\"QUEUED\"}")).hasValue(1);

        store.writes().moveJob("q1", Lifecycle.admitted());

        String body = scrape().body();
        assertThat(value(body, "berth_jobs{state=\"QUEUED\"}")).hasValue(0);
        assertThat(value(body, "berth_jobs{state=\"PREPARING\"}")).hasValue(1);
    }

    @Test
    void showsTheFleetAsSwarmAndTheHeartbeatsReportIt()
            throws Exception
    {
        live("running", 1, Optional.of("gpu-1"));
        live("pending", 1, Optional.empty());
        heartbeat("gpu-1", "gpu", "active", clock.instant().minusSeconds(12));
        heartbeat("cpu-1", "spot", "active", clock.instant().minusSeconds(90));
        heartbeat("burst-9", "burst", "off", clock.instant().minusSeconds(4000));

        String body = scrape().body();

        assertThat(value(body, "berth_services_pending")).hasValue(1);
        assertThat(value(body, "berth_gpus{pool=\"gpu\",state=\"used\"}")).hasValue(1);
        assertThat(value(body, "berth_gpus{pool=\"gpu\",state=\"free\"}")).as("a drained node's GPUs are not free").hasValue(1);
        assertThat(value(body, "berth_workers{pool=\"gpu\",state=\"ready\"}")).hasValue(1);
        assertThat(value(body, "berth_workers{pool=\"gpu\",state=\"drain\"}")).hasValue(1);
        assertThat(value(body, "berth_workers{pool=\"spot\",state=\"down\"}")).hasValue(1);
        assertThat(value(body, "berth_workers{pool=\"burst\",state=\"off\"}")).hasValue(1);
        assertThat(value(body, "berth_worker_heartbeat_age_seconds{host=\"gpu-1\",pool=\"gpu\"}")).hasValue(12);
        assertThat(value(body, "berth_worker_heartbeat_age_seconds{host=\"cpu-1\",pool=\"spot\"}")).hasValue(90);
        assertThat(body).as("a worker that powered itself off has no heartbeat to age").doesNotContain("host=\"burst-9\"");
        assertThat(value(body, "berth_swarm_request_seconds_count{operation=\"nodes\",outcome=\"success\"}")).hasValue(1);
        assertThat(body).contains("berth_swarm_request_seconds_bucket{operation=\"nodes\",outcome=\"success\",le=\"0.005\"}");
    }

    @Test
    void aScrapeWhileSwarmIsUnreachableLeavesTheFleetOutRatherThanShowingItAsItWas()
            throws Exception
    {
        queued("q1", 0);
        live("running", 1, Optional.of("gpu-1"));
        assertThat(value(scrape().body(), "berth_gpus{pool=\"gpu\",state=\"used\"}")).hasValue(1);

        swarm.failListings(new EngineException("connection refused", 0));
        HttpResponse<String> response = scrape();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(value(response.body(), "berth_jobs{state=\"QUEUED\"}")).hasValue(1);
        assertThat(response.body()).doesNotContain("berth_gpus{").doesNotContain("berth_workers{").doesNotContain("berth_services_pending ");
        assertThat(value(response.body(), "berth_swarm_request_seconds_count{operation=\"nodes\",outcome=\"error\"}")).hasValue(1);
    }

    private HttpResponse<String> scrape()
            throws IOException, InterruptedException
    {
        return client.send(HttpRequest.newBuilder(server.uri().resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of one series in a text-format scrape, if the scrape has it. */
    static OptionalDouble value(String scrape, String series)
    {
        return scrape.lines()
                .filter(line -> line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1).strip()))
                .findFirst();
    }

    private void queued(String id, int gpus)
            throws InvalidRequestException
    {
        String body = "{\"repo_uri\": \"https://github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"job_id\": \"" + id + "\","
                + " \"resources\": {\"gpus\": " + gpus + "}}";
        store.writes().insert(new RequestParser(new RequestDefaults("img", 1, 1L << 30, 3)).parse(body, id), body, Optional.empty(), clock.instant());
    }

    /** A job whose service Swarm holds: placed and running on {@code node}, or still pending without one. */
    private void live(String id, int gpus, Optional<String> node)
            throws InvalidRequestException
    {
        queued(id, gpus);
        String service = Swarm.serviceName(id, 1);
        store.writes().moveJob(id, Lifecycle.admitted());
        store.writes().recordAttempt(id, 1, service, clock.instant());
        store.writes().attemptSubmitted(id, 1);
        swarm.createService(new ServiceRequest(service, Map.of(Swarm.INSTANCE_LABEL, store.instanceId(), Swarm.JOB_LABEL, id, Swarm.ATTEMPT_LABEL, "1"),
                "img", List.of(), Map.of(), Path.of("/"), List.of(), 1_000_000_000L, 1L << 30, gpus, GPU_KIND, Optional.empty(), List.of(),
                Duration.ofSeconds(10)));
        node.ifPresent(placed -> {
            swarm.run(service, placed);
            store.writes().attemptRunning(id, 1, placed, clock.instant());
        });
    }

    private void heartbeat(String hostname, String pool, String state, Instant writtenAt)
            throws IOException
    {
        Path workers = Files.createDirectories(temp.resolve("workers"));
        Files.writeString(workers.resolve(hostname), """
                {"version":1,"hostname":"%s","node_id":"%s","pool":"%s","lifecycle":"spot","state":"%s","docker":"ok",\
                "written_at":%d,"last_busy_at":%d,"started_at":%d,"gpus":[],"jobs":[]}
                """.formatted(hostname, hostname, pool, state, writtenAt.getEpochSecond(), writtenAt.getEpochSecond(), writtenAt.getEpochSecond()));
    }

    private static SwarmNode node(String id, String pool, String state, String availability, int gpus)
    {
        return new SwarmNode(id, id, state, availability, Map.of(SwarmNode.POOL_LABEL, pool), 4_000_000_000L, 16L << 30,
                IntStream.range(0, gpus).mapToObj(i -> id + "-gpu" + i).toList());
    }
}
