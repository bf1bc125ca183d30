package dev.berth.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.job.JobState;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.GitRepos;
import dev.berth.testing.LocalPrometheus;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * berth's {@code /metrics} as a lab's monitoring sees it: a real daemon runs jobs on the local swarm,
 * Debian's Prometheus scrapes it, and PromQL through Prometheus's API returns what happened;
 * {@code promtool check metrics} finds nothing to complain of in what berth serves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsPrometheusIntegrationTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;

    private final HttpClient client = HttpClient.newHttpClient();
    private BerthHarness berth;
    private GitRepos repo;

    @BeforeAll
    void start()
            throws Exception
    {
        repo = GitRepos.create(temp.resolve("jobs"));
        repo.commit(Map.of(
                "ok.sh", "#!/bin/sh\necho fine\n",
                "exit3.sh", "#!/bin/sh\necho 'about to fail'\nexit 3\n"));
        berth = BerthHarness.start(temp.resolve("berth"), Map.of());
        List<String> succeeding = List.of(submit("ok-1", "ok.sh"), submit("ok-2", "ok.sh"));
        String failing = submit("fails", "exit3.sh");
        for (String id : succeeding) {
            assertThat(berth.awaitEnd(id).state()).isEqualTo(JobState.SUCCEEDED);
        }
        assertThat(berth.awaitEnd(failing).state()).isEqualTo(JobState.FAILED);
    }

    @AfterAll
    void stop()
            throws IOException
    {
        berth.close();
        repo.close();
    }

    @Test
    void prometheusScrapingBerthCountsTheJobsThatSucceededAndTheAttemptThatFailed()
            throws Exception
    {
        URI web = berth.webUri();
        try (LocalPrometheus prometheus = LocalPrometheus.start(temp.resolve("prometheus"), web.getHost() + ":" + web.getPort())) {
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> prometheus.query("berth_jobs{state=\"SUCCEEDED\"}"), values -> values.equals(List.of(2.0)));
            }
            catch (ConditionTimeoutException e) {
                throw new AssertionError("Prometheus never read 2 succeeded jobs from berth; its targets: " + prometheus.targets(), e);
            }
            assertThat(prometheus.query("berth_jobs{state=\"FAILED\"}")).containsExactly(1.0);
            assertThat(prometheus.query("berth_jobs_submitted_total")).containsExactly(3.0);
            assertThat(prometheus.query("berth_attempts_ended_total{state=\"FAILED\",cause=\"exit\"}")).containsExactly(1.0);
            assertThat(prometheus.query("berth_attempts_ended_total{state=\"SUCCEEDED\",cause=\"none\"}")).containsExactly(2.0);
            assertThat(prometheus.query("berth_job_wait_seconds_count")).containsExactly(3.0);
            // A histogram Prometheus can take quantiles of, as a Grafana panel would
            assertThat(prometheus.query("histogram_quantile(0.5, sum by (le) (berth_attempt_run_seconds_bucket))"))
                    .singleElement().satisfies(median -> assertThat(median).isPositive().isLessThan(60));
            assertThat(prometheus.query("berth_workers{state=\"ready\"}")).as("the local swarm's one node").containsExactly(1.0);
        }
    }

    @Test
    void promtoolFindsNothingToLintInWhatBerthServes()
            throws Exception
    {
        HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(berth.webUri().resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("berth_attempt_run_seconds_bucket{state=\"FAILED\"");

        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream stdin = promtool.getOutputStream()) {
            stdin.write(metrics.body().getBytes(StandardCharsets.UTF_8));
        }
        String complaints = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(complaints).as("promtool's lint").isEmpty();
        assertThat(promtool.exitValue()).isZero();
    }

    private String submit(String id, String entrypoint)
            throws IOException
    {
        String jobId = id + "-" + Long.toHexString(System.nanoTime());
        berth.send(JSON.writeValueAsString(Map.of("repo_uri", repo.fileUrl(), "branch", "main", "entrypoint", entrypoint, "job_id", jobId)));
        return jobId;
    }
}
