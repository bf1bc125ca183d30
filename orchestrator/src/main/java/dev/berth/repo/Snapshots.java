package dev.berth.repo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * One read-only tree per commit on the shared mount, checked out once and shared by every attempt of every
 * job of that commit, each of which sees it through an overlay of its own. A snapshot is
 * {@code ROOT/COMMIT/tree} (the files and a {@code .git} borrowing the mirror's objects, as a job's checkout
 * has) with {@code ROOT/COMMIT/size} beside it.
 * <p>
 * A snapshot is built under a temporary name and renamed into place only when whole, so a crash never
 * leaves a half-written one that a job could run on. The snapshot dir's modification time is its last use:
 * {@link #trim} removes the least recently used first, and never one a live job uses.
 */
public final class Snapshots
{
    private static final Logger log = LoggerFactory.getLogger(Snapshots.class);

    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final String BUILDING = ".building-";
    private static final String REMOVING = ".removing-";

    private final Path root;
    private final Repositories repositories;
    private final Clock clock;
    // Held while a commit's snapshot is built, used or removed: a use never races its removal, and two jobs of one commit build it once
    private final ConcurrentMap<String, Object> commitLocks = new ConcurrentHashMap<>();

    public Snapshots(Path root, Repositories repositories, Clock clock)
    {
        this.root = requireNonNull(root, "root is null").toAbsolutePath().normalize();
        this.repositories = requireNonNull(repositories, "repositories is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** A commit's snapshot and whether this call built it. */
    public record Snapshot(String commit, Path tree, boolean built)
    {
        public Snapshot
        {
            requireNonNull(commit, "commit is null");
            requireNonNull(tree, "tree is null");
        }
    }

    /** What one {@link #trim} did. */
    public record Trimmed(int removed, long removedBytes, long keptBytes) {}

    /** Where the snapshot of {@code commit} is, or would be, in the snapshots dir {@code root}. */
    public static Path treeOf(Path root, String commit)
    {
        return root.toAbsolutePath().normalize().resolve(requireCommit(commit)).resolve("tree");
    }

    /** The snapshot of the tip of {@code branch}, as {@link Repositories#checkout(RepoUrl, String, Instant, Path)} resolves it, built if it is new. */
    public Snapshot ofBranch(RepoUrl url, String branch, Instant asOf)
            throws RepoException
    {
        Checkout tip = repositories.updateMirror(url, branch, asOf);
        return ofCommit(url, tip.commit());
    }

    /** The snapshot of {@code commit}, which the mirror of {@code url} holds, built if it is new. */
    public Snapshot ofCommit(RepoUrl url, String commit)
            throws RepoException
    {
        requireCommit(commit);
        synchronized (lockOf(commit)) {
            Path dir = root.resolve(commit);
            if (Files.isDirectory(dir.resolve("tree"), LinkOption.NOFOLLOW_LINKS)) {
                markUsed(dir);
                return new Snapshot(commit, dir.resolve("tree"), false);
            }
            build(url, commit, dir);
            return new Snapshot(commit, dir.resolve("tree"), true);
        }
    }

    private void build(RepoUrl url, String commit, Path dir)
            throws RepoException
    {
        Path building = root.resolve(BUILDING + commit + "-" + UUID.randomUUID());
        try {
            Files.createDirectories(root);
            Files.createDirectory(building);
            long start = clock.millis();
            repositories.checkoutCommit(url, commit, building.resolve("tree"));
            long bytes = sizeOf(building.resolve("tree"));
            Files.writeString(building.resolve("size"), bytes + "\n");
            Files.move(building, dir, StandardCopyOption.ATOMIC_MOVE);
            markUsed(dir);
            log.info("Wrote the snapshot of {} of {} into {} ({} bytes) in {} ms", commit, url, dir, bytes, clock.millis() - start);
        }
        catch (AtomicMoveNotSupportedException e) {
            throw new UncheckedIOException("Cannot rename snapshot " + building + " into place at " + dir + ": " + e.getMessage(), e);
        }
        catch (IOException e) {
            deleteQuietly(building);
            throw new UncheckedIOException("Cannot build the snapshot of " + commit + " of " + url + " in " + root + ": " + e.getMessage(), e);
        }
        catch (RepoException | RuntimeException e) {
            deleteQuietly(building);
            throw e;
        }
    }

    /**
     * Removes snapshots, least recently used first, until those left take {@code capBytes} at most. A snapshot
     * is kept when a commit of {@code inUse} names it or it was used within {@code idleFor}: a job whose
     * preparation has used it may not be recorded as using it yet. Leftovers of builds and removals a crash
     * interrupted go too.
     */
    public Trimmed trim(long capBytes, Set<String> inUse, Duration idleFor)
    {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(root)) {
            for (Path child : children) {
                String name = child.getFileName().toString();
                if (COMMIT.matcher(name).matches()) {
                    entries.add(new Entry(name, child, lastUse(child), recordedSize(child)));
                }
                else if (name.startsWith(REMOVING) || (name.startsWith(BUILDING) && lastUse(child).isBefore(clock.instant().minus(idleFor)))) {
                    deleteQuietly(child);
                }
            }
        }
        catch (IOException e) {
            if (!Files.exists(root)) {
                return new Trimmed(0, 0, 0);
            }
            throw new UncheckedIOException("Cannot list the snapshots in " + root + ": " + e.getMessage(), e);
        }
        long total = entries.stream().mapToLong(Entry::bytes).sum();
        entries.sort(Comparator.comparing(Entry::lastUse));
        int removed = 0;
        long removedBytes = 0;
        Instant idleSince = clock.instant().minus(idleFor);
        for (Entry entry : entries) {
            if (total <= capBytes) {
                break;
            }
            if (inUse.contains(entry.commit())) {
                continue;
            }
            synchronized (lockOf(entry.commit())) {
                // Decided again under the lock: a preparation may have used it since the listing
                if (!lastUse(entry.dir()).isBefore(idleSince)) {
                    continue;
                }
                Path removing = root.resolve(REMOVING + entry.commit() + "-" + UUID.randomUUID());
                try {
                    // Out of sight at once, so no later preparation finds a half-deleted tree
                    Files.move(entry.dir(), removing, StandardCopyOption.ATOMIC_MOVE);
                }
                catch (IOException e) {
                    log.warn("Cannot remove snapshot {}: {}", entry.dir(), e.toString());
                    continue;
                }
                deleteQuietly(removing);
            }
            total -= entry.bytes();
            removed++;
            removedBytes += entry.bytes();
            log.info("Removed the snapshot of {} ({} bytes, last used {}): snapshots took more than {} bytes", entry.commit(), entry.bytes(),
                    entry.lastUse(), capBytes);
        }
        return new Trimmed(removed, removedBytes, total);
    }

    private Object lockOf(String commit)
    {
        return commitLocks.computeIfAbsent(commit, ignored -> new Object());
    }

    private void markUsed(Path dir)
    {
        try {
            Files.setLastModifiedTime(dir, FileTime.from(clock.instant()));
        }
        catch (IOException e) {
            // Only the order of removal suffers: the snapshot may go sooner than its use deserves
            log.warn("Cannot mark snapshot {} as used: {}", dir, e.toString());
        }
    }

    private static Instant lastUse(Path dir)
    {
        try {
            return Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).toInstant();
        }
        catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    private static long recordedSize(Path dir)
    {
        try {
            return Long.parseLong(Files.readString(dir.resolve("size")).strip());
        }
        catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** Bytes of the regular files under {@code tree}; links are counted as links, never followed. */
    private static long sizeOf(Path tree)
            throws IOException
    {
        long[] bytes = {0};
        Files.walkFileTree(tree, new SimpleFileVisitor<>()
        {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
            {
                bytes[0] += attributes.size();
                return FileVisitResult.CONTINUE;
            }
        });
        return bytes[0];
    }

    private static void deleteQuietly(Path dir)
    {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>()
            {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
                        throws IOException
                {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path directory, IOException e)
                        throws IOException
                {
                    Files.delete(directory);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        catch (IOException e) {
            log.warn("Cannot delete {}: {}", dir, e.toString());
        }
    }

    private static String requireCommit(String commit)
    {
        if (!COMMIT.matcher(requireNonNull(commit, "commit is null")).matches()) {
            throw new IllegalArgumentException("not a commit id: '" + commit + "'");
        }
        return commit;
    }

    private record Entry(String commit, Path dir, Instant lastUse, long bytes) {}
}
