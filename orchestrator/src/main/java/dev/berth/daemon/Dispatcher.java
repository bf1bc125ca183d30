package dev.berth.daemon;

import dev.berth.config.Durations;
import dev.berth.job.AttemptOutcome;
import dev.berth.job.Claim;
import dev.berth.job.Job;
import dev.berth.job.JobMove;
import dev.berth.job.JobState;
import dev.berth.job.Lifecycle;
import dev.berth.registry.RegistryAccessException;
import dev.berth.rundir.RunDirs;
import dev.berth.store.JobStore;
import dev.berth.swarm.EngineException;
import dev.berth.swarm.Swarm;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Preparation and dispatch: an admitted job is prepared (run dir, image, checkout) on the preparation
 * pool, waits among the ready ones for a slot under the pending cap, then has its attempt recorded and
 * its service created on the dispatch pool, so a slow git fetch or engine call never holds up the
 * watch. Owns those pools, the jobs in flight between admission and their service, and the backoff of
 * jobs whose preparation failed for reasons not their own. Longer than most classes here because both
 * halves share those in-flight sets: split, each would reach into the other's.
 */
final class Dispatcher
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final JobStore store;
    private final Swarm swarm;
    private final Preparer preparer;
    private final JobServices services;
    private final RunDirs runDirs;
    private final AttemptFinisher finisher;
    private final ResultFiles resultFiles;
    private final Wakeup wakeup;
    private final Duration startingPoll;
    private final int pendingCap;
    private final Clock clock;
    private final FailPoints failPoints;
    private final ExecutorService preparations;
    private final ExecutorService dispatches;
    private final PreviousAttemptStop previousAttemptStop;

    /** Admitted jobs from their admission until their service exists: being prepared, ready, or being dispatched. */
    private final Set<String> preparing = ConcurrentHashMap.newKeySet();
    /** Prepared jobs waiting for one of the pending cap's slots in Swarm, in the order they became ready. */
    private final Queue<String> ready = new ConcurrentLinkedQueue<>();
    private final Set<String> dispatching = ConcurrentHashMap.newKeySet();
    /** Jobs not to be prepared or dispatched again before a time, after a fault. */
    private final Map<String, Instant> notBefore = new ConcurrentHashMap<>();
    private final Map<String, Integer> preparationFailures = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    /**
     * @param startingPoll how soon Swarm is listed again after a hand-over, to see the service start
     * @param preparations runs preparations (git and disk work); shut down by {@link #close}
     * @param dispatches runs attempt records and service creates; shut down by {@link #close}
     * @param previousAttemptStop holds a retry back while its previous attempt's container stops (hand-over only)
     */
    Dispatcher(JobStore store, Swarm swarm, Preparer preparer, JobServices services, RunDirs runDirs, AttemptFinisher finisher, ResultFiles resultFiles,
            Wakeup wakeup, Duration startingPoll, int pendingCap, Clock clock, FailPoints failPoints, ExecutorService preparations,
            ExecutorService dispatches, PreviousAttemptStop previousAttemptStop)
    {
        this.store = requireNonNull(store, "store is null");
        this.swarm = requireNonNull(swarm, "swarm is null");
        this.preparer = requireNonNull(preparer, "preparer is null");
        this.services = requireNonNull(services, "services is null");
        this.runDirs = requireNonNull(runDirs, "runDirs is null");
        this.finisher = requireNonNull(finisher, "finisher is null");
        this.resultFiles = requireNonNull(resultFiles, "resultFiles is null");
        this.wakeup = requireNonNull(wakeup, "wakeup is null");
        this.startingPoll = requireNonNull(startingPoll, "startingPoll is null");
        this.pendingCap = pendingCap;
        this.clock = requireNonNull(clock, "clock is null");
        this.failPoints = requireNonNull(failPoints, "failPoints is null");
        this.preparations = requireNonNull(preparations, "preparations is null");
        this.dispatches = requireNonNull(dispatches, "dispatches is null");
        this.previousAttemptStop = requireNonNull(previousAttemptStop, "previousAttemptStop is null");
    }

    /** Whether the job is between its admission and its service, so the watch leaves its attempt to this. */
    boolean inFlight(String jobId)
    {
        return preparing.contains(jobId);
    }

    /** Jobs admitted and not yet handed to Swarm: preparation runs ahead of Swarm by up to the pending cap. */
    int inFlight()
    {
        return preparing.size();
    }

    boolean hasReady()
    {
        return !ready.isEmpty();
    }

    /** Whether a service create was handed over and has not returned: its start is awaited. */
    boolean dispatching()
    {
        return !dispatching.isEmpty();
    }

    /** Whether a fault holds the job back from preparation or dispatch until later. */
    boolean heldBack(String jobId, Instant now)
    {
        return notBefore.getOrDefault(jobId, Instant.MIN).isAfter(now);
    }

    /** Starts preparing a job that admission has just moved to PREPARING. */
    void prepare(String jobId)
    {
        preparing.add(jobId);
        preparations.execute(() -> prepareNow(jobId));
    }

    /**
     * Hands prepared jobs to Swarm while fewer than the pending cap wait there; a cancelled one at once,
     * slot or not. A retry whose previous attempt's container is still stopping keeps its place and
     * waits (see {@link PreviousAttemptStop}). Runs on the scheduling thread.
     *
     * @param live the claims of every live job
     */
    void handOverReady(List<Claim> live)
    {
        // Waiting in Swarm: services created and not yet seen running, and attempts recorded whose service is being
        // created (by a dispatch now, or by the watch for an attempt a restart or an engine fault left without one)
        int inSwarm = dispatching.size();
        Map<String, Claim> prepared = new HashMap<>();
        for (Claim claim : live) {
            if (claim.state() == JobState.SUBMITTED || claim.state() == JobState.PREPARING && !preparing.contains(claim.jobId())) {
                inSwarm++;
            }
            // Its dispatch records the cancel
            else if (claim.state() == JobState.PREPARING && claim.cancelRequested() && ready.remove(claim.jobId())) {
                handToSwarm(claim.jobId());
            }
            else if (claim.state() == JobState.PREPARING) {
                prepared.put(claim.jobId(), claim);
            }
        }
        Iterator<String> waiting = ready.iterator();
        for (int free = pendingCap - inSwarm; free > 0 && waiting.hasNext(); ) {
            String jobId = waiting.next();
            Claim claim = prepared.get(jobId);
            if (claim != null && previousAttemptStop.holdsBack(claim)) {
                continue;
            }
            waiting.remove();
            handToSwarm(jobId);
            free--;
        }
    }

    /** Prepares an admitted job's next attempt; a prepared job waits in {@link #ready} for a slot in Swarm. */
    private void prepareNow(String jobId)
    {
        boolean isReady = false;
        try {
            Job job = store.reads().job(jobId).orElseThrow();
            if (job.runDir().isEmpty()) {
                store.writes().recordRunDir(jobId, runDirs.runDirFor(job));
                job = store.reads().job(jobId).orElseThrow();
            }
            Preparer.Prepared prepared = preparer.prepare(job, job.attempts() + 1);
            store.writes().recordPreparation(jobId, prepared.imageRef(), prepared.commit());
            failPoints.reach(FailPoints.AFTER_CHECKOUT);
            ready.add(jobId);
            isReady = true;
        }
        catch (Preparer.RequestProblem e) {
            if (brokenOffByStop(jobId)) {
                return;
            }
            if (!cancelledWhilePreparing(jobId, false)) {
                store.writes().endJob(jobId, Lifecycle.requestProblem(e.getMessage()), clock.instant(), resultFiles);
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
            wakeup.wake();
        }
    }

    private void handToSwarm(String jobId)
    {
        dispatching.add(jobId);
        // Its start is awaited from now: the next listing comes no later than a poll while starting
        wakeup.listWithin(startingPoll);
        dispatches.execute(() -> dispatchPrepared(jobId));
    }

    /** Records a prepared job's attempt, then creates its service. */
    private void dispatchPrepared(String jobId)
    {
        boolean recorded = false;
        try {
            Job job = store.reads().job(jobId).orElseThrow();
            if (job.cancelRequested()) {
                store.writes().endJob(jobId, Lifecycle.cancelledWhilePreparing(), clock.instant(), resultFiles);
                return;
            }
            int attempt = job.attempts() + 1;
            store.writes().recordAttempt(jobId, attempt, Swarm.serviceName(jobId, attempt), clock.instant());
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
            wakeup.wake();
        }
    }

    /**
     * Creates the recorded attempt's service; safe to repeat, since a second create of the same name is
     * refused. The watch calls it too, for an attempt that a restart or an engine fault left without one.
     */
    void dispatch(Job job, int attempt)
    {
        try {
            Swarm.Created created = swarm.createService(services.forAttempt(job, attempt));
            if (created == Swarm.Created.NAME_TAKEN) {
                // Another berth sharing this swarm runs a job with the same id: wait until its service is gone
                String reason = "the service name " + Swarm.serviceName(job.id(), attempt) + " is held by another berth on this swarm; trying again in "
                        + Durations.format(Lifecycle.INFRA_BACKOFF);
                notBefore.put(job.id(), clock.instant().plus(Lifecycle.INFRA_BACKOFF));
                store.writes().noteReason(job.id(), JobState.PREPARING, reason);
                log.warn("Job {} attempt {}: {}", job.id(), attempt, reason);
                return;
            }
            failPoints.reach(FailPoints.AFTER_CREATE);
            store.writes().attemptSubmitted(job.id(), attempt);
            notBefore.remove(job.id());
            log.info("Job {} attempt {}: submitted as {}{}", job.id(), attempt, Swarm.serviceName(job.id(), attempt),
                    created == Swarm.Created.ALREADY_EXISTS ? " (service already existed)" : "");
        }
        catch (RegistryAccessException e) {
            // The registry's credentials went bad after the job was pinned (a retry's, or a changed config): waiting mends nothing
            refused(job, attempt, Lifecycle.registryRefused(e.getMessage()));
        }
        catch (EngineException e) {
            if (e.status() >= 400 && e.status() < 500) {
                refused(job, attempt, Lifecycle.refusedBySwarm(e.getMessage()));
                return;
            }
            notBefore.put(job.id(), clock.instant().plus(Lifecycle.INFRA_BACKOFF));
            throw e;
        }
    }

    /** Ends an attempt whose service could never be created: it never ran, so it has no task to judge. */
    private void refused(Job job, int attempt, AttemptOutcome outcome)
    {
        finisher.finish(store.reads().attempts(job.id()).get(attempt - 1), outcome, Optional.empty());
    }

    /**
     * A fault not of the job's own between its admission and its service: it goes back to the queue to
     * be prepared again after a pause, and fails with cause infra after {@link Lifecycle#PREPARATION_TRIES}.
     */
    private void failedBeforeItsService(String jobId, boolean attemptRecorded, Exception e)
    {
        if (brokenOffByStop(jobId) || cancelledWhilePreparing(jobId, attemptRecorded)) {
            return;
        }
        Throwable logged = e instanceof IOException || e instanceof EngineException ? null : e;
        if (attemptRecorded) {
            // Its attempt exists: the watch creates the service once the engine answers
            log.warn("Job {}: cannot create its service yet: {}", jobId, e.getMessage(), logged);
            return;
        }
        int failures = preparationFailures.merge(jobId, 1, Integer::sum);
        JobMove move = Lifecycle.preparationFault(failures, e.getMessage());
        if (move.to().terminal()) {
            preparationFailures.remove(jobId);
            store.writes().endJob(jobId, move, clock.instant(), resultFiles);
            log.warn("Job {} failed: {}", jobId, move.reason().orElseThrow(), logged);
            return;
        }
        notBefore.put(jobId, clock.instant().plus(Lifecycle.preparationBackoff(failures)));
        store.writes().moveJob(jobId, move);
        log.warn("Job {}: {}", jobId, move.reason().orElseThrow(), logged);
    }

    /**
     * Whether berth is stopping: closing interrupts the preparations, and whatever that broke off is no
     * fault of the job's. It stays as it is, and the next start prepares it again.
     */
    private boolean brokenOffByStop(String jobId)
    {
        if (!stopping) {
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
        store.writes().endJob(jobId, Lifecycle.cancelledWhilePreparing(), clock.instant(), resultFiles);
        return true;
    }

    /** From now on, a preparation that fails was broken off by the stop, not by a fault of the job's. */
    void stopping()
    {
        stopping = true;
    }

    /** Interrupts the preparations and dispatches, and lets them leave their jobs as they are before the store closes under them. */
    @Override
    public void close()
    {
        stopping = true;
        preparations.shutdownNow();
        dispatches.shutdownNow();
        try {
            preparations.awaitTermination(10, TimeUnit.SECONDS);
            dispatches.awaitTermination(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
