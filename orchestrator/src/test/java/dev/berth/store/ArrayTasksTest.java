package dev.berth.store;

import dev.berth.job.ArraySummary;
import dev.berth.job.AttemptOutcome;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.job.Lifecycle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static dev.berth.store.StoreRequests.NOW;
import static dev.berth.store.StoreRequests.body;
import static dev.berth.store.StoreRequests.queued;
import static dev.berth.store.StoreRequests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Arrays against a real SQLite file: their tasks stored in one go, held by the array's limit, waited for as a whole. */
class ArrayTasksTest
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
    void anArrayIsOneJobPerIndexEachKnowingItsIndexAndTheArraysSize()
            throws Exception
    {
        insertArray("sweep", "0-8:4", "");

        assertThat(store.arrays().tasks("sweep", Set.of())).extracting(Job::id).containsExactly("sweep_0", "sweep_4", "sweep_8");
        Job task = reads.job("sweep_4").orElseThrow();
        assertThat(task.state()).isEqualTo(JobState.QUEUED);
        assertThat(task.task().orElseThrow().index()).isEqualTo(4);
        assertThat(task.task().orElseThrow().spec().size()).isEqualTo(3);
        assertThat(inLine()).containsExactly("sweep_0", "sweep_4", "sweep_8");

        ArraySummary array = store.arrays().array("sweep").orElseThrow();
        assertThat(array.label()).isEqualTo("run[0-8:4]");
        assertThat(array.countsText()).isEqualTo("3 QUEUED");
        assertThat(array.state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void aTaskIsFoundByItsIdOrAsArrayColonIndexAndAPrefixNamesTheArrayNotATask()
            throws Exception
    {
        insertArray("sweep7", "0-11", "");
        queued(writes, "solo");

        assertThat(reads.find("sweep7:10").orElseThrow().id()).isEqualTo("sweep7_10");
        assertThat(reads.find("sweep7_1").orElseThrow().id()).isEqualTo("sweep7_1");
        assertThat(JobLookup.named(store, "swe")).isInstanceOf(JobLookup.Named.WholeArray.class);
        assertThat(JobLookup.named(store, "so")).isEqualTo(new JobLookup.Named.OneJob(reads.job("solo").orElseThrow()));
        assertThatThrownBy(() -> JobLookup.find(store, "sweep7"))
                .isInstanceOf(UnknownJobException.class)
                .hasMessageContaining("array sweep7 of 12 tasks, not one job: name one task, as sweep7:0");
        assertThatThrownBy(() -> JobLookup.named(store, "s"))
                .isInstanceOf(AmbiguousJobIdException.class)
                .hasMessageContaining("solo, sweep7");
    }

    @Test
    void theLimitHoldsTasksBeyondItOutOfLineAndEachEndQueuesTheLowestHeldIndex()
            throws Exception
    {
        insertArray("a", "0-4%2", "");

        assertThat(inLine()).containsExactly("a_0", "a_1");
        Job held = reads.job("a_2").orElseThrow();
        assertThat(held.state()).isEqualTo(JobState.WAITING);
        assertThat(held.reason()).contains("waiting for a place: array a runs at most 2 tasks at once (%2)");

        succeed("a_1");
        assertThat(inLine()).containsExactly("a_0", "a_2");
        fail("a_0");
        assertThat(inLine()).containsExactly("a_2", "a_3");
        assertThat(reads.job("a_3").orElseThrow().reason()).isEmpty();

        // A task taken for preparation still holds its place: the limit counts running tasks, not just queued ones
        writes.moveJob("a_2", Lifecycle.admitted());
        assertThat(reads.job("a_4").orElseThrow().state()).isEqualTo(JobState.WAITING);
        assertThat(store.arrays().array("a").orElseThrow().counts())
                .isEqualTo(Map.of(JobState.WAITING, 1, JobState.QUEUED, 1, JobState.PREPARING, 1, JobState.SUCCEEDED, 1, JobState.FAILED, 1));
    }

    @Test
    void aJobAfterAnArrayWaitsForAllItsTasksAndIsCancelledWhenOneFails()
            throws Exception
    {
        insertArray("train", "0-1", "");
        insertArray("other", "0-1", "");
        insert("report", "\"after\": [\"train\"]");
        insert("cleanup", "\"after_any\": [\"other\"]");

        succeed("train_0");
        assertThat(reads.job("report").orElseThrow().state()).isEqualTo(JobState.WAITING);
        assertThat(reads.dependencies("report")).singleElement().satisfies(dependency -> assertThat(dependency.state()).contains(JobState.QUEUED));
        succeed("train_1");
        assertThat(reads.job("report").orElseThrow().state()).isEqualTo(JobState.QUEUED);

        fail("other_1");
        assertThat(reads.job("cleanup").orElseThrow().state()).as("after_any waits for every task").isEqualTo(JobState.WAITING);
        writes.requestCancel("other_0", NOW);
        assertThat(reads.job("cleanup").orElseThrow().state()).isEqualTo(JobState.QUEUED);

        insertArray("eval", "0-2", "");
        insert("summary", "\"after\": [\"eval\"]");
        fail("eval_1");
        succeed("eval_0");
        assertThat(reads.job("summary").orElseThrow().state()).as("eval_2 is still queued").isEqualTo(JobState.WAITING);
        succeed("eval_2");
        Job cancelled = reads.job("summary").orElseThrow();
        assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
        assertThat(cancelled.reason()).contains("dependency eval failed: it ended FAILED");
    }

    @Test
    void anArrayAfterAJobWaitsWholeThenItsLimitHoldsAllButTheFirstTasks()
            throws Exception
    {
        queued(writes, "prep");
        insertArray("sweep", "0-3%1", "\"after\": [\"prep\"]");
        assertThat(store.arrays().tasks("sweep", Set.of())).extracting(Job::state).containsOnly(JobState.WAITING);

        succeed("prep");
        assertThat(inLine()).containsExactly("sweep_0");
        assertThat(reads.job("sweep_3").orElseThrow().reason()).contains("waiting for a place: array sweep runs at most 1 tasks at once (%1)");
        succeed("sweep_0");
        assertThat(inLine()).containsExactly("sweep_1");
    }

    @Test
    void aFailureBeforeAnArrayCancelsAllItsTasksAndTheJobsAfterTheArray()
            throws Exception
    {
        queued(writes, "prep");
        insertArray("sweep", "0-2", "\"after\": [\"prep\"]");
        insert("report", "\"after\": [\"sweep\"]");

        fail("prep");

        assertThat(store.arrays().array("sweep").orElseThrow().counts()).isEqualTo(Map.of(JobState.CANCELLED, 3));
        assertThat(reads.job("report").orElseThrow().reason()).contains("dependency sweep failed: it ended CANCELLED");
    }

    @Test
    void cancellingAnArrayEndsItsQueuedAndHeldTasksAtOnceAndFlagsItsRunningOnes()
            throws Exception
    {
        insertArray("a", "0-9%3", "");
        writes.moveJob("a_0", Lifecycle.admitted());

        Map<JobState, Integer> after = writes.requestCancelArray("a", NOW);

        assertThat(after).isEqualTo(Map.of(JobState.PREPARING, 1, JobState.CANCELLED, 9));
        assertThat(reads.job("a_0").orElseThrow().cancelRequested()).isTrue();
        assertThat(inLine()).isEmpty();
    }

    @Test
    void aRedeliveredArrayIsADuplicateAndAnArrayMayNotTakeTheIdOfAJobOrOfATask()
            throws Exception
    {
        String body = arrayBody("a", "0-2", "");
        assertThat(writes.insert(request(body, "a"), body, Optional.empty(), NOW)).isEqualTo(InsertOutcome.CREATED);
        assertThat(writes.insert(request(body, "a"), body, Optional.empty(), NOW)).isEqualTo(InsertOutcome.DUPLICATE);
        assertThat(store.arrays().tasks("a", Set.of())).hasSize(3);

        String other = arrayBody("a", "0-5", "");
        assertThat(writes.insert(request(other, "a"), other, Optional.empty(), NOW)).isEqualTo(InsertOutcome.CONFLICT);
        String plain = body("a");
        assertThat(writes.insert(request(plain, "a"), plain, Optional.empty(), NOW)).isEqualTo(InsertOutcome.CONFLICT);

        queued(writes, "b_1");
        String clashing = arrayBody("b", "0-2", "");
        assertThat(writes.insert(request(clashing, "b"), clashing, Optional.empty(), NOW)).isEqualTo(InsertOutcome.CONFLICT);
        assertThat(store.arrays().array("b")).isEmpty();
    }

    @Test
    void aListingCountsAnArrayAsOneLine()
            throws Exception
    {
        queued(writes, "solo");
        insertArray("a", "0-99", "");
        insertArray("b", "0-9", "");
        succeed("b_3");

        assertThat(store.arrays().lines(Set.of())).isEqualTo(3);
        assertThat(store.arrays().lines(Set.of(JobState.SUCCEEDED))).isEqualTo(1);
        assertThat(store.arrays().lines(Set.of(JobState.QUEUED))).isEqualTo(3);
    }

    private void insertArray(String id, String range, String fields)
            throws Exception
    {
        String body = arrayBody(id, range, fields);
        assertThat(writes.insert(request(body, id), body, Optional.empty(), NOW)).isEqualTo(InsertOutcome.CREATED);
    }

    private static String arrayBody(String id, String range, String fields)
    {
        return body(id).replace("}", ", \"name\": \"run\", \"array\": \"" + range + "\"" + (fields.isEmpty() ? "" : ", " + fields) + "}");
    }

    private void insert(String id, String fields)
            throws Exception
    {
        String body = body(id).replace("}", ", " + fields + "}");
        assertThat(writes.insert(JobLookup.withDependenciesFound(store, request(body, id)), body, Optional.empty(), NOW)).isEqualTo(InsertOutcome.CREATED);
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
