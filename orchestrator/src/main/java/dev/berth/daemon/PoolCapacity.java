package dev.berth.daemon;

import dev.berth.config.PoolType;
import dev.berth.job.Claim;
import dev.berth.job.Lifecycle;
import dev.berth.job.Resources;
import dev.berth.swarm.SwarmNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * What the fleet could ever hold, once its pools' instance types are known ({@code BERTH_POOLS}): a
 * pool with nodes is judged by its nodes, a pool with none by its type. A job that some pool with no
 * node could hold waits for one; a job that nothing could hold fails at once. A drained manager runs
 * no job, ever, so it counts as no node of any pool. Made once per admission round.
 */
final class PoolCapacity
{
    private final List<PoolType> types;
    private final Map<String, List<SwarmNode>> nodesByPool = new LinkedHashMap<>();
    /** Nodes of no configured pool (unlabelled, or labelled by hand): they hold what they hold. */
    private final List<SwarmNode> others = new ArrayList<>();
    private final Map<String, String> scaleVariables;
    private final Set<String> autoscaled;

    /** @param autoscaled the pools berth grows itself (its {@code BERTH_AUTOSCALE}), which a waiting job's reason says */
    PoolCapacity(List<PoolType> types, Set<String> autoscaled, List<SwarmNode> nodes)
    {
        this.autoscaled = Set.copyOf(requireNonNull(autoscaled, "autoscaled is null"));
        this.types = List.copyOf(requireNonNull(types, "types is null"));
        types.forEach(type -> nodesByPool.put(type.pool(), new ArrayList<>()));
        for (SwarmNode node : nodes) {
            if (!node.drainedManager()) {
                node.pool().map(nodesByPool::get).orElse(others).add(node);
            }
        }
        this.scaleVariables = types.stream().filter(type -> type.scaleVariable().isPresent())
                .collect(Collectors.toMap(PoolType::pool, type -> type.scaleVariable().get()));
    }

    /** What admission does with a queued job: look for room on the nodes, let it wait (and why), or fail it (and why). */
    sealed interface Verdict {}

    record OnNodes() implements Verdict {}

    record Waits(String reason) implements Verdict {}

    record NeverFits(String reason) implements Verdict {}

    Verdict judge(Claim claim)
    {
        Resources asked = claim.resources();
        List<PoolType> candidates = types.stream().filter(type -> claim.pool().isEmpty() || claim.pool().get().equals(type.pool())).toList();
        List<SwarmNode> judgedNodes = new ArrayList<>();
        List<String> emptyPoolsThatHold = new ArrayList<>();
        boolean anyTypeHolds = false;
        for (PoolType type : candidates) {
            List<SwarmNode> pool = nodesByPool.get(type.pool());
            boolean typeHolds = holds(type, asked);
            anyTypeHolds |= typeHolds;
            if (pool.isEmpty() && typeHolds) {
                emptyPoolsThatHold.add(type.pool());
            }
            judgedNodes.addAll(pool);
        }
        others.stream().filter(node -> claim.pool().isEmpty() || claim.pool().equals(node.pool())).forEach(judgedNodes::add);
        if (judgedNodes.stream().anyMatch(node -> Admission.fitsEmpty(node, asked))) {
            return new OnNodes();
        }
        if (!emptyPoolsThatHold.isEmpty()) {
            return new Waits(Lifecycle.waitingForPoolNode(emptyPoolsThatHold, scaleVariables, autoscaled));
        }
        if (anyTypeHolds || candidates.isEmpty() && !judgedNodes.isEmpty()) {
            // A type that would hold it, on nodes that cannot (each node keeps some of its memory for itself)
            return new NeverFits(Admission.tooLarge(claim, judgedNodes));
        }
        if (candidates.isEmpty()) {
            return new NeverFits(Lifecycle.noSuchPool(claim.pool().orElseThrow(), types.stream().map(PoolType::pool).toList()));
        }
        PoolType largest = candidates.stream().max(largestFor(asked)).orElseThrow();
        return new NeverFits(Lifecycle.noInstanceTypeHolds(asked, largest.instanceType(), largest.pool(),
                new Resources(largest.cpus(), largest.memoryBytes(), largest.gpus())));
    }

    private static boolean holds(PoolType type, Resources asked)
    {
        return type.nanoCpus() >= asked.nanoCpus() && type.memoryBytes() >= asked.memoryBytes() && type.gpus() >= asked.gpus();
    }

    /** Largest first by what the job asks most of: GPUs for a GPU job, else CPUs, then memory. */
    private static Comparator<PoolType> largestFor(Resources asked)
    {
        Comparator<PoolType> byCpus = Comparator.comparingLong(PoolType::nanoCpus).thenComparingLong(PoolType::memoryBytes);
        return asked.gpus() > 0 ? Comparator.comparingInt(PoolType::gpus).thenComparing(byCpus) : byCpus.thenComparingInt(PoolType::gpus);
    }
}
