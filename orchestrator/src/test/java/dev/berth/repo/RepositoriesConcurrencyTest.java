package dev.berth.repo;

import dev.berth.config.GitCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Jobs of one repository checking out at the same moment, against real repositories on disk. */
class RepositoriesConcurrencyTest
{
    @TempDir
    Path temp;

    @Test
    void simultaneousCheckoutsOfOneNewCommitFetchOnce()
            throws Exception
    {
        Repositories repositories = new Repositories(temp.resolve("mirrors"), GitCredentials.none());
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try (UpstreamRepo upstream = UpstreamRepo.create(temp.resolve("upstream"))) {
            // Cold: the mirror does not exist yet, both jobs race to create it
            String first = upstream.commit("a.txt", "one", false);
            assertThat(checkoutTogether(executor, repositories, upstream.fileUrl(), "cold"))
                    .extracting(Checkout::commit).containsOnly(first);

            // Warm mirror, new commit upstream
            String second = upstream.commit("a.txt", "two", false);
            List<Checkout> checkouts = checkoutTogether(executor, repositories, upstream.fileUrl(), "warm");
            assertThat(checkouts).extracting(Checkout::commit).containsOnly(second);
            assertThat(temp.resolve("warm-0/a.txt")).hasContent("two");
            assertThat(temp.resolve("warm-1/a.txt")).hasContent("two");
        }
        finally {
            executor.shutdownNow();
            repositories.close();
        }
    }

    private List<Checkout> checkoutTogether(ExecutorService executor, Repositories repositories, RepoUrl url, String prefix)
            throws Exception
    {
        CountDownLatch ready = new CountDownLatch(2);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Checkout>> futures = List.of(0, 1).stream()
                .map(i -> executor.submit(() -> {
                    ready.countDown();
                    go.await();
                    return repositories.checkout(url, "main", temp.resolve(prefix + "-" + i));
                }))
                .toList();
        assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
        go.countDown();
        List<Checkout> checkouts = List.of(futures.get(0).get(30, TimeUnit.SECONDS), futures.get(1).get(30, TimeUnit.SECONDS));
        assertThat(checkouts).filteredOn(Checkout::fetched).hasSize(1);
        return checkouts;
    }
}
