package dev.berth.scale;

import dev.berth.config.Autoscaling;
import dev.berth.config.Durations;
import dev.berth.config.PoolType;
import dev.berth.job.Claim;
import dev.berth.job.Resources;
import dev.berth.store.JobReads;
import dev.berth.swarm.Swarm;
import dev.berth.swarm.SwarmNode;
import dev.berth.swarm.TaskSnapshot;
import dev.berth.time.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Autoscaling: once an interval, on its own thread, looks at each autoscaled pool (its queued and running
 * jobs in the store, its workers and berth's tasks in Swarm, its count at the scaler), lets the
 * {@link ScalingPlanner} decide, carries the decisions out (a drain through Swarm, the rest through the
 * {@link Scaler}), keeps busy workers protected from scale-in, and says why each step was taken: in the
 * log and in {@code <state dir>/scaling.json}, which {@code berth workers} shows.
 */
public final class ScalingLoop
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(ScalingLoop.class);
    /** Far more queued jobs per pool than the largest pool's workers could hold at once. */
    private static final int QUEUE_WINDOW = 4096;
    private static final int STEPS_KEPT = 10;

    private final Autoscaling autoscaling;
    private final ScalingPlanner planner;
    private final Scaler scaler;
    private final Swarm swarm;
    private final JobReads jobs;
    private final String instanceId;
    private final String gpuKind;
    private final Path stateDir;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    /** The scaling thread's own, as is all below. */
    private final Map<String, Deque<ScalingStep>> steps = new HashMap<>();
    private final Map<String, Protection> protections = new HashMap<>();
    private Optional<ScalingReport> written = Optional.empty();

    public ScalingLoop(Autoscaling autoscaling, List<PoolType> types, Scaler scaler, Swarm swarm, JobReads jobs, String instanceId, String gpuKind,
            Path stateDir, Clock clock, Ticker ticker)
    {
        this.autoscaling = requireNonNull(autoscaling, "autoscaling is null");
        this.planner = new ScalingPlanner(types, autoscaling.coolDown(), ticker);
        this.scaler = requireNonNull(scaler, "scaler is null");
        this.swarm = requireNonNull(swarm, "swarm is null");
        this.jobs = requireNonNull(jobs, "jobs is null");
        this.instanceId = requireNonNull(instanceId, "instanceId is null");
        this.gpuKind = requireNonNull(gpuKind, "gpuKind is null");
        this.stateDir = requireNonNull(stateDir, "stateDir is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread scaling = new Thread(runnable, "berth-scale");
            scaling.setDaemon(true);
            return scaling;
        });
    }

    public void start()
    {
        log.info("Autoscaling pools {} every {}, scale-in after a cool-down of {}", autoscaling.pools().stream()
                        .map(pool -> pool.pool() + " (" + pool.min() + " to " + pool.max() + ")").collect(Collectors.joining(", ")),
                Durations.format(autoscaling.interval()), Durations.format(autoscaling.coolDown()));
        thread.scheduleWithFixedDelay(this::passLogged, 0, autoscaling.interval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void passLogged()
    {
        try {
            pass();
        }
        catch (RuntimeException e) {
            // Swarm or the store unreachable: the next pass tries again, and nothing has been half done
            log.warn("Cannot look at the pools to scale them (will try again in {}): {}", Durations.format(autoscaling.interval()), e.getMessage());
        }
    }

    /** One look at every autoscaled pool, and the steps it takes. */
    void pass()
    {
        List<SwarmNode> nodes = swarm.nodes(gpuKind);
        Set<String> busy = swarm.tasks(instanceId).stream().filter(task -> !task.ended()).map(TaskSnapshot::nodeId)
                .flatMap(Optional::stream).collect(Collectors.toSet());
        List<Claim> queued = jobs.oldestQueued(QUEUE_WINDOW);
        List<Claim> live = jobs.liveClaims();
        List<ScalingReport.PoolScaling> report = new ArrayList<>();
        for (Autoscaling.Pool pool : autoscaling.pools()) {
            report.add(scale(pool, nodes, busy, queued, live));
        }
        ScalingReport now = new ScalingReport(report);
        if (!written.equals(Optional.of(now))) {
            now.write(stateDir);
            written = Optional.of(now);
        }
    }

    private ScalingReport.PoolScaling scale(Autoscaling.Pool pool, List<SwarmNode> nodes, Set<String> busy, List<Claim> queued, List<Claim> live)
    {
        String name = pool.pool();
        try {
            List<SwarmNode> workers = nodes.stream().filter(node -> node.pool().filter(name::equals).isPresent() && !node.drainedManager()
                    && !node.state().equals("down")).toList();
            Scaler.PoolSize size = scaler.size(name);
            PoolLook look = new PoolLook(name, size.desired(), workers, busy, resources(queued, name), resources(live, name));
            for (ScalingDecision decision : planner.plan(within(pool, size), look)) {
                carryOut(decision);
            }
            protect(name, workers, busy);
        }
        catch (RuntimeException e) {
            String reason = "pool %s: could not scale: %s".formatted(name, e.getMessage());
            Deque<ScalingStep> recent = steps.get(name);
            if (recent == null || recent.isEmpty() || !recent.getLast().reason().equals(reason)) {
                log.warn("{}", reason);
                record(new ScalingStep(clock.instant(), name, "failed", -1, -1, reason));
            }
        }
        Scaler.PoolSize size;
        try {
            size = scaler.size(name);
        }
        catch (RuntimeException e) {
            size = new Scaler.PoolSize(-1, pool.min(), pool.max());
        }
        Autoscaling.Pool bounds = within(pool, size);
        return new ScalingReport.PoolScaling(name, bounds.min(), bounds.max(), size.desired(), List.copyOf(steps.getOrDefault(name, new ArrayDeque<>())));
    }

    /** Within berth's bounds and the scaler's own (an Auto Scaling group's min and max) both. */
    private static Autoscaling.Pool within(Autoscaling.Pool pool, Scaler.PoolSize size)
    {
        int min = Math.max(pool.min(), size.min());
        return new Autoscaling.Pool(pool.pool(), min, Math.max(min, Math.min(pool.max(), size.max())), pool.group());
    }

    private void carryOut(ScalingDecision decision)
    {
        log.info("Scaling: {}", decision.reason());
        String pool = decision.pool();
        int before = scaler.size(pool).desired();
        if (decision instanceof ScalingDecision.Grow grow) {
            scaler.grow(pool, grow.workers());
            record(new ScalingStep(clock.instant(), pool, "grow", before, grow.workers(), grow.reason()));
        }
        else if (decision instanceof ScalingDecision.Drain drain) {
            swarm.drainNode(drain.worker().id(), ScalingPlanner.DRAINED_FOR_SCALE_IN);
            record(new ScalingStep(clock.instant(), pool, "drain", before, before - 1, drain.reason()));
        }
        else if (decision instanceof ScalingDecision.Remove remove) {
            scaler.remove(pool, remove.worker());
            record(new ScalingStep(clock.instant(), pool, "remove", before, before - 1, remove.reason()));
        }
    }

    /** Tells the scaler which workers run something, whenever that changes. */
    private void protect(String pool, List<SwarmNode> workers, Set<String> busy)
    {
        Map<Boolean, List<SwarmNode>> byBusy = workers.stream().collect(Collectors.partitioningBy(worker -> busy.contains(worker.id())));
        Protection now = new Protection(ids(byBusy.get(true)), ids(byBusy.get(false)));
        if (!now.equals(protections.get(pool))) {
            scaler.protect(pool, byBusy.get(true), byBusy.get(false));
            protections.put(pool, now);
        }
    }

    private record Protection(Set<String> busy, Set<String> idle) {}

    private static Set<String> ids(List<SwarmNode> workers)
    {
        return workers.stream().map(SwarmNode::id).collect(Collectors.toSet());
    }

    private void record(ScalingStep step)
    {
        Deque<ScalingStep> recent = steps.computeIfAbsent(step.pool(), pool -> new ArrayDeque<>());
        recent.addLast(step);
        while (recent.size() > STEPS_KEPT) {
            recent.removeFirst();
        }
    }

    private static List<Resources> resources(List<Claim> claims, String pool)
    {
        return claims.stream().filter(claim -> claim.pool().filter(pool::equals).isPresent()).map(Claim::resources).toList();
    }

    @Override
    public void close()
    {
        thread.shutdownNow();
        try {
            thread.awaitTermination(30, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
