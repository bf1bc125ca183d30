package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.config.FairShare;
import dev.berth.cost.CostJson;
import dev.berth.export.RunDirExports;
import dev.berth.forecast.QueueForecast;
import dev.berth.forecast.QueueJson;
import dev.berth.job.JobState;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.store.JobStore;
import dev.berth.testing.TestingClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code berth list} over a real store: how many it shows, and that it says so when it shows fewer than there are. */
class ListCommandTest
{
    private static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");

    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(NOW);

    @Test
    void theTableShowsFiftyAndSaysHowManyThereAre()
            throws Exception
    {
        store(60, 0);

        Result list = list();

        assertThat(list.status()).as(list.err()).isZero();
        assertThat(rows(list.out())).hasSize(50);
        assertThat(list.out()).contains("job-60").doesNotContain("job-10 ");
        assertThat(list.err()).isEqualTo("50 of 60 shown; -n 0 for all\n");
    }

    @Test
    void aQueuedJobsRowShowsItsPlaceInLineAndOthersShowNone()
            throws Exception
    {
        store(3, 1);

        List<String> rows = rows(list().out());

        assertThat(rows.get(0)).as("job-3, second in line behind job-2").startsWith("job-3").containsPattern(" 2/2( |$)");
        assertThat(rows.get(1)).startsWith("job-2").containsPattern(" 1/2( |$)");
        assertThat(rows.get(2)).as("cancelled, so out of line").startsWith("job-1").doesNotContainPattern(" \\d+/\\d+( |$)");
    }

    @Test
    void zeroShowsEveryJobWithoutAFooter()
            throws Exception
    {
        store(60, 0);

        Result list = list("-n", "0");

        assertThat(rows(list.out())).hasSize(60);
        assertThat(list.err()).isEmpty();
    }

    @Test
    void aLimitGivenCutsTheTableAndSaysSo()
            throws Exception
    {
        store(60, 0);

        Result list = list("--limit", "7");

        assertThat(rows(list.out())).hasSize(7);
        assertThat(list.err()).isEqualTo("7 of 60 shown; -n 0 for all\n");
        assertThat(list("-n", "60").err()).as("all shown").isEmpty();
    }

    @Test
    void theFooterCountsWithThousandsSeparators()
            throws Exception
    {
        store(1_234, 0);

        assertThat(list().err()).isEqualTo("50 of 1,234 shown; -n 0 for all\n");
        // Read a page at a time: every one, each once, newest first
        List<String> ids = rows(list("-n", "0").out()).stream().map(row -> row.split(" +")[0]).toList();
        assertThat(ids).hasSize(1_234).doesNotHaveDuplicates().startsWith("job-1234", "job-1233").endsWith("job-1");
    }

    @Test
    void jsonPrintsEveryJobThatMatches()
            throws Exception
    {
        store(60, 0);

        Result list = list("--json");

        assertThat(list.status()).as(list.err()).isZero();
        assertThat(JobViews.mapper().readTree(list.out())).hasSize(60);
        assertThat(list.err()).isEmpty();
    }

    @Test
    void jsonWithALimitPrintsThatMany()
            throws Exception
    {
        store(60, 0);

        JsonNode jobs = JobViews.mapper().readTree(list("-n", "5", "--json").out());

        assertThat(jobs).hasSize(5);
        assertThat(jobs.get(0).get("id").asText()).isEqualTo("job-60");
        assertThat(jobs.get(0).get("attempt_count").isNumber()).as("numbers in JSON are plain").isTrue();
    }

    @Test
    void jsonIsStreamedAsTheWholeArrayWouldPrint()
            throws Exception
    {
        store(3, 0);

        String printed = list("--json").out();

        ArrayNode whole = JobViews.mapper().createArrayNode();
        try (JobStore store = JobStore.open(temp.resolve("berth.db"))) {
            QueueForecast.Snapshot queue = new QueueForecast(store, FairShare.equalShares(), clock).snapshot();
            store.reads().newest(Set.of(), 10).forEach(job -> {
                ObjectNode node = JobViews.json(job, null, new RunDirExports(Path.of("runs"), Optional.empty()));
                QueueJson.put(node, queue.placeOf(job));
                CostJson.put(node, store.reads().costs(List.of(job.id())).get(job.id()));
                whole.add(node);
            });
        }
        assertThat(printed).isEqualTo(JobViews.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(whole) + "\n");
    }

    @Test
    void aStateFilterCountsOnlyThatState()
            throws Exception
    {
        store(55, 53);

        Result cancelled = list("--state", "CANCELLED");

        assertThat(rows(cancelled.out())).hasSize(50).allMatch(row -> row.contains("CANCELLED"));
        assertThat(cancelled.err()).isEqualTo("50 of 53 shown; -n 0 for all\n");
        assertThat(list("--state", "QUEUED").err()).as("2 queued, all shown").isEmpty();
        assertThat(JobViews.mapper().readTree(list("--state", "CANCELLED", "--json").out())).hasSize(53);
    }

    @Test
    void aBadLimitIsRefusedSayingWhatIsAccepted()
    {
        for (String bad : List.of("-3", "many", "1.5")) {
            Result list = list("-n", bad);

            assertThat(list.status()).as(bad).isEqualTo(2);
            assertThat(list.out()).as(bad).isEmpty();
            assertThat(list.err()).as(bad).contains("--limit", "'" + bad + "' is not a number of jobs: give a whole number, 1 or more, or 0 for all");
        }
    }

    /** Stores {@code count} jobs, job-1 first, and cancels the first {@code cancelled} of them. */
    private void store(int count, int cancelled)
            throws Exception
    {
        RequestParser parser = new RequestParser(new RequestDefaults("img", 1, 1 << 30, 3));
        try (JobStore store = JobStore.open(temp.resolve("berth.db"))) {
            for (int i : IntStream.rangeClosed(1, count).toArray()) {
                String id = "job-" + i;
                String body = "{\"repo_uri\": \"https://github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"job_id\": \"" + id + "\"}";
                store.writes().insert(parser.parse(body, id), body, Optional.empty(), NOW);
                if (i <= cancelled) {
                    assertThat(store.writes().requestCancel(id, NOW)).isEqualTo(JobState.CANCELLED);
                }
            }
        }
    }

    /** The table's rows, without its header. */
    private static List<String> rows(String table)
    {
        return table.lines().skip(1).toList();
    }

    private record Result(int status, String out, String err) {}

    private Result list(String... args)
    {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 3];
        all[0] = "list";
        all[1] = "--state-dir";
        all[2] = temp.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        int status = new BerthCli(Map.of(), clock, clock.sleeper()).execute(new PrintWriter(out), new PrintWriter(err), all);
        return new Result(status, out.toString(), err.toString());
    }
}
