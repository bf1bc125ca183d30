package dev.berth.rundir;

import dev.berth.time.Ticker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class CheckpointUsageTest
{
    private static final Instant SAVED = Instant.parse("2026-12-01T23:39:58Z");

    @TempDir
    Path temp;

    private final Ticker stopped = () -> 0;

    @Test
    void addsUpThePlainFilesAndFindsTheLatestChange()
            throws IOException
    {
        Path checkpoint = Files.createDirectories(temp.resolve("checkpoint/epoch-3"));
        write(checkpoint.resolve("weights.bin"), 1000, SAVED.minusSeconds(60));
        write(checkpoint.resolve("optimizer.bin"), 500, SAVED);
        write(temp.resolve("checkpoint/count"), 3, SAVED.minusSeconds(600));
        Files.setLastModifiedTime(checkpoint, FileTime.from(SAVED.minusSeconds(60)));
        Files.setLastModifiedTime(temp.resolve("checkpoint"), FileTime.from(SAVED.minusSeconds(600)));

        CheckpointUsage usage = CheckpointUsage.of(temp.resolve("checkpoint"), stopped).orElseThrow();

        assertThat(usage).isEqualTo(new CheckpointUsage(1503, 3, SAVED, true));
    }

    @Test
    void linksTheJobPutThereAreNeverFollowed()
            throws IOException
    {
        Path checkpoint = Files.createDirectories(temp.resolve("checkpoint"));
        write(checkpoint.resolve("count"), 3, SAVED);
        // A big file and a whole tree of the manager's, named by links the job made
        Path outside = Files.createDirectories(temp.resolve("manager"));
        // Its target changes long after anything in the checkpoint, links included (which are made now)
        Instant later = Instant.now().plus(Duration.ofDays(365));
        write(outside.resolve("big"), 1 << 20, later);
        Files.createSymbolicLink(checkpoint.resolve("big"), outside.resolve("big"));
        Files.createSymbolicLink(checkpoint.resolve("tree"), outside);
        Files.createSymbolicLink(checkpoint.resolve("root"), Path.of("/"));
        Files.setLastModifiedTime(checkpoint, FileTime.from(SAVED));

        CheckpointUsage usage = CheckpointUsage.of(checkpoint, stopped).orElseThrow();

        assertThat(usage.bytes()).isEqualTo(3);
        assertThat(usage.files()).isEqualTo(1);
        assertThat(usage.lastChange()).as("the links' own times, not their targets'").isBefore(later);
        assertThat(usage.complete()).isTrue();
    }

    @Test
    void aHugeTreeIsCountedOnlyUpToTheLimitAndSaysSo()
            throws IOException
    {
        Path checkpoint = Files.createDirectories(temp.resolve("checkpoint"));
        for (int i = 0; i < 20; i++) {
            write(checkpoint.resolve("shard-" + i), 10, SAVED);
        }

        CheckpointUsage usage = CheckpointUsage.of(checkpoint, stopped, 5, Duration.ofSeconds(2)).orElseThrow();

        assertThat(usage.complete()).isFalse();
        assertThat(usage.files()).isLessThan(20);
        assertThat(usage.bytes()).isEqualTo(usage.files() * 10);
    }

    @Test
    void aSlowWalkStopsAtItsTimeBudget()
            throws IOException
    {
        Path checkpoint = Files.createDirectories(temp.resolve("checkpoint"));
        for (int i = 0; i < 20; i++) {
            write(checkpoint.resolve("shard-" + i), 10, SAVED);
        }
        // Each entry takes the shared file system half a second
        AtomicLong now = new AtomicLong();
        Ticker slow = () -> now.addAndGet(Duration.ofMillis(500).toNanos());

        CheckpointUsage usage = CheckpointUsage.of(checkpoint, slow, 1000, Duration.ofSeconds(2)).orElseThrow();

        assertThat(usage.complete()).isFalse();
        assertThat(usage.files()).isLessThanOrEqualTo(4);
    }

    @Test
    void noCheckpointDirMeansNoUsageAndSoDoesALinkInItsPlace()
            throws IOException
    {
        assertThat(CheckpointUsage.of(temp.resolve("checkpoint"), stopped)).isEmpty();

        Files.createSymbolicLink(temp.resolve("checkpoint"), Files.createDirectories(temp.resolve("elsewhere")));

        assertThat(CheckpointUsage.of(temp.resolve("checkpoint"), stopped)).isEmpty();
    }

    @Test
    void anEmptyCheckpointDirHoldsNothing()
            throws IOException
    {
        Path checkpoint = Files.createDirectories(temp.resolve("checkpoint"));
        Files.setLastModifiedTime(checkpoint, FileTime.from(SAVED));

        assertThat(CheckpointUsage.of(checkpoint, stopped)).contains(new CheckpointUsage(0, 0, SAVED, true));
    }

    private static void write(Path file, int bytes, Instant modified)
            throws IOException
    {
        Files.write(file, new byte[bytes]);
        Files.setLastModifiedTime(file, FileTime.from(modified));
    }
}
