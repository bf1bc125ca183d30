package dev.berth.daemon;

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
        List<Admission.Demand> queued = List.of(demand("a", 1, 0, null), demand("b", 1, 0, null), demand("c", 1, 0, null));

        Admission.Plan plan = Admission.plan(List.of(CPU_NODE), List.of(), queued, 2);

        assertThat(plan.admit()).containsExactly("a", "b");
        assertThat(plan.waiting()).containsEntry("c", "pending cap reached");
    }

    @Test
    void secondGpuJobWaitsWhileTheFirstHoldsTheOnlyGpu()
    {
        Admission.Plan plan = Admission.plan(List.of(GPU_NODE), List.of(demand("first", 1, 1, null)), List.of(demand("second", 1, 1, null)), 8);

        assertThat(plan.admit()).isEmpty();
        assertThat(plan.waiting().get("second")).startsWith("waiting for a node with room");
    }

    @Test
    void aWaitingJobKeepsItsPlaceAgainstLaterJobs()
    {
        // "big" needs the whole node; "small" behind it must not take the room it waits for.
        SwarmNode node = node("n", "spot", 4, 16, 0);
        Admission.Plan plan = Admission.plan(List.of(node), List.of(demand("running", 2, 0, "n")),
                List.of(demand("big", 4, 0, null), demand("small", 1, 0, null)), 8);

        assertThat(plan.admit()).isEmpty();
        assertThat(plan.waiting()).containsKeys("big", "small");
    }

    @Test
    void smallerJobsUseWhatAWaitingJobDoesNotNeed()
    {
        Admission.Plan plan = Admission.plan(List.of(GPU_NODE, CPU_NODE), List.of(demand("gpu-running", 1, 1, "g1")),
                List.of(demand("gpu-waiting", 1, 1, null), demand("cpu-job", 1, 0, null)), 8);

        assertThat(plan.admit()).containsExactly("cpu-job");
    }

    @Test
    void aJobNoNodeCanEverHoldFailsNamingTheLargestNode()
    {
        Admission.Plan plan = Admission.plan(List.of(GPU_NODE, CPU_NODE), List.of(),
                List.of(new Admission.Demand("huge", new Resources(1, GIB, 4), Optional.of("gpu"), Optional.empty())), 8);

        assertThat(plan.admit()).isEmpty();
        assertThat(plan.neverFits().get("huge"))
                .isEqualTo("no node can ever hold this job: it asks for cpus=1 memory=1g gpus=4 but the largest node in pool 'gpu', g1, has cpus=8 memory=32g gpus=1");
    }

    @Test
    void jobsWaitForAPoolWithNoNodesRatherThanFail()
    {
        Admission.Plan plan = Admission.plan(List.of(CPU_NODE), List.of(),
                List.of(new Admission.Demand("burst-job", new Resources(1, GIB, 0), Optional.of("burst"), Optional.empty())), 8);

        assertThat(plan.neverFits()).isEmpty();
        assertThat(plan.waiting()).containsEntry("burst-job", "no node in pool 'burst' yet");
    }

    @Test
    void downAndDrainedNodesTakeNoNewJobs()
    {
        SwarmNode down = new SwarmNode("d", "down-node", "down", "active", Map.of(), 8_000_000_000L, 32 * GIB, List.of());
        SwarmNode drained = new SwarmNode("r", "drained-node", "ready", "drain", Map.of(), 8_000_000_000L, 32 * GIB, List.of());

        Admission.Plan plan = Admission.plan(List.of(down, drained), List.of(), List.of(demand("a", 1, 0, null)), 8);

        assertThat(plan.admit()).isEmpty();
        assertThat(plan.neverFits()).isEmpty();
    }

    private static Admission.Demand demand(String id, double cpus, int gpus, String node)
    {
        return new Admission.Demand(id, new Resources(cpus, GIB, gpus), Optional.empty(), Optional.ofNullable(node));
    }

    private static SwarmNode node(String id, String pool, int cpus, int memoryGib, int gpus)
    {
        List<String> ids = java.util.stream.IntStream.range(0, gpus).mapToObj(i -> "GPU-" + id + "-" + i).toList();
        return new SwarmNode(id, id, "ready", "active", Map.of(SwarmNode.POOL_LABEL, pool), cpus * 1_000_000_000L, memoryGib * GIB, ids);
    }
}
