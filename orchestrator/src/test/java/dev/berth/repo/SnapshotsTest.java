package dev.berth.repo;

import dev.berth.config.GitCredentials;
import dev.berth.testing.TestingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Snapshots of real git repositories on disk, reached through file:// URLs. */
class SnapshotsTest
{
    private static final Duration RECENT = Duration.ofHours(1);

    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(Instant.parse("2026-12-01T10:00:00Z"));
    private UpstreamRepo upstream;
    private Repositories repositories;
    private Snapshots snapshots;
    private Path root;

    @BeforeEach
    void setUp()
            throws Exception
    {
        upstream = UpstreamRepo.create(temp.resolve("upstream/project"));
        repositories = new Repositories(temp.resolve("mirrors"), GitCredentials.none());
        root = temp.resolve("snapshots");
        snapshots = new Snapshots(root, repositories, clock);
    }

    @AfterEach
    void tearDown()
    {
        repositories.close();
        upstream.close();
    }

    @Test
    void aCommitIsBuiltOnceAndEveryLaterUseSharesIt()
            throws Exception
    {
        upstream.commit("README.md", "hello\n", false);
        String commit = upstream.commit("bin/run.sh", "#!/bin/sh\necho run\n", true);

        Snapshots.Snapshot first = snapshots.ofBranch(upstream.fileUrl(), "main", clock.instant());
        Snapshots.Snapshot second = snapshots.ofCommit(upstream.fileUrl(), commit);

        assertThat(first).isEqualTo(new Snapshots.Snapshot(commit, root.resolve(commit).resolve("tree"), true));
        assertThat(second).isEqualTo(new Snapshots.Snapshot(commit, first.tree(), false));
        assertThat(first.tree().resolve("bin/run.sh")).isExecutable().hasContent("#!/bin/sh\necho run");
        // The job's git works against the commit, borrowing the mirror's objects
        assertThat(GitCli.run(first.tree(), "rev-parse", "HEAD")).isEqualTo(commit);
        assertThat(GitCli.run(first.tree(), "status", "--porcelain")).isEmpty();
        assertThat(GitCli.run(first.tree(), "log", "--format=%s")).isEqualTo("change bin/run.sh\nchange README.md");
        assertThat(entriesOf(root)).containsExactly(commit);
    }

    @Test
    void symbolicLinksStayLinksAndAreNeverFollowed()
            throws Exception
    {
        upstream.commit("data/config.yaml", "lr: 0.01\n", false);
        upstream.commitSymlink("config.yaml", "data/config.yaml");
        String commit = upstream.commitSymlink("escape", "/etc");

        Path tree = snapshots.ofBranch(upstream.fileUrl(), "main", clock.instant()).tree();

        assertThat(Files.readSymbolicLink(tree.resolve("config.yaml"))).isEqualTo(Path.of("data/config.yaml"));
        assertThat(Files.readSymbolicLink(tree.resolve("escape"))).isEqualTo(Path.of("/etc"));
        // Counted as the links they are: /etc's files are not the snapshot's
        long size = Long.parseLong(Files.readString(root.resolve(commit).resolve("size")).strip());
        assertThat(size).isLessThan(64 * 1024);
        assertThat(GitCli.run(tree, "status", "--porcelain")).isEmpty();
    }

    @Test
    void jobsOfOneCommitPreparedTogetherBuildItOnce()
            throws Exception
    {
        String commit = upstream.commitFiles("src", 200);
        repositories.updateMirror(upstream.fileUrl(), "main");
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            Callable<Snapshots.Snapshot> prepare = () -> snapshots.ofCommit(upstream.fileUrl(), commit);
            List<Future<Snapshots.Snapshot>> results = threads.invokeAll(List.of(prepare, prepare, prepare, prepare));
            long built = 0;
            for (Future<Snapshots.Snapshot> result : results) {
                built += result.get().built() ? 1 : 0;
            }
            assertThat(built).isEqualTo(1);
        }
        finally {
            threads.shutdownNow();
        }
        assertThat(entriesOf(root)).containsExactly(commit);
    }

    @Test
    void aBuildACrashInterruptedIsNeverUsedAndIsCleanedUp()
            throws Exception
    {
        String commit = upstream.commit("run.sh", "#!/bin/sh\necho one\n", true);
        repositories.updateMirror(upstream.fileUrl(), "main");
        // What a crash halfway through a build leaves: a tree under a temporary name, missing files
        Path leftover = Files.createDirectories(root.resolve(".building-" + commit + "-0000").resolve("tree"));

        Snapshots.Snapshot snapshot = snapshots.ofCommit(upstream.fileUrl(), commit);
        assertThat(snapshot.built()).isTrue();
        assertThat(snapshot.tree().resolve("run.sh")).hasContent("#!/bin/sh\necho one");

        Files.setLastModifiedTime(leftover.getParent(), java.nio.file.attribute.FileTime.from(clock.instant().minus(RECENT.multipliedBy(2))));
        snapshots.trim(Long.MAX_VALUE, Set.of(), RECENT);
        assertThat(entriesOf(root)).containsExactly(commit);
    }

    @Test
    void trimRemovesTheLeastRecentlyUsedFirstAndNeverOneInUse()
            throws Exception
    {
        String inUse = snapshotOf("a.txt");
        String older = snapshotOf("b.txt");
        String newer = snapshotOf("c.txt");
        String reused = snapshotOf("d.txt");
        clock.advance(Duration.ofMinutes(1));
        snapshots.ofCommit(upstream.fileUrl(), reused);
        clock.advance(RECENT.plusMinutes(1));
        long one = Long.parseLong(Files.readString(root.resolve(newer).resolve("size")).strip());

        // Room for two: the one in use stays although it is the oldest, then the most recently used
        Snapshots.Trimmed trimmed = snapshots.trim(one * 2, Set.of(inUse), RECENT);

        assertThat(entriesOf(root)).containsExactlyInAnyOrder(inUse, reused);
        assertThat(trimmed.removed()).isEqualTo(2);
        assertThat(trimmed.keptBytes()).isLessThanOrEqualTo(one * 2);
    }

    @Test
    void aSnapshotUsedRecentlyStaysEvenOverTheCap()
            throws Exception
    {
        String commit = snapshotOf("a.txt");
        clock.advance(RECENT.minusMinutes(1));

        assertThat(snapshots.trim(0, Set.of(), RECENT).removed()).isZero();
        assertThat(entriesOf(root)).containsExactly(commit);

        clock.advance(Duration.ofMinutes(2));
        assertThat(snapshots.trim(0, Set.of(), RECENT).removed()).isEqualTo(1);
        assertThat(entriesOf(root)).isEmpty();
        // Built again by the next job of the commit
        assertThat(snapshots.ofCommit(upstream.fileUrl(), commit).built()).isTrue();
    }

    @Test
    void refusesWhatIsNotACommitId()
    {
        assertThatThrownBy(() -> snapshots.ofCommit(upstream.fileUrl(), "../../etc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a commit id: '../../etc'");
    }

    /** A new commit's snapshot, each one minute after the one before. */
    private String snapshotOf(String file)
            throws Exception
    {
        clock.advance(Duration.ofMinutes(1));
        String commit = upstream.commit(file, file + " ".repeat(4096) + "\n", false);
        repositories.updateMirror(upstream.fileUrl(), "main");
        return snapshots.ofCommit(upstream.fileUrl(), commit).commit();
    }

    private static List<String> entriesOf(Path dir)
            throws Exception
    {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(entry -> entry.getFileName().toString()).toList();
        }
    }
}
