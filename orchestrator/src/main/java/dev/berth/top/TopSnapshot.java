package dev.berth.top;

import dev.berth.fleet.FleetStatus;
import dev.berth.fleet.WorkerStatus;
import dev.berth.job.Attempt;
import dev.berth.job.Cause;
import dev.berth.job.Job;
import dev.berth.job.JobRequest;
import dev.berth.job.JobState;
import dev.berth.store.JobReads;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * What {@code berth top} shows at one moment: the fleet by pool, the queue, the jobs that hold a place
 * in the fleet, and the newest failures. Read from the store and one look at the fleet; everything
 * else (time since, filters, the screen) is worked out from it.
 *
 * @param live jobs being prepared, pending in Swarm or running: running first, then oldest first
 * @param failures the newest jobs that failed, timed out or were rejected, the last to end first
 */
public record TopSnapshot(Instant takenAt, Fleet fleet, QueueCounts queue, List<JobLine> live, List<JobLine> failures)
{
    /** How many failures the snapshot keeps: a screenful's share, and what a glance takes in. */
    public static final int FAILURES = 10;
    /** The pool name shown for workers and jobs that name none. */
    public static final String NO_POOL = "-";

    private static final Set<JobState> LIVE = EnumSet.of(JobState.PREPARING, JobState.SUBMITTED, JobState.RUNNING);
    private static final Set<JobState> FAILED = EnumSet.of(JobState.FAILED, JobState.TIMED_OUT, JobState.REJECTED);
    private static final Comparator<JobLine> LIVE_ORDER = Comparator.comparingInt((JobLine line) -> switch (line.state()) {
        case RUNNING -> 0;
        case SUBMITTED -> 1;
        default -> 2;
    });

    public TopSnapshot
    {
        requireNonNull(takenAt, "takenAt is null");
        requireNonNull(fleet, "fleet is null");
        requireNonNull(queue, "queue is null");
        live = List.copyOf(live);
        failures = List.copyOf(failures);
    }

    /** The job {@code id} if the snapshot lists it, live or failed. */
    public Optional<JobLine> job(String id)
    {
        return Stream.concat(live.stream(), failures.stream()).filter(line -> line.id().equals(id)).findFirst();
    }

    /** The fleet's workers and GPUs by pool, or why they could not be seen. */
    public record Fleet(List<PoolLine> pools, Optional<String> problem)
    {
        public Fleet
        {
            pools = List.copyOf(pools);
            requireNonNull(problem, "problem is null");
        }

        public int workers()
        {
            return pools.stream().mapToInt(PoolLine::workers).sum();
        }
    }

    /**
     * One pool: its workers, how many of those take new jobs (ready and active in Swarm), how many are
     * flagged as {@code berth workers} flags them, and its GPUs: on every worker, held by live jobs, and
     * free on the workers that take jobs.
     */
    public record PoolLine(String pool, int workers, int ready, int flagged, int gpus, int gpusUsed, int gpusFree)
    {
        public PoolLine
        {
            requireNonNull(pool, "pool is null");
        }
    }

    /** @param pendingInSwarm jobs whose service exists but whose task has not started (SUBMITTED) */
    public record QueueCounts(long queued, long preparing, long pendingInSwarm, long running) {}

    /**
     * One job as a row: for a live job where its current attempt runs and since when; for an ended one how
     * and when it ended.
     *
     * @param startedAt when its current attempt started running (live jobs), or when it first ran (ended ones)
     */
    public record JobLine(
            String id,
            String name,
            JobState state,
            boolean cancelRequested,
            int attempt,
            int gpus,
            Optional<String> node,
            Instant receivedAt,
            Optional<Instant> startedAt,
            Optional<Instant> finishedAt,
            Optional<Cause> cause,
            Optional<String> reason,
            Optional<Integer> exitCode)
    {
        public JobLine
        {
            requireNonNull(id, "id is null");
            requireNonNull(name, "name is null");
            requireNonNull(state, "state is null");
            requireNonNull(node, "node is null");
            requireNonNull(receivedAt, "receivedAt is null");
            requireNonNull(startedAt, "startedAt is null");
            requireNonNull(finishedAt, "finishedAt is null");
            requireNonNull(cause, "cause is null");
            requireNonNull(reason, "reason is null");
            requireNonNull(exitCode, "exitCode is null");
        }

        /** Whether {@code text} (lower case) is in its id, name, state, node or reason: what a filter matches. */
        boolean matches(String text)
        {
            return Stream.of(Optional.of(id), Optional.of(name), Optional.of(state.name()), node, reason)
                    .flatMap(Optional::stream)
                    .anyMatch(field -> field.toLowerCase(Locale.ROOT).contains(text));
        }
    }

    public static TopSnapshot read(JobReads reads, FleetLook fleet, Instant now)
    {
        requireNonNull(reads, "reads is null");
        requireNonNull(fleet, "fleet is null");
        requireNonNull(now, "now is null");
        Map<JobState, Integer> counts = reads.countByState();
        QueueCounts queue = new QueueCounts(
                counts.getOrDefault(JobState.QUEUED, 0),
                counts.getOrDefault(JobState.PREPARING, 0),
                counts.getOrDefault(JobState.SUBMITTED, 0),
                counts.getOrDefault(JobState.RUNNING, 0));

        Map<String, Attempt> currentAttempts = new HashMap<>();
        for (Attempt attempt : reads.liveAttempts()) {
            currentAttempts.merge(attempt.jobId(), attempt, (one, other) -> one.number() > other.number() ? one : other);
        }
        List<JobLine> live = new ArrayList<>();
        for (Job job : reads.inStates(LIVE)) {
            live.add(liveLine(job, Optional.ofNullable(currentAttempts.get(job.id()))));
        }
        live.sort(LIVE_ORDER);

        List<JobLine> failures = new ArrayList<>(reads.newest(FAILED, FAILURES).stream().map(TopSnapshot::endedLine).toList());
        failures.sort(Comparator.comparing((JobLine line) -> line.finishedAt().orElse(line.receivedAt())).reversed());

        Fleet pools = fleet.status()
                .map(status -> new Fleet(pools(status, live), Optional.empty()))
                .orElseGet(() -> new Fleet(List.of(), fleet.problem()));
        return new TopSnapshot(now, pools, queue, live, failures);
    }

    private static JobLine liveLine(Job job, Optional<Attempt> attempt)
    {
        return new JobLine(
                job.id(),
                job.name(),
                job.state(),
                job.cancelRequested(),
                attempt.map(Attempt::number).orElse(job.attempts()),
                gpus(job),
                attempt.flatMap(Attempt::node),
                job.receivedAt(),
                attempt.flatMap(Attempt::startedAt),
                Optional.empty(),
                Optional.empty(),
                job.reason(),
                Optional.empty());
    }

    private static JobLine endedLine(Job job)
    {
        return new JobLine(
                job.id(),
                job.name(),
                job.state(),
                job.cancelRequested(),
                job.attempts(),
                gpus(job),
                Optional.empty(),
                job.receivedAt(),
                job.startedAt(),
                job.finishedAt(),
                job.cause(),
                job.reason(),
                job.exitCode());
    }

    private static int gpus(Job job)
    {
        return job.request().map(JobRequest::resources).map(resources -> resources.gpus()).orElse(0);
    }

    /**
     * The pools in name order (workers without one last, as {@code berth workers} sorts them). A live job's
     * GPUs count against the pool of the node its attempt runs on; one not yet placed holds none yet.
     */
    private static List<PoolLine> pools(FleetStatus status, List<JobLine> live)
    {
        Map<String, String> poolOfHost = new HashMap<>();
        Map<String, List<WorkerStatus>> byPool = new TreeMap<>(Comparator.comparing((String pool) -> pool.equals(NO_POOL)).thenComparing(Comparator.naturalOrder()));
        for (WorkerStatus worker : status.workers()) {
            String pool = worker.pool().orElse(NO_POOL);
            poolOfHost.put(worker.hostname(), pool);
            byPool.computeIfAbsent(pool, name -> new ArrayList<>()).add(worker);
        }
        Map<String, Integer> used = new HashMap<>();
        for (JobLine job : live) {
            job.node().map(poolOfHost::get).ifPresent(pool -> used.merge(pool, job.gpus(), Integer::sum));
        }
        List<PoolLine> pools = new ArrayList<>();
        byPool.forEach((pool, workers) -> {
            int ready = 0;
            int readyGpus = 0;
            int gpus = 0;
            int flagged = 0;
            for (WorkerStatus worker : workers) {
                gpus += worker.gpus().size();
                if (worker.swarmState().filter("ready"::equals).isPresent() && worker.availability().filter("active"::equals).isPresent()) {
                    ready++;
                    readyGpus += worker.gpus().size();
                }
                if (!worker.healthy()) {
                    flagged++;
                }
            }
            int gpusUsed = used.getOrDefault(pool, 0);
            pools.add(new PoolLine(pool, workers.size(), ready, flagged, gpus, gpusUsed, Math.max(0, readyGpus - gpusUsed)));
        });
        return pools;
    }
}
