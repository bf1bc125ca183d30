package dev.berth.cli;

import dev.berth.job.Job;
import dev.berth.job.JobMove;
import dev.berth.job.JobState;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.rundir.RunDirs;
import dev.berth.store.JobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogTailTest
{
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path temp;

    @Test
    void printsWhatTheFileGainedAndHoldsBackAHalfWrittenCharacter()
            throws Exception
    {
        Path runDir = Files.createDirectories(temp.resolve("run"));
        Path stdout = RunDirs.attemptDir(runDir, 1).resolve("stdout.txt");
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        StringWriter printed = new StringWriter();
        LogTail tail = new LogTail("stdout.txt", new PrintWriter(printed));
        try (JobStore store = JobStore.open(temp.resolve("berth.db"))) {
            Job running = job(store, runDir);

            tail.printGrowth(running);
            assertThat(printed.toString()).as("no file yet").isEmpty();

            new RunDirs(temp).startAttempt(runDir, 1);
            Files.write(stdout, concat("price: ".getBytes(StandardCharsets.UTF_8), Arrays.copyOf(euro, 2)));
            tail.printGrowth(running);
            assertThat(printed.toString()).isEqualTo("price: ");

            Files.write(stdout, concat(Arrays.copyOfRange(euro, 2, 3), "5\n".getBytes(StandardCharsets.UTF_8)), StandardOpenOption.APPEND);
            tail.printGrowth(running);
            assertThat(printed.toString()).isEqualTo("price: €5\n");
        }
    }

    @Test
    void aRetryStartsItsNewFileFromTheStartUnderALineNamingIt()
            throws Exception
    {
        Path runDir = Files.createDirectories(temp.resolve("run"));
        RunDirs runDirs = new RunDirs(temp);
        Path first = runDirs.startAttempt(runDir, 1).resolve("stdout.txt");
        Files.writeString(first, "first try\n");
        StringWriter printed = new StringWriter();
        LogTail tail = new LogTail("stdout.txt", new PrintWriter(printed));
        try (JobStore store = JobStore.open(temp.resolve("berth.db"))) {
            Job running = job(store, runDir);

            tail.printGrowth(running);
            // Its last words, written as it stopped, after the last look at it
            Files.writeString(first, "saved at step 7\n", StandardOpenOption.APPEND);
            Files.writeString(runDirs.startAttempt(runDir, 2).resolve("stdout.txt"), "second\n");
            tail.printGrowth(running);

            assertThat(printed.toString()).isEqualTo("first try\nsaved at step 7\n==> attempt 2 <==\nsecond\n");
        }
    }

    @Test
    void aJobFollowedAfterItsRetryShowsTheEarlierAttemptsFirst()
            throws Exception
    {
        Path runDir = Files.createDirectories(temp.resolve("run"));
        RunDirs runDirs = new RunDirs(temp);
        Files.writeString(runDirs.startAttempt(runDir, 1).resolve("stdout.txt"), "resumed from 0\n");
        Files.writeString(runDirs.startAttempt(runDir, 2).resolve("stdout.txt"), "resumed from 12\n");
        StringWriter printed = new StringWriter();
        LogTail tail = new LogTail("stdout.txt", new PrintWriter(printed));
        try (JobStore store = JobStore.open(temp.resolve("berth.db"))) {
            tail.printGrowth(job(store, runDir));

            assertThat(printed.toString()).isEqualTo("==> attempt 1 <==\nresumed from 0\n==> attempt 2 <==\nresumed from 12\n");
        }
    }

    @Test
    void aLinkTheJobPutInPlaceOfItsOutputIsRefusedNotFollowed()
            throws Exception
    {
        Path secret = Files.writeString(temp.resolve("manager-secret"), "root:x:0:0\n");
        Path runDir = Files.createDirectories(temp.resolve("run"));
        Path stdout = new RunDirs(temp).startAttempt(runDir, 1).resolve("stdout.txt");
        Files.delete(stdout);
        Files.createSymbolicLink(stdout, secret);
        StringWriter printed = new StringWriter();
        LogTail tail = new LogTail("stdout.txt", new PrintWriter(printed));
        try (JobStore store = JobStore.open(temp.resolve("berth.db"))) {
            Job running = job(store, runDir);

            assertThatThrownBy(() -> tail.printGrowth(running))
                    .isInstanceOf(BerthCli.UserException.class)
                    .hasMessage(stdout + " is a symbolic link (to " + secret + ") that the job put in place of its output; berth does not follow links in a run dir");
            assertThat(printed.toString()).isEmpty();
        }
    }

    private static Job job(JobStore store, Path runDir)
            throws Exception
    {
        String body = "{\"repo_uri\": \"https://github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\"}";
        store.writes().insert(new RequestParser(new RequestDefaults("img", 1, 1 << 30, 3)).parse(body, "exp-1"), body, Optional.empty(), NOW);
        store.writes().moveJob("exp-1", new JobMove(JobState.QUEUED, JobState.PREPARING, Optional.empty(), Optional.empty()));
        store.writes().recordRunDir("exp-1", runDir);
        return store.reads().job("exp-1").orElseThrow();
    }

    private static byte[] concat(byte[] first, byte[] second)
    {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
