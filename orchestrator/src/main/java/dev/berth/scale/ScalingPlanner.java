package dev.berth.scale;

import dev.berth.config.Autoscaling;
import dev.berth.config.Durations;
import dev.berth.config.PoolType;
import dev.berth.config.Sizes;
import dev.berth.job.Resources;
import dev.berth.swarm.SwarmNode;
import dev.berth.time.Ticker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * How many workers each pool needs, and which step takes it there. The pool's queued and running jobs
 * are packed, first fit by GPUs, CPUs and memory, largest first, into workers of the pool's instance type;
 * the pool gets that many, within its min and max, and never fewer than its busy workers. A pool grows
 * at once. It shrinks one idle worker at a time, only once that worker has been idle for the cool-down
 * and the pool has not grown within it: the worker is drained first, and removed once it runs nothing.
 * Remembers when each worker fell idle and each pool last grew, read from the ticker.
 */
final class ScalingPlanner
{
    /** The value of {@link SwarmNode#DRAINED_BY_LABEL} on a worker berth drained to remove it. */
    static final String DRAINED_FOR_SCALE_IN = "scale-in";

    private final Map<String, PoolType> types;
    private final Duration coolDown;
    private final Ticker ticker;
    private final Map<String, Long> idleSince = new HashMap<>();
    private final Map<String, Long> grewAt = new HashMap<>();

    ScalingPlanner(List<PoolType> types, Duration coolDown, Ticker ticker)
    {
        this.types = requireNonNull(types, "types is null").stream().collect(Collectors.toMap(PoolType::pool, type -> type));
        this.coolDown = requireNonNull(coolDown, "coolDown is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
    }

    List<ScalingDecision> plan(Autoscaling.Pool bounds, PoolLook look)
    {
        PoolType type = requireNonNull(types.get(bounds.pool()), () -> "no instance type for pool " + bounds.pool());
        long now = ticker.read();
        List<SwarmNode> draining = new ArrayList<>();
        List<SwarmNode> idle = new ArrayList<>();
        int busy = 0;
        for (SwarmNode worker : look.workers()) {
            boolean runsSomething = look.busy().contains(worker.id());
            if (runsSomething) {
                idleSince.remove(worker.id());
            }
            else {
                idleSince.putIfAbsent(worker.id(), now);
            }
            if (worker.availability().equals("drain") && worker.drainedBy().filter(DRAINED_FOR_SCALE_IN::equals).isPresent()) {
                // Leaving whatever it runs: a task on a drained node is interrupted and its job queued again, where it counts
                draining.add(worker);
            }
            else if (runsSomething) {
                busy++;
            }
            else if (worker.schedulable()) {
                idle.add(worker);
            }
        }
        idleSince.keySet().retainAll(look.workers().stream().map(SwarmNode::id).collect(Collectors.toSet()));

        List<ScalingDecision> decisions = new ArrayList<>();
        int leaving = 0;
        for (SwarmNode worker : draining) {
            if (!look.busy().contains(worker.id())) {
                leaving++;
                decisions.add(new ScalingDecision.Remove(bounds.pool(), worker, "pool %s: %s is drained and runs nothing; removing it (%s left)"
                        .formatted(bounds.pool(), worker.hostname(), workers(look.desired() - leaving))));
            }
        }
        // Workers being drained are on their way out: what the pool keeps is what is left
        int staying = look.desired() - draining.size();
        int need = workersFor(type, look);
        int wanted = Math.max(Math.min(Math.max(need, busy), bounds.max()), bounds.min());
        String demand = need == 0
                ? "pool %s: %s, none needing a worker".formatted(bounds.pool(), jobs(look))
                : "pool %s: %s %s %s of %s".formatted(bounds.pool(), jobs(look), look.queued().size() + look.running().size() == 1 ? "needs" : "need",
                        workers(need), describe(type));
        if (wanted > staying) {
            // The removals above have lowered the scaler's count by the workers they took
            int to = wanted + draining.size() - leaving;
            String bound = need > bounds.max() ? ", the pool's max" : need < bounds.min() ? ", the pool's min" : "";
            decisions.add(new ScalingDecision.Grow(bounds.pool(), look.desired() - leaving, to, "%s; have %d; scaling to %d%s"
                    .formatted(demand, staying, wanted, bound)));
            grewAt.put(bounds.pool(), now);
            return List.copyOf(decisions);
        }
        Long grew = grewAt.get(bounds.pool());
        if (wanted < staying && (grew == null || now - grew >= coolDown.toNanos())) {
            idle.stream()
                    .filter(worker -> now - idleSince.get(worker.id()) >= coolDown.toNanos())
                    .min(Comparator.comparingLong((SwarmNode worker) -> idleSince.get(worker.id())).thenComparing(SwarmNode::hostname))
                    .ifPresent(worker -> decisions.add(new ScalingDecision.Drain(bounds.pool(), worker, "%s; have %d; draining %s, idle for %s (cool-down %s), to remove it"
                            .formatted(demand, staying, worker.hostname(), Durations.format(Duration.ofNanos(now - idleSince.get(worker.id()))),
                                    Durations.format(coolDown)))));
        }
        return List.copyOf(decisions);
    }

    /** How many workers of the type hold the jobs: first fit, largest first; a job no worker of the type could hold counts for none. */
    static int workersFor(PoolType type, PoolLook look)
    {
        List<Resources> jobs = new ArrayList<>(look.queued());
        jobs.addAll(look.running());
        jobs.removeIf(job -> job.gpus() > type.gpus() || job.nanoCpus() > type.nanoCpus() || job.memoryBytes() > type.memoryBytes());
        jobs.sort(Comparator.comparingInt(Resources::gpus).thenComparingLong(Resources::nanoCpus).thenComparingLong(Resources::memoryBytes).reversed());
        List<long[]> free = new ArrayList<>();
        for (Resources job : jobs) {
            long[] worker = free.stream()
                    .filter(room -> room[0] >= job.gpus() && room[1] >= job.nanoCpus() && room[2] >= job.memoryBytes())
                    .findFirst()
                    .orElseGet(() -> {
                        long[] fresh = {type.gpus(), type.nanoCpus(), type.memoryBytes()};
                        free.add(fresh);
                        return fresh;
                    });
            worker[0] -= job.gpus();
            worker[1] -= job.nanoCpus();
            worker[2] -= job.memoryBytes();
        }
        return free.size();
    }

    private static String jobs(PoolLook look)
    {
        int queued = look.queued().size();
        int running = look.running().size();
        if (queued == 0 && running == 0) {
            return "no jobs";
        }
        if (running == 0) {
            return queued + " queued " + (queued == 1 ? "job" : "jobs");
        }
        if (queued == 0) {
            return running + " running " + (running == 1 ? "job" : "jobs");
        }
        return queued + " queued and " + running + " running jobs";
    }

    private static String workers(int count)
    {
        return count + (count == 1 ? " worker" : " workers");
    }

    private static String describe(PoolType type)
    {
        String cpus = type.cpus() == Math.rint(type.cpus()) ? String.valueOf((long) type.cpus()) : String.valueOf(type.cpus());
        String each = type.gpus() > 0
                ? type.gpus() + (type.gpus() == 1 ? " GPU" : " GPUs")
                : cpus + " CPUs, " + Sizes.format(type.memoryBytes());
        return type.instanceType() + " (" + each + " each)";
    }
}
