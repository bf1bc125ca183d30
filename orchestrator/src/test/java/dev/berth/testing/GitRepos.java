package dev.berth.testing;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/** A real git repository on disk that tests commit job scripts to. Scripts ending in .sh are made executable. */
public final class GitRepos
        implements AutoCloseable
{
    private final Path dir;
    private final Git git;

    private GitRepos(Path dir, Git git)
    {
        this.dir = dir;
        this.git = git;
    }

    public static GitRepos create(Path dir)
            throws GitAPIException
    {
        return new GitRepos(dir, Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call());
    }

    /** Writes the files and commits them; returns the commit id. */
    public String commit(Map<String, String> files)
            throws IOException, GitAPIException
    {
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = dir.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
            if (file.getKey().endsWith(".sh")) {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        git.add().addFilepattern(".").call();
        PersonIdent author = new PersonIdent("berth tests", "tests@berth.invalid");
        return git.commit().setMessage("Change " + files.keySet()).setAuthor(author).setCommitter(author).call().getName();
    }

    public Path dir()
    {
        return dir;
    }

    public String fileUrl()
    {
        return dir.toUri().toString().replaceFirst("^file:/+", "file:///");
    }

    @Override
    public void close()
    {
        git.close();
    }
}
