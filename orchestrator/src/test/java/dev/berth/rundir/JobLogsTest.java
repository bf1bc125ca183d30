package dev.berth.rundir;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobLogsTest
{
    @TempDir
    Path temp;

    @Test
    void aReadFromAnOffsetStopsBeforeACharacterStillBeingWritten()
            throws Exception
    {
        Path log = Files.write(temp.resolve("stdout.txt"), "ab€".getBytes(StandardCharsets.UTF_8));
        byte[] whole = Files.readAllBytes(log);
        Files.write(log, Arrays.copyOf(whole, whole.length - 1));

        LogRead growing = JobLogs.read(log, 1, 1024, false);
        assertThat(growing.text()).isEqualTo("b");
        assertThat(growing.nextOffset()).isEqualTo(2);
        assertThat(growing.atEnd()).isFalse();

        Files.write(log, whole);
        LogRead rest = JobLogs.read(log, growing.nextOffset(), 1024, false);
        assertThat(rest.text()).isEqualTo("€");
        assertThat(rest.nextOffset()).isEqualTo(whole.length);
        assertThat(rest.atEnd()).isTrue();
    }

    @Test
    void aReadCutByItsLimitEndsOnAWholeCharacterEvenInTheLastRead()
            throws Exception
    {
        Path log = Files.writeString(temp.resolve("stdout.txt"), "ab€c");

        LogRead first = JobLogs.read(log, 0, 4, true);

        assertThat(first.text()).isEqualTo("ab");
        assertThat(JobLogs.read(log, first.nextOffset(), 4, true).text()).isEqualTo("€c");
    }

    @Test
    void theCurrentAttemptIsTheOneTheRunDirLinksTo()
            throws Exception
    {
        RunDirs runDirs = new RunDirs(temp);
        Path runDir = runDirs.runDirFor("j", "n", Instant.EPOCH);
        assertThat(JobLogs.currentAttempt(runDir, JobLogs.STDOUT)).isEmpty();

        runDirs.startAttempt(runDir, 1);
        runDirs.startAttempt(runDir, 2);

        assertThat(JobLogs.currentAttempt(runDir, JobLogs.STDOUT)).contains(2);
        assertThat(JobLogs.ofAttempt(runDir, 1, JobLogs.STDERR)).isEqualTo(runDir.resolve("attempts/1/stderr.txt"));
    }

    @Test
    void onlyAJobsOutputIsReadAsItsLog()
    {
        assertThatThrownBy(() -> JobLogs.ofAttempt(temp, 1, "../../etc/passwd"))
                .hasMessage("a job's output is stdout.txt or stderr.txt, not ../../etc/passwd");
    }

    @Test
    void wholeCharactersEndBeforeALeadByteWithoutAllItsFollowers()
    {
        byte[] text = "a€".getBytes(StandardCharsets.UTF_8);

        assertThat(JobLogs.wholeCharacters(text, 4)).isEqualTo(4);
        assertThat(JobLogs.wholeCharacters(text, 3)).isEqualTo(1);
        assertThat(JobLogs.wholeCharacters(text, 2)).isEqualTo(1);
        assertThat(JobLogs.wholeCharacters(text, 1)).isEqualTo(1);
    }
}
