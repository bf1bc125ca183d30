package dev.berth.cli;

import dev.berth.job.AttemptEnd;
import dev.berth.job.JobState;
import dev.berth.job.Lifecycle;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.rundir.RunDirs;
import dev.berth.store.JobEnded;
import dev.berth.store.JobStore;
import dev.berth.testing.TestingClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code berth logs} of a job that ran twice: both attempts, each under a line saying how it went, or one of them. */
class LogsCommandTest
{
    private static final Instant NOW = Instant.parse("2026-12-01T23:40:00Z");

    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(NOW);

    @Test
    void aJobThatRanTwiceShowsBothAttemptsEachUnderItsHeader()
            throws Exception
    {
        retriedJob();

        Result logs = run("logs", "counter");

        assertThat(logs.out()).isEqualTo("""
                ==> attempt 1: INTERRUPTED on spot-3 (interrupted: spot interruption notice on spot-3) <==
                starting from 0
                saved 12 on SIGTERM
                ==> attempt 2: RUNNING on spot-4 <==
                resumed from 12
                """);
    }

    @Test
    void oneAttemptsOutputAloneOnRequest()
            throws Exception
    {
        retriedJob();

        assertThat(run("logs", "--attempt", "2", "counter").out()).isEqualTo("resumed from 12\n");
        assertThat(run("logs", "--attempt", "1", "--stderr", "counter").out()).isEqualTo("a warning\n");
        Result missing = run("logs", "--attempt", "3", "counter");
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains("job counter has no attempt 3 (it has 2)");
    }

    /** A job whose first attempt a spot notice interrupted, and whose second runs, with the files each wrote. */
    private void retriedJob()
            throws Exception
    {
        Path runDir = temp.resolve("shared/runs/20261201_234000_count_counter");
        RunDirs runDirs = new RunDirs(temp.resolve("shared/runs"));
        try (JobStore store = JobStore.open(temp.resolve("state/berth.db"))) {
            String body = "{\"repo_uri\": \"https://github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"count.sh\", \"job_id\": \"counter\"}";
            store.writes().insert(new RequestParser(new RequestDefaults("img", 1, 1 << 30, 3)).parse(body, "counter"), body, Optional.empty(), NOW);
            store.writes().recordRunDir("counter", runDir);
            for (int attempt = 1; attempt <= 2; attempt++) {
                store.writes().moveJob("counter", Lifecycle.admitted());
                Path attemptDir = runDirs.startAttempt(runDir, attempt);
                store.writes().recordAttempt("counter", attempt, "berth-counter-" + attempt, NOW);
                store.writes().attemptSubmitted("counter", attempt);
                store.writes().attemptRunning("counter", attempt, "spot-" + (attempt + 2), NOW);
                if (attempt == 1) {
                    Files.writeString(attemptDir.resolve("stdout.txt"), "starting from 0\nsaved 12 on SIGTERM\n");
                    Files.writeString(attemptDir.resolve("stderr.txt"), "a warning\n");
                    store.writes().finishAttempt("counter", 1, new AttemptEnd(Lifecycle.spotNotice("spot-3"), Optional.empty(), Optional.empty(), NOW),
                            JobEnded.NOTHING);
                }
                else {
                    Files.writeString(attemptDir.resolve("stdout.txt"), "resumed from 12\n");
                }
            }
            assertThat(store.reads().job("counter").orElseThrow().state()).isEqualTo(JobState.RUNNING);
        }
    }

    private Result run(String... arguments)
    {
        BerthCli cli = new BerthCli(Map.of("BERTH_STATE_DIR", temp.resolve("state").toString()), clock, clock.sleeper());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = cli.execute(new PrintWriter(out), new PrintWriter(err), arguments);
        return new Result(status, out.toString(), err.toString());
    }

    private record Result(int status, String out, String err) {}
}
