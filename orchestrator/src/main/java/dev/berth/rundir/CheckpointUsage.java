package dev.berth.rundir;

import dev.berth.time.Ticker;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;

/**
 * How much a job's checkpoint dir holds and when it last changed, for {@code berth status}. The tree is
 * the job's own, so links in it are counted as what they are and never followed, and the walk stops
 * after {@link #MAX_ENTRIES} entries or {@link #TIME_BUDGET}, so a huge tree on a slow shared file system
 * cannot stall a status; it then says the figures are a lower bound.
 *
 * @param bytes the sizes of its plain files added up
 * @param files how many plain files it holds
 * @param lastChange the latest modification time of anything in it, the dir itself included
 * @param complete whether the walk saw everything, rather than stopping at its limit
 */
public record CheckpointUsage(long bytes, long files, Instant lastChange, boolean complete)
{
    public static final int MAX_ENTRIES = 100_000;
    public static final Duration TIME_BUDGET = Duration.ofSeconds(2);

    /** The usage of the checkpoint dir of the job whose run dir this is; empty for a job that has none (yet). */
    public static Optional<CheckpointUsage> ofRunDir(Optional<Path> runDir, Ticker ticker)
            throws IOException
    {
        return runDir.isEmpty() ? Optional.empty() : of(RunDirs.checkpointDirOf(runDir.get()), ticker);
    }

    /** The checkpoint dir's usage; empty when there is none (a job prepared before checkpoints existed). */
    public static Optional<CheckpointUsage> of(Path checkpointDir, Ticker ticker)
            throws IOException
    {
        return of(checkpointDir, ticker, MAX_ENTRIES, TIME_BUDGET);
    }

    static Optional<CheckpointUsage> of(Path checkpointDir, Ticker ticker, int maxEntries, Duration budget)
            throws IOException
    {
        if (!Files.isDirectory(checkpointDir, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Walk walk = new Walk(ticker, ticker.read() + budget.toNanos(), maxEntries);
        // No FOLLOW_LINKS: a link is visited as itself, with its own attributes, and never entered
        Files.walkFileTree(checkpointDir, EnumSet.noneOf(FileVisitOption.class), Integer.MAX_VALUE, walk);
        return Optional.of(new CheckpointUsage(walk.bytes, walk.files, walk.lastChange, walk.complete));
    }

    private static final class Walk
            extends SimpleFileVisitor<Path>
    {
        private final Ticker ticker;
        private final long deadline;
        private final int maxEntries;
        private long entries;
        private long bytes;
        private long files;
        private Instant lastChange = Instant.EPOCH;
        private boolean complete = true;

        Walk(Ticker ticker, long deadline, int maxEntries)
        {
            this.ticker = ticker;
            this.deadline = deadline;
            this.maxEntries = maxEntries;
        }

        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes)
        {
            return count(attributes);
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
        {
            if (attributes.isRegularFile()) {
                bytes += attributes.size();
                files++;
            }
            return count(attributes);
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e)
        {
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e)
        {
            // Removed while the walk ran, or unreadable: the job's tree keeps changing as it writes
            return FileVisitResult.CONTINUE;
        }

        private FileVisitResult count(BasicFileAttributes attributes)
        {
            Instant modified = attributes.lastModifiedTime().toInstant();
            if (modified.isAfter(lastChange)) {
                lastChange = modified;
            }
            entries++;
            if (entries >= maxEntries || ticker.read() - deadline > 0) {
                complete = false;
                return FileVisitResult.TERMINATE;
            }
            return FileVisitResult.CONTINUE;
        }
    }
}
