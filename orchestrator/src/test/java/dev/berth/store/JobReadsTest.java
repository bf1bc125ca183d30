package dev.berth.store;

import dev.berth.job.Claim;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.job.Lifecycle;
import dev.berth.job.Resources;
import dev.berth.repo.RepoUrl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.berth.store.StoreRequests.NOW;
import static dev.berth.store.StoreRequests.body;
import static dev.berth.store.StoreRequests.queued;
import static dev.berth.store.StoreRequests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against a real SQLite file. */
class JobReadsTest
{
    @TempDir
    Path temp;

    private JobStore store;
    private JobReads reads;
    private JobWrites writes;

    @BeforeEach
    void open()
    {
        store = JobStore.open(temp.resolve("berth.db"));
        reads = store.reads();
        writes = store.writes();
    }

    @AfterEach
    void close()
    {
        store.close();
    }

    @Test
    void findsJobsByUniquePrefix()
            throws Exception
    {
        queued(writes, "abc-1");
        queued(writes, "abc-2");
        queued(writes, "xyz");

        assertThat(reads.find("xy")).map(Job::id).contains("xyz");
        assertThat(reads.find("nothing")).isEmpty();
        assertThatThrownBy(() -> reads.find("abc")).isInstanceOf(AmbiguousJobIdException.class).hasMessageContaining("abc-1, abc-2");
    }

    @Test
    void admissionSeesTheOldestQueuedJobsOfEveryPoolInArrivalOrder()
            throws Exception
    {
        for (int i = 1; i <= 4; i++) {
            queued(writes, "spot-" + i, Optional.of("spot"));
            queued(writes, "any-" + i, Optional.empty());
        }
        queued(writes, "gpu-1", Optional.of("gpu"));
        writes.moveJob("spot-1", Lifecycle.admitted());

        // A deep queue in one pool must not hide the head of another.
        assertThat(reads.oldestQueued(2)).extracting(Claim::jobId).containsExactly("any-1", "spot-2", "any-2", "spot-3", "gpu-1");
    }

    @Test
    void claimsCarryWhatEachJobAsksOfANodeAndWhetherItWasCancelled()
            throws Exception
    {
        String body = body("big-1", Optional.of("gpu")).replace("}", ", \"resources\": {\"cpus\": 2.5, \"memory\": \"3g\", \"gpus\": 1}, \"timeout\": \"90s\"}");
        writes.insert(request(body, "big-1"), body, Optional.empty(), NOW);
        queued(writes, "small-1");
        writes.moveJob("small-1", Lifecycle.admitted());
        writes.requestCancel("small-1", NOW);

        assertThat(reads.oldestQueued(10)).singleElement().satisfies(claim -> {
            assertThat(claim.jobId()).isEqualTo("big-1");
            assertThat(claim.resources()).isEqualTo(new Resources(2.5, 3L << 30, 1));
            assertThat(claim.pool()).contains("gpu");
            assertThat(claim.timeout()).contains(Duration.ofSeconds(90));
            assertThat(claim.cancelRequested()).isFalse();
        });
        assertThat(reads.liveClaims()).singleElement().satisfies(claim -> {
            assertThat(claim.jobId()).isEqualTo("small-1");
            assertThat(claim.state()).isEqualTo(JobState.PREPARING);
            assertThat(claim.resources()).isEqualTo(new Resources(1, 1 << 30, 0));
            assertThat(claim.pool()).isEmpty();
            assertThat(claim.cancelRequested()).isTrue();
        });
    }

    @Test
    void listingsReadPageAfterPageNewestFirstAndCountWhatMatches()
            throws Exception
    {
        for (int i = 1; i <= 5; i++) {
            queued(writes, "job-" + i);
        }
        writes.requestCancel("job-2", NOW);
        writes.requestCancel("job-4", NOW);

        List<Job> first = reads.newest(Set.of(), 2);
        assertThat(first).extracting(Job::id).containsExactly("job-5", "job-4");
        assertThat(reads.newestBefore(Set.of(), first.get(1).seq(), 10)).extracting(Job::id).containsExactly("job-3", "job-2", "job-1");
        assertThat(reads.newestBefore(Set.of(JobState.QUEUED), first.get(0).seq(), 10)).extracting(Job::id).containsExactly("job-3", "job-1");
        assertThat(reads.count(Set.of())).isEqualTo(5);
        assertThat(reads.count(Set.of(JobState.CANCELLED))).isEqualTo(2);
        assertThat(reads.count(Set.of(JobState.QUEUED, JobState.CANCELLED))).isEqualTo(5);
        assertThat(reads.count(Set.of(JobState.RUNNING))).isZero();
    }

    @Test
    void aFilteredListingMatchesNamesRepositoriesAndUsersWholeAndPagesBothWays()
            throws Exception
    {
        stored("a", "train_lr", "https://github.com/org/vision", "alice");
        stored("b", "trainXlr", "https://github.com/org/vision", "bob");
        stored("c", "train_lr", "https://github.com/org/vision", "bob");
        stored("d", "train_lr-big", "https://github.com/org/text", "alice");
        stored("e", "train_lr", "https://github.com/org/vision", "alice");
        writes.requestCancel("e", NOW);

        JobFilter byName = new JobFilter(Set.of(), Optional.of("train_lr"), Optional.empty(), Optional.empty());
        assertThat(reads.newestMatching(byName, Long.MAX_VALUE, 10)).as("_ is no wildcard, and a name is compared whole")
                .extracting(Job::id).containsExactly("e", "c", "a");
        assertThat(reads.newestMatching(new JobFilter(Set.of(), Optional.of("%"), Optional.empty(), Optional.empty()), Long.MAX_VALUE, 10)).as("nor is %").isEmpty();
        JobFilter queuedInVision = new JobFilter(Set.of(JobState.QUEUED), Optional.empty(), Optional.of(repo("https://github.com/org/vision")), Optional.empty());
        List<Job> first = reads.newestMatching(queuedInVision, Long.MAX_VALUE, 2);
        assertThat(first).extracting(Job::id).containsExactly("c", "b");
        List<Job> second = reads.newestMatching(queuedInVision, first.get(1).seq(), 2);
        assertThat(second).extracting(Job::id).containsExactly("a");
        assertThat(reads.oldestMatching(queuedInVision, second.get(0).seq(), 2)).as("back to the page before")
                .extracting(Job::id).containsExactly("b", "c");
        JobFilter alicesTraining = new JobFilter(Set.of(JobState.QUEUED), Optional.of("train_lr"), Optional.empty(), Optional.of("alice"));
        assertThat(reads.newestMatching(alicesTraining, Long.MAX_VALUE, 10)).as("several conditions: only the jobs that pass all")
                .extracting(Job::id).containsExactly("a");
        assertThat(reads.oldestMatching(alicesTraining, 0, 10)).extracting(Job::id).containsExactly("a");
        assertThat(reads.newestMatching(JobFilter.ALL, Long.MAX_VALUE, 10)).hasSize(5);
    }

    @Test
    void theChangeMarkerMovesWithEveryWriteOfThisStoreOrAnother()
            throws Exception
    {
        queued(writes, "job-1");
        long before = reads.changeMarker();
        assertThat(reads.changeMarker()).as("reads change nothing").isEqualTo(before);

        writes.moveJob("job-1", Lifecycle.admitted());
        long afterOwnWrite = reads.changeMarker();
        assertThat(afterOwnWrite).isNotEqualTo(before);

        try (JobStore cli = JobStore.open(temp.resolve("berth.db"))) {
            cli.writes().requestCancel("job-1", NOW);
        }
        assertThat(reads.changeMarker()).as("a cancel written by the CLI's own connection").isNotEqualTo(afterOwnWrite);
    }

    private void stored(String id, String name, String repo, String user)
            throws Exception
    {
        String body = "{\"repo_uri\": \"" + repo + "\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"name\": \"" + name
                + "\", \"user\": \"" + user + "\"}";
        writes.insert(request(body, id), body, Optional.empty(), NOW);
    }

    /** A repository as the store keeps it. */
    private static String repo(String uri)
    {
        return RepoUrl.parse(uri).toString();
    }
}
