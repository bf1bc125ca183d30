package dev.berth.daemon;

import dev.berth.job.Claim;
import dev.berth.job.JobState;
import dev.berth.job.Resources;
import dev.berth.swarm.SwarmNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    private static Claim queued(String id, double cpus, int gpus)
    {
        return claim(id, new Resources(cpus, GIB, gpus), Optional.empty());
    }

    /** A job already admitted, on {@code node} once Swarm placed it (null: not yet). */
    private static Admission.Held held(String id, double cpus, int gpus, String node)
    {
        Claim running = new Claim(0, id, JobState.RUNNING, new Resources(cpus, GIB, gpus), Optional.empty(), Optional.empty(), 1, false);
        return new Admission.Held(running, Optional.ofNullable(node));
    }

    private static Claim claim(String id, Resources resources, Optional<String> pool)
    {
        return new Claim(0, id, JobState.QUEUED, resources, pool, Optional.empty(), 0, false);
    }

    private static SwarmNode node(String id, String pool, int cpus, int memoryGib, int gpus)
    {
        List<String> ids = java.util.stream.IntStream.range(0, gpus).mapToObj(i -> "GPU-" + id + "-" + i).toList();
        return new SwarmNode(id, id, "ready", "active", Map.of(SwarmNode.POOL_LABEL, pool), cpus * 1_000_000_000L, memoryGib * GIB, ids);
    }
}
