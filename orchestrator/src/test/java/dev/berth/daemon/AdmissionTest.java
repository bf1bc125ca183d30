package dev.berth.daemon;

import dev.berth.config.PoolType;
import dev.berth.job.Claim;
import dev.berth.job.JobState;
import dev.berth.job.Resources;
import dev.berth.swarm.SwarmNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class AdmissionTest
{
    private static final long GIB = 1L << 30;
    private static final SwarmNode GPU_NODE = node("g1", "gpu", 8, 32, 1);
    private static final SwarmNode CPU_NODE = node("c1", "spot", 4, 16, 0);

    @Test
    void admitsFirstInFirstOutUpToThePendingCap()
    {
        List<Claim> queued = List.of(queued("a", 1, 0), queued("b", 1, 0), queued("c", 1, 0));

        Admission.Plan plan = Admission.plan(List.of(CPU_NODE), List.of(), queued, 2);

        assertThat(plan.admit()).containsExactly("a", "b");
        assertThat(plan.waiting()).containsEntry("c", "pending cap reached");
    }

    @Test
    void secondGpuJobWaitsWhileTheFirstHoldsTheOnlyGpu()
    {
        Admission.Plan plan = Admission.plan(List.of(GPU_NODE), List.of(held("first", 1, 1, null)), List.of(queued("second", 1, 1)), 8);

        assertThat(plan.admit()).isEmpty();
        assertThat(plan.waiting().get("second")).startsWith("waiting for a node with room");
    }

    @Test
    void aWaitingJobKeepsItsPlaceAgainstLaterJobs()
    {
        // "big" needs the whole node; "small" behind it must not take the room it waits for.
        SwarmNode node = node("n", "spot", 4, 16, 0);
        Admission.Plan plan = Admission.plan(List.of(node), List.of(held("running", 2, 0, "n")),
                List.of(queued("big", 4, 0), queued("small", 1, 0)), 8);

        assertThat(plan.admit()).isEmpty();
        assertThat(plan.waiting()).containsKeys("big", "small");
    }

    @Test
    void smallerJobsUseWhatAWaitingJobDoesNotNeed()
    {
        Admission.Plan plan = Admission.plan(List.of(GPU_NODE, CPU_NODE), List.of(held("gpu-running", 1, 1, "g1")),
                List.of(queued("gpu-waiting", 1, 1), queued("cpu-job", 1, 0)), 8);

        assertThat(plan.admit()).containsExactly("cpu-job");
    }

    @Test
    void aJobNoNodeCanEverHoldFailsNamingTheLargestNode()
    {
        Admission.Plan plan = Admission.plan(List.of(GPU_NODE, CPU_NODE), List.of(),
                List.of(claim("huge", new Resources(1, GIB, 4), Optional.of("gpu"))), 8);

        assertThat(plan.admit()).isEmpty();
        assertThat(plan.neverFits().get("huge"))
                .isEqualTo("no node can ever hold this job: it asks for cpus=1 memory=1g gpus=4 but the largest node in pool 'gpu', g1, has cpus=8 memory=32g gpus=1");
    }

    @Test
    void jobsWaitForAPoolWithNoNodesRatherThanFail()
    {
        Admission.Plan plan = Admission.plan(List.of(CPU_NODE), List.of(),
                List.of(claim("burst-job", new Resources(1, GIB, 0), Optional.of("burst"))), 8);

        assertThat(plan.neverFits()).isEmpty();
        assertThat(plan.waiting()).containsEntry("burst-job", "no node in pool 'burst' yet");
    }

    @Test
    void downAndDrainedNodesTakeNoNewJobs()
    {
        SwarmNode down = new SwarmNode("d", "down-node", "down", "active", Map.of(), 8_000_000_000L, 32 * GIB, List.of());
        SwarmNode drained = new SwarmNode("r", "drained-node", "ready", "drain", Map.of(), 8_000_000_000L, 32 * GIB, List.of());

        Admission.Plan plan = Admission.plan(List.of(down, drained), List.of(), List.of(queued("a", 1, 0)), 8);

        assertThat(plan.admit()).isEmpty();
        assertThat(plan.neverFits()).isEmpty();
    }

    private static final List<PoolType> FLEET = List.of(
            new PoolType("spot", "m6i.2xlarge", 8, 32 * GIB, 0, Optional.of("worker_count")),
            new PoolType("gpu", "g5.xlarge", 4, 16 * GIB, 1, Optional.of("gpu_worker_count")));

    @Test
    void aJobForAPoolWithNoNodeUpWaitsSayingHowToScaleIt()
    {
        Admission.Plan plan = Admission.plan(List.of(CPU_NODE), FLEET, List.of(),
                List.of(claim("train", new Resources(2, 8 * GIB, 1), Optional.of("gpu"))), 8);

        assertThat(plan.neverFits()).isEmpty();
        assertThat(plan.admit()).isEmpty();
        assertThat(plan.waiting()).containsEntry("train",
                "waiting for a node in pool gpu: none running; scale with `terraform apply -var gpu_worker_count=N`");
    }

    @Test
    void aJobForAnAutoscaledPoolWithNoNodeUpSaysAutoscalingWillAddOne()
    {
        Admission.Plan plan = Admission.plan(List.of(CPU_NODE), FLEET, Set.of("gpu"), List.of(),
                List.of(claim("train", new Resources(2, 8 * GIB, 1), Optional.of("gpu"))), 8);

        assertThat(plan.waiting()).containsEntry("train",
                "waiting for a node in pool gpu: none running; scale with `terraform apply -var gpu_worker_count=N`, or autoscaling will add one");
    }

    @Test
    void aGpuJobWithoutAPoolWaitsOnlyForPoolsWithGpus()
    {
        // CPU nodes are up and idle, the GPU pool is at zero: the job waits for the GPU pool, and fails nowhere
        Admission.Plan plan = Admission.plan(List.of(CPU_NODE), FLEET, List.of(), List.of(queued("gpu-job", 1, 1), queued("cpu-job", 1, 0)), 8);

        assertThat(plan.neverFits()).isEmpty();
        assertThat(plan.admit()).containsExactly("cpu-job");
        assertThat(plan.waiting()).containsEntry("gpu-job",
                "waiting for a node in pool gpu: none running; scale with `terraform apply -var gpu_worker_count=N`");
    }

    @Test
    void aGpuJobWithoutAPoolGoesToTheGpuNodeOnceOneIsUp()
    {
        Admission.Plan plan = Admission.plan(List.of(CPU_NODE, GPU_NODE), FLEET, List.of(), List.of(queued("gpu-job", 1, 1)), 8);

        assertThat(plan.admit()).containsExactly("gpu-job");
    }

    @Test
    void aJobNoPoolsTypeCouldHoldFailsAtOnceNamingTheLargestType()
    {
        Admission.Plan plan = Admission.plan(List.of(), FLEET, List.of(),
                List.of(queued("wide", 16, 0), claim("many-gpus", new Resources(1, GIB, 4), Optional.empty())), 8);

        assertThat(plan.waiting()).isEmpty();
        assertThat(plan.neverFits()).containsEntry("wide",
                "no instance type of the fleet can ever hold this job: it asks for cpus=16 memory=1g gpus=0 but the largest it could use, m6i.2xlarge of pool 'spot', has cpus=8 memory=32g gpus=0");
        assertThat(plan.neverFits()).containsEntry("many-gpus",
                "no instance type of the fleet can ever hold this job: it asks for cpus=1 memory=1g gpus=4 but the largest it could use, g5.xlarge of pool 'gpu', has cpus=4 memory=16g gpus=1");
    }

    @Test
    void aJobTooLargeForItsOwnPoolsTypeFailsThoughAnotherPoolIsLarger()
    {
        Admission.Plan plan = Admission.plan(List.of(), FLEET, List.of(), List.of(claim("big-gpu", new Resources(6, GIB, 1), Optional.of("gpu"))), 8);

        assertThat(plan.neverFits().get("big-gpu")).endsWith("but the largest it could use, g5.xlarge of pool 'gpu', has cpus=4 memory=16g gpus=1");
    }

    @Test
    void aJobNamingAPoolTheFleetLacksFailsNamingItsPools()
    {
        Admission.Plan plan = Admission.plan(List.of(CPU_NODE), FLEET, List.of(), List.of(claim("lost", new Resources(1, GIB, 0), Optional.of("gpus"))), 8);

        assertThat(plan.neverFits()).containsEntry("lost", "the fleet has no pool 'gpus': its pools are spot, gpu");
    }

    @Test
    void theDrainedManagerNeverCountsAsANodeAJobCouldWaitFor()
    {
        // The manager is the largest node, but drained for good: a job only it could hold fails instead of waiting forever
        SwarmNode manager = new SwarmNode("m", "manager", "ready", "drain", Map.of(), 16_000_000_000L, 64 * GIB, List.of(), "manager");

        Admission.Plan plan = Admission.plan(List.of(manager, CPU_NODE), List.of(), List.of(queued("wide", 8, 0)), 8);

        assertThat(plan.neverFits().get("wide")).isEqualTo("no node can ever hold this job: it asks for cpus=8 memory=1g gpus=0 but the largest node, c1, has cpus=4 memory=16g gpus=0");
    }

    @Test
    void withPoolTypesTheDrainedManagerIsNoNodeEither()
    {
        SwarmNode manager = new SwarmNode("m", "manager", "ready", "drain", Map.of(SwarmNode.POOL_LABEL, "spot"), 16_000_000_000L, 64 * GIB, List.of(), "manager");

        Admission.Plan plan = Admission.plan(List.of(manager), FLEET, List.of(), List.of(claim("job", new Resources(1, GIB, 0), Optional.of("spot"))), 8);

        assertThat(plan.waiting()).containsEntry("job", "waiting for a node in pool spot: none running; scale with `terraform apply -var worker_count=N`");
    }

    @Test
    void aJobWithoutAPoolThatTwoEmptyPoolsCouldHoldNamesBoth()
    {
        List<PoolType> fleet = List.of(FLEET.get(0), new PoolType("burst", "m6i.2xlarge", 8, 32 * GIB, 0, Optional.empty()), FLEET.get(1));

        Admission.Plan plan = Admission.plan(List.of(), fleet, List.of(), List.of(queued("job", 6, 0)), 8);

        assertThat(plan.waiting()).containsEntry("job",
                "waiting for a node in pool spot or burst: none running; scale with `terraform apply -var worker_count=N` (spot)");
    }

    private static Claim queued(String id, double cpus, int gpus)
    {
        return claim(id, new Resources(cpus, GIB, gpus), Optional.empty());
    }

    /** A job already admitted, on {@code node} once Swarm placed it (null: not yet). */
    private static Admission.Held held(String id, double cpus, int gpus, String node)
    {
        Claim running = new Claim(0, id, JobState.RUNNING, new Resources(cpus, GIB, gpus), Optional.empty(), Optional.empty(), 1, false, "ada", 0, Optional.empty());
        return new Admission.Held(running, Optional.ofNullable(node));
    }

    private static Claim claim(String id, Resources resources, Optional<String> pool)
    {
        return new Claim(0, id, JobState.QUEUED, resources, pool, Optional.empty(), 0, false, "ada", 0, Optional.empty());
    }

    private static SwarmNode node(String id, String pool, int cpus, int memoryGib, int gpus)
    {
        List<String> ids = java.util.stream.IntStream.range(0, gpus).mapToObj(i -> "GPU-" + id + "-" + i).toList();
        return new SwarmNode(id, id, "ready", "active", Map.of(SwarmNode.POOL_LABEL, pool), cpus * 1_000_000_000L, memoryGib * GIB, ids);
    }
}
