package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
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

import static org.assertj.core.api.Assertions.assertThat;

/** An array through the commands a user reads it with, over a real store: one line in {@code list}, a summary in {@code status}, cancelled whole or one task. */
class ArrayCommandsTest
{
    private static final Instant NOW = Instant.parse("2026-12-01T23:40:00Z");

    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(NOW);

    @Test
    void listShowsAnArrayAsOneLineWithItsCountsUnlessAskedForItsTasks()
            throws Exception
    {
        store("solo", null);
        store("sweep", "0-9%4");
        assertThat(run("cancel", "sweep:2").out()).isEqualTo("job sweep_2 cancelled\n");

        Result list = run("list");
        List<String> rows = list.out().lines().skip(1).toList();
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).startsWith("sweep ").contains("run[0-9]", "QUEUED", "10 tasks: 5 WAITING, 4 QUEUED, 1 CANCELLED (at most 4 at once)");
        assertThat(rows.get(1)).startsWith("solo ");
        assertThat(list.err()).as("every line shown").isEmpty();
        assertThat(run("list", "-n", "1").err()).isEqualTo("1 of 2 shown; -n 0 for all\n");

        assertThat(run("list", "--tasks").out().lines().skip(1)).hasSize(11);
        List<String> tasks = run("list", "--array", "sweep").out().lines().skip(1).map(row -> row.split(" +")[0]).toList();
        assertThat(tasks).as("lowest index first").containsExactly("sweep_0", "sweep_1", "sweep_2", "sweep_3", "sweep_4", "sweep_5", "sweep_6", "sweep_7", "sweep_8", "sweep_9");
        assertThat(run("list", "--array", "sweep", "--state", "CANCELLED").out().lines().skip(1)).singleElement().asString().startsWith("sweep_2 ");
        assertThat(run("list", "--array", "sweep", "--state", "QUEUED").out().lines().skip(1).map(row -> row.split(" +")[0]))
                .as("the cancelled task's place went to the lowest held one").containsExactly("sweep_0", "sweep_1", "sweep_3", "sweep_4");

        JsonNode listed = JobViews.mapper().readTree(run("list", "--json").out());
        assertThat(listed).hasSize(2);
        assertThat(listed.get(0).path("id").asText()).isEqualTo("sweep");
        assertThat(listed.get(0).path("tasks").asInt()).isEqualTo(10);
        assertThat(listed.get(0).path("limit").asInt()).isEqualTo(4);
        assertThat(listed.get(0).path("counts").path("QUEUED").asInt()).isEqualTo(4);
        assertThat(listed.get(0).path("counts").path("WAITING").asInt()).isEqualTo(5);
        assertThat(listed.get(0).path("counts").path("CANCELLED").asInt()).isEqualTo(1);
    }

    @Test
    void aListingGoesOnPastAnArrayWhateverItsLength()
            throws Exception
    {
        store("older", null);
        store("sweep", "0-999");
        store("newer", null);

        for (int most = 1; most <= 3; most++) {
            List<String> ids = run("list", "-n", String.valueOf(most)).out().lines().skip(1).map(row -> row.split(" +")[0]).toList();
            assertThat(ids).as("-n " + most).containsExactlyElementsOf(List.of("newer", "sweep", "older").subList(0, most));
        }
        assertThat(run("list", "-n", "0").out().lines().skip(1)).hasSize(3);
        assertThat(JobViews.mapper().readTree(run("list", "--json").out())).extracting(job -> job.path("id").asText()).containsExactly("newer", "sweep", "older");
    }

    @Test
    void anArrayOfOneIndexIsOneTask()
            throws Exception
    {
        store("single", "3-3");

        assertThat(run("list").out()).contains("run[3-3]", "1 task: 1 QUEUED");
        assertThat(run("status", "single:3").out()).containsPattern("array: +task 3 of single \\(run\\[3-3\\], 1 task\\)");
    }

    @Test
    void statusOfAnArraySummarisesItAndStatusOfATaskIsThatTask()
            throws Exception
    {
        store("sweep", "0-20:10");
        run("cancel", "sweep_10");

        String whole = run("status", "sweep").out();
        assertThat(whole).containsPattern("array: +sweep \\(run\\[0-20:10\\]\\)")
                .containsPattern("state: +QUEUED")
                .containsPattern("tasks: +3: 2 QUEUED, 1 CANCELLED")
                .containsPattern("run dirs: +" + temp.resolve("shared/runs") + "/20261201_234000_run_sweep/<index>")
                .containsPattern("unsuccessful: +sweep_10 \\(CANCELLED\\)");
        JsonNode json = JobViews.mapper().readTree(run("status", "--json", "sweep").out());
        assertThat(json.path("unsuccessful")).singleElement().satisfies(task -> {
            assertThat(task.path("id").asText()).isEqualTo("sweep_10");
            assertThat(task.path("index").asInt()).isEqualTo(10);
            assertThat(task.path("exit_code").isNull()).isTrue();
        });

        String task = run("status", "sweep:20").out();
        assertThat(task).containsPattern("job: +sweep_20 \\(run\\)").containsPattern("array: +task 20 of sweep \\(run\\[0-20:10\\], 3 tasks\\)");
        assertThat(JobViews.mapper().readTree(run("status", "--json", "sweep_20").out()).path("array").path("index").asInt()).isEqualTo(20);
    }

    @Test
    void cancellingAnArrayCancelsEveryTaskNotEndedAndSaysSo()
            throws Exception
    {
        store("sweep", "0-4");

        assertThat(run("cancel", "sweep").out()).isEqualTo("array sweep: 5 CANCELLED\n");

        try (JobStore store = JobStore.open(temp.resolve("state/berth.db"))) {
            assertThat(store.arrays().array("sweep").orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        }
        assertThat(run("cancel", "sweep").out()).isEqualTo("array sweep already ended (5 CANCELLED); nothing to cancel\n");
        JsonNode json = JobViews.mapper().readTree(run("cancel", "--json", "sweep").out());
        assertThat(json.path("job_id").asText()).isEqualTo("sweep");
        assertThat(json.path("state").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void anUnknownTaskOrArrayIsRefusedByTheIdGiven()
            throws Exception
    {
        store("sweep", "0-4");

        Result missing = run("status", "sweep:9");
        assertThat(missing.status()).isNotZero();
        assertThat(missing.err()).contains("no job 'sweep:9'");
        assertThat(run("list", "--array", "nosuch").err()).contains("nosuch");
    }

    /** Stores a job, or with {@code array} an array of tasks, as the daemon's intake does. */
    private void store(String id, String array)
            throws Exception
    {
        try (JobStore store = JobStore.open(temp.resolve("state/berth.db"))) {
            String body = "{\"repo_uri\": \"https://github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"job_id\": \"" + id + "\""
                    + (array == null ? "" : ", \"array\": \"" + array + "\"") + "}";
            store.writes().insert(new RequestParser(new RequestDefaults("img", 1, 1 << 30, 3)).parse(body, id), body, Optional.empty(), NOW);
        }
    }

    private record Result(int status, String out, String err) {}

    private Result run(String... arguments)
    {
        Map<String, String> environment = Map.of("BERTH_STATE_DIR", temp.resolve("state").toString(), "BERTH_CLI_DIRECT", "1",
                "BERTH_SHARED_DIR", temp.resolve("shared").toString());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = new BerthCli(environment, clock, clock.sleeper()).execute(new PrintWriter(out), new PrintWriter(err), arguments);
        return new Result(status, out.toString(), err.toString());
    }
}
