package dev.berth.repo;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand.ResetType;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static java.util.Objects.requireNonNull;

/** A real git repository on disk playing the remote, with commits made through JGit. */
final class UpstreamRepo
        implements AutoCloseable
{
    private static final PersonIdent AUTHOR = new PersonIdent("Upstream Author", "author@example.com");

    private final Path dir;
    private final Git git;

    private UpstreamRepo(Path dir, Git git)
    {
        this.dir = requireNonNull(dir, "dir is null");
        this.git = requireNonNull(git, "git is null");
    }

    static UpstreamRepo create(Path dir)
            throws GitAPIException
    {
        return new UpstreamRepo(dir, Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call());
    }

    Path dir()
    {
        return dir;
    }

    RepoUrl fileUrl()
    {
        return RepoUrl.parse("file://" + dir.toAbsolutePath());
    }

    /** Writes a file (executable when asked) and commits it on the current branch; returns the commit SHA. */
    String commit(String path, String content, boolean executable)
            throws IOException, GitAPIException
    {
        Path file = dir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
        git.add().addFilepattern(path).call();
        return git.commit().setMessage("change " + path).setAuthor(AUTHOR).setCommitter(AUTHOR).call().name();
    }

    /** Writes {@code count} small files under {@code directory} and commits them at once; returns the commit SHA. */
    String commitFiles(String directory, int count)
            throws IOException, GitAPIException
    {
        Files.createDirectories(dir.resolve(directory));
        for (int i = 0; i < count; i++) {
            Files.writeString(dir.resolve(directory).resolve("file-" + i + ".txt"), "file " + i + "\n");
        }
        git.add().addFilepattern(directory).call();
        return git.commit().setMessage("add " + count + " files under " + directory).setAuthor(AUTHOR).setCommitter(AUTHOR).call().name();
    }

    /** Commits a symbolic link at {@code path} pointing to {@code target}. */
    String commitSymlink(String path, String target)
            throws IOException, GitAPIException
    {
        Files.createSymbolicLink(dir.resolve(path), Path.of(target));
        git.add().addFilepattern(path).call();
        return git.commit().setMessage("link " + path).setAuthor(AUTHOR).setCommitter(AUTHOR).call().name();
    }

    /**
     * Commits, on top of the branch, a tree no git client would make: one entry named {@code name}
     * holding a file. Only a hostile or broken server offers such trees.
     */
    String commitRawEntry(String name, String content)
            throws IOException, GitAPIException
    {
        Repository repository = git.getRepository();
        try (ObjectInserter inserter = repository.newObjectInserter()) {
            TreeFormatter tree = new TreeFormatter();
            tree.append(name, FileMode.REGULAR_FILE, inserter.insert(Constants.OBJ_BLOB, content.getBytes(StandardCharsets.UTF_8)));
            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(inserter.insert(tree));
            commit.setParentId(repository.resolve(Constants.HEAD));
            commit.setAuthor(AUTHOR);
            commit.setCommitter(AUTHOR);
            commit.setMessage("raw " + name);
            ObjectId id = inserter.insert(commit);
            inserter.flush();
            RefUpdate update = repository.updateRef(Constants.HEAD);
            update.setNewObjectId(id);
            update.forceUpdate();
            return id.name();
        }
    }

    void createBranch(String name)
            throws GitAPIException
    {
        git.checkout().setCreateBranch(true).setName(name).call();
    }

    void switchTo(String name)
            throws GitAPIException
    {
        git.checkout().setName(name).call();
    }

    /** Moves the current branch back to {@code commit}, as a force-push that drops later commits would. */
    void resetHard(String commit)
            throws GitAPIException
    {
        git.reset().setMode(ResetType.HARD).setRef(commit).call();
    }

    void deleteBranch(String name)
            throws GitAPIException
    {
        git.branchDelete().setBranchNames(name).setForce(true).call();
    }

    @Override
    public void close()
    {
        git.close();
    }
}
