package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.config.HttpAddress;
import dev.berth.config.PoolPrice.Market;
import dev.berth.cost.Cost;
import dev.berth.store.JobStore;
import dev.berth.testing.StoredJobs;
import dev.berth.testing.TestingClock;
import dev.berth.web.Pages;
import dev.berth.web.WebServer;
import dev.berth.web.stats.StatsRoutes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.time.Duration.ofHours;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code berth stats} over a real store: the table, the JSON, and the values it refuses. */
class StatsCommandTest
{
    private static final Instant NOW = Instant.parse("2026-03-04T12:00:00Z");
    private static final Instant FROM = NOW.minus(ofHours(24));
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());

    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(NOW);

    /** a and b in pool gpu, ran 1h and 3h after waits of 2m and 10m; c no pool, ran 30m after 1m; d waits since +20h. */
    private void storeJobs()
    {
        try (JobStore store = JobStore.open(temp.resolve("berth.db"))) {
            StoredJobs jobs = new StoredJobs(store);
            jobs.job("a").repo("https://git.example/ml").pool("gpu").gpus(2).cpus(4).received(at(1, 0)).started(at(1, 2)).succeeded(at(2, 2));
            jobs.job("b").repo("https://git.example/ml").pool("gpu").gpus(1).cpus(2).received(at(3, 0)).started(at(3, 10)).failed(at(6, 10));
            jobs.job("c").repo("https://git.example/etl").received(at(4, 0)).started(at(4, 1)).succeeded(at(4, 31));
            jobs.job("d").received(at(20, 0)).queued();
        }
    }

    @Test
    void theTableSummarisesTheLastDay()
    {
        storeJobs();

        Result stats = stats();

        assertThat(stats.status()).as(stats.err()).isZero();
        assertThat(stats.err()).isEmpty();
        List<String> lines = stats.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("the last 24h: " + LOCAL.format(FROM) + " to " + LOCAL.format(NOW));
        assertThat(lines.get(1)).isEqualTo("finished:  3 (SUCCEEDED 2, FAILED 1)");
        assertThat(lines.get(2)).isEqualTo("failures:  exit 1");
        // The first sample with one waiting: a, received on the hour after the start, began two minutes later
        assertThat(lines.get(3)).isEqualTo("waiting:   1 now, 1 at most (" + LOCAL.format(at(1, 0)) + ")");
        // Waits of 1m, 2m and 10m; runs of 30m, 1h and 3h: the median the 2nd of each, the p95 the 3rd
        assertThat(stats.out()).contains("""
                TIME  JOBS  MEDIAN  P95     MAX
                wait  3     2m00s   10m00s  10m00s
                run   3     1h00m   3h00m   3h00m
                """);
        // c: 1 CPU for half an hour; a: 2 GPUs and 4 CPUs for 1h, b: 1 GPU and 2 CPUs for 3h
        assertThat(stats.out()).contains("""
                POOL   RAN  GPU-HOURS  CPU-HOURS
                (any)  1    0.0        0.5
                gpu    2    5.0        10.0
                """);
        List<String> hours = lines.subList(lines.indexOf(lines.stream().filter(line -> line.startsWith("HOUR ")).findFirst().orElseThrow()), lines.size());
        assertThat(hours).hasSize(25);
        assertThat(hours.get(0).split(" {2,}")).containsExactly("HOUR", "SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED", "REJECTED", "WAITING AT END");
        // a ended in the 3rd hour, b in the 7th, c in the 5th; b arrived as the 3rd ended, d in the 21st and waits still
        assertThat(hours.get(3).split(" {2,}")).containsExactly(LOCAL.format(at(2, 0)), "1", "0", "0", "0", "0", "1");
        assertThat(hours.get(7).split(" {2,}")).containsExactly(LOCAL.format(at(6, 0)), "0", "1", "0", "0", "0", "0");
        assertThat(hours.get(5).split(" {2,}")).containsExactly(LOCAL.format(at(4, 0)), "1", "0", "0", "0", "0", "0");
        assertThat(hours.get(19).split(" {2,}")).endsWith("0");
        assertThat(hours.get(20).split(" {2,}")).endsWith("1");
        assertThat(hours.get(24).split(" {2,}")).endsWith("1");
    }

    @Test
    void aQuietFleetHasNothingToSay()
    {
        Result stats = stats("--since", "90m");

        assertThat(stats.status()).as(stats.err()).isZero();
        assertThat(stats.out()).startsWith("the last 90m: ").contains("""
                finished:  0
                failures:  none
                waiting:   none
                """).contains("wait  0     -       -    -");
        // 90 minutes in 5-minute intervals, the first from the window's start, as noon is on one
        assertThat(stats.out().lines().filter(line -> line.matches("\\d{4}-.*")).count()).isEqualTo(18);
    }

    @Test
    void byRepositoryShowsEachOnItsOwnLine()
    {
        storeJobs();

        Result stats = stats("--by", "repo");

        assertThat(stats.status()).as(stats.err()).isZero();
        List<String[]> rows = stats.out().lines().dropWhile(line -> !line.startsWith("REPO ")).map(line -> line.split(" {2,}")).toList();
        assertThat(rows.get(0)).containsExactly("REPO", "FINISHED", "SUCCEEDED", "FAILED", "WAIT MEDIAN", "WAIT P95", "RUN MEDIAN", "RUN P95",
                "GPU-HOURS", "CPU-HOURS");
        // ml: waits of 2m and 10m, runs of 1h and 3h
        assertThat(rows.get(1)).containsExactly("https://git.example/ml", "2", "1", "1", "2m00s", "10m00s", "1h00m", "3h00m", "5.0", "10.0");
        assertThat(rows.get(2)).containsExactly("https://git.example/etl", "1", "1", "0", "1m00s", "1m00s", "30m00s", "30m00s", "0.0", "0.5");
        assertThat(rows).hasSize(3);
    }

    @Test
    void jsonHoldsTheSameFigures()
            throws Exception
    {
        storeJobs();

        Result stats = stats("--json", "--since", "7d", "--by", "pool");

        assertThat(stats.status()).as(stats.err()).isZero();
        JsonNode json = JobViews.mapper().readTree(stats.out());
        assertThat(json.get("from").asText()).isEqualTo(NOW.minus(ofHours(7 * 24)).toString());
        assertThat(json.get("to").asText()).isEqualTo(NOW.toString());
        assertThat(json.get("since_seconds").asLong()).isEqualTo(7 * 86_400);
        assertThat(json.get("interval_seconds").asLong()).isEqualTo(3_600);
        assertThat(json.get("by").asText()).isEqualTo("pool");
        assertThat(json.get("finished").get("total").asLong()).isEqualTo(3);
        assertThat(json.get("finished").get("FAILED").asLong()).isEqualTo(1);
        assertThat(json.get("finished_per_interval")).hasSize(7 * 24);
        assertThat(json.get("wait").get("median_seconds").asDouble()).isEqualTo(ofMinutes(2).toSeconds());
        assertThat(json.get("run").get("p95_seconds").asDouble()).isEqualTo(ofHours(3).toSeconds());
        assertThat(json.get("failures_by_cause").get("exit").asLong()).isEqualTo(1);
        assertThat(json.get("queue_depth").get(json.get("queue_depth").size() - 1).get("waiting").asLong()).isEqualTo(1);
        JsonNode gpu = json.get("pools").get(1);
        assertThat(gpu.get("pool").asText()).isEqualTo("gpu");
        assertThat(gpu.get("gpu_hours").asDouble()).isEqualTo(5.0);
        assertThat(json.get("pools").get(0).get("pool").isNull()).as("jobs that named no pool").isTrue();
        assertThat(json.get("groups").get(0).get("pool").asText()).isEqualTo("gpu");
        assertThat(json.get("groups").get(0).get("finished").get("total").asLong()).isEqualTo(2);
    }

    @Test
    void costsAreSummedPerUserAndPerRepositoryForTheWholeMonthsTheWindowTouches()
            throws Exception
    {
        try (JobStore store = JobStore.open(temp.resolve("berth.db"))) {
            StoredJobs jobs = new StoredJobs(store);
            jobs.job("a").user("ann").repo("https://git.example/ml").received(at(1, 0)).started(at(1, 0))
                    .cost(Cost.priced(0.5, 0.2, Market.SPOT)).succeeded(at(2, 0));
            jobs.job("b").user("bob").repo("https://git.example/ml").received(at(3, 0)).started(at(3, 0))
                    .cost(Cost.priced(1.5, 0.6, Market.ON_DEMAND)).succeeded(at(4, 0));
            jobs.job("c").user("ann").repo("https://git.example/etl").received(at(5, 0)).started(at(5, 0))
                    .cost(Cost.unknown("no price for pool gpu")).failed(at(6, 0));
            // Before the 7-day window, in the month it starts in: counted, so that February's figure is February's whole
            Instant february = Instant.parse("2026-02-02T10:00:00Z");
            jobs.job("d").user("ann").repo("https://git.example/etl").received(february).started(february)
                    .cost(Cost.priced(1.0, 0.4, Market.SPOT)).succeeded(february.plus(ofHours(1)));
            Instant january = Instant.parse("2026-01-31T10:00:00Z");
            jobs.job("e").user("ann").repo("https://git.example/etl").received(january).started(january)
                    .cost(Cost.priced(9.0, 9.0, Market.SPOT)).succeeded(january.plus(ofHours(1)));
        }

        Result stats = stats("--since", "7d");

        assertThat(stats.status()).as(stats.err()).isZero();
        assertThat(stats.out()).contains("cost since 2026-02-01 (whole months, UTC); 1 attempt of unknown cost is not in the sums (berth status shows why)");
        List<String[]> byUser = stats.out().lines().dropWhile(line -> !line.startsWith("MONTH ")).takeWhile(line -> !line.isEmpty())
                .map(line -> line.split(" {2,}")).toList();
        assertThat(byUser).containsExactly(
                new String[] {"MONTH", "USER", "ATTEMPTS", "UNKNOWN", "INSTANCE-HOURS", "USD"},
                new String[] {"2026-02", "ann", "1", "0", "1.0", "0.40"},
                new String[] {"2026-03", "bob", "1", "0", "1.5", "0.60"},
                new String[] {"2026-03", "ann", "2", "1", "0.5", "0.20"});
        assertThat(stats.out()).contains("MONTH    REPO").containsPattern("2026-03 +https://git.example/ml +2 +0 +2.0 +0.80");

        JsonNode cost = JobViews.mapper().readTree(stats("--since", "7d", "--json").out()).get("cost");
        assertThat(cost.get("from").asText()).isEqualTo("2026-02-01T00:00:00Z");
        JsonNode ann = cost.get("by_user").get(2);
        assertThat(ann.get("user").asText()).isEqualTo("ann");
        assertThat(ann.get("attempts").asLong()).isEqualTo(2);
        assertThat(ann.get("unknown_attempts").asLong()).isEqualTo(1);
        assertThat(ann.get("usd").asDouble()).isEqualTo(0.2);
        assertThat(cost.get("by_repo")).hasSize(3);
        assertThat(cost.get("by_repo").get(1).get("repo").asText()).isEqualTo("https://git.example/ml");
        assertThat(cost.get("by_repo").get(1).get("instance_hours").asDouble()).isEqualTo(2.0);
    }

    @Test
    void theHttpApiAnswersExactlyWhatTheCommandPrints()
            throws Exception
    {
        storeJobs();
        try (JobStore store = JobStore.open(temp.resolve("berth.db"));
                WebServer server = WebServer.start(new HttpAddress("127.0.0.1", 0), Optional.empty(),
                        List.of(new StatsRoutes(store.stats(), clock, new Pages())))) {
            for (List<String> args : List.<List<String>>of(List.of(), List.of("--since", "7d", "--by", "repo"), List.of("--since", "1h", "--by", "pool"))) {
                String query = args.isEmpty() ? "" : "?since=" + args.get(1) + "&by=" + args.get(3);
                HttpResponse<String> answer = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(server.uri().resolve("/api/v1/stats" + query)).build(), HttpResponse.BodyHandlers.ofString());

                List<String> command = new ArrayList<>(args);
                command.add("--json");
                assertThat(answer.body()).as(query).isEqualTo(stats(command.toArray(String[]::new)).out());
            }
        }
    }

    @Test
    void badWindowsAndGroupingsAreRefusedSayingWhatIsAccepted()
    {
        for (String bad : List.of("2w", "30s", "91d", "soon", "")) {
            Result stats = stats("--since", bad);

            assertThat(stats.status()).as(bad).isEqualTo(2);
            assertThat(stats.out()).as(bad).isEmpty();
            assertThat(stats.err()).as(bad).contains("--since",
                    "'" + bad + "' is not a window to look back over: give a duration from 1m to 90d, such as 1h, 24h or 7d");
        }
        Result stats = stats("--by", "colour");
        assertThat(stats.status()).isEqualTo(2);
        assertThat(stats.err()).contains("--by", "'colour' is not something to group jobs by: give repo, pool or user");
    }

    /** {@code hours}:{@code minutes} after the start of the last day. */
    private static Instant at(int hours, int minutes)
    {
        return FROM.plus(ofHours(hours)).plus(ofMinutes(minutes));
    }

    private record Result(int status, String out, String err) {}

    private Result stats(String... args)
    {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 3];
        all[0] = "stats";
        all[1] = "--state-dir";
        all[2] = temp.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        int status = new BerthCli(Map.of(), clock, clock.sleeper()).execute(new PrintWriter(out), new PrintWriter(err), all);
        return new Result(status, out.toString(), err.toString());
    }
}
