package dev.berth.top;

import dev.berth.job.JobState;
import dev.berth.rundir.RunDirs;
import dev.berth.store.JobStore;
import dev.berth.testing.TestingClock;
import dev.berth.top.LogExcerpt.Kind;
import dev.berth.top.LogExcerpt.Line;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.berth.top.TopFixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

/** Logs and cancels through a real store and real run dirs, as top reads and does them. */
class TopDataTest
{
    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(NOW);
    private JobStore store;
    private StoredJobs jobs;
    private TopData data;
    private Path runDir;

    @BeforeEach
    void open()
            throws Exception
    {
        store = JobStore.open(temp.resolve("berth.db"));
        jobs = new StoredJobs(store);
        data = new TopData(store, () -> FleetLook.unavailable("not looked at"), clock);
        runDir = Files.createDirectories(temp.resolve("runs/train_job-1"));
        jobs.queued("job-1", "train", 0, NOW.minusSeconds(60));
    }

    @AfterEach
    void close()
    {
        store.close();
    }

    @Test
    void aLogIsItsLastLinesAsATerminalWouldLeaveThem()
            throws Exception
    {
        startAttempt(1, "first\nepoch 1/3\repoch 2/3\repoch 3/3\nwindows line\r\nlast without newline", "an error\n");

        assertThat(texts(data.log("job-1", LogStream.STDOUT, 100)))
                .containsExactly("first", "epoch 3/3", "windows line", "last without newline");
        assertThat(texts(data.log("job-1", LogStream.STDOUT, 2))).containsExactly("windows line", "last without newline");
        assertThat(texts(data.log("job-1", LogStream.STDERR, 100))).containsExactly("an error");
    }

    @Test
    void aRetriedJobsLogRunsAcrossItsAttemptsEachUnderAHeading()
            throws Exception
    {
        startAttempt(1, "attempt one says hi\n", "");
        assertThat(jobs.interrupted("job-1", 1, NOW.minusSeconds(30))).isEqualTo(JobState.QUEUED);
        startAttempt(2, "attempt two says hi\n", "");

        List<Line> lines = data.log("job-1", LogStream.STDOUT, 100).lines();

        assertThat(lines).extracting(Line::kind).containsExactly(Kind.HEADING, Kind.OUTPUT, Kind.HEADING, Kind.OUTPUT);
        assertThat(lines.get(0).text()).startsWith("attempt 1: INTERRUPTED on worker-1");
        assertThat(lines.get(1).text()).isEqualTo("attempt one says hi");
        assertThat(lines.get(2).text()).isEqualTo("attempt 2: RUNNING on worker-1");
        assertThat(lines.get(3).text()).isEqualTo("attempt two says hi");
        assertThat(texts(data.log("job-1", LogStream.STDOUT, 1))).as("the newest line last").containsExactly("attempt two says hi");
    }

    @Test
    void outputALinkReplacedIsNotFollowedAndTheScreenSaysWhy()
            throws Exception
    {
        startAttempt(1, "", "");
        Path secret = Files.writeString(temp.resolve("manager-secret.txt"), "the manager's secret\n");
        Path stdout = RunDirs.attemptDir(runDir, 1).resolve("stdout.txt");
        Files.delete(stdout);
        Files.createSymbolicLink(stdout, secret);

        List<Line> lines = data.log("job-1", LogStream.STDOUT, 100).lines();

        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).kind()).isEqualTo(Kind.NOTE);
        assertThat(lines.get(0).text()).contains("symbolic link").doesNotContain("the manager's secret");
    }

    @Test
    void aJobNotYetPreparedHasNoOutputToShowAndSaysSo()
    {
        List<Line> lines = data.log("job-1", LogStream.STDOUT, 100).lines();

        assertThat(lines).extracting(Line::kind).containsExactly(Kind.NOTE);
        assertThat(lines.get(0).text()).isEqualTo("no output yet: job job-1 is QUEUED and has no run dir");
        assertThat(data.log("nope", LogStream.STDOUT, 100).lines().get(0).text()).isEqualTo("job nope is not in the store");
    }

    @Test
    void aHugeLogIsReadFromItsEndOnly()
            throws Exception
    {
        String big = IntStream.range(0, 200_000).mapToObj(i -> "line " + i).collect(Collectors.joining("\n", "", "\n"));
        startAttempt(1, big, "");

        List<String> lines = texts(data.log("job-1", LogStream.STDOUT, 5000));

        assertThat(lines).hasSize(5000).endsWith("line 199999");
        assertThat(lines.get(0)).isEqualTo("line 195000");
    }

    @Test
    void cancellingARunningJobFlagsItForTheDaemonAndAQueuedOneEndsAtOnce()
            throws Exception
    {
        jobs.running("job-1", 1, "worker-1", NOW.minusSeconds(10));
        jobs.queued("job-2", "eval", 0, NOW.minusSeconds(5));

        assertThat(data.cancel("job-1")).isEqualTo("job job-1 is RUNNING; berth serve stops it (the cancel is recorded)");
        assertThat(store.reads().job("job-1").orElseThrow().cancelRequested()).isTrue();
        assertThat(data.cancel("job-2")).isEqualTo("job job-2 cancelled");
        assertThat(store.reads().job("job-2").orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(data.cancel("job-2")).isEqualTo("job job-2 already ended as CANCELLED; nothing to cancel");
        assertThat(data.snapshot().live().get(0).cancelRequested()).as("the next snapshot shows it being cancelled").isTrue();
    }

    /** Starts attempt {@code number} as the daemon does, with the output its job wrote. */
    private void startAttempt(int number, String stdout, String stderr)
            throws IOException
    {
        Path attemptDir = new RunDirs(temp.resolve("runs")).startAttempt(runDir, number);
        store.writes().recordRunDir("job-1", runDir);
        jobs.running("job-1", number, "worker-1", NOW.minusSeconds(20));
        Files.writeString(attemptDir.resolve("stdout.txt"), stdout);
        Files.writeString(attemptDir.resolve("stderr.txt"), stderr);
    }

    private static List<String> texts(LogExcerpt log)
    {
        return log.lines().stream().map(Line::text).toList();
    }
}
