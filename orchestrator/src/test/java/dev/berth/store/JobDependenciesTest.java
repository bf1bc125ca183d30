package dev.berth.store;

import dev.berth.job.AttemptOutcome;
import dev.berth.job.Dependency;
import dev.berth.job.DependencyState;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.job.Lifecycle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static dev.berth.store.StoreRequests.NOW;
import static dev.berth.store.StoreRequests.body;
import static dev.berth.store.StoreRequests.queued;
import static dev.berth.store.StoreRequests.request;
import static org.assertj.core.api.Assertions.assertThat;

/** Jobs waiting for others, against a real SQLite file: stored, then settled in the transaction of each end. */
class JobDependenciesTest
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
    void aJobWithLiveDependenciesIsStoredWaitingOutOfAdmissionsLineWithWhatItWaitsFor()
            throws Exception
    {
        queued(writes, "a");
        queued(writes, "b");
        insert("c", "\"after\": [\"a\"], \"after_any\": [\"b\"]");

        Job waiting = reads.job("c").orElseThrow();
        assertThat(waiting.state()).isEqualTo(JobState.WAITING);
        assertThat(waiting.spec().dependencies()).containsExactly(new Dependency("a", Dependency.Kind.AFTER), new Dependency("b", Dependency.Kind.AFTER_ANY));
        assertThat(reads.dependencies("c")).containsExactly(
                new DependencyState(new Dependency("a", Dependency.Kind.AFTER), Optional.of(JobState.QUEUED)),
                new DependencyState(new Dependency("b", Dependency.Kind.AFTER_ANY), Optional.of(JobState.QUEUED)));
        assertThat(inLine()).containsExactly("a", "b");
    }

    @Test
    void aWaitingJobIsQueuedInItsOwnPlaceInLineWhenItsLastDependencyEnds()
            throws Exception
    {
        queued(writes, "a");
        queued(writes, "b");
        insert("c", "\"after\": [\"a\"], \"after_any\": [\"b\"]");
        queued(writes, "d");

        succeed("a");
        assertThat(reads.job("c").orElseThrow().state()).as("b has not ended").isEqualTo(JobState.WAITING);

        writes.endJob("b", Lifecycle.neverFits("too big"), NOW, JobEnded.NOTHING);

        assertThat(reads.job("c").orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(inLine()).as("received before d, so before d in line").containsExactly("c", "d");
    }

    @Test
    void aFailureCancelsTheJobsAfterItAndThoseAfterThemOnceEachInTheSameTransaction()
            throws Exception
    {
        queued(writes, "a");
        insert("b", "\"after\": [\"a\"]");
        insert("c", "\"after\": [\"a\"]");
        insert("d", "\"after\": [\"b\", \"c\"]");
        insert("e", "\"after_any\": [\"b\", \"c\"]");

        fail("a");

        for (String id : List.of("b", "c")) {
            assertThat(reads.job(id).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
            assertThat(reads.job(id).orElseThrow().reason()).contains("dependency a failed: it ended FAILED");
        }
        assertThat(reads.job("d").orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(reads.job("d").orElseThrow().reason()).contains("dependency b failed: it ended CANCELLED");
        assertThat(reads.job("d").orElseThrow().finishedAt()).isPresent();
        assertThat(reads.job("e").orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void aJobWhoseDependenciesEndedAlreadyIsQueuedOrCancelledAsItIsStored()
            throws Exception
    {
        queued(writes, "ok");
        succeed("ok");
        queued(writes, "bad");
        fail("bad");

        insert("after-ok", "\"after\": [\"ok\"]");
        insert("after-any-bad", "\"after_any\": [\"bad\"]");
        insert("after-bad", "\"after\": [\"ok\", \"bad\"]");

        assertThat(reads.job("after-ok").orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(reads.job("after-any-bad").orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(reads.job("after-bad").orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(reads.job("after-bad").orElseThrow().reason()).contains("dependency bad failed: it ended FAILED");
    }

    @Test
    void cancellingAWaitingJobEndsItAtOnceAndSettlesItsDependents()
            throws Exception
    {
        queued(writes, "a");
        insert("b", "\"after\": [\"a\"]");
        insert("c", "\"after\": [\"b\"]");

        assertThat(writes.requestCancel("b", NOW)).isEqualTo(JobState.CANCELLED);

        assertThat(reads.job("b").orElseThrow().reason()).contains("cancelled on request while waiting");
        assertThat(reads.job("c").orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(reads.job("a").orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void purgingAJobTakesItsDependenciesAndLeavesItsDependentsSayingItIsGone()
            throws Exception
    {
        queued(writes, "a");
        insert("b", "\"after_any\": [\"a\"]");
        fail("a");
        writes.requestCancel("b", NOW.plus(Duration.ofHours(1)));

        assertThat(writes.purgeEndedBefore(NOW.plus(Duration.ofMinutes(1)), 10)).extracting(PurgedJob::id).containsExactly("a");
        assertThat(reads.dependencies("b")).containsExactly(new DependencyState(new Dependency("a", Dependency.Kind.AFTER_ANY), Optional.empty()));
        assertThat(writes.purgeEndedBefore(NOW.plus(Duration.ofDays(1)), 10)).extracting(PurgedJob::id).containsExactly("b");
        assertThat(reads.dependencies("b")).isEmpty();
    }

    private void insert(String id, String fields)
            throws Exception
    {
        String body = body(id).replace("}", ", " + fields + "}");
        assertThat(writes.insert(request(body, id), body, Optional.empty(), NOW)).isEqualTo(InsertOutcome.CREATED);
    }

    private void succeed(String id)
    {
        end(id, Lifecycle.succeeded());
    }

    private void fail(String id)
    {
        end(id, Lifecycle.exited(1));
    }

    private void end(String id, AttemptOutcome outcome)
    {
        StoreRequests.end(writes, id, outcome);
    }

    private List<String> inLine()
    {
        return StoreRequests.inLine(store);
    }
}
