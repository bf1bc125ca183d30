package dev.berth.web.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.config.Durations;
import dev.berth.job.Cause;
import dev.berth.job.JobState;
import dev.berth.stats.StatsFormat;
import dev.berth.stats.StatsReport;
import dev.berth.store.JobStore;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.DashboardSession;
import dev.berth.testing.LocalSwarm;
import dev.berth.testing.StoredJobs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Stats page as an operator reads it, in Debian's Chromium, over a real berth on the local swarm
 * that has run jobs with every kind of ending: each chart is drawn, the figures in its text are the
 * store's (as the stats API answers them), the window chooser reloads the page for its window, and a
 * repository named in markup shows as text. docs/screenshots/stats.png is taken here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatsChromiumIntegrationTest
{
    private static final Path SCREENSHOTS = LocalSwarm.projectRoot().resolve("docs").resolve("screenshots");
    /** Markup that runs a script if written into a page as markup; without spaces, which a repository URL cannot hold. */
    private static final String MARKUP = "<svg/onload=alert(1)>";
    private static final List<String> CHARTS = List.of("chart-finished", "chart-depth", "chart-waits", "chart-runs", "chart-failures", "chart-gpu-hours");
    /** The colours stats.js draws in where a chart has no legend: a histogram's median and p95, the bars of failures and GPU-hours. */
    private static final List<Integer> MEDIAN = List.of(0x0b, 0x5c, 0xad);
    private static final List<Integer> P95 = List.of(0xc6, 0x28, 0x28);
    private static final List<Integer> FAILURE_BARS = List.of(0xc6, 0x28, 0x28);
    private static final List<Integer> GPU_BARS = List.of(0x6f, 0x42, 0xc1);

    @TempDir
    static Path temp;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final List<String> jobs = new ArrayList<>();
    private DashboardSession session;
    private BerthHarness berth;

    @BeforeAll
    void start()
            throws Exception
    {
        session = DashboardSession.start(temp, Map.of(
                // Long enough for its GPU to count: GPU-hours are reported to thousandths (3.6 s)
                "train.sh", "#!/bin/sh\necho 'training'\nsleep 6\n",
                "quick.sh", "#!/bin/sh\necho 'done'\n",
                "fail.sh", "#!/bin/sh\necho 'no such file: data.csv' >&2\nexit 3\n",
                "hang.sh", "#!/bin/sh\nsleep 300\n"));
        berth = session.berth();
        storeAJobThatEndedHoursAgo();
        // The local node advertises one fake GPU, so a job asking for one runs
        jobs.add(session.submit("train.sh", "--name", "train-resnet", "--gpus", "1"));
        jobs.add(session.submit("quick.sh", "--name", "report"));
        jobs.add(session.submit("fail.sh", "--name", "prepare-data"));
        jobs.add(session.submit("hang.sh", "--name", "stuck", "--timeout", "3s", "--stop-grace", "1s"));
        // A repository that does not exist: the job fails before it starts, its name kept for the stats by repository
        berth.send("{\"job_id\": \"markup-repo\", \"repo_uri\": \"file://" + temp.resolve("served") + "/" + MARKUP + "\", "
                + "\"branch\": \"main\", \"entrypoint\": \"quick.sh\"}");
        jobs.add("markup-repo");
        for (String job : jobs) {
            berth.awaitEnd(job);
        }
    }

    @AfterEach
    void noConsoleErrors()
    {
        session.assertNoConsoleErrors();
    }

    @AfterAll
    void stop()
            throws Exception
    {
        if (session != null) {
            session.close();
        }
    }

    @Test
    void everyChartIsDrawnWithTheFiguresTheStoreHolds()
            throws Exception
    {
        session.open("/stats");
        JsonNode report = api("24h");

        assertChartsDrawn(report);
        assertTotals(report, "24h");
        assertThat(session.text("section:has(#chart-waits) .caption")).isEqualTo(caption(report.path("wait")));
        assertThat(session.text("section:has(#chart-runs) .caption")).isEqualTo(caption(report.path("run")));
        for (JsonNode pool : report.path("pools")) {
            String name = pool.path("pool").isNull() ? "(any)" : pool.path("pool").asText();
            assertThat(session.text("table.pools")).contains(String.join("\t", name, pool.path("ran").asText(),
                    StatsFormat.hours(pool.path("gpu_hours").asDouble()), StatsFormat.hours(pool.path("cpu_hours").asDouble())));
        }
        assertThat(report.path("pools").findParents("pool")).as("pool gpu: 2 GPUs for 90 minutes")
                .anyMatch(pool -> pool.path("pool").asText().equals("gpu") && pool.path("gpu_hours").asDouble() == 3.0);
        session.browser().screenshot(SCREENSHOTS.resolve("stats.png"));
    }

    @Test
    void choosingAWindowShowsThatWindow()
            throws Exception
    {
        assertThat(ended(JobState.SUCCEEDED, "1h")).as("a job that succeeded hours ago, outside the last hour").isLessThan(ended(JobState.SUCCEEDED, "24h"));
        session.open("/stats");
        for (String window : List.of("1h", "7d", "24h")) {
            session.driver().findElement(By.linkText(window)).click();
            await().atMost(Duration.ofSeconds(30)).until(() -> session.driver().getCurrentUrl().endsWith("/stats?since=" + window));
            JsonNode report = api(window);

            assertThat(session.text(".choices a.current")).isEqualTo(window);
            assertThat(session.text("p.period")).startsWith("the last " + window + ": ");
            assertChartsDrawn(report);
            assertTotals(report, window);
        }
    }

    @Test
    void aWindowInWhichNothingEndedSaysSo()
            throws Exception
    {
        // The shortest window there is, once the test's last job ended longer ago than that
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> api("1m").path("finished").path("total").asLong() == 0);
        session.open("/stats?since=1m");

        for (String chart : List.of("chart-finished", "chart-depth")) {
            await().atMost(Duration.ofSeconds(10)).alias(chart + " drawn").until(() -> drawn(chart));
        }
        assertThat(session.text("p.totals")).startsWith("0 finished; failures by cause: none");
        assertThat(session.text("#chart-waits")).isEqualTo("no jobs in this window");
        assertThat(session.text("#chart-runs")).isEqualTo("no jobs in this window");
        assertThat(session.text("#chart-failures")).isEqualTo("no failures in this window");
        assertThat(session.text("#chart-gpu-hours")).isEqualTo("no GPU-hours in this window");
    }

    @Test
    void aRepositoryNamedInMarkupShowsAsText()
    {
        session.open("/stats?since=1h&by=repo");

        assertThat(session.text("table.groups")).contains("served/" + MARKUP);
        session.assertNoMarkupRan();
    }

    /**
     * Each chart the page promises, drawn by uPlot on a canvas laid out at a size, showing what the report
     * holds: a bar of each outcome that occurred in the colour its legend gives, the median and p95 on each
     * histogram, bars of failures and of GPU-hours (every window of this test has some), the queue's line.
     */
    private void assertChartsDrawn(JsonNode report)
    {
        for (String chart : CHARTS) {
            await().atMost(Duration.ofSeconds(10)).alias(chart + " drawn").until(() -> drawn(chart));
        }
        for (JobState state : StatsReport.FINAL_STATES) {
            if (report.path("finished").path(state.name()).asLong() > 0) {
                assertThat(rows("chart-finished", legendColour("chart-finished", state.name()))).as("bars of " + state).isGreaterThan(2);
            }
        }
        assertThat(rows("chart-depth", legendColour("chart-depth", "waiting"))).as("the queue's depth, a line even where it stays 0").isPositive();
        for (String histogram : List.of("wait", "run")) {
            String chart = "chart-" + histogram + "s";
            assertThat(report.path(histogram).path("count").asLong()).as("jobs in the " + histogram + " histogram").isPositive();
            assertThat(rows(chart, MEDIAN)).as("the median marked on " + chart).isGreaterThan(2);
            assertThat(rows(chart, P95)).as("the p95 marked on " + chart).isGreaterThan(2);
        }
        assertThat(rows("chart-failures", FAILURE_BARS)).as("bars of failures").isGreaterThan(2);
        assertThat(rows("chart-gpu-hours", GPU_BARS)).as("bars of GPU-hours").isGreaterThan(2);
    }

    /** Whether uPlot has drawn the chart: its canvas is there, laid out at a size. */
    private boolean drawn(String chart)
    {
        return Boolean.TRUE.equals(session.driver().executeScript(
                "const canvas = document.querySelector('#' + arguments[0] + ' canvas');"
                        + "return canvas !== null && canvas.width > 0 && canvas.height > 0;", chart));
    }

    /** The page's totals are the report's, state by state and cause by cause, and the report's are those of the jobs in the store. */
    private void assertTotals(JsonNode report, String window)
    {
        String totals = session.text("p.totals");
        assertThat(totals).startsWith(report.path("finished").path("total").asLong() + " finished: ");
        for (JobState state : StatsReport.FINAL_STATES) {
            long count = report.path("finished").path(state.name()).asLong();
            assertThat(count).as("the jobs that ended " + state + " in " + window + ", as the store has them").isEqualTo(ended(state, window));
            if (count > 0) {
                assertThat(totals).contains(count + " " + state.name());
            }
            else {
                assertThat(totals).doesNotContain(state.name());
            }
        }
        for (Cause cause : Cause.values()) {
            long count = report.path("failures_by_cause").path(cause.label()).asLong();
            if (count > 0) {
                assertThat(totals).contains(count + " " + cause.label());
            }
        }
    }

    private static String caption(JsonNode distribution)
    {
        return distribution.path("count").asLong() + " jobs · median " + duration(distribution.path("median_seconds"))
                + " · p95 " + duration(distribution.path("p95_seconds")) + " · longest " + duration(distribution.path("max_seconds"));
    }

    private static String duration(JsonNode seconds)
    {
        return StatsFormat.duration(Optional.of(Duration.ofMillis(Math.round(seconds.asDouble() * 1000))));
    }

    /** How many of the jobs this test made ended in the state within the window, as the store holds them. */
    private long ended(JobState state, String window)
    {
        Instant from = Instant.now().minus(Durations.parse(window).orElseThrow());
        return jobs.stream().map(id -> berth.store().reads().job(id).orElseThrow())
                .filter(job -> job.state() == state && job.finishedAt().orElseThrow().isAfter(from))
                .count();
    }

    private JsonNode api(String window)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(berth.webUri().resolve("/api/v1/stats?since=" + window)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    /** The colour of a series' line, as the marker of its legend shows it: red, green and blue. */
    @SuppressWarnings("unchecked")
    private List<Integer> legendColour(String chart, String series)
    {
        return (List<Integer>) session.driver().executeScript(
                "const row = [...document.querySelectorAll('#' + arguments[0] + ' .u-series')].find(row => row.innerText.trim().startsWith(arguments[1]));"
                        + "const colour = getComputedStyle(row.querySelector('.u-marker')).borderTopColor;"
                        + "return colour.match(/\\d+/g).slice(0, 3).map(Number);", chart, series);
    }

    /**
     * How many rows of a chart's canvas hold a pixel of exactly the colour: a bar or mark a person can see
     * spans several, where a bar of nothing is a line of one or two.
     */
    private long rows(String chart, List<Integer> colour)
    {
        Object count = session.driver().executeScript(
                "const canvas = document.querySelector('#' + arguments[0] + ' canvas');"
                        + "const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;"
                        + "const rows = new Set();"
                        + "for (let i = 0; i < data.length; i += 4) {"
                        + "  if (data[i] === arguments[1][0] && data[i + 1] === arguments[1][1] && data[i + 2] === arguments[1][2] && data[i + 3] === 255) {"
                        + "    rows.add(Math.floor(i / 4 / canvas.width));"
                        + "  }"
                        + "}"
                        + "return rows.size;", chart, colour);
        return ((Number) count).longValue();
    }

    /**
     * One job from hours ago, which a window of the last hour leaves out: a GPU job on pool {@code gpu} that
     * waited 15 minutes across the turn of an hour (where the queue's depth is sampled) and ran 90 minutes. The daemon cannot run a job in the past, so it is
     * written into the store through berth's own writes while the daemon is stopped (it would admit a job
     * seen half written).
     */
    private void storeAJobThatEndedHoursAgo()
            throws IOException
    {
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(3));
        berth.stopDaemon();
        try (JobStore store = JobStore.open(berth.config().databaseFile())) {
            new StoredJobs(store).job("hours-ago-gpu").repo(session.repo().fileUrl()).pool("gpu").gpus(2)
                    .received(hour.minus(Duration.ofMinutes(10))).started(hour.plus(Duration.ofMinutes(5)))
                    .succeeded(hour.plus(Duration.ofMinutes(95)));
        }
        berth.startDaemon();
        jobs.add("hours-ago-gpu");
    }
}
