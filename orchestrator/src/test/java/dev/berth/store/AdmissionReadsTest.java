package dev.berth.store;

import dev.berth.fairshare.UsageLedger;
import dev.berth.job.AttemptEnd;
import dev.berth.job.AttemptOutcome;
import dev.berth.job.AttemptState;
import dev.berth.job.Cause;
import dev.berth.job.Claim;
import dev.berth.job.Lifecycle;
import dev.berth.job.Resources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.berth.store.StoreRequests.NOW;
import static dev.berth.store.StoreRequests.request;
import static org.assertj.core.api.Assertions.assertThat;

/** Against a real SQLite file. */
class AdmissionReadsTest
{
    @TempDir
    Path temp;

    private JobStore store;
    private AdmissionReads reads;
    private JobWrites writes;

    @BeforeEach
    void open()
    {
        store = JobStore.open(temp.resolve("berth.db"));
        reads = store.admission();
        writes = store.writes();
    }

    @AfterEach
    void close()
    {
        store.close();
    }

    @Test
    void readsEachUsersQueuedJobsOfAPoolInLineByPriorityThenArrival()
            throws Exception
    {
        queued("ada-low", "ada", -1, Optional.empty());
        queued("bob-1", "bob", 0, Optional.empty());
        queued("ada-1", "ada", 0, Optional.empty());
        queued("ada-high", "ada", 3, Optional.empty());
        queued("ada-2", "ada", 0, Optional.empty());
        queued("ada-gpu", "ada", 9, Optional.of("gpu"));
        queued("cy-spot", "cy", 0, Optional.of("spot"));
        queued("admitted", "ada", 99, Optional.empty());
        writes.moveJob("admitted", Lifecycle.admitted());

        assertThat(reads.pools()).containsExactly(Optional.empty(), Optional.of("gpu"), Optional.of("spot"));
        assertThat(reads.users(Optional.empty())).containsExactly("ada", "bob");
        assertThat(reads.users(Optional.of("spot"))).containsExactly("cy");
        assertThat(reads.firstOf(Optional.empty(), List.of("bob", "nobody"))).extracting(Claim::jobId).containsExactly("bob-1");
        assertThat(reads.firstOf(Optional.empty(), List.of("bob", "ada"))).extracting(Claim::jobId).containsExactlyInAnyOrder("bob-1", "ada-high");
        List<Claim> firsts = reads.firstOf(Optional.empty(), List.of("ada"));
        assertThat(firsts.get(0)).satisfies(claim -> {
            assertThat(claim.user()).isEqualTo("ada");
            assertThat(claim.priority()).isEqualTo(3);
        });
        Claim adaHigh = firsts.get(0);
        Claim bob = reads.firstOf(Optional.empty(), List.of("bob")).get(0);
        Claim ada1 = reads.nextOf(Optional.empty(), List.of(adaHigh)).get(0);
        assertThat(ada1.jobId()).isEqualTo("ada-1");
        Claim ada2 = reads.nextOf(Optional.empty(), List.of(ada1)).get(0);
        assertThat(reads.nextOf(Optional.empty(), List.of(ada2, bob))).extracting(Claim::jobId).as("bob has no more").containsExactly("ada-low");
        assertThat(reads.firstOf(Optional.of("gpu"), List.of("ada"))).extracting(Claim::jobId).containsExactly("ada-gpu");
    }

    @Test
    void readsTheUseOfAttemptsThatEndedSinceUnderTheirJobsUser()
            throws Exception
    {
        queued("old", "ada", 0, Optional.empty());
        queued("recent", "bob", 0, Optional.empty());
        queued("never-started", "bob", 0, Optional.empty());
        ranAndEnded("old", NOW.minus(Duration.ofDays(30)), NOW.minus(Duration.ofDays(29)));
        ranAndEnded("recent", NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(1)));
        writes.moveJob("never-started", Lifecycle.admitted());
        writes.recordAttempt("never-started", 1, "berth-never-started-1", NOW);
        writes.finishAttempt("never-started", 1, new AttemptEnd(new AttemptOutcome(AttemptState.INTERRUPTED, Optional.of(Cause.INFRA), "interrupted: lost",
                Optional.empty()), Optional.empty(), Optional.empty(), NOW), JobEnded.NOTHING);

        assertThat(reads.usesEndedSince(NOW.minus(Duration.ofDays(7)))).singleElement().satisfies(use -> {
            assertThat(use.user()).isEqualTo("bob");
            assertThat(use.resources()).isEqualTo(new Resources(1, 1L << 30, 0));
            assertThat(use.startedAt()).isEqualTo(NOW.minus(Duration.ofHours(2)));
            assertThat(use.endedAt()).isEqualTo(NOW.minus(Duration.ofHours(1)));
        });
    }

    @Test
    void keepsTheDaemonsCopyOfEachUsersUseAndReplacesItWhole()
    {
        writes.recordUsage("ada", new UsageLedger.Used(2.5, NOW));
        writes.recordUsage("ada", new UsageLedger.Used(3.5, NOW.plusSeconds(60)));
        writes.recordUsage("bob", new UsageLedger.Used(1, NOW));
        assertThat(reads.storedUsage()).isEqualTo(Map.of("ada", new UsageLedger.Used(3.5, NOW.plusSeconds(60)), "bob", new UsageLedger.Used(1, NOW)));

        writes.replaceUsage(Map.of("cy", new UsageLedger.Used(7, NOW)));
        assertThat(reads.storedUsage()).isEqualTo(Map.of("cy", new UsageLedger.Used(7, NOW)));
    }

    private void queued(String id, String user, int priority, Optional<String> pool)
            throws Exception
    {
        String body = "{\"repo_uri\": \"https://github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"job_id\": \"" + id + "\","
                + " \"user\": \"" + user + "\", \"priority\": " + priority + pool.map(name -> ", \"pool\": \"" + name + "\"").orElse("") + "}";
        writes.insert(request(body, id), body, Optional.empty(), NOW);
    }

    private void ranAndEnded(String id, Instant started, Instant ended)
    {
        writes.moveJob(id, Lifecycle.admitted());
        writes.recordAttempt(id, 1, "berth-" + id + "-1", started);
        writes.attemptSubmitted(id, 1);
        writes.attemptRunning(id, 1, "worker-1", started);
        writes.finishAttempt(id, 1, new AttemptEnd(Lifecycle.succeeded(), Optional.empty(), Optional.empty(), ended), JobEnded.NOTHING);
    }
}
