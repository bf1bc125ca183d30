package dev.berth.cli;

import dev.berth.job.Lifecycle;
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

/** What {@code berth cancel} prints of its outcome, over a real store and with no daemon to stop a job. */
class CancelCommandTest
{
    private static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");

    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(NOW);

    @Test
    void aQueuedJobIsCancelledAtOnce()
            throws Exception
    {
        store("q1", false);

        assertThat(cancel("q1").out()).isEqualTo("job q1 cancelled\n");
        assertThat(cancel("--json", "q1").out()).as("ended already").isEqualTo(json("q1", "CANCELLED"));
    }

    @Test
    void jsonTellsTheJobAndTheStateTheCancelLeftItIn()
            throws Exception
    {
        store("q1", false);
        store("p1", true);

        Result queued = cancel("--json", "q1");
        Result preparing = cancel("--json", "--no-wait", "p1");

        assertThat(queued.status()).as(queued.err()).isZero();
        assertThat(queued.out()).isEqualTo(json("q1", "CANCELLED"));
        assertThat(preparing.status()).as(preparing.err()).isZero();
        assertThat(preparing.out()).as("the daemon stops it").isEqualTo(json("p1", "PREPARING"));
    }

    private static String json(String id, String state)
    {
        return "{\n  \"job_id\" : \"" + id + "\",\n  \"state\" : \"" + state + "\"\n}\n";
    }

    private void store(String id, boolean admitted)
            throws Exception
    {
        String body = "{\"repo_uri\": \"https://github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"job_id\": \"" + id + "\"}";
        try (JobStore store = JobStore.open(temp.resolve("berth.db"))) {
            store.writes().insert(new RequestParser(new RequestDefaults("img", 1, 1 << 30, 3)).parse(body, id), body, Optional.empty(), NOW);
            if (admitted) {
                store.writes().moveJob(id, Lifecycle.admitted());
            }
        }
    }

    private record Result(int status, String out, String err) {}

    private Result cancel(String... args)
    {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 3];
        all[0] = "cancel";
        all[1] = "--state-dir";
        all[2] = temp.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        int status = new BerthCli(Map.of(), clock, clock.sleeper()).execute(new PrintWriter(out), new PrintWriter(err), all);
        return new Result(status, out.toString(), err.toString());
    }
}
