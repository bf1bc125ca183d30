package dev.berth.web.dashboard;

import dev.berth.job.JobState;
import dev.berth.job.Lifecycle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class JobPageTest
{
    private static final Pattern CSRF_FIELD = Pattern.compile("name=\"csrf\" value=\"([0-9a-f]+)\"");

    @TempDir
    Path temp;

    private DashboardServer dashboard;

    @BeforeEach
    void start()
    {
        dashboard = DashboardServer.start(temp, List::of);
    }

    @AfterEach
    void stop()
    {
        dashboard.close();
    }

    @Test
    void showsTheRequestEachAttemptAndWhatTheJobWaitedAndRan()
            throws Exception
    {
        dashboard.submit("train-1", "\"name\": \"train\", \"entrypoint_params\": \"<script>alert(1)</script>\", \"env\": {\"LR\": \"0.1\"}, "
                + "\"resources\": {\"cpus\": 2, \"memory\": \"4g\", \"gpus\": 1}");
        dashboard.clock().advance(Duration.ofSeconds(10));
        dashboard.startAttempt("train-1", 1, "spot-3");
        dashboard.endAttempt("train-1", 1, Lifecycle.interrupted("node spot-3 went down"));
        dashboard.startAttempt("train-1", 2, "spot-4");

        HttpResponse<String> page = dashboard.get("/jobs/train-1");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body())
                .contains("<h1>train <span class=\"state state-RUNNING\">RUNNING</span>")
                .contains("<dt>commit</dt><dd>c0ffeec0ffeec0ffeec0ffeec0ffeec0ffeeabcd</dd>")
                .contains("<dt>image digest</dt><dd>busybox@sha256:abab")
                .contains("<dt>resources</dt><dd>2 CPUs, 4g memory, 1 GPUs</dd>")
                .contains("<dt>env keys</dt><dd>LR</dd>")
                .contains("<dt>waited</dt><dd>12s</dd>")
                .contains("<td>spot-3</td>", "INTERRUPTED <span class=\"cause\">infra</span>", "node spot-3 went down", "<td>spot-4</td>")
                .contains("\"entrypoint_params\" : \"&lt;script&gt;alert(1)&lt;/script&gt;\"")
                .doesNotContain("<script>alert")
                .contains("data-log=\"/api/v1/jobs/train-1/logs?follow=true&amp;attempt=1&amp;stream=stdout\"")
                .contains("<button type=\"submit\" class=\"danger\">Cancel job</button>");
    }

    @Test
    void aWaitingJobSaysWhatItWaitsForAndWhatEachDependencyHasDone()
            throws Exception
    {
        dashboard.submit("prep-1", "");
        dashboard.submit("clean-1", "");
        dashboard.startAttempt("clean-1", 1, "spot-1");
        dashboard.endAttempt("clean-1", 1, Lifecycle.succeeded());
        dashboard.submit("eval-1", "\"after\": [\"prep-1\"], \"after_any\": [\"clean-1\"]");

        assertThat(dashboard.get("/jobs/eval-1").body())
                .contains("<span class=\"state state-WAITING\">WAITING</span>")
                .contains("<dt>waiting for</dt><dd>prep-1 (QUEUED)</dd>")
                .contains("<dt>after</dt><dd>clean-1 (any end): SUCCEEDED, prep-1: QUEUED</dd>");
    }

    @Test
    void anEndedJobHasNoCancelAndAnUnknownOneIsNotFound()
            throws Exception
    {
        dashboard.submit("done-1", "");
        dashboard.startAttempt("done-1", 1, "spot-1");
        dashboard.endAttempt("done-1", 1, Lifecycle.succeeded());

        assertThat(dashboard.get("/jobs/done-1").body()).contains("SUCCEEDED").doesNotContain("Cancel job");
        HttpResponse<String> missing = dashboard.get("/jobs/nope");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("there is no job nope");
    }

    @Test
    void cancellingFromThePageRecordsTheCancelAndWakesTheScheduler()
            throws Exception
    {
        dashboard.submit("run-1", "");
        dashboard.startAttempt("run-1", 1, "spot-1");
        HttpResponse<String> page = dashboard.get("/jobs/run-1");
        String cookie = sessionCookie(page);
        assertThat(page.headers().firstValue("Set-Cookie").orElseThrow()).contains("HttpOnly").contains("SameSite=Strict");

        HttpResponse<String> cancel = dashboard.post("/jobs/run-1/cancel", Map.of("csrf", token(page.body())), "Cookie", cookie);

        assertThat(cancel.statusCode()).isEqualTo(303);
        assertThat(cancel.headers().firstValue("Location")).contains("/jobs/run-1");
        assertThat(dashboard.store().reads().job("run-1").orElseThrow().cancelRequested()).isTrue();
        assertThat(dashboard.wakes()).isEqualTo(1);
        assertThat(dashboard.get("/jobs/run-1", "Cookie", cookie).body()).contains("cancel requested: berth is stopping it");
    }

    @Test
    void aCancelWithoutThePagesTokenIsRefusedAndChangesNothing()
            throws Exception
    {
        dashboard.submit("queued-1", "");
        HttpResponse<String> page = dashboard.get("/jobs/queued-1");
        String cookie = sessionCookie(page);
        String token = token(page.body());

        // Another site's form: no token, a wrong one, or the right one without the browser's session cookie
        List<HttpResponse<String>> refused = List.of(
                dashboard.post("/jobs/queued-1/cancel", Map.of(), "Cookie", cookie),
                dashboard.post("/jobs/queued-1/cancel", Map.of("csrf", "0".repeat(64)), "Cookie", cookie),
                dashboard.post("/jobs/queued-1/cancel", Map.of("csrf", token)));

        assertThat(refused).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(response.body()).contains("nothing was changed; reload the page and try again");
        });
        assertThat(dashboard.store().reads().job("queued-1").orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(dashboard.wakes()).isZero();

        assertThat(dashboard.post("/jobs/queued-1/cancel", Map.of("csrf", token), "Cookie", cookie).statusCode()).isEqualTo(303);
        assertThat(dashboard.store().reads().job("queued-1").orElseThrow().state()).as("a queued job is cancelled at once").isEqualTo(JobState.CANCELLED);
    }

    private static String sessionCookie(HttpResponse<String> page)
    {
        String header = page.headers().firstValue("Set-Cookie").orElseThrow();
        return header.substring(0, header.indexOf(';'));
    }

    private static String token(String html)
    {
        Matcher matcher = CSRF_FIELD.matcher(html);
        assertThat(matcher.find()).as("the page's cancel form").isTrue();
        return matcher.group(1);
    }
}
