package dev.berth.testing;

import dev.berth.scale.Scaler;
import dev.berth.swarm.SwarmNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An in-memory scaler: counts per pool, the workers it was told to protect, the workers it removed, and a
 * failure it can be made to throw, as an Auto Scaling group refusing a call would.
 */
public final class FakeScaler
        implements Scaler
{
    private final Map<String, Integer> desired = new HashMap<>();
    private final Map<String, int[]> bounds = new HashMap<>();
    private final Map<String, Set<String>> protectedWorkers = new HashMap<>();
    private final List<String> removed = new ArrayList<>();
    private final List<String> calls = new ArrayList<>();
    private RuntimeException failure;

    @Override
    public synchronized PoolSize size(String pool)
    {
        int[] own = bounds.get(pool);
        return own == null ? PoolSize.unbounded(desired(pool)) : new PoolSize(desired(pool), own[0], own[1]);
    }

    public synchronized int desired(String pool)
    {
        return desired.getOrDefault(pool, 0);
    }

    @Override
    public synchronized void grow(String pool, int workers)
    {
        failIfAsked();
        calls.add("grow " + pool + " " + workers);
        desired.put(pool, workers);
    }

    @Override
    public synchronized void protect(String pool, List<SwarmNode> busy, List<SwarmNode> idle)
    {
        failIfAsked();
        calls.add("protect " + pool + " " + busy.stream().map(SwarmNode::hostname).sorted().toList() + " " + idle.stream().map(SwarmNode::hostname).sorted().toList());
        Set<String> protect = protectedWorkers.computeIfAbsent(pool, name -> new TreeSet<>());
        busy.forEach(worker -> protect.add(worker.hostname()));
        idle.forEach(worker -> protect.remove(worker.hostname()));
    }

    @Override
    public synchronized void remove(String pool, SwarmNode worker)
    {
        failIfAsked();
        calls.add("remove " + pool + " " + worker.hostname());
        removed.add(worker.hostname());
        desired.merge(pool, -1, Integer::sum);
    }

    /** Sets the pool's count, as workers already in the group. */
    public synchronized FakeScaler withDesired(String pool, int workers)
    {
        desired.put(pool, workers);
        return this;
    }

    /** The pool's own min and max, as an Auto Scaling group keeps. */
    public synchronized FakeScaler withBounds(String pool, int min, int max)
    {
        bounds.put(pool, new int[] {min, max});
        return this;
    }

    /** Every call but {@link #size} throws {@code failure} from now on (null: they succeed again). */
    public synchronized void failWith(RuntimeException failure)
    {
        this.failure = failure;
    }

    public synchronized Set<String> protectedWorkers(String pool)
    {
        return Set.copyOf(protectedWorkers.getOrDefault(pool, Set.of()));
    }

    public synchronized List<String> removed()
    {
        return List.copyOf(removed);
    }

    /** What was asked of it, in order: {@code grow POOL N}, {@code protect POOL [busy] [idle]}, {@code remove POOL HOST}. */
    public synchronized List<String> calls()
    {
        return List.copyOf(calls);
    }

    private void failIfAsked()
    {
        if (failure != null) {
            throw failure;
        }
    }
}
