package dev.berth.selftest;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.util.FileUtils;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The self-test's git repository, made from files shipped in berth's jar into a bare repository in
 * the shared dir, so the self-test needs no network and runs the way every job does: from a commit
 * berth mirrors and checks out. The commit is a root commit with a fixed author, committer and
 * time, so the same files always make the same commit: running the self-test again adds nothing,
 * and a berth whose self-test changed moves the branch to its own commit.
 */
public final class SelfTestRepository
{
    public static final String BRANCH = "main";
    public static final String ENTRYPOINT = "selftest.sh";

    private static final String RESOURCES = "/dev/berth/selftest/repo/";
    /** In git's tree order (byte order of the names, none a directory). */
    private static final List<String> FILES = List.of("README.md", "check.awk", "matmul.awk", "matrices.awk", "selftest.py", "selftest.sh");
    private static final Set<String> EXECUTABLE = Set.of(ENTRYPOINT);
    private static final PersonIdent AUTHOR = new PersonIdent("berth", "selftest@berth.invalid", Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);

    private final Path dir;

    /** The repository at {@code <shared>/selftest/repo.git}. */
    public SelfTestRepository(Path sharedDir)
    {
        this.dir = requireNonNull(sharedDir, "sharedDir is null").resolve("selftest").resolve("repo.git").toAbsolutePath().normalize();
    }

    /** What a request names to run the self-test: the repository's file URL, its branch and the commit there. */
    public record Source(String repoUri, String branch, String commit)
    {
        public Source
        {
            requireNonNull(repoUri, "repoUri is null");
            requireNonNull(branch, "branch is null");
            requireNonNull(commit, "commit is null");
        }
    }

    /**
     * Makes the repository if there is none and points its branch at the commit of this berth's files.
     * Safe to call from several processes at once (the CLI and the daemon share the dir): the repository
     * is made whole beside its place and renamed there, objects are written once by their content, and
     * the branch moves by compare-and-set.
     */
    public synchronized Source materialise()
            throws IOException
    {
        Map<String, byte[]> files = shippedFiles();
        if (!isRepository(dir)) {
            create(files);
        }
        try (Repository repository = open(dir)) {
            ObjectId commit = writeCommit(repository, files);
            pointBranchAt(repository, commit);
            return new Source(dir.toUri().toString().replaceFirst("^file:/+", "file:///"), BRANCH, commit.name());
        }
    }

    public Path dir()
    {
        return dir;
    }

    private static Map<String, byte[]> shippedFiles()
            throws IOException
    {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String name : FILES) {
            try (InputStream in = SelfTestRepository.class.getResourceAsStream(RESOURCES + name)) {
                if (in == null) {
                    throw new IllegalStateException("this berth's jar lacks its self-test file " + RESOURCES + name + "; rebuild it with mvn package");
                }
                files.put(name, in.readAllBytes());
            }
        }
        return files;
    }

    /** Makes the whole repository beside its place and renames it there, so no one ever opens a half-made one. */
    private void create(Map<String, byte[]> files)
            throws IOException
    {
        Files.createDirectories(dir.getParent());
        Path made = Files.createTempDirectory(dir.getParent(), ".repo.git.new-");
        try {
            Git.init().setBare(true).setDirectory(made.toFile()).setInitialBranch(BRANCH).call().close();
            try (Repository repository = open(made)) {
                pointBranchAt(repository, writeCommit(repository, files));
            }
            Files.move(made, dir, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (GitAPIException e) {
            throw new IOException("cannot make the self-test repository in " + dir.getParent() + ": " + e.getMessage(), e);
        }
        catch (IOException e) {
            // Another berth made it at the same moment: theirs holds the same
            if (!isRepository(dir)) {
                throw e;
            }
        }
        finally {
            if (Files.exists(made)) {
                FileUtils.delete(made.toFile(), FileUtils.RECURSIVE);
            }
        }
    }

    private static boolean isRepository(Path dir)
    {
        return Files.isRegularFile(dir.resolve(Constants.HEAD));
    }

    private static Repository open(Path dir)
            throws IOException
    {
        return new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).build();
    }

    private static ObjectId writeCommit(Repository repository, Map<String, byte[]> files)
            throws IOException
    {
        try (ObjectInserter inserter = repository.newObjectInserter()) {
            TreeFormatter tree = new TreeFormatter();
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                FileMode mode = EXECUTABLE.contains(file.getKey()) ? FileMode.EXECUTABLE_FILE : FileMode.REGULAR_FILE;
                tree.append(file.getKey(), mode, inserter.insert(Constants.OBJ_BLOB, file.getValue()));
            }
            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(inserter.insert(tree));
            commit.setAuthor(AUTHOR);
            commit.setCommitter(AUTHOR);
            commit.setMessage("berth's self-test\n");
            ObjectId id = inserter.insert(commit);
            inserter.flush();
            return id;
        }
    }

    private static void pointBranchAt(Repository repository, ObjectId commit)
            throws IOException
    {
        String branch = Constants.R_HEADS + BRANCH;
        Ref current = repository.exactRef(branch);
        if (current != null && commit.equals(current.getObjectId())) {
            return;
        }
        RefUpdate update = repository.updateRef(branch);
        update.setExpectedOldObjectId(current == null ? ObjectId.zeroId() : current.getObjectId());
        update.setNewObjectId(commit);
        // A berth with other self-test files points the branch at its own root commit
        update.setForceUpdate(true);
        RefUpdate.Result result = update.update();
        switch (result) {
            case NEW, FORCED, FAST_FORWARD, NO_CHANGE -> {}
            default -> {
                // Moved at the same moment by another berth: fine when it moved to this same commit
                Ref now = repository.exactRef(branch);
                if (now == null || !commit.equals(now.getObjectId())) {
                    throw new IOException("cannot point " + branch + " of the self-test repository " + repository.getDirectory() + " at " + commit.name()
                            + " (" + result + "); another berth may be changing it: run the self-test again");
                }
            }
        }
    }
}
