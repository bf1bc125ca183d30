package dev.berth.bench;

import dev.berth.config.GitCredentials;
import dev.berth.repo.RepoUrl;
import dev.berth.repo.Repositories;
import dev.berth.repo.Snapshots;
import dev.berth.rundir.RunDirs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The sweep scenario's preparation timing, in a JVM of its own as {@link RepositoryProbe} is, over the classes
 * berth serve prepares with. The first preparation of a commit (its snapshot, into an empty snapshots dir),
 * beside the git CLI's checkout of it and berth's full checkout of before, each round; then the preparation
 * of an attempt of a commit already prepared (the snapshot found, the attempt's overlay dirs made), many times.
 * Prints one line per measurement.
 * <p>
 * Arguments: mirrors-root url branch git-mirror work-root rounds attempts
 */
public final class SnapshotProbe
{
    private SnapshotProbe() {}

    public static void main(String[] args)
            throws Exception
    {
        Path mirrors = Path.of(args[0]);
        RepoUrl url = RepoUrl.parse(args[1]);
        String branch = args[2];
        Path gitMirror = Path.of(args[3]);
        Path work = Path.of(args[4]);
        int rounds = Integer.parseInt(args[5]);
        int attempts = Integer.parseInt(args[6]);

        Repositories repositories = new Repositories(mirrors, GitCredentials.none());
        String commit = repositories.updateMirror(url, branch).commit();
        // Untimed, as berth serve has written trees before a sweep comes: the checkout's code is compiled
        new Snapshots(work.resolve("snapshots-warm-up"), repositories, Clock.systemUTC()).ofCommit(url, commit);
        for (int round = 1; round <= rounds; round++) {
            Path snapshotsDir = work.resolve("snapshots-" + round);
            Snapshots snapshots = new Snapshots(snapshotsDir, repositories, Clock.systemUTC());
            long start = System.nanoTime();
            if (!snapshots.ofCommit(url, commit).built()) {
                throw new IllegalStateException("the snapshot in the empty " + snapshotsDir + " was found, not built");
            }
            print("snapshot-first", start);

            Path gitDir = work.resolve("git-" + round);
            start = System.nanoTime();
            GeneratedRepository.git(work, "clone", "-q", "--shared", "--no-checkout", gitMirror.toString(), gitDir.toString());
            GeneratedRepository.git(gitDir, "checkout", "-q", "--detach", commit);
            print("git-checkout", start);

            Path fullDir = work.resolve("full-" + round);
            start = System.nanoTime();
            repositories.checkoutCommit(url, commit, fullDir);
            print("full-checkout", start);

            delete(snapshotsDir);
            delete(gitDir);
            delete(fullDir);
        }

        Snapshots snapshots = new Snapshots(work.resolve("snapshots"), repositories, Clock.systemUTC());
        snapshots.ofCommit(url, commit);
        RunDirs runDirs = new RunDirs(work.resolve("runs"));
        for (int attempt = 1; attempt <= attempts; attempt++) {
            // Made before, as berth serve makes it with the attempt's log files before it prepares the commit
            Path attemptDir = Files.createDirectories(RunDirs.attemptDir(work.resolve("runs").resolve("job-" + attempt), 1));
            long start = System.nanoTime();
            if (snapshots.ofCommit(url, commit).built()) {
                throw new IllegalStateException("the snapshot of " + commit + " was built again");
            }
            runDirs.prepareOverlay(attemptDir);
            print("snapshot-again", start);
        }
        repositories.close();
    }

    private static void print(String figure, long startNanos)
    {
        System.out.println(figure + " " + (System.nanoTime() - startNanos) / 1e6);
    }

    private static void delete(Path dir)
            throws IOException, InterruptedException
    {
        Process process = new ProcessBuilder("rm", "-rf", dir.toString()).start();
        if (process.waitFor() != 0) {
            throw new IOException("cannot remove " + dir);
        }
    }
}
