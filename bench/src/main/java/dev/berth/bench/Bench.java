package dev.berth.bench;

import dev.berth.testing.GitRepos;
import dev.berth.testing.SwarmTestbed;
import org.eclipse.jgit.api.errors.GitAPIException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What every scenario runs against: the test bed, a work dir, the berth jar a user would run, and
 * optionally the classpath of an earlier build to measure beside this one.
 *
 * @param quick small counts, to check that the harness works rather than to measure
 */
record Bench(Path work, SwarmTestbed testbed, RawSwarm raw, Path projectRoot, Path berthJar, Optional<String> beforeClasspath, boolean quick)
{
    Bench
    {
        requireNonNull(work, "work is null");
        requireNonNull(testbed, "testbed is null");
        requireNonNull(raw, "raw is null");
        requireNonNull(projectRoot, "projectRoot is null");
        requireNonNull(berthJar, "berthJar is null");
        requireNonNull(beforeClasspath, "beforeClasspath is null");
    }

    int size(int full, int quickSize)
    {
        return quick ? quickSize : full;
    }

    /** A small repository holding the no-op job and the busy one, in {@code dir}. */
    static GitRepos noOpRepository(Path dir)
            throws IOException, GitAPIException
    {
        GitRepos repo = GitRepos.create(dir);
        repo.commit(Map.of(Requests.NO_OP_ENTRYPOINT, Requests.NO_OP_SCRIPT, Requests.BUSY_ENTRYPOINT, Requests.BUSY_SCRIPT));
        return repo;
    }
}
