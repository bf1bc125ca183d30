package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.store.JobStore;
import dev.berth.testing.TestingClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code berth purge} over a real store and run dirs: only jobs that ended long enough ago go, and nothing outside their run dirs. */
class PurgeCommandTest
{
    private static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");

    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(NOW);
    private Path runs;

    @BeforeEach
    void store()
            throws Exception
    {
        runs = Files.createDirectories(temp.resolve("shared/runs"));
        try (JobStore store = JobStore.open(temp.resolve("berth.db"))) {
            ended(store, "old-1", NOW.minus(Duration.ofDays(40)));
            ended(store, "old-2", NOW.minus(Duration.ofDays(35)));
            ended(store, "recent", NOW.minus(Duration.ofDays(1)));
            // Received long ago and still waiting: never purged, whatever its age
            insert(store, "waiting", NOW.minus(Duration.ofDays(100)));
        }
    }

    @Test
    void aDryRunSaysWhatWouldGoAndRemovesNothing()
    {
        Result dryRun = purge("--finished-before", "30d", "--dry-run");

        assertThat(dryRun.status()).as(dryRun.err()).isZero();
        assertThat(dryRun.out()).startsWith("would remove 2 jobs that ended before ").contains("(the oldest ended ");
        assertThat(ids()).containsExactlyInAnyOrder("old-1", "old-2", "recent", "waiting");
    }

    @Test
    void removesOnlyJobsThatEndedBeforeTheAgeAndKeepsTheirRunDirsUnlessAsked()
    {
        Result purge = purge("--finished-before", "30d", "--json");

        assertThat(purge.status()).as(purge.err()).isZero();
        assertThat(json(purge.out()).path("purged").asInt()).isEqualTo(2);
        assertThat(ids()).containsExactlyInAnyOrder("recent", "waiting");
        assertThat(runs.resolve("old-1")).isDirectory();
    }

    @Test
    void runDirsGoTooWithoutFollowingALinkAJobLeftInOne()
            throws Exception
    {
        Path outside = Files.writeString(temp.resolve("precious.txt"), "not berth's");
        Files.createSymbolicLink(runs.resolve("old-1/attempts/1/link"), outside);
        Files.createSymbolicLink(runs.resolve("old-2/attempts/1/dir-link"), temp);

        Result purge = purge("--finished-before", "30d", "--run-dirs");

        assertThat(purge.status()).as(purge.err()).isZero();
        assertThat(purge.out()).startsWith("removed 2 jobs that ended before ").endsWith(" and 2 run dirs\n");
        assertThat(runs.resolve("old-1")).doesNotExist();
        assertThat(runs.resolve("old-2")).doesNotExist();
        assertThat(runs.resolve("recent")).isDirectory();
        assertThat(outside).hasContent("not berth's");
        assertThat(temp.resolve("berth.db")).exists();
    }

    @Test
    void anAgeItCannotReadIsRefusedSayingWhatItTakes()
    {
        Result purge = purge("--finished-before", "a month");

        assertThat(purge.status()).isEqualTo(1);
        assertThat(purge.err()).isEqualTo("berth purge: --finished-before must be an age such as 30d, 12h or 90m, got 'a month'\n");
        assertThat(ids()).hasSize(4);
    }

    private void ended(JobStore store, String id, Instant at)
            throws Exception
    {
        insert(store, id, at);
        Path runDir = Files.createDirectories(runs.resolve(id).resolve("attempts/1"));
        Files.writeString(runDir.resolve("stdout.txt"), "output of " + id);
        store.writes().recordRunDir(id, runs.resolve(id));
        assertThat(store.writes().requestCancel(id, at)).isEqualTo(JobState.CANCELLED);
    }

    private static void insert(JobStore store, String id, Instant at)
            throws Exception
    {
        RequestParser parser = new RequestParser(new RequestDefaults("img", 1, 1 << 30, 3));
        String body = "{\"repo_uri\": \"https://github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"job_id\": \"" + id + "\"}";
        store.writes().insert(parser.parse(body, id), body, Optional.empty(), at);
    }

    private List<String> ids()
    {
        try (JobStore store = JobStore.open(temp.resolve("berth.db"))) {
            return store.reads().newest(Set.of(), 100).stream().map(Job::id).toList();
        }
    }

    private static JsonNode json(String text)
    {
        try {
            return JobViews.mapper().readTree(text);
        }
        catch (Exception e) {
            throw new AssertionError(text, e);
        }
    }

    private record Result(int status, String out, String err) {}

    private Result purge(String... args)
    {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 5];
        all[0] = "purge";
        all[1] = "--state-dir";
        all[2] = temp.toString();
        all[3] = "--shared-dir";
        all[4] = temp.resolve("shared").toString();
        System.arraycopy(args, 0, all, 5, args.length);
        int status = new BerthCli(Map.of(), clock, clock.sleeper()).execute(new PrintWriter(out), new PrintWriter(err), all);
        return new Result(status, out.toString(), err.toString());
    }
}
