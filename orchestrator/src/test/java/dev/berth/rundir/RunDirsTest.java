package dev.berth.rundir;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunDirsTest
{
    @TempDir
    Path temp;

    @Test
    void removesOnlyRunDirsOfItsOwnTree()
            throws Exception
    {
        RunDirs runDirs = new RunDirs(temp.resolve("runs"));
        Path runDir = Files.createDirectories(temp.resolve("runs/r1/attempts/1"));

        assertThatThrownBy(() -> runDirs.remove(temp.resolve("runs/../elsewhere"))).isInstanceOf(UnsafeRunDirException.class)
                .hasMessageContaining("is not a run dir in " + temp.resolve("runs"));
        assertThatThrownBy(() -> runDirs.remove(runDir)).isInstanceOf(UnsafeRunDirException.class);
        assertThat(runDirs.remove(temp.resolve("runs/r1"))).isTrue();
        assertThat(temp.resolve("runs/r1")).doesNotExist();
        assertThat(runDirs.remove(temp.resolve("runs/r1"))).as("already gone").isFalse();
    }

    @Test
    void runDirIsNamedByTimeNameAndId()
    {
        RunDirs runDirs = new RunDirs(temp);

        assertThat(runDirs.runDirFor("a1b2", "train", Instant.parse("2026-03-04T05:06:07Z")))
                .isEqualTo(temp.resolve("20260304_050607_train_a1b2"));
    }

    @Test
    void eachAttemptHasItsOwnLogsAndTheRunDirPointsAtTheLatest()
            throws Exception
    {
        RunDirs runDirs = new RunDirs(temp);
        Path runDir = runDirs.runDirFor("j", "n", Instant.EPOCH);

        Path first = runDirs.startAttempt(runDir, 1);
        Files.writeString(first.resolve("stdout.txt"), "first attempt\n");
        Path second = runDirs.startAttempt(runDir, 2);
        Files.writeString(second.resolve("stdout.txt"), "second attempt\n");

        assertThat(runDir.resolve("stdout.txt")).hasContent("second attempt");
        assertThat(first.resolve("stdout.txt")).hasContent("first attempt");
        assertThat(runDir.resolve("stderr.txt").toRealPath()).isEqualTo(second.resolve("stderr.txt").toRealPath());
        assertThat(Files.readSymbolicLink(runDir.resolve("work"))).isEqualTo(Path.of("attempts/2/work"));
    }

    @Test
    void theCheckpointDirIsMadeOnceAndKeptAcrossAttempts()
            throws Exception
    {
        RunDirs runDirs = new RunDirs(temp);
        Path runDir = runDirs.runDirFor("j", "n", Instant.EPOCH);

        Path checkpoint = runDirs.checkpointDir(runDir);
        runDirs.startAttempt(runDir, 1);
        Files.writeString(checkpoint.resolve("count"), "17\n");
        runDirs.checkpointDir(runDir);
        runDirs.startAttempt(runDir, 2);

        assertThat(checkpoint).isEqualTo(runDir.resolve("checkpoint")).isEqualTo(RunDirs.checkpointDirOf(runDir));
        assertThat(checkpoint.resolve("count")).hasContent("17");
    }

    @Test
    void aLinkInPlaceOfTheCheckpointDirIsRefusedNotFollowed()
            throws Exception
    {
        RunDirs runDirs = new RunDirs(temp);
        Path runDir = Files.createDirectories(temp.resolve("run"));
        Path elsewhere = Files.createDirectories(temp.resolve("elsewhere"));
        Files.createSymbolicLink(runDir.resolve("checkpoint"), elsewhere);

        assertThatThrownBy(() -> runDirs.checkpointDir(runDir))
                .isInstanceOf(UnsafeRunDirException.class)
                .hasMessageContaining("is not the checkpoint dir berth made");
    }

    @Test
    void writesResultFilesWholeWithNoTempFileLeft()
            throws Exception
    {
        RunDirs runDirs = new RunDirs(temp);
        Path runDir = Files.createDirectories(temp.resolve("run"));

        runDirs.writeResult(runDir, runDirs.newObject().put("state", "FAILED"), 3);

        assertThat(runDir.resolve("exit_code")).hasContent("3");
        assertThat(runDir.resolve("result.json")).content().contains("\"state\" : \"FAILED\"");
        try (var files = Files.list(runDir)) {
            assertThat(files.map(path -> path.getFileName().toString())).containsExactlyInAnyOrder("exit_code", "result.json");
        }
    }
}
