package dev.berth.scale;

import dev.berth.config.Autoscaling;
import dev.berth.config.PoolType;
import dev.berth.store.JobStore;
import dev.berth.swarm.SwarmNode;
import dev.berth.testing.FakeScaler;
import dev.berth.testing.FakeSwarm;
import dev.berth.testing.StoredJobs;
import dev.berth.testing.TestingClock;
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

import static org.assertj.core.api.Assertions.assertThat;

/** The scaling loop over a real store, an in-memory swarm and scaler: what it asks of them, and what it says it did. */
class ScalingLoopTest
{
    private static final long GIB = 1L << 30;
    private static final PoolType GPU = new PoolType("gpu", "g5.12xlarge", 48, 192 * GIB, 2, Optional.empty());
    private static final Duration COOL_DOWN = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(Instant.parse("2026-12-02T05:00:00Z"));
    private final FakeSwarm swarm = new FakeSwarm(clock);
    private final FakeScaler scaler = new FakeScaler();
    private JobStore store;
    private StoredJobs jobs;
    private ScalingLoop loop;

    @BeforeEach
    void open()
    {
        store = JobStore.open(temp.resolve("berth.db"));
        jobs = new StoredJobs(store);
        Autoscaling autoscaling = new Autoscaling(List.of(new Autoscaling.Pool("gpu", 0, 3, Optional.empty())), "testbed:/nowhere", COOL_DOWN, Duration.ofSeconds(1));
        loop = new ScalingLoop(autoscaling, List.of(GPU), scaler, swarm, store.reads(), store.instanceId(), "GPU", temp, clock, clock);
    }

    @AfterEach
    void close()
    {
        loop.close();
        store.close();
    }

    @Test
    void queuedJobsOfAPoolGrowItAndTheReportSaysWhy()
    {
        for (int i = 1; i <= 6; i++) {
            jobs.job("train-" + i).pool("gpu").gpus(1).received(clock.instant()).queued();
        }
        jobs.job("elsewhere").pool("spot").gpus(1).received(clock.instant()).queued();
        jobs.job("anywhere").gpus(1).received(clock.instant()).queued();

        loop.pass();

        assertThat(scaler.calls()).containsExactly("grow gpu 3", "protect gpu [] []");
        ScalingReport report = ScalingReport.read(temp).orElseThrow();
        assertThat(report.pools()).hasSize(1);
        ScalingReport.PoolScaling gpu = report.pools().get(0);
        assertThat(gpu.desired()).isEqualTo(3);
        assertThat(gpu.lastStep()).contains(new ScalingStep(clock.instant(), "gpu", "grow", 0, 3,
                "pool gpu: 6 queued jobs need 3 workers of g5.12xlarge (2 GPUs each); have 0; scaling to 3"));

        loop.pass();
        assertThat(scaler.calls()).as("nothing more to do").hasSize(2);
    }

    @Test
    void theScalersOwnBoundsHoldWithinBerths()
    {
        scaler.withBounds("gpu", 1, 2);
        for (int i = 1; i <= 6; i++) {
            jobs.job("train-" + i).pool("gpu").gpus(1).received(clock.instant()).queued();
        }

        loop.pass();

        assertThat(scaler.desired("gpu")).isEqualTo(2);
        ScalingReport.PoolScaling gpu = ScalingReport.read(temp).orElseThrow().pools().get(0);
        assertThat(gpu.min()).isEqualTo(1);
        assertThat(gpu.max()).isEqualTo(2);
        assertThat(gpu.lastStep().orElseThrow().reason()).isEqualTo(
                "pool gpu: 6 queued jobs need 3 workers of g5.12xlarge (2 GPUs each); have 0; scaling to 2, the pool's max");
    }

    @Test
    void idleWorkersAreDrainedThenRemovedAfterTheCoolDown()
    {
        scaler.withDesired("gpu", 2);
        swarm.withNode(worker("w1")).withNode(worker("w2"));
        loop.pass();
        assertThat(scaler.calls()).containsExactly("protect gpu [] [w1, w2]");

        clock.advance(COOL_DOWN);
        loop.pass();
        assertThat(swarm.nodes("GPU")).filteredOn(node -> node.availability().equals("drain")).extracting(SwarmNode::hostname).containsExactly("w1");
        assertThat(swarm.nodes("GPU").get(0).drainedBy()).contains("scale-in");

        loop.pass();
        assertThat(scaler.removed()).containsExactly("w1");
        swarm.removeNode("w1");
        loop.pass();
        assertThat(scaler.removed()).containsExactly("w1", "w2");

        List<ScalingStep> steps = ScalingReport.read(temp).orElseThrow().pools().get(0).steps();
        assertThat(steps).extracting(ScalingStep::action).containsExactly("drain", "remove", "drain", "remove");
        assertThat(steps.get(0).reason()).isEqualTo("pool gpu: no jobs, none needing a worker; have 2; draining w1, idle for 30s (cool-down 30s), to remove it");
        assertThat(steps.get(3).reason()).isEqualTo("pool gpu: w2 is drained and runs nothing; removing it (0 workers left)");
        assertThat(ScalingReport.read(temp).orElseThrow().pools().get(0).desired()).isZero();
    }

    @Test
    void aScalerThatRefusesIsReportedOnceAndTriedAgain()
    {
        jobs.job("train").pool("gpu").gpus(1).received(clock.instant()).queued();
        scaler.failWith(new IllegalStateException("AccessDenied: not authorized to perform autoscaling:SetDesiredCapacity"));

        loop.pass();
        loop.pass();

        List<ScalingStep> steps = ScalingReport.read(temp).orElseThrow().pools().get(0).steps();
        assertThat(steps).hasSize(1);
        assertThat(steps.get(0).action()).isEqualTo("failed");
        assertThat(steps.get(0).reason()).isEqualTo("pool gpu: could not scale: AccessDenied: not authorized to perform autoscaling:SetDesiredCapacity");

        scaler.failWith(null);
        loop.pass();
        assertThat(scaler.desired("gpu")).isEqualTo(1);
        assertThat(ScalingReport.read(temp).orElseThrow().pools().get(0).lastStep().orElseThrow().action()).isEqualTo("grow");
    }

    private static SwarmNode worker(String name)
    {
        return new SwarmNode(name, name, "ready", "active", Map.of(SwarmNode.POOL_LABEL, "gpu"), 48_000_000_000L, 192 * GIB, List.of(name + "-0", name + "-1"));
    }
}
