package dev.berth.web.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.config.HttpAddress;
import dev.berth.stats.Stats;
import dev.berth.stats.StatsJson;
import dev.berth.stats.StatsQuery;
import dev.berth.store.JobGrouping;
import dev.berth.store.JobStore;
import dev.berth.testing.StoredJobs;
import dev.berth.testing.TestingClock;
import dev.berth.web.Pages;
import dev.berth.web.WebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.time.Duration.ofHours;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;

/** The stats API and the Stats page, served by a real {@link WebServer} on a free port over a real store. */
class StatsRoutesTest
{
    private static final Instant NOW = Instant.parse("2026-03-04T12:00:00Z");
    private static final String HOSTILE_REPO = "https://git.example/<img/src=x/onerror=alert(1)>";
    private static final Pattern DATA = Pattern.compile("data-stats=\"([^\"]*)\"");

    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(NOW);
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private JobStore store;
    private WebServer server;

    @BeforeEach
    void start()
    {
        store = JobStore.open(temp.resolve("berth.db"));
        StoredJobs jobs = new StoredJobs(store);
        jobs.job("a").repo(HOSTILE_REPO).pool("gpu").gpus(1).received(ago(3, 0)).started(ago(2, 50)).succeeded(ago(1, 50));
        jobs.job("b").repo("https://git.example/etl").received(ago(5, 0)).started(ago(4, 59)).failed(ago(4, 30));
        jobs.job("c").received(ago(1, 0)).queued();
        server = WebServer.start(new HttpAddress("127.0.0.1", 0), Optional.empty(), List.of(new StatsRoutes(store.stats(), clock, new Pages())));
    }

    @AfterEach
    void stop()
    {
        server.close();
        store.close();
    }

    @Test
    void theApiAnswersTheReportAsJson()
            throws Exception
    {
        HttpResponse<String> response = get("/api/v1/stats?since=24h&by=repo");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(response.body()).isEqualTo(StatsJson.text(new Stats(store.stats()).report(new StatsQuery(ofHours(24), Optional.of(JobGrouping.REPO)), NOW)));
        JsonNode report = json.readTree(response.body());
        assertThat(report.get("finished").get("total").asLong()).isEqualTo(2);
        assertThat(report.get("groups").get(0).get("repo").asText()).isIn(HOSTILE_REPO, "https://git.example/etl");
        // No parameters: the last day, the whole fleet
        JsonNode defaults = json.readTree(get("/api/v1/stats").body());
        assertThat(defaults.get("since_seconds").asLong()).isEqualTo(86_400);
        assertThat(defaults.get("by").isNull()).isTrue();
        assertThat(defaults.get("groups")).isEmpty();
    }

    @Test
    void badParametersAreRefusedAsJsonNamingTheField()
            throws Exception
    {
        HttpResponse<String> since = get("/api/v1/stats?since=2w");

        assertThat(since.statusCode()).isEqualTo(400);
        JsonNode error = json.readTree(since.body());
        assertThat(error.get("field").asText()).isEqualTo("since");
        assertThat(error.get("error").asText())
                .isEqualTo("'2w' is not a window to look back over: give a duration from 1m to 90d, such as 1h, 24h or 7d");

        JsonNode by = json.readTree(get("/api/v1/stats?since=7d&by=colour").body());
        assertThat(by.get("field").asText()).isEqualTo("by");
        assertThat(by.get("error").asText()).isEqualTo("'colour' is not something to group jobs by: give repo, pool or user");
    }

    @Test
    void thePageCarriesTheReportAndTheChartsToDrawIt()
            throws Exception
    {
        HttpResponse<String> page = get("/stats?since=7d");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>Stats · berth</title>", "id=\"chart-finished\"", "id=\"chart-depth\"", "id=\"chart-waits\"",
                "id=\"chart-runs\"", "id=\"chart-failures\"", "id=\"chart-gpu-hours\"", "/static/stats.js");
        assertThat(page.body()).contains("<a href=\"/stats?since=7d\" class=\"current\">7d</a>", "<a href=\"/stats?since=1h\" class=\"\">1h</a>");
        // Waits of 10m (a) and 1m (b): median and p95 stated beside the histogram
        assertThat(page.body()).contains("2 jobs · median 1m00s · p95 10m00s · longest 10m00s");
        // The attribute, its entities undone as a browser undoes them, is the API's JSON exactly
        Matcher data = DATA.matcher(page.body());
        assertThat(data.find()).isTrue();
        assertThat(unescapeAttribute(data.group(1))).isEqualTo(get("/api/v1/stats?since=7d").body());
        // The charting library and the page's script are served from the jar
        Matcher script = Pattern.compile("<script src=\"(/webjars/uplot/[^\"]+/uPlot.iife.min.js)\"").matcher(page.body());
        assertThat(script.find()).isTrue();
        HttpResponse<String> uplot = get(script.group(1));
        assertThat(uplot.statusCode()).isEqualTo(200);
        assertThat(uplot.body()).contains("uPlot");
        assertThat(get("/static/stats.js").statusCode()).isEqualTo(200);
    }

    @Test
    void aHostileRepositoryShowsAsText()
            throws Exception
    {
        String page = get("/stats?since=24h&by=repo").body();

        assertThat(page).doesNotContain("<img/src=x").contains("<td>https://git.example/&lt;img/src=x/onerror=alert(1)&gt;</td>");
        Matcher data = DATA.matcher(page);
        assertThat(data.find()).isTrue();
        // In a quoted attribute only the quote and & and < need escaping; > cannot end it
        assertThat(data.group(1)).doesNotContain("<").contains("&lt;img/src=x/onerror=alert(1)>");
        assertThat(json.readTree(unescapeAttribute(data.group(1))).get("groups").findValuesAsText("repo")).contains(HOSTILE_REPO);
    }

    @Test
    void aRefusedWindowIsSaidOnThePage()
            throws Exception
    {
        HttpResponse<String> page = get("/stats?since=%3Cb%3Esoon");

        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(page.body()).contains("'&lt;b&gt;soon' is not a window to look back over: give a duration from 1m to 90d")
                .doesNotContain("<b>soon").doesNotContain("data-stats");
        assertThat(page.body()).contains("<a href=\"/stats?since=24h\" class=\"\">24h</a>");
    }

    private HttpResponse<String> get(String path)
            throws IOException, InterruptedException
    {
        return http.send(HttpRequest.newBuilder(server.uri().resolve(URI.create(path))).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** What a browser reads from an attribute value: the entities jte writes there, undone, the ampersand's last. */
    private static String unescapeAttribute(String value)
    {
        return value.replace("&#34;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    private static Instant ago(int hours, int minutes)
    {
        return NOW.minus(ofHours(hours)).minus(ofMinutes(minutes));
    }
}
