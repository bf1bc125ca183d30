package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code status}, {@code list} and {@code cancel} of a job that waits for others, read from the database as with no daemon running. */
class WaitingJobCommandsTest
{
    private static final Instant NOW = Instant.parse("2026-12-01T23:40:00Z");

    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(NOW);

    @Test
    void statusSaysWhatAWaitingJobWaitsForAndInWhatStateEachIs()
            throws Exception
    {
        store("abc123", "");
        store("def456", "");
        store("waiter", ", \"after\": [\"abc123\"], \"after_any\": [\"def456\"]");
        run("cancel", "def456");

        String text = run("status", "waiter");
        JsonNode json = JobViews.mapper().readTree(run("status", "--json", "waiter"));

        assertThat(text).containsPattern("state: +WAITING");
        assertThat(text).containsPattern("waiting for: +abc123 \\(QUEUED\\)\n");
        assertThat(text).containsPattern("after: +abc123, def456 \\(any end\\)");
        assertThat(json.path("state").asText()).isEqualTo("WAITING");
        assertThat(json.path("waiting_for").toString()).isEqualTo("[\"abc123\"]");
        assertThat(json.path("dependencies").toString()).isEqualTo("[{\"job_id\":\"abc123\",\"kind\":\"after\",\"state\":\"QUEUED\"},"
                + "{\"job_id\":\"def456\",\"kind\":\"after_any\",\"state\":\"CANCELLED\"}]");
        assertThat(JobViews.mapper().readTree(run("status", "--json", "abc123")).path("dependencies").toString()).isEqualTo("[]");
    }

    @Test
    void listShowsAWaitingJobAndCancelEndsItAndThoseAfterIt()
            throws Exception
    {
        store("first", "");
        store("second", ", \"after\": [\"first\"]");
        store("third", ", \"after\": [\"second\"]");

        assertThat(run("list")).containsPattern("second .*WAITING");
        assertThat(run("list", "--state", "WAITING")).contains("second").contains("third").doesNotContain("first");

        run("cancel", "second");

        JsonNode third = JobViews.mapper().readTree(run("status", "--json", "third"));
        assertThat(JobViews.mapper().readTree(run("status", "--json", "second")).path("state").asText()).isEqualTo("CANCELLED");
        assertThat(third.path("state").asText()).isEqualTo("CANCELLED");
        assertThat(third.path("reason").asText()).isEqualTo("dependency second failed: it ended CANCELLED");
        assertThat(third.has("waiting_for")).isFalse();
    }

    /** A job stored as intake stores it, its dependencies by whole id. */
    private void store(String id, String fields)
            throws Exception
    {
        try (JobStore store = JobStore.open(temp.resolve("state/berth.db"))) {
            String body = "{\"repo_uri\": \"https://github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"a.sh\", \"job_id\": \"" + id + "\"" + fields + "}";
            store.writes().insert(new RequestParser(new RequestDefaults("img", 1, 1 << 30, 3)).parse(body, id), body, Optional.empty(), NOW);
        }
    }

    private String run(String... arguments)
    {
        BerthCli cli = new BerthCli(Map.of("BERTH_STATE_DIR", temp.resolve("state").toString(), "BERTH_CLI_DIRECT", "1"), clock, clock.sleeper());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = cli.execute(new PrintWriter(out), new PrintWriter(err), arguments);
        assertThat(status).as(err.toString()).isZero();
        return out.toString();
    }
}
