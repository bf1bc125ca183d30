package dev.berth.daemon;

import dev.berth.job.Attempt;
import dev.berth.job.AttemptOutcome;
import dev.berth.job.AttemptState;
import dev.berth.job.Claim;
import dev.berth.job.IllegalTransitionException;
import dev.berth.job.Job;
import dev.berth.job.Lifecycle;
import dev.berth.metrics.BerthMetrics;
import dev.berth.store.JobStore;
import dev.berth.swarm.Swarm;
import dev.berth.swarm.SwarmNode;
import dev.berth.swarm.TaskSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Watch: each round, every live attempt against its task in the last listing. It records a start,
 * ends what ended (exit, lost node, timeout, cancel), adopts a service a crash left unrecorded, and
 * creates one that a crash or an engine fault left uncreated.
 */
final class AttemptWatcher
{
    private static final Logger log = LoggerFactory.getLogger(AttemptWatcher.class);

    private final JobStore store;
    private final Swarm swarm;
    private final SwarmView view;
    private final Dispatcher dispatcher;
    private final AttemptFinisher finisher;
    private final Clock clock;
    private final BerthMetrics metrics;
    private final WorkDirMode workDirMode;

    AttemptWatcher(JobStore store, Swarm swarm, SwarmView view, Dispatcher dispatcher, AttemptFinisher finisher, Clock clock, BerthMetrics metrics,
            WorkDirMode workDirMode)
    {
        this.workDirMode = requireNonNull(workDirMode, "workDirMode is null");
        this.store = requireNonNull(store, "store is null");
        this.swarm = requireNonNull(swarm, "swarm is null");
        this.view = requireNonNull(view, "view is null");
        this.dispatcher = requireNonNull(dispatcher, "dispatcher is null");
        this.finisher = requireNonNull(finisher, "finisher is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    void watch()
    {
        List<Attempt> attempts = store.reads().liveAttempts();
        if (attempts.isEmpty()) {
            return;
        }
        Map<String, Claim> claims = store.reads().liveClaims().stream().collect(Collectors.toMap(Claim::jobId, Function.identity()));
        for (Attempt attempt : attempts) {
            Claim claim = claims.get(attempt.jobId());
            if (claim == null || dispatcher.inFlight(attempt.jobId())) {
                continue;
            }
            try {
                watch(claim, attempt, view.task(attempt.serviceName()));
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
            finisher.finish(attempt, Lifecycle.cancelledOnRequest(), found);
            return;
        }
        if (attempt.state() == AttemptState.SUBMITTING) {
            // Recorded, but berth stopped (or the engine failed) before the service was known to exist.
            if (ownService(attempt.serviceName())) {
                store.writes().attemptSubmitted(jobId, attempt.number());
                log.info("Job {} attempt {}: adopted existing service {}", jobId, attempt.number(), attempt.serviceName());
            }
            else if (!dispatcher.heldBack(jobId, now)) {
                dispatcher.dispatch(store.reads().job(jobId).orElseThrow(), attempt.number());
            }
            return;
        }
        if (found.isEmpty()) {
            if (!ownService(attempt.serviceName())) {
                finisher.finish(attempt, Lifecycle.serviceDisappeared(attempt.serviceName()), found);
            }
            return;
        }
        TaskSnapshot task = found.get();
        // A task that ended other than cleanly, or that Swarm is stopping, may have been stopped by a drain the last
        // node listing missed
        boolean stopped = task.ended() ? !task.state().equals("complete") : task.desiredState().equals("shutdown") || task.desiredState().equals("remove");
        Optional<SwarmNode> node = stopped ? view.currentNodeOf(task) : view.nodeOf(task);
        Optional<AttemptOutcome> outcome = TaskOutcome.judge(task, node);
        if (outcome.isPresent()) {
            if (TaskOutcome.volumeMountFailed(task)) {
                workDirMode.fallBack("job " + jobId + " attempt " + attempt.number() + node.map(value -> " on " + value.hostname()).orElse("")
                        + " could not mount its overlay: " + task.error());
            }
            finisher.finish(attempt, outcome.get(), found);
            return;
        }
        Optional<Instant> startedAt = attempt.startedAt();
        if (task.running() && attempt.state() == AttemptState.PENDING) {
            Job beforeStart = store.reads().job(jobId).orElseThrow();
            store.writes().attemptRunning(jobId, attempt.number(), node.map(SwarmNode::hostname).orElse(task.nodeId().orElse("")), task.since());
            startedAt = Optional.of(task.since());
            metrics.started(beforeStart, task.since());
            log.info("Job {} attempt {}: running on {}", jobId, attempt.number(), node.map(SwarmNode::hostname).orElse("an unknown node"));
        }
        Optional<Duration> timeout = claim.timeout();
        if (timeout.isPresent() && startedAt.isPresent() && now.isAfter(startedAt.get().plus(timeout.get()))) {
            finisher.finish(attempt, Lifecycle.timedOut(timeout.get()), found);
        }
    }

    /** Whether the service exists and is this berth's: a service of the same name may be another berth's. */
    private boolean ownService(String name)
    {
        return swarm.serviceOwner(name).filter(store.instanceId()::equals).isPresent();
    }
}
