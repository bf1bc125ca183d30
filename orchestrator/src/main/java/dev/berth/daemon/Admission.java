package dev.berth.daemon;

import dev.berth.config.PoolType;
import dev.berth.job.Claim;
import dev.berth.job.Lifecycle;
import dev.berth.job.Resources;
import dev.berth.swarm.SwarmNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * Decides which queued jobs go to Swarm now. Swarm starts pending tasks in random order, so berth
 * hands it only what can start at once: jobs are taken first in, first out, each placed on a node
 * with room for it after what berth's live jobs hold, and never more than the pending cap at a
 * time. A job that does not fit now holds its place: its request is set aside on the node it waits
 * for, so smaller jobs behind it can use what is left but cannot take what it needs.
 */
final class Admission
{
    /** Least room first: GPUs, then CPUs, then memory. */
    private static final Comparator<Free> BY_ROOM = Comparator.comparingInt((Free room) -> room.gpus)
            .thenComparingLong(room -> room.nanoCpus)
            .thenComparingLong(room -> room.memoryBytes);

    private Admission() {}

    /** A live job's claim on the fleet, and the node it holds once Swarm has placed its task. */
    record Held(Claim claim, Optional<String> nodeId)
    {
        Held
        {
            requireNonNull(claim, "claim is null");
            requireNonNull(nodeId, "nodeId is null");
        }
    }

    /**
     * @param admit jobs to prepare and submit now, in order
     * @param neverFits jobs no node of their pool could ever hold, with the reason to record
     * @param waiting why each remaining queued job waits
     */
    record Plan(List<String> admit, Map<String, String> neverFits, Map<String, String> waiting) {}

    /** The plan with no pool types known (a single node, or a fleet without {@code BERTH_POOLS}): the nodes are all there is. */
    static Plan plan(List<SwarmNode> nodes, List<Held> live, List<Claim> queued, int pendingSlots)
    {
        return plan(nodes, List.of(), live, queued, pendingSlots);
    }

    /**
     * @param poolTypes the fleet's pools and their instance types: with them, a job a pool with no node up
     * could hold waits for one, and a job none could hold fails at once
     */
    static Plan plan(List<SwarmNode> nodes, List<PoolType> poolTypes, List<Held> live, List<Claim> queued, int pendingSlots)
    {
        return plan(nodes, poolTypes, Set.of(), live, queued, pendingSlots);
    }

    /** @param autoscaled the pools berth grows itself, so that a job waiting for one says autoscaling will add a node */
    static Plan plan(List<SwarmNode> nodes, List<PoolType> poolTypes, Set<String> autoscaled, List<Held> live, List<Claim> queued, int pendingSlots)
    {
        Map<String, Free> free = new LinkedHashMap<>();
        for (SwarmNode node : nodes) {
            if (node.schedulable()) {
                free.put(node.id(), new Free(node));
            }
        }
        List<Claim> unplaced = new ArrayList<>();
        for (Held held : live) {
            Free room = held.nodeId().map(free::get).orElse(null);
            if (room != null) {
                room.take(held.claim().resources());
            }
            else if (held.nodeId().isEmpty()) {
                unplaced.add(held.claim());
            }
        }
        for (Claim claim : unplaced) {
            bestFit(free, claim).or(() -> roomiest(free, claim)).ifPresent(room -> room.take(claim.resources()));
        }

        List<String> admit = new ArrayList<>();
        Map<String, String> neverFits = new LinkedHashMap<>();
        Map<String, String> waiting = new LinkedHashMap<>();
        int slots = pendingSlots;
        // Plans run often, over hundreds of queued jobs that mostly name the same pool or none
        Map<Optional<String>, List<SwarmNode>> pools = new HashMap<>();
        Function<Claim, PoolCapacity.Verdict> judge = poolTypes.isEmpty()
                ? claim -> byNodes(claim, pools.computeIfAbsent(claim.pool(), name -> poolNodes(nodes, name)))
                : new PoolCapacity(poolTypes, autoscaled, nodes)::judge;
        for (Claim claim : queued) {
            PoolCapacity.Verdict verdict = judge.apply(claim);
            if (verdict instanceof PoolCapacity.Waits waits) {
                waiting.put(claim.jobId(), waits.reason());
                continue;
            }
            if (verdict instanceof PoolCapacity.NeverFits never) {
                neverFits.put(claim.jobId(), never.reason());
                continue;
            }
            Optional<Free> room = bestFit(free, claim);
            if (room.isPresent() && slots > 0) {
                room.get().take(claim.resources());
                admit.add(claim.jobId());
                slots--;
                continue;
            }
            waiting.put(claim.jobId(), room.isPresent() ? Lifecycle.pendingCapReached() : Lifecycle.waitingForRoom(claim.resources()));
            // Hold its place on the node it waits for, so later jobs cannot take what it needs.
            (room.isPresent() ? room : roomiest(free, claim)).ifPresent(node -> node.take(claim.resources()));
        }
        return new Plan(admit, neverFits, waiting);
    }

    /** The nodes of a pool (any node, for a job that names none); a drained manager runs berth and Swarm, never a job, so no job waits for it. */
    private static List<SwarmNode> poolNodes(List<SwarmNode> nodes, Optional<String> pool)
    {
        return nodes.stream().filter(node -> inPool(node, pool) && !node.drainedManager()).toList();
    }

    /** With no pool types known, the nodes of the job's pool are all it could ever have. */
    private static PoolCapacity.Verdict byNodes(Claim claim, List<SwarmNode> pool)
    {
        if (pool.isEmpty()) {
            return new PoolCapacity.Waits(Lifecycle.waitingForAnyNode(claim.pool()));
        }
        if (!fitsAnyEmpty(pool, claim.resources())) {
            return new PoolCapacity.NeverFits(tooLarge(claim, pool));
        }
        return new PoolCapacity.OnNodes();
    }

    private static boolean inPool(SwarmNode node, Optional<String> pool)
    {
        return pool.isEmpty() || pool.equals(node.pool());
    }

    static boolean fitsEmpty(SwarmNode node, Resources resources)
    {
        return node.nanoCpus() >= resources.nanoCpus() && node.memoryBytes() >= resources.memoryBytes() && node.gpus().size() >= resources.gpus();
    }

    private static boolean fitsAnyEmpty(List<SwarmNode> pool, Resources resources)
    {
        for (SwarmNode node : pool) {
            if (fitsEmpty(node, resources)) {
                return true;
            }
        }
        return false;
    }

    /** The node with the least room that still holds the job (the first such, on a tie), so large nodes stay free for large jobs. */
    private static Optional<Free> bestFit(Map<String, Free> free, Claim claim)
    {
        Free best = null;
        for (Free room : free.values()) {
            if (inPool(room.node, claim.pool()) && room.holds(claim.resources()) && (best == null || BY_ROOM.compare(room, best) < 0)) {
                best = room;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The node with the most room of those that could ever hold the job (the first such, on a tie). */
    private static Optional<Free> roomiest(Map<String, Free> free, Claim claim)
    {
        Free best = null;
        for (Free room : free.values()) {
            if (inPool(room.node, claim.pool()) && fitsEmpty(room.node, claim.resources()) && (best == null || BY_ROOM.compare(room, best) > 0)) {
                best = room;
            }
        }
        return Optional.ofNullable(best);
    }

    static String tooLarge(Claim claim, List<SwarmNode> pool)
    {
        SwarmNode largest = pool.stream()
                .max(Comparator.comparingInt((SwarmNode node) -> node.gpus().size()).thenComparingLong(SwarmNode::nanoCpus).thenComparingLong(SwarmNode::memoryBytes))
                .orElseThrow();
        Resources has = new Resources(Math.max(largest.nanoCpus(), 1) / 1e9, Math.max(largest.memoryBytes(), 1), largest.gpus().size());
        return Lifecycle.noNodeHolds(claim.resources(), claim.pool(), largest.hostname(), has);
    }

    /** What is left on one node. */
    private static final class Free
    {
        private final SwarmNode node;
        private long nanoCpus;
        private long memoryBytes;
        private int gpus;

        Free(SwarmNode node)
        {
            this.node = node;
            this.nanoCpus = node.nanoCpus();
            this.memoryBytes = node.memoryBytes();
            this.gpus = node.gpus().size();
        }

        boolean holds(Resources resources)
        {
            return nanoCpus >= resources.nanoCpus() && memoryBytes >= resources.memoryBytes() && gpus >= resources.gpus();
        }

        void take(Resources resources)
        {
            nanoCpus = Math.max(0, nanoCpus - resources.nanoCpus());
            memoryBytes = Math.max(0, memoryBytes - resources.memoryBytes());
            gpus = Math.max(0, gpus - resources.gpus());
        }
    }
}
