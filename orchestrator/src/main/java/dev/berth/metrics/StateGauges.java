package dev.berth.metrics;

import dev.berth.fleet.FleetStatus;
import dev.berth.fleet.HeartbeatReader;
import dev.berth.fleet.HeartbeatScan;
import dev.berth.fleet.WorkerStatus;
import dev.berth.job.Claim;
import dev.berth.job.JobState;
import dev.berth.store.JobReads;
import dev.berth.swarm.Swarm;
import dev.berth.swarm.SwarmNode;
import dev.berth.swarm.TaskSnapshot;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * The gauges of how things stand: jobs by state, services pending in Swarm, workers, GPUs and
 * heartbeats. {@link #read} takes them afresh at each scrape (one count query, one node and one task
 * listing, one read of the heartbeat tree), so a scrape never shows what an earlier one saw. What
 * cannot be read (the manager unreachable) is left out of that scrape rather than shown as it was.
 */
public final class StateGauges
{
    private static final Logger log = LoggerFactory.getLogger(StateGauges.class);
    /** The pool label of a node that has none. */
    private static final String NO_POOL = "none";

    private final JobReads jobs;
    private final Swarm swarm;
    private final String instanceId;
    private final String gpuKind;
    private final HeartbeatReader heartbeats;
    private final Clock clock;
    private final Duration staleAfter;
    private final MultiGauge pending;
    private final MultiGauge workers;
    private final MultiGauge gpus;
    private final MultiGauge heartbeatAges;
    private volatile Map<JobState, Integer> jobCounts = Map.of();

    public StateGauges(MeterRegistry registry, JobReads jobs, Swarm swarm, String instanceId, String gpuKind, HeartbeatReader heartbeats, Clock clock,
            Duration staleAfter)
    {
        requireNonNull(registry, "registry is null");
        this.jobs = requireNonNull(jobs, "jobs is null");
        this.swarm = requireNonNull(swarm, "swarm is null");
        this.instanceId = requireNonNull(instanceId, "instanceId is null");
        this.gpuKind = requireNonNull(gpuKind, "gpuKind is null");
        this.heartbeats = requireNonNull(heartbeats, "heartbeats is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.staleAfter = requireNonNull(staleAfter, "staleAfter is null");
        for (JobState state : JobState.values()) {
            Gauge.builder("berth.jobs", this, gauges -> gauges.jobCounts.getOrDefault(state, 0))
                    .description("Jobs in the store, by state")
                    .tag("state", state.name())
                    .strongReference(true)
                    .register(registry);
        }
        this.pending = MultiGauge.builder("berth.services.pending")
                .description("berth's services that Swarm holds and has not started yet (at most BERTH_PENDING_CAP)")
                .register(registry);
        this.workers = MultiGauge.builder("berth.workers")
                .description("Workers by pool and state: ready, drain, pause, down, disconnected, unknown, off (powered itself off), not_in_swarm")
                .register(registry);
        this.gpus = MultiGauge.builder("berth.gpus")
                .description("GPUs by pool: used by berth's jobs, or free on nodes that take new tasks")
                .register(registry);
        this.heartbeatAges = MultiGauge.builder("berth.worker.heartbeat.age")
                .description("Time since each worker's heartbeat was written (workers powered off left out)")
                .baseUnit("seconds")
                .register(registry);
    }

    /** Reads every gauge afresh; called before each scrape. */
    public void read()
    {
        jobCounts = jobs.countByState();
        List<SwarmNode> nodes;
        List<TaskSnapshot> tasks;
        try {
            nodes = swarm.nodes(gpuKind);
            tasks = swarm.tasks(instanceId).stream().filter(task -> !task.ended()).toList();
        }
        catch (RuntimeException e) {
            log.debug("Metrics scrape without the fleet's gauges: cannot list Swarm: {}", e.getMessage());
            List.of(pending, workers, gpus, heartbeatAges).forEach(gauge -> gauge.register(List.of(), true));
            return;
        }
        pending.register(List.of(MultiGauge.Row.of(Tags.empty(),
                tasks.stream().filter(task -> !task.running()).map(TaskSnapshot::serviceName).distinct().count())), true);
        gpus.register(gpuRows(nodes, tasks), true);
        HeartbeatScan scan;
        try {
            scan = heartbeats.read();
        }
        catch (RuntimeException e) {
            log.debug("Metrics scrape without heartbeats: {}", e.getMessage());
            scan = new HeartbeatScan(List.of(), Map.of());
        }
        FleetStatus fleet = FleetStatus.of(nodes, scan, clock.instant(), staleAfter);
        workers.register(counted(fleet.workers().stream()
                .collect(Collectors.groupingBy(worker -> Tags.of("pool", pool(worker), "state", state(worker)), HashMap::new, Collectors.counting()))), true);
        heartbeatAges.register(fleet.workers().stream()
                .filter(worker -> worker.heartbeatAge().isPresent() && !worker.agentState().orElse("").equals("off"))
                .map(worker -> MultiGauge.Row.of(Tags.of("pool", pool(worker), "host", worker.hostname()),
                        worker.heartbeatAge().get().toMillis() / 1000.0))
                .toList(), true);
    }

    /** Per pool, the GPUs berth's placed tasks hold, and those left on nodes Swarm would place new tasks on. */
    private List<MultiGauge.Row<?>> gpuRows(List<SwarmNode> nodes, List<TaskSnapshot> tasks)
    {
        Map<String, Integer> gpusByService = new HashMap<>();
        for (Claim claim : jobs.liveClaims()) {
            gpusByService.put(Swarm.serviceName(claim.jobId(), claim.attempts()), claim.resources().gpus());
        }
        Map<String, Integer> heldByNode = new HashMap<>();
        for (TaskSnapshot task : tasks) {
            task.nodeId().ifPresent(node -> heldByNode.merge(node, gpusByService.getOrDefault(task.serviceName(), 0), Integer::sum));
        }
        Map<Tags, Long> rows = new HashMap<>();
        for (SwarmNode node : nodes) {
            String pool = node.pool().orElse(NO_POOL);
            int used = Math.min(node.gpus().size(), heldByNode.getOrDefault(node.id(), 0));
            rows.merge(Tags.of("pool", pool, "state", "used"), (long) used, Long::sum);
            rows.merge(Tags.of("pool", pool, "state", "free"), node.schedulable() ? node.gpus().size() - used : 0L, Long::sum);
        }
        return counted(rows);
    }

    private static List<MultiGauge.Row<?>> counted(Map<Tags, Long> counts)
    {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        counts.forEach((tags, count) -> rows.add(MultiGauge.Row.of(tags, count)));
        return rows;
    }

    private static String pool(WorkerStatus worker)
    {
        return worker.pool().orElse(NO_POOL);
    }

    /** One word for where a worker stands, from Swarm's state and availability and its agent's state. */
    private static String state(WorkerStatus worker)
    {
        if (worker.agentState().orElse("").equals("off")) {
            return "off";
        }
        if (worker.swarmState().isEmpty()) {
            return "not_in_swarm";
        }
        String state = worker.swarmState().get();
        String availability = worker.availability().orElse("active");
        return state.equals("ready") && !availability.equals("active") ? availability : state;
    }
}
