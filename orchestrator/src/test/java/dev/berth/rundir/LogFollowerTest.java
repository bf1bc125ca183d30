package dev.berth.rundir;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogFollowerTest
{
    @TempDir
    Path temp;

    private final List<String> seen = new ArrayList<>();

    @Test
    void aRetryFollowsTheWholeOfTheAttemptBeforeIt()
            throws Exception
    {
        RunDirs runDirs = new RunDirs(temp);
        Path runDir = runDirs.runDirFor("j", "n", Instant.EPOCH);
        LogFollower follower = new LogFollower(JobLogs.STDOUT);

        follower.follow(runDir, false, this::record);
        assertThat(seen).as("nothing prepared yet").isEmpty();

        Path first = runDirs.startAttempt(runDir, 1).resolve(JobLogs.STDOUT);
        Files.writeString(first, "one\n");
        follower.follow(runDir, false, this::record);
        // The first attempt's last words, written as its node was lost, then its retry
        Files.writeString(first, "last words\n", StandardOpenOption.APPEND);
        Files.writeString(runDirs.startAttempt(runDir, 2).resolve(JobLogs.STDOUT), "two\n");
        follower.follow(runDir, true, this::record);

        assertThat(seen).containsExactly("1@0:", "1@4:one\n", "1@15:last words\n", "2@0:", "2@4:two\n");
    }

    @Test
    void startsWhereAReaderLeftOffAndGoesOnToLaterAttempts()
            throws Exception
    {
        RunDirs runDirs = new RunDirs(temp);
        Path runDir = runDirs.runDirFor("j", "n", Instant.EPOCH);
        Files.writeString(runDirs.startAttempt(runDir, 1).resolve(JobLogs.STDERR), "already read|new\n");
        runDirs.startAttempt(runDir, 2);
        Files.writeString(runDirs.startAttempt(runDir, 3).resolve(JobLogs.STDERR), "third\n");

        new LogFollower(JobLogs.STDERR, 1, "already read|".length()).follow(runDir, true, this::record);

        assertThat(seen).containsExactly("1@13:", "1@17:new\n", "2@0:", "3@0:", "3@6:third\n");
    }

    @Test
    void anOutputTheJobReplacedWithALinkIsNotRead()
            throws Exception
    {
        Path secret = Files.writeString(temp.resolve("manager-secret"), "root:x:0:0\n");
        RunDirs runDirs = new RunDirs(temp.resolve("runs"));
        Path runDir = runDirs.runDirFor("j", "n", Instant.EPOCH);
        Path stdout = runDirs.startAttempt(runDir, 1).resolve(JobLogs.STDOUT);
        Files.delete(stdout);
        Files.createSymbolicLink(stdout, secret);

        assertThatThrownBy(() -> new LogFollower(JobLogs.STDOUT).follow(runDir, true, this::record))
                .isInstanceOf(UnsafeRunDirException.class)
                .hasMessageContaining("is a symbolic link (to " + secret + ")");
        assertThat(String.join("", seen)).doesNotContain("root:x");
    }

    private void record(int attempt, String text, long nextOffset)
    {
        seen.add(attempt + "@" + nextOffset + ":" + text);
    }
}
