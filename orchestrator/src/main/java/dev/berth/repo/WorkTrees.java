package dev.berth.repo;

import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dev.berth.repo.RepoException.Kind.CORRUPT_MIRROR;
import static java.util.Objects.requireNonNull;

/**
 * Checks out one exact commit into a job's own directory, a repository of its own that borrows the
 * mirror's objects through git alternates instead of copying them.
 */
final class WorkTrees
{
    private final TreeWriter treeWriter;

    WorkTrees(TreeWriter treeWriter)
    {
        this.treeWriter = requireNonNull(treeWriter, "treeWriter is null");
    }

    /** @throws IllegalArgumentException if {@code workDir} exists and is not empty */
    static void requireEmptyOrAbsent(Path workDir)
    {
        if (!Files.exists(workDir)) {
            return;
        }
        try (Stream<Path> entries = Files.list(workDir)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalArgumentException("checkout directory " + workDir + " is not empty");
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read checkout directory " + workDir, e);
        }
    }

    /** Writes {@code commit} of {@code url}, which {@code mirror} holds, into {@code workDir} with HEAD detached at it. */
    void checkOut(RepoUrl url, Path mirror, ObjectId commit, Path workDir)
            throws RepoException
    {
        Path gitDir = workDir.resolve(Constants.DOT_GIT);
        try {
            writeGitDir(gitDir, mirror, commit);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot create checkout directory " + workDir + ": " + e.getMessage(), e);
        }
        try (Repository repository = new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setWorkTree(workDir.toFile()).setMustExist(true).build();
                RevWalk walk = new RevWalk(repository)) {
            treeWriter.write(repository, walk.parseCommit(commit).getTree(), workDir);
        }
        catch (MissingObjectException e) {
            throw new RepoException(CORRUPT_MIRROR, "mirror of " + url + " at " + mirror + " lacks object " + e.getObjectId().name()
                    + " of commit " + commit.name(), e);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot check out " + commit.name() + " of " + url + " into " + workDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The job's own repository as git lays one out (gitrepository-layout): HEAD detached at the commit,
     * objects borrowed from the mirror instead of copied. Its few small files are written directly:
     * {@code git init} through JGit probes the file system, saves its config under a lock and logs the
     * HEAD update, milliseconds of every job's preparation for the same few bytes.
     */
    private static void writeGitDir(Path gitDir, Path mirror, ObjectId commit)
            throws IOException
    {
        // The absolute path also holds inside the job's container, which mounts the mirrors at the same path
        Path info = Files.createDirectories(gitDir.resolve("objects").resolve("info"));
        Files.writeString(info.resolve("alternates"), mirror.resolve("objects").toAbsolutePath() + "\n");
        Files.createDirectories(gitDir.resolve("refs").resolve("heads"));
        Files.createDirectories(gitDir.resolve("refs").resolve("tags"));
        Files.writeString(gitDir.resolve("config"), "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n");
        Files.writeString(gitDir.resolve(Constants.HEAD), commit.name() + "\n");
    }
}
