package dev.berth.top;

import dev.berth.fleet.FleetStatus;
import dev.berth.fleet.HeartbeatReader;
import dev.berth.fleet.HeartbeatScan;
import dev.berth.job.Cause;
import dev.berth.job.JobState;
import dev.berth.store.JobStore;
import dev.berth.swarm.SwarmNode;
import dev.berth.top.TopSnapshot.JobLine;
import dev.berth.top.TopSnapshot.PoolLine;
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
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** A snapshot read from a real SQLite store and a fleet as {@code berth workers} sees it. */
class TopSnapshotTest
{
    private static final Instant NOW = Instant.parse("2026-05-06T07:08:09Z");

    @TempDir
    Path temp;

    private JobStore store;
    private StoredJobs jobs;

    @BeforeEach
    void open()
    {
        store = JobStore.open(temp.resolve("berth.db"));
        jobs = new StoredJobs(store);
    }

    @AfterEach
    void close()
    {
        store.close();
    }

    @Test
    void theQueueCountsEachStageAndLiveJobsListRunningOnesFirst()
            throws Exception
    {
        jobs.queued("waiting-1", "w", 0, NOW.minusSeconds(100));
        jobs.queued("waiting-2", "w", 0, NOW.minusSeconds(99));
        jobs.queued("preparing", "p", 0, NOW.minusSeconds(98));
        jobs.preparing("preparing");
        jobs.queued("pending", "s", 0, NOW.minusSeconds(97));
        jobs.submitted("pending", 1, NOW.minusSeconds(50));
        jobs.queued("train", "train", 2, NOW.minusSeconds(96));
        jobs.running("train", 1, "gpu-1", NOW.minusSeconds(75));

        TopSnapshot snapshot = TopSnapshot.read(store.reads(), FleetLook.unavailable("no engine"), NOW);

        assertThat(snapshot.queue()).isEqualTo(new TopSnapshot.QueueCounts(2, 1, 1, 1));
        assertThat(snapshot.live()).extracting(JobLine::id).containsExactly("train", "pending", "preparing");
        JobLine train = snapshot.live().get(0);
        assertThat(train.node()).contains("gpu-1");
        assertThat(train.startedAt()).contains(NOW.minusSeconds(75));
        assertThat(train.gpus()).isEqualTo(2);
        assertThat(train.attempt()).isEqualTo(1);
        assertThat(snapshot.live().get(1).node()).isEmpty();
        assertThat(snapshot.fleet().problem()).contains("no engine");
    }

    @Test
    void aRetriedJobShowsItsCurrentAttemptsNodeAndStart()
            throws Exception
    {
        jobs.queued("flaky", "flaky", 0, NOW.minusSeconds(600));
        jobs.running("flaky", 1, "spot-1", NOW.minusSeconds(500));
        assertThat(jobs.interrupted("flaky", 1, NOW.minusSeconds(400))).isEqualTo(JobState.QUEUED);
        jobs.running("flaky", 2, "spot-2", NOW.minusSeconds(30));

        JobLine flaky = TopSnapshot.read(store.reads(), FleetLook.unavailable("-"), NOW).live().get(0);

        assertThat(flaky.attempt()).isEqualTo(2);
        assertThat(flaky.node()).contains("spot-2");
        assertThat(flaky.startedAt()).as("the current attempt's start, not the first one's").contains(NOW.minusSeconds(30));
    }

    @Test
    void failuresAreTheNewestFailedTimedOutAndRejectedJobsLastEndedFirst()
            throws Exception
    {
        jobs.queued("ok", "ok", 0, NOW.minusSeconds(300));
        jobs.running("ok", 1, "w", NOW.minusSeconds(290));
        jobs.succeeded("ok", 1, NOW.minusSeconds(280));
        jobs.queued("slow", "slow", 0, NOW.minusSeconds(200));
        jobs.running("slow", 1, "w", NOW.minusSeconds(190));
        jobs.queued("crash", "crash", 0, NOW.minusSeconds(100));
        jobs.running("crash", 1, "w", NOW.minusSeconds(90));
        assertThat(jobs.exited("crash", 1, 3, NOW.minusSeconds(80))).isEqualTo(JobState.FAILED);
        jobs.timedOut("slow", 1, NOW.minusSeconds(10));
        store.writes().insertRejected("garbled", "{oops", "not valid JSON: Unexpected end-of-input", Optional.empty(), Optional.empty(), NOW.minusSeconds(50));
        jobs.queued("dropped", "dropped", 0, NOW.minusSeconds(40));
        store.writes().requestCancel("dropped", NOW.minusSeconds(5));

        List<JobLine> failures = TopSnapshot.read(store.reads(), FleetLook.unavailable("-"), NOW).failures();

        assertThat(failures).extracting(JobLine::id).containsExactly("slow", "garbled", "crash");
        assertThat(failures.get(0).cause()).contains(Cause.TIMEOUT);
        assertThat(failures.get(2).reason().orElseThrow()).contains("exited with code 3");
        assertThat(failures.get(2).exitCode()).contains(3);
        assertThat(failures.get(1).reason().orElseThrow()).contains("not valid JSON");
    }

    @Test
    void onlyTheNewestFailuresAreKept()
            throws Exception
    {
        for (int i = 0; i < TopSnapshot.FAILURES + 5; i++) {
            jobs.queued("bad-" + i, "bad", 0, NOW.minusSeconds(1000 - i));
            jobs.running("bad-" + i, 1, "w", NOW.minusSeconds(900 - i));
            jobs.exited("bad-" + i, 1, 1, NOW.minusSeconds(800 - i));
        }

        List<JobLine> failures = TopSnapshot.read(store.reads(), FleetLook.unavailable("-"), NOW).failures();

        assertThat(failures).hasSize(TopSnapshot.FAILURES);
        assertThat(failures.get(0).id()).isEqualTo("bad-" + (TopSnapshot.FAILURES + 4));
    }

    @Test
    void eachPoolCountsItsWorkersAndTheGpusItsLiveJobsHold()
            throws Exception
    {
        List<SwarmNode> nodes = List.of(
                node("n1", "gpu-1", "gpu", "ready", "active", 4),
                node("n2", "gpu-2", "gpu", "ready", "drain", 4),
                node("n3", "cpu-1", "cpu", "ready", "active", 0),
                node("n4", "loose", null, "down", "active", 0));
        jobs.queued("big", "big", 3, NOW.minusSeconds(60));
        jobs.running("big", 1, "gpu-1", NOW.minusSeconds(50));
        jobs.queued("placed-nowhere-yet", "p", 1, NOW.minusSeconds(40));
        jobs.submitted("placed-nowhere-yet", 1, NOW.minusSeconds(30));

        FleetStatus fleet = FleetStatus.of(nodes, new HeartbeatScan(List.of(), Map.of()), NOW, Duration.ofMinutes(1));
        TopSnapshot snapshot = TopSnapshot.read(store.reads(), FleetLook.seen(fleet), NOW);

        assertThat(snapshot.fleet().problem()).isEmpty();
        assertThat(snapshot.fleet().workers()).isEqualTo(4);
        assertThat(snapshot.fleet().pools()).containsExactly(
                new PoolLine("cpu", 1, 1, 1, 0, 0, 0),
                // 8 GPUs, 3 held; the drained node's 4 take no job, so 1 is free
                new PoolLine("gpu", 2, 1, 2, 8, 3, 1),
                new PoolLine(TopSnapshot.NO_POOL, 1, 0, 1, 0, 0, 0));
    }

    @Test
    void aFleetThatCannotBeSeenIsSaidSoAndTheJobsStillShow()
            throws Exception
    {
        jobs.queued("train", "train", 0, NOW.minusSeconds(60));

        FleetLook look = FleetLook.take(() -> {
            throw new IllegalStateException("cannot connect to the Docker engine at unix:///var/run/docker.sock");
        }, new HeartbeatReader(temp.resolve("no-such-dir")), NOW, Duration.ofMinutes(1));
        TopSnapshot snapshot = TopSnapshot.read(store.reads(), look, NOW);

        assertThat(snapshot.fleet().problem()).contains("cannot see the fleet: cannot connect to the Docker engine at unix:///var/run/docker.sock");
        assertThat(snapshot.fleet().pools()).isEmpty();
        assertThat(snapshot.queue().queued()).isEqualTo(1);
    }

    private static SwarmNode node(String id, String hostname, String pool, String state, String availability, int gpus)
    {
        Map<String, String> labels = pool == null ? Map.of() : Map.of(SwarmNode.POOL_LABEL, pool);
        List<String> ids = IntStream.range(0, gpus).mapToObj(i -> hostname + "-GPU-" + i).toList();
        return new SwarmNode(id, hostname, state, availability, labels, 4_000_000_000L, 8L << 30, ids);
    }
}
