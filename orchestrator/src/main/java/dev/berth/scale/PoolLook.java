package dev.berth.scale;

import dev.berth.job.Resources;
import dev.berth.swarm.SwarmNode;

import java.util.List;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * One pool as the planner sees it on one pass.
 *
 * @param desired what the scaler says the pool has or is getting
 * @param workers the swarm's nodes of the pool (a worker still starting is not one yet)
 * @param busy ids of the nodes where a task of berth's has not ended
 * @param queued what each queued job of the pool asks for
 * @param running what each of the pool's jobs being prepared, pending or running asks for
 */
record PoolLook(String pool, int desired, List<SwarmNode> workers, Set<String> busy, List<Resources> queued, List<Resources> running)
{
    PoolLook
    {
        requireNonNull(pool, "pool is null");
        workers = List.copyOf(workers);
        busy = Set.copyOf(busy);
        queued = List.copyOf(queued);
        running = List.copyOf(running);
    }
}
