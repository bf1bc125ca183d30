package dev.berth.scale;

import dev.berth.config.Autoscaling;
import dev.berth.config.PoolType;
import dev.berth.job.Resources;
import dev.berth.swarm.SwarmNode;
import dev.berth.testing.TestingClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ScalingPlannerTest
{
    private static final long GIB = 1L << 30;
    private static final PoolType GPU = new PoolType("gpu", "g5.12xlarge", 48, 192 * GIB, 2, Optional.of("gpu_worker_count"));
    private static final PoolType SPOT = new PoolType("spot", "m6i.2xlarge", 8, 32 * GIB, 0, Optional.empty());
    private static final Autoscaling.Pool GPU_0_TO_3 = new Autoscaling.Pool("gpu", 0, 3, Optional.empty());
    private static final Duration COOL_DOWN = Duration.ofMinutes(5);
    private static final Resources ONE_GPU = new Resources(4, 16 * GIB, 1);

    private final TestingClock clock = new TestingClock(Instant.parse("2026-12-02T05:00:00Z"));
    private final ScalingPlanner planner = new ScalingPlanner(List.of(GPU, SPOT), COOL_DOWN, clock);

    @Test
    void sixOneGpuJobsGrowAnEmptyPoolToThreeTwoGpuWorkers()
    {
        List<ScalingDecision> decisions = planner.plan(GPU_0_TO_3, look(0, List.of(), Set.of(), Collections.nCopies(6, ONE_GPU), List.of()));

        assertThat(decisions).containsExactly(new ScalingDecision.Grow("gpu", 0, 3,
                "pool gpu: 6 queued jobs need 3 workers of g5.12xlarge (2 GPUs each); have 0; scaling to 3"));
    }

    @Test
    void runningJobsCountWithQueuedOnesAndTheMaxCapsTheGrowth()
    {
        List<ScalingDecision> decisions = planner.plan(GPU_0_TO_3, look(1, List.of(worker("w1", "active")), Set.of("w1"),
                Collections.nCopies(7, ONE_GPU), List.of(ONE_GPU)));

        assertThat(decisions).containsExactly(new ScalingDecision.Grow("gpu", 1, 3,
                "pool gpu: 7 queued and 1 running jobs need 4 workers of g5.12xlarge (2 GPUs each); have 1; scaling to 3, the pool's max"));
    }

    @Test
    void jobsArePackedByCpusAndMemoryOfThePoolsType()
    {
        Resources wide = new Resources(4, 8 * GIB, 0);
        Resources big = new Resources(1, 20 * GIB, 0);
        // First fit, largest first: [wide, wide], [wide, big], [big]
        PoolLook look = look("spot", 0, List.of(), Set.of(), List.of(big, wide, big, wide, wide), List.of());

        assertThat(ScalingPlanner.workersFor(SPOT, look)).isEqualTo(3);
        assertThat(planner.plan(new Autoscaling.Pool("spot", 0, 10, Optional.empty()), look)).containsExactly(new ScalingDecision.Grow("spot", 0, 3,
                "pool spot: 5 queued jobs need 3 workers of m6i.2xlarge (8 CPUs, 32g each); have 0; scaling to 3"));
    }

    @Test
    void oneJobNeedsOneWorker()
    {
        assertThat(planner.plan(GPU_0_TO_3, look(0, List.of(), Set.of(), List.of(ONE_GPU), List.of()))).containsExactly(new ScalingDecision.Grow("gpu", 0, 1,
                "pool gpu: 1 queued job needs 1 worker of g5.12xlarge (2 GPUs each); have 0; scaling to 1"));
    }

    @Test
    void aJobNoWorkerOfTheTypeCouldHoldAsksForNone()
    {
        Resources threeGpus = new Resources(1, GIB, 3);

        assertThat(planner.plan(GPU_0_TO_3, look(0, List.of(), Set.of(), List.of(threeGpus), List.of()))).isEmpty();
    }

    @Test
    void thePoolsMinHoldsWithNoJobs()
    {
        List<ScalingDecision> decisions = planner.plan(new Autoscaling.Pool("gpu", 1, 3, Optional.empty()), look(0, List.of(), Set.of(), List.of(), List.of()));

        assertThat(decisions).containsExactly(new ScalingDecision.Grow("gpu", 0, 1,
                "pool gpu: no jobs, none needing a worker; have 0; scaling to 1, the pool's min"));
    }

    @Test
    void anIdleWorkerIsDrainedOnlyAfterTheCoolDownAndThenRemovedOnceItRunsNothing()
    {
        planner.plan(GPU_0_TO_3, look(0, List.of(), Set.of(), Collections.nCopies(6, ONE_GPU), List.of()));
        List<SwarmNode> workers = List.of(worker("w1", "active"), worker("w2", "active"), worker("w3", "active"));
        // The jobs ran and ended: nothing runs anywhere now
        assertThat(planner.plan(GPU_0_TO_3, look(3, workers, Set.of(), List.of(), List.of()))).isEmpty();
        clock.advance(COOL_DOWN.minusSeconds(1));
        assertThat(planner.plan(GPU_0_TO_3, look(3, workers, Set.of(), List.of(), List.of()))).as("within the cool-down").isEmpty();

        clock.advance(Duration.ofSeconds(1));
        List<ScalingDecision> drain = planner.plan(GPU_0_TO_3, look(3, workers, Set.of(), List.of(), List.of()));
        assertThat(drain).containsExactly(new ScalingDecision.Drain("gpu", workers.get(0),
                "pool gpu: no jobs, none needing a worker; have 3; draining w1, idle for 5m00s (cool-down 5m00s), to remove it"));

        List<SwarmNode> afterDrain = List.of(worker("w1", "drain"), workers.get(1), workers.get(2));
        List<ScalingDecision> next = planner.plan(GPU_0_TO_3, look(3, afterDrain, Set.of(), List.of(), List.of()));
        assertThat(next).hasSize(2);
        assertThat(next.get(0)).isEqualTo(new ScalingDecision.Remove("gpu", afterDrain.get(0), "pool gpu: w1 is drained and runs nothing; removing it (2 workers left)"));
        assertThat(next.get(1)).isInstanceOf(ScalingDecision.Drain.class);
        assertThat(((ScalingDecision.Drain) next.get(1)).worker().hostname()).isEqualTo("w2");
    }

    @Test
    void aBusyWorkerIsNeverDrainedAndADrainedOneIsRemovedOnlyOnceItsTaskEnds()
    {
        List<SwarmNode> workers = List.of(worker("w1", "active"), worker("w2", "active"));
        planner.plan(GPU_0_TO_3, look(2, workers, Set.of("w1"), List.of(), List.of(ONE_GPU)));
        clock.advance(COOL_DOWN.multipliedBy(2));

        assertThat(planner.plan(GPU_0_TO_3, look(2, workers, Set.of("w1"), List.of(), List.of(ONE_GPU))))
                .extracting(decision -> ((ScalingDecision.Drain) decision).worker().hostname()).containsExactly("w2");
        // w2 took a task just before its drain: it stays until that ends
        List<SwarmNode> drained = List.of(workers.get(0), worker("w2", "drain"));
        assertThat(planner.plan(GPU_0_TO_3, look(2, drained, Set.of("w1", "w2"), List.of(), List.of(ONE_GPU, ONE_GPU)))).isEmpty();
        assertThat(planner.plan(GPU_0_TO_3, look(2, drained, Set.of("w1"), List.of(), List.of(ONE_GPU))))
                .containsExactly(new ScalingDecision.Remove("gpu", drained.get(1), "pool gpu: w2 is drained and runs nothing; removing it (1 worker left)"));
    }

    @Test
    void aWorkerThatRanSomethingStartsItsIdleTimeAgain()
    {
        List<SwarmNode> workers = List.of(worker("w1", "active"));
        planner.plan(GPU_0_TO_3, look(1, workers, Set.of(), List.of(), List.of()));
        clock.advance(COOL_DOWN.minusMinutes(1));
        planner.plan(GPU_0_TO_3, look(1, workers, Set.of("w1"), List.of(), List.of(ONE_GPU)));
        clock.advance(Duration.ofMinutes(2));

        assertThat(planner.plan(GPU_0_TO_3, look(1, workers, Set.of(), List.of(), List.of()))).as("idle for 2m only").isEmpty();
        clock.advance(COOL_DOWN);
        assertThat(planner.plan(GPU_0_TO_3, look(1, workers, Set.of(), List.of(), List.of()))).hasSize(1);
    }

    @Test
    void jobsArrivingWhileAWorkerDrainsGrowThePoolPastIt()
    {
        List<SwarmNode> workers = List.of(worker("w1", "drain"), worker("w2", "active"));

        List<ScalingDecision> decisions = planner.plan(GPU_0_TO_3, look(2, workers, Set.of("w2"), Collections.nCopies(3, ONE_GPU), List.of(ONE_GPU)));

        assertThat(decisions).containsExactly(
                new ScalingDecision.Remove("gpu", workers.get(0), "pool gpu: w1 is drained and runs nothing; removing it (1 worker left)"),
                new ScalingDecision.Grow("gpu", 1, 2, "pool gpu: 3 queued and 1 running jobs need 2 workers of g5.12xlarge (2 GPUs each); have 1; scaling to 2"));
    }

    private static PoolLook look(int desired, List<SwarmNode> workers, Set<String> busy, List<Resources> queued, List<Resources> running)
    {
        return look("gpu", desired, workers, busy, queued, running);
    }

    private static PoolLook look(String pool, int desired, List<SwarmNode> workers, Set<String> busy, List<Resources> queued, List<Resources> running)
    {
        return new PoolLook(pool, desired, workers, busy, queued, running);
    }

    private static SwarmNode worker(String id, String availability)
    {
        Map<String, String> labels = availability.equals("drain")
                ? Map.of(SwarmNode.POOL_LABEL, "gpu", SwarmNode.DRAINED_BY_LABEL, ScalingPlanner.DRAINED_FOR_SCALE_IN)
                : Map.of(SwarmNode.POOL_LABEL, "gpu");
        return new SwarmNode(id, id, "ready", availability, labels, 48_000_000_000L, 192 * GIB, List.of(id + "-0", id + "-1"));
    }
}
