package dev.berth.repo;

import dev.berth.config.GitCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static java.util.stream.Collectors.toSet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Closing the repositories stops their threads, and nothing checks out after it. A local repository, no network. */
class RepositoriesCloseTest
{
    private static final String CLOSED = "repositories are closed: berth is stopping and checks nothing out any more";

    @TempDir
    Path temp;

    @Test
    void closeStopsTheListingAndCheckoutThreads()
            throws Exception
    {
        Set<Thread> before = repositoryThreads();
        Repositories repositories = new Repositories(temp.resolve("mirrors"), GitCredentials.none());
        try (UpstreamRepo upstream = UpstreamRepo.create(temp.resolve("upstream"))) {
            // Enough files that the tree is written on the checkout threads rather than the caller's
            upstream.commitFiles("data", 70);
            repositories.checkout(upstream.fileUrl(), "main", temp.resolve("work"));
        }
        Set<Thread> started = repositoryThreads();
        started.removeAll(before);
        assertThat(started).extracting(Thread::getName).contains("berth-git-remote", "berth-checkout");

        repositories.close();

        for (Thread thread : started) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(started).noneMatch(Thread::isAlive);
    }

    @Test
    void callsAfterCloseFailSayingSo()
            throws Exception
    {
        Repositories repositories = new Repositories(temp.resolve("mirrors"), GitCredentials.none());
        String commit;
        RepoUrl url;
        try (UpstreamRepo upstream = UpstreamRepo.create(temp.resolve("upstream"))) {
            upstream.commit("a.txt", "a", false);
            url = upstream.fileUrl();
            commit = repositories.checkout(url, "main", temp.resolve("work1")).commit();
        }

        repositories.close();
        // A second close is harmless: the daemon's wiring may close on a failed start and again on stop
        repositories.close();

        assertThatThrownBy(() -> repositories.checkout(url, "main", temp.resolve("work2")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(CLOSED);
        assertThatThrownBy(() -> repositories.checkoutCommit(url, commit, temp.resolve("work3")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(CLOSED);
        assertThatThrownBy(() -> repositories.updateMirror(url, "main"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(CLOSED);
        assertThat(temp.resolve("work2")).doesNotExist();
        assertThat(temp.resolve("work3")).doesNotExist();
    }

    private static Set<Thread> repositoryThreads()
    {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("berth-git-remote") || thread.getName().equals("berth-checkout"))
                .collect(toSet());
    }
}
