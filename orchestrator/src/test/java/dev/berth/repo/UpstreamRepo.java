package dev.berth.repo;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand.ResetType;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;

import java.io.IOException;
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
