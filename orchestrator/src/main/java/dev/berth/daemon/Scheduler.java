package dev.berth.daemon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.config.BerthConfig;
import dev.berth.config.Durations;
import dev.berth.job.AttemptJson;
import dev.berth.job.AttemptState;
import dev.berth.job.Cause;
import dev.berth.job.IllegalTransitionException;
import dev.berth.job.JobState;
import dev.berth.rundir.RunDirs;
import dev.berth.job.Attempt;
import dev.berth.job.AttemptEnd;
import dev.berth.job.Claim;
import dev.berth.job.Job;
import dev.berth.store.JobEnded;
import dev.berth.store.JobStore;
import dev.berth.swarm.EngineException;
import dev.berth.swarm.SwarmClient;
import dev.berth.swarm.SwarmNode;
import dev.berth.swarm.TaskSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Drives every job from QUEUED to its end. One thread polls: a single task listing per round for
 * all jobs (and a node listing once a poll interval), then records what changed, then admits what
 * can start.
 * Between polls, a job's arrival or the end of a preparation wakes it to admit and hand over from
 * the last listing, without asking Swarm again. Preparation (git, disk) runs on a small pool so a
 * slow fetch never stalls the watching.
 */
final class Scheduler
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

    private static final Duration INFRA_BACKOFF = Duration.ofSeconds(10);
    /**
     * How often one job's preparation may fail for reasons not its own (the disk, a corrupt mirror, the
     * engine) before the job fails with cause infra: 10 s doubling to 160 s between tries, about five
     * minutes in all, rides out a passing fault without retrying a lasting one forever.
     */
    private static final int PREPARATION_TRIES = 6;
    private static final Duration STARTING_POLL = Duration.ofMillis(100);
    private static final int ROUNDS_BETWEEN_SWEEPS = 120;
    /**
     * How deep into each pool's queue one round looks: far more than a round admits, and deep enough
     * for small jobs to fill in behind large ones that wait. Reading a queue of 10^5 jobs every round
     * would cost the daemon seconds and gigabytes; 256 rows cost about 2 ms.
     */
    private static final int ADMISSION_WINDOW = 256;

    private final JobStore store;
    private final SwarmClient swarm;
    private final Preparer preparer;
    private final RunDirs runDirs;
    private final BerthConfig config;
    private final Clock clock;
    private final FailPoints failPoints;
    private final JobServices services;
    private final ExecutorService preparations = Executors.newFixedThreadPool(4, runnable -> {
        Thread thread = new Thread(runnable, "berth-prepare");
        thread.setDaemon(true);
        return thread;
    });
    /** Creates services of prepared jobs, so a slow engine call never holds up a preparation or the watch. */
    private final ExecutorService dispatches = Executors.newFixedThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "berth-dispatch");
        thread.setDaemon(true);
        return thread;
    });
    /** Admitted jobs from their admission until their service exists: being prepared, ready, or being dispatched. */
    private final Set<String> preparing = ConcurrentHashMap.newKeySet();
    /** Prepared jobs waiting for one of the pending cap's slots in Swarm, in the order they became ready. */
    private final Queue<String> ready = new ConcurrentLinkedQueue<>();
    private final Set<String> dispatching = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> notBefore = new ConcurrentHashMap<>();
    private final Map<String, Integer> preparationFailures = new ConcurrentHashMap<>();
    private final Map<String, String> waitingReasons = new HashMap<>();
    private final Object wakeup = new Object();
    private boolean woken;
    private volatile boolean running;
    private Thread thread;
    private Instant lastRoundFailureLogged = Instant.MIN;
    /** The nodes and tasks as of the last listing; read and written by the scheduling thread only. */
    private List<SwarmNode> nodes = List.of();
    private Map<String, SwarmNode> nodesById = Map.of();
    private Map<String, TaskSnapshot> tasks = Map.of();
    /** When, by {@link System#nanoTime()}, the next round lists Swarm's tasks; the scheduling thread's own. */
    private long nextListing = System.nanoTime();
    /**
     * When, by {@link System#nanoTime()}, the nodes were last listed (a poll interval before the start, so
     * that the first round lists them) and the last task listing began; the scheduling thread's own.
     */
    private long nodesListedAt;
    private long tasksListedAt = System.nanoTime();
    /** When, by {@link System#nanoTime()}, a round with no slot free next looks at the queue; the scheduling thread's own. */
    private long nextQueueLook = System.nanoTime();
    private int rounds;
    /** Whether the last round saw a service of berth's being created or waiting to start; the scheduling thread's own. */
    private boolean startsAwaited;

    Scheduler(JobStore store, SwarmClient swarm, Preparer preparer, RunDirs runDirs, BerthConfig config, Clock clock, FailPoints failPoints)
    {
        this.store = requireNonNull(store, "store is null");
        this.swarm = requireNonNull(swarm, "swarm is null");
        this.preparer = requireNonNull(preparer, "preparer is null");
        this.runDirs = requireNonNull(runDirs, "runDirs is null");
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.failPoints = requireNonNull(failPoints, "failPoints is null");
        this.services = new JobServices(store.instanceId(), config.mirrorsDir(), config.gpuKind());
        this.nodesListedAt = System.nanoTime() - config.pollInterval().toNanos();
    }

    /** Reconciles what a previous run left behind, then starts polling. */
    void start()
    {
        recoverInterruptedPreparations();
        sweepServices();
        List<Attempt> live = store.reads().liveAttempts();
        if (!live.isEmpty()) {
            log.info("Resuming {} attempts in flight: {}", live.size(),
                    live.stream().map(attempt -> attempt.serviceName() + " " + attempt.state()).collect(Collectors.joining(", ")));
        }
        running = true;
        thread = new Thread(this::loop, "berth-scheduler");
        thread.start();
    }

    /** Asks for a round now rather than at the next poll (a job arrived, a preparation finished). */
    void wake()
    {
        synchronized (wakeup) {
            woken = true;
            wakeup.notifyAll();
        }
    }

    private void loop()
    {
        while (running) {
            boolean listing = System.nanoTime() - nextListing >= 0;
            try {
                if (listing) {
                    round();
                }
                else {
                    admit();
                }
            }
            catch (RuntimeException e) {
                Instant now = clock.instant();
                if (Duration.between(lastRoundFailureLogged, now).compareTo(Duration.ofMinutes(1)) >= 0) {
                    log.warn("Cannot watch or admit jobs this round (will keep trying every {}): {}", Durations.format(config.pollInterval()), e.getMessage());
                    lastRoundFailureLogged = now;
                }
            }
            if (listing) {
                nextListing = System.nanoTime() + nextPoll().toNanos();
            }
            synchronized (wakeup) {
                long untilListing = nextListing - System.nanoTime();
                if (!woken && running && untilListing > 0) {
                    try {
                        TimeUnit.NANOSECONDS.timedWait(wakeup, untilListing);
                    }
                    catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                woken = false;
            }
        }
    }

    /**
     * Sooner than the poll interval while a service waits to start: it holds one of the pending cap's
     * slots until berth sees it start, and its start time is recorded as berth sees it.
     */
    private Duration nextPoll()
    {
        return startsAwaited ? nextPollWhileStarting() : config.pollInterval();
    }

    private Duration nextPollWhileStarting()
    {
        return STARTING_POLL.compareTo(config.pollInterval()) < 0 ? STARTING_POLL : config.pollInterval();
    }

    private void round()
    {
        // Nodes change seldom: listed once a poll interval, not on each quicker poll while services start
        if (System.nanoTime() - nodesListedAt >= config.pollInterval().toNanos()) {
            listNodes();
        }
        tasksListedAt = System.nanoTime();
        tasks = latestTaskPerService(swarm.tasks(store.instanceId()));
        watch();
        admit();
        startsAwaited = !dispatching.isEmpty() || tasks.values().stream().anyMatch(task -> !task.running() && !task.ended());
        if (++rounds % ROUNDS_BETWEEN_SWEEPS == 0) {
            sweepServices();
        }
    }

    private void listNodes()
    {
        nodesListedAt = System.nanoTime();
        nodes = swarm.nodes(config.gpuKind());
        nodesById = nodes.stream().collect(Collectors.toMap(SwarmNode::id, Function.identity()));
    }

    /**
     * The node a task is on. A node the last listing knew as lost, or not at all, is listed again when
     * that listing is older than the tasks': it may have come back or joined since and been given this
     * very task, which the older listing would have judged lost with it.
     */
    private Optional<SwarmNode> nodeOf(TaskSnapshot task)
    {
        if (task.nodeId().isEmpty()) {
            return Optional.empty();
        }
        SwarmNode node = nodesById.get(task.nodeId().get());
        if ((node == null || node.losesTasks()) && nodesListedAt - tasksListedAt < 0) {
            listNodes();
            node = nodesById.get(task.nodeId().get());
        }
        return Optional.ofNullable(node);
    }

    private void watch()
    {
        List<Attempt> attempts = store.reads().liveAttempts();
        if (attempts.isEmpty()) {
            return;
        }
        Map<String, Claim> claims = store.reads().liveClaims().stream().collect(Collectors.toMap(Claim::jobId, Function.identity()));
        for (Attempt attempt : attempts) {
            Claim claim = claims.get(attempt.jobId());
            if (claim == null || preparing.contains(attempt.jobId())) {
                continue;
            }
            try {
                watch(claim, attempt, Optional.ofNullable(tasks.get(attempt.serviceName())));
            }
            catch (IllegalTransitionException e) {
                // Its preparation thread moved it while this round looked at an older copy; the next round sees the new state
                log.debug("Job {} attempt {} changed during this round: {}", attempt.jobId(), attempt.number(), e.getMessage());
            }
            catch (RuntimeException e) {
                log.warn("Cannot update job {} attempt {}: {}", attempt.jobId(), attempt.number(), e.getMessage());
            }
        }
    }

    /** Only what the claim says is read every round; the whole job is read when something is to be done with it. */
    private void watch(Claim claim, Attempt attempt, Optional<TaskSnapshot> found)
    {
        Instant now = clock.instant();
        String jobId = claim.jobId();
        if (claim.cancelRequested()) {
            end(job(jobId), attempt, TaskOutcome.stopped(AttemptState.CANCELLED, Cause.CANCELLED, "cancelled on request"), found);
            return;
        }
        if (attempt.state() == AttemptState.SUBMITTING) {
            // Recorded, but berth stopped (or the engine failed) before the service was known to exist.
            if (ownService(attempt.serviceName())) {
                store.writes().attemptSubmitted(jobId, attempt.number());
                log.info("Job {} attempt {}: adopted existing service {}", jobId, attempt.number(), attempt.serviceName());
            }
            else if (!notBefore.getOrDefault(jobId, Instant.MIN).isAfter(now)) {
                dispatch(job(jobId), attempt.number());
            }
            return;
        }
        if (found.isEmpty()) {
            if (!ownService(attempt.serviceName())) {
                end(job(jobId), attempt, TaskOutcome.interrupted("its service " + attempt.serviceName() + " disappeared"), found);
            }
            return;
        }
        TaskSnapshot task = found.get();
        Optional<SwarmNode> node = nodeOf(task);
        Optional<TaskOutcome> outcome = TaskOutcome.judge(task, node);
        if (outcome.isPresent()) {
            end(job(jobId), attempt, outcome.get(), found);
            return;
        }
        Optional<Instant> startedAt = attempt.startedAt();
        if (task.running() && attempt.state() == AttemptState.PENDING) {
            store.writes().attemptRunning(jobId, attempt.number(), node.map(SwarmNode::hostname).orElse(task.nodeId().orElse("")), task.since());
            startedAt = Optional.of(task.since());
            log.info("Job {} attempt {}: running on {}", jobId, attempt.number(), node.map(SwarmNode::hostname).orElse("an unknown node"));
        }
        Optional<Duration> timeout = claim.timeout();
        if (timeout.isPresent() && startedAt.isPresent() && now.isAfter(startedAt.get().plus(timeout.get()))) {
            end(job(jobId), attempt, TaskOutcome.stopped(AttemptState.TIMED_OUT, Cause.TIMEOUT, "ran longer than its timeout of " + Durations.format(timeout.get())),
                    found);
        }
    }

    private Job job(String jobId)
    {
        return store.reads().job(jobId).orElseThrow();
    }

    /** Records the attempt's end (and the job's result files), then removes its service: never the other way round. */
    private void end(Job job, Attempt attempt, TaskOutcome outcome, Optional<TaskSnapshot> task)
    {
        Instant finishedAt = task.filter(TaskSnapshot::ended).map(TaskSnapshot::since).orElseGet(clock::instant);
        Optional<Instant> startedAt = attempt.startedAt()
                .or(() -> task.filter(TaskSnapshot::running).map(TaskSnapshot::since))
                .or(() -> startMarker(job, attempt.number()));
        // A job that started and ended between two polls was never seen running: its task names the node.
        Optional<String> node = attempt.node().or(() -> task.flatMap(TaskSnapshot::nodeId).map(nodesById::get).map(SwarmNode::hostname));
        AttemptEnd end = new AttemptEnd(outcome.state(), outcome.cause(), outcome.reason(), outcome.exitCode(), node, startedAt, finishedAt);
        JobState next = store.writes().finishAttempt(job.id(), attempt.number(), end, this::writeResult);
        failPoints.reach(FailPoints.AFTER_RESULT);
        swarm.removeService(attempt.serviceName());
        log.info("Job {} attempt {}: {} ({}); job is now {}", job.id(), attempt.number(), outcome.state(), outcome.reason(), next);
    }

    /**
     * When the container started, for jobs that began and ended between two polls: the wrapper touches
     * this file first thing, and one stat at the end is cheaper than inspecting every container.
     */
    private static Optional<Instant> startMarker(Job job, int attempt)
    {
        try {
            Path marker = RunDirs.attemptDir(job.runDir().orElseThrow(), attempt).resolve(JobServices.START_MARKER);
            return Optional.of(Files.getLastModifiedTime(marker).toInstant());
        }
        catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Hands prepared jobs to Swarm while fewer than the pending cap wait there, then admits queued jobs
     * for preparation. Preparation runs ahead of Swarm by up to the cap again: a job's checkout is made
     * while the jobs before it start, so a slot freed in Swarm is taken at once rather than after the
     * next job's git and disk work. Swarm itself never holds more than the cap of berth's services
     * waiting to start, and so can never reorder more of the queue than that.
     */
    private void admit()
    {
        Instant now = clock.instant();
        // Read only when there is something to hand over or to admit: most rounds of an idle daemon need neither
        List<Claim> live = ready.isEmpty() ? List.of() : store.reads().liveClaims();
        handOverReady(live);

        int slots = Math.max(0, config.pendingCap() - preparing.size());
        // With no slot free nothing can be admitted: the queue is looked at once a poll interval still, to end
        // the jobs cancelled there and to say why the others wait, but not on every wake-up of a busy daemon
        if (slots == 0 && System.nanoTime() - nextQueueLook < 0) {
            return;
        }
        nextQueueLook = System.nanoTime() + config.pollInterval().toNanos();
        List<Admission.Demand> queued = new ArrayList<>();
        for (Claim claim : store.reads().oldestQueued(ADMISSION_WINDOW)) {
            if (claim.cancelRequested()) {
                store.writes().endJob(claim.jobId(), JobState.QUEUED, JobState.CANCELLED, Cause.CANCELLED, "cancelled on request", now, JobEnded.NOTHING);
                continue;
            }
            if (!notBefore.getOrDefault(claim.jobId(), Instant.MIN).isAfter(now)) {
                queued.add(demand(claim, Optional.empty()));
            }
        }
        // Forget why jobs waited once they left the window: admitted, cancelled or failed.
        waitingReasons.keySet().retainAll(queued.stream().map(Admission.Demand::jobId).collect(Collectors.toSet()));
        if (queued.isEmpty()) {
            return;
        }
        if (live.isEmpty()) {
            live = store.reads().liveClaims();
        }
        List<Admission.Demand> held = new ArrayList<>();
        for (Claim claim : live) {
            TaskSnapshot task = tasks.get(SwarmClient.serviceName(claim.jobId(), claim.attempts()));
            held.add(demand(claim, task == null ? Optional.empty() : task.nodeId()));
        }
        Admission.Plan plan = Admission.plan(nodes, held, queued, slots);
        plan.neverFits().forEach((jobId, reason) -> {
            store.writes().endJob(jobId, JobState.QUEUED, JobState.FAILED, Cause.REQUEST, reason, now, JobEnded.NOTHING);
            log.info("Job {} failed: {}", jobId, reason);
        });
        plan.waiting().forEach((jobId, reason) -> {
            if (!reason.equals(waitingReasons.put(jobId, reason))) {
                store.writes().noteReason(jobId, JobState.QUEUED, reason);
            }
        });
        for (String jobId : plan.admit()) {
            waitingReasons.remove(jobId);
            store.writes().moveJob(jobId, JobState.QUEUED, JobState.PREPARING, Optional.empty());
            preparing.add(jobId);
            preparations.execute(() -> prepare(jobId));
        }
    }

    /** Hands prepared jobs to Swarm while fewer than the pending cap wait there; a cancelled one at once, slot or not. */
    private void handOverReady(List<Claim> live)
    {
        // Waiting in Swarm: services created and not yet seen running, and attempts recorded whose service is being
        // created (by a dispatch now, or by the watch for an attempt a restart or an engine fault left without one)
        int inSwarm = dispatching.size();
        for (Claim claim : live) {
            if (claim.state() == JobState.SUBMITTED || claim.state() == JobState.PREPARING && !preparing.contains(claim.jobId())) {
                inSwarm++;
            }
            // Its dispatch records the cancel
            else if (claim.state() == JobState.PREPARING && claim.cancelRequested() && ready.remove(claim.jobId())) {
                handToSwarm(claim.jobId());
            }
        }
        for (int free = config.pendingCap() - inSwarm; free > 0 && !ready.isEmpty(); free--) {
            handToSwarm(ready.poll());
        }
    }

    private static Admission.Demand demand(Claim claim, Optional<String> nodeId)
    {
        return new Admission.Demand(claim.jobId(), claim.resources(), claim.pool(), nodeId);
    }

    /** Prepares an admitted job's next attempt; a prepared job waits in {@link #ready} for a slot in Swarm. */
    private void prepare(String jobId)
    {
        boolean isReady = false;
        try {
            Job job = store.reads().job(jobId).orElseThrow();
            if (job.runDir().isEmpty()) {
                store.writes().recordRunDir(jobId, runDirs.runDirFor(job.id(), job.name(), job.receivedAt()));
                job = store.reads().job(jobId).orElseThrow();
            }
            Preparer.Prepared prepared = preparer.prepare(job, job.attempts() + 1);
            store.writes().recordPreparation(jobId, prepared.imageRef(), prepared.commit());
            failPoints.reach(FailPoints.AFTER_CHECKOUT);
            ready.add(jobId);
            isReady = true;
        }
        catch (Preparer.RequestProblem e) {
            if (stopping(jobId)) {
                return;
            }
            if (!cancelledWhilePreparing(jobId, false)) {
                store.writes().endJob(jobId, JobState.PREPARING, JobState.FAILED, Cause.REQUEST, e.getMessage(), clock.instant(), this::writeResult);
                log.info("Job {} failed: {}", jobId, e.getMessage());
            }
        }
        catch (IOException | RuntimeException e) {
            failedBeforeItsService(jobId, false, e);
        }
        finally {
            if (!isReady) {
                preparing.remove(jobId);
            }
            wake();
        }
    }

    private void handToSwarm(String jobId)
    {
        dispatching.add(jobId);
        // Its start is awaited from now: the next listing comes no later than a poll while starting
        long soon = System.nanoTime() + nextPollWhileStarting().toNanos();
        if (nextListing - soon > 0) {
            nextListing = soon;
        }
        dispatches.execute(() -> dispatchPrepared(jobId));
    }

    /** Records a prepared job's attempt, then creates its service. */
    private void dispatchPrepared(String jobId)
    {
        boolean recorded = false;
        try {
            Job job = store.reads().job(jobId).orElseThrow();
            if (job.cancelRequested()) {
                store.writes().endJob(jobId, JobState.PREPARING, JobState.CANCELLED, Cause.CANCELLED, "cancelled on request while preparing", clock.instant(),
                        this::writeResult);
                return;
            }
            int attempt = job.attempts() + 1;
            store.writes().recordAttempt(jobId, attempt, SwarmClient.serviceName(jobId, attempt), clock.instant());
            recorded = true;
            preparationFailures.remove(jobId);
            failPoints.reach(FailPoints.BEFORE_CREATE);
            dispatch(store.reads().job(jobId).orElseThrow(), attempt);
        }
        catch (RuntimeException e) {
            failedBeforeItsService(jobId, recorded, e);
        }
        finally {
            preparing.remove(jobId);
            dispatching.remove(jobId);
            wake();
        }
    }

    /**
     * A fault not of the job's own between its admission and its service: it goes back to the queue to
     * be prepared again after a pause, and fails with cause infra after {@link #PREPARATION_TRIES}.
     */
    private void failedBeforeItsService(String jobId, boolean attemptRecorded, Exception e)
    {
        if (stopping(jobId) || cancelledWhilePreparing(jobId, attemptRecorded)) {
            return;
        }
        Throwable logged = e instanceof IOException || e instanceof EngineException ? null : e;
        if (attemptRecorded) {
            // Its attempt exists: the watch creates the service once the engine answers
            log.warn("Job {}: cannot create its service yet: {}", jobId, e.getMessage(), logged);
            return;
        }
        int failures = preparationFailures.merge(jobId, 1, Integer::sum);
        if (failures >= PREPARATION_TRIES) {
            preparationFailures.remove(jobId);
            String reason = "preparation failed " + failures + " times for reasons not the job's own; the last: " + e.getMessage();
            store.writes().endJob(jobId, JobState.PREPARING, JobState.FAILED, Cause.INFRA, reason, clock.instant(), this::writeResult);
            log.warn("Job {} failed: {}", jobId, reason, logged);
            return;
        }
        Duration backoff = INFRA_BACKOFF.multipliedBy(1L << (failures - 1));
        notBefore.put(jobId, clock.instant().plus(backoff));
        String reason = "preparation failed (try " + failures + " of " + PREPARATION_TRIES + "), retrying in " + Durations.format(backoff) + ": "
                + e.getMessage();
        store.writes().moveJob(jobId, JobState.PREPARING, JobState.QUEUED, Optional.of(reason));
        log.warn("Job {}: {}", jobId, reason, logged);
    }

    /**
     * Whether berth is stopping: closing interrupts the preparations, and whatever that broke off is no
     * fault of the job's. It stays as it is, and the next start prepares it again.
     */
    private boolean stopping(String jobId)
    {
        if (running) {
            return false;
        }
        log.info("Job {}: preparation broken off because berth is stopping; it is prepared again when berth starts", jobId);
        return true;
    }

    /** A cancel that arrived while a preparation was failing wins: the user asked for the job to stop. */
    private boolean cancelledWhilePreparing(String jobId, boolean attemptRecorded)
    {
        if (attemptRecorded || !store.reads().job(jobId).orElseThrow().cancelRequested()) {
            return false;
        }
        store.writes().endJob(jobId, JobState.PREPARING, JobState.CANCELLED, Cause.CANCELLED, "cancelled on request while preparing", clock.instant(),
                this::writeResult);
        return true;
    }

    /** Creates the attempt's service; safe to repeat, since a second create of the same name is refused. */
    private void dispatch(Job job, int attempt)
    {
        try {
            SwarmClient.Created created = swarm.createService(services.forAttempt(job, attempt));
            if (created == SwarmClient.Created.NAME_TAKEN) {
                // Another berth sharing this swarm runs a job with the same id: wait until its service is gone
                String reason = "the service name " + SwarmClient.serviceName(job.id(), attempt) + " is held by another berth on this swarm; trying again in "
                        + Durations.format(INFRA_BACKOFF);
                notBefore.put(job.id(), clock.instant().plus(INFRA_BACKOFF));
                store.writes().noteReason(job.id(), JobState.PREPARING, reason);
                log.warn("Job {} attempt {}: {}", job.id(), attempt, reason);
                return;
            }
            failPoints.reach(FailPoints.AFTER_CREATE);
            store.writes().attemptSubmitted(job.id(), attempt);
            notBefore.remove(job.id());
            log.info("Job {} attempt {}: submitted as {}{}", job.id(), attempt, SwarmClient.serviceName(job.id(), attempt),
                    created == SwarmClient.Created.ALREADY_EXISTS ? " (service already existed)" : "");
        }
        catch (EngineException e) {
            if (e.status() >= 400 && e.status() < 500) {
                Attempt recorded = store.reads().attempts(job.id()).get(attempt - 1);
                end(job, recorded, TaskOutcome.stopped(AttemptState.FAILED, Cause.REQUEST, "Swarm refused the job's service: " + e.getMessage()), Optional.empty());
                return;
            }
            notBefore.put(job.id(), clock.instant().plus(INFRA_BACKOFF));
            throw e;
        }
    }

    /** Whether the service exists and is this berth's: a service of the same name may be another berth's. */
    private boolean ownService(String name)
    {
        return swarm.serviceOwner(name).filter(store.instanceId()::equals).isPresent();
    }

    /** Jobs caught mid-preparation by a stop go back to the queue; their partial attempt dir is redone. */
    private void recoverInterruptedPreparations()
    {
        for (Job job : store.reads().inStates(EnumSet.of(JobState.PREPARING))) {
            boolean hasLiveAttempt = store.reads().attempts(job.id()).stream().anyMatch(attempt -> !attempt.state().terminal());
            if (!hasLiveAttempt) {
                store.writes().moveJob(job.id(), JobState.PREPARING, JobState.QUEUED, Optional.of("berth restarted while preparing it"));
                log.info("Job {}: berth stopped while preparing it; queued again", job.id());
            }
        }
    }

    /**
     * Removes services whose result is already stored: left behind when berth stopped between
     * recording a result and removing the service. The result files are written again first.
     */
    private void sweepServices()
    {
        for (SwarmClient.BerthService service : swarm.services(store.instanceId())) {
            Optional<Attempt> attempt = store.reads().attempts(service.jobId()).stream().filter(found -> found.number() == service.attempt()).findFirst();
            if (attempt.isEmpty()) {
                log.warn("Service {} carries this berth's labels but no attempt of it is recorded; leaving it alone", service.name());
                continue;
            }
            if (attempt.get().state().terminal()) {
                if (store.reads().job(service.jobId()).orElseThrow().state().terminal()) {
                    writeResult(store.reads().job(service.jobId()).orElseThrow(), store.reads().attempts(service.jobId()));
                }
                swarm.removeService(service.name());
                log.info("Removed leftover service {} of a finished attempt", service.name());
            }
        }
    }

    private void writeResult(Job job, List<Attempt> attempts)
    {
        if (job.runDir().isEmpty()) {
            return;
        }
        ObjectNode result = runDirs.newObject();
        result.put("job_id", job.id());
        result.put("state", job.state().name());
        job.cause().ifPresent(cause -> result.put("cause", cause.label()));
        job.reason().ifPresent(reason -> result.put("reason", reason));
        job.exitCode().ifPresentOrElse(code -> result.put("exit_code", code), () -> result.putNull("exit_code"));
        job.commit().ifPresent(commit -> result.put("commit", commit));
        result.put("received_at", job.receivedAt().toString());
        job.startedAt().ifPresent(time -> result.put("started_at", time.toString()));
        job.finishedAt().ifPresent(time -> result.put("finished_at", time.toString()));
        AttemptJson.putAttempts(result, attempts);
        try {
            runDirs.writeResult(job.runDir().get(), result, job.exitCode().orElse(null));
        }
        catch (IOException e) {
            log.warn("Job {}: cannot write result files into {}: {}", job.id(), job.runDir().get(), e.getMessage());
        }
    }

    private static Map<String, TaskSnapshot> latestTaskPerService(List<TaskSnapshot> tasks)
    {
        return tasks.stream().collect(Collectors.toMap(TaskSnapshot::serviceName, Function.identity(),
                (first, second) -> Comparator.comparing(TaskSnapshot::createdAt).compare(first, second) >= 0 ? first : second));
    }

    @Override
    public void close()
    {
        running = false;
        wake();
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        preparations.shutdownNow();
        dispatches.shutdownNow();
        try {
            // Let interrupted preparations leave their jobs as they are before the store closes under them
            preparations.awaitTermination(10, TimeUnit.SECONDS);
            dispatches.awaitTermination(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
