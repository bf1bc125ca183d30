package dev.berth.store;

import dev.berth.config.PoolPrice.Market;
import dev.berth.cost.Cost;
import dev.berth.job.AttemptEnd;
import dev.berth.job.AttemptOutcome;
import dev.berth.job.Lifecycle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.berth.store.StoreRequests.NOW;
import static dev.berth.store.StoreRequests.queued;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Attempts' costs as the state file keeps them: recorded with each end, summed per job, lost attempts included. */
class JobCostsTest
{
    @TempDir
    Path temp;

    @Test
    void aJobCostsWhatItsEndedAttemptsCostTheLostOnesIncludedAndKeepsItAcrossOpens()
            throws Exception
    {
        Path file = temp.resolve("berth.db");
        try (JobStore store = JobStore.open(file)) {
            queued(store.writes(), "lossy");
            queued(store.writes(), "waiting");
            end(store, "lossy", 1, Lifecycle.nodeLost("spot-1", "down"), Cost.priced(0.5, 0.2, Market.SPOT));
            end(store, "lossy", 2, Lifecycle.succeeded(), Cost.priced(1.0, 1.5, Market.ON_DEMAND));
        }
        try (JobStore store = JobStore.open(file)) {
            Map<String, Cost> costs = store.reads().costs(List.of("lossy", "waiting", "never-stored"));

            Cost lossy = costs.get("lossy");
            assertThat(lossy.known()).isTrue();
            assertThat(lossy.instanceHours()).isCloseTo(1.5, within(1e-9));
            assertThat(lossy.usd()).isCloseTo(1.7, within(1e-9));
            assertThat(lossy.markets()).containsExactlyInAnyOrder(Market.SPOT, Market.ON_DEMAND);
            assertThat(costs.get("waiting")).as("no attempt ended: nothing spent yet").isEqualTo(Cost.NONE);
            assertThat(costs).containsKey("never-stored");
        }
    }

    @Test
    void anUnknownAttemptMakesItsJobsCostUnknownAndSoDoesOneEndedBeforeCostsWereKept()
            throws Exception
    {
        Path file = temp.resolve("berth.db");
        try (JobStore store = JobStore.open(file)) {
            queued(store.writes(), "gpu");
            end(store, "gpu", 1, Lifecycle.nodeLost("gpu-1", "down"), Cost.unknown("no price for pool gpu"));
            end(store, "gpu", 2, Lifecycle.succeeded(), Cost.priced(1.0, 5.6, Market.ON_DEMAND));
            queued(store.writes(), "old");
            end(store, "old", 1, Lifecycle.succeeded(), Cost.priced(1.0, 0.4, Market.SPOT));
        }
        // As an attempt that ended before the column was added reads
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            connection.createStatement().executeUpdate("UPDATE attempts SET cost = NULL WHERE job_id = 'old'");
        }
        try (JobStore store = JobStore.open(file)) {
            Map<String, Cost> costs = store.reads().costs(List.of("gpu", "old"));

            assertThat(costs.get("gpu").known()).isFalse();
            assertThat(costs.get("gpu").knownUsd()).as("never a partial sum shown as the cost").isEmpty();
            assertThat(costs.get("gpu").unknown()).containsExactly("no price for pool gpu");
            assertThat(costs.get("old").unknown()).containsExactly("ended before costs were kept");
        }
    }

    @Test
    void aListingPageOfManyJobsIsPricedInOneGo()
            throws Exception
    {
        try (JobStore store = JobStore.open(temp.resolve("berth.db"))) {
            List<String> ids = new java.util.ArrayList<>();
            for (int i = 0; i < 1_200; i++) {
                ids.add("job-" + i);
            }
            queued(store.writes(), "job-1100");
            end(store, "job-1100", 1, Lifecycle.succeeded(), Cost.priced(2.0, 0.8, Market.SPOT));

            Map<String, Cost> costs = store.reads().costs(ids);

            assertThat(costs).hasSize(1_200);
            assertThat(costs.get("job-1100").usd()).isCloseTo(0.8, within(1e-9));
            assertThat(costs.get("job-0")).isEqualTo(Cost.NONE);
        }
    }

    private static void end(JobStore store, String id, int number, AttemptOutcome outcome, Cost cost)
    {
        store.writes().moveJob(id, Lifecycle.admitted());
        store.writes().recordAttempt(id, number, "berth-" + id + "-" + number, NOW);
        store.writes().attemptSubmitted(id, number);
        store.writes().attemptRunning(id, number, "worker-" + number, NOW);
        store.writes().finishAttempt(id, number, new AttemptEnd(outcome, Optional.empty(), Optional.empty(), NOW.plusSeconds(60), cost), JobEnded.NOTHING);
    }
}
