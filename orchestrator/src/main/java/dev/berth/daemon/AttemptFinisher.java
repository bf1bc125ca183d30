package dev.berth.daemon;

import dev.berth.cost.Cost;
import dev.berth.cost.CostMeter;
import dev.berth.fairshare.UsageLedger;
import dev.berth.job.Attempt;
import dev.berth.job.AttemptEnd;
import dev.berth.job.AttemptOutcome;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.metrics.BerthMetrics;
import dev.berth.rundir.RunDirs;
import dev.berth.store.JobStore;
import dev.berth.swarm.Swarm;
import dev.berth.swarm.TaskSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Finish: records how an attempt ended (and, when that ends the job, its result files), then removes
 * its service. Never the other way round, so a crash in between leaves a service that the next
 * start's sweep removes, never a result that is lost. What the attempt used is counted against its
 * user for fair share, and what it cost is recorded with its end.
 */
final class AttemptFinisher
{
    private static final Logger log = LoggerFactory.getLogger(AttemptFinisher.class);

    private final JobStore store;
    private final Swarm swarm;
    private final SwarmView view;
    private final ResultFiles resultFiles;
    private final Clock clock;
    private final FailPoints failPoints;
    private final BerthMetrics metrics;
    private final UsageLedger usage;
    private final CostMeter meter;

    AttemptFinisher(JobStore store, Swarm swarm, SwarmView view, ResultFiles resultFiles, Clock clock, FailPoints failPoints, BerthMetrics metrics, UsageLedger usage,
            CostMeter meter)
    {
        this.store = requireNonNull(store, "store is null");
        this.swarm = requireNonNull(swarm, "swarm is null");
        this.view = requireNonNull(view, "view is null");
        this.resultFiles = requireNonNull(resultFiles, "resultFiles is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.failPoints = requireNonNull(failPoints, "failPoints is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.usage = requireNonNull(usage, "usage is null");
        this.meter = requireNonNull(meter, "meter is null");
    }

    /** @param task the attempt's task as last listed, if Swarm still has one */
    void finish(Attempt attempt, AttemptOutcome outcome, Optional<TaskSnapshot> task)
    {
        Instant finishedAt = task.filter(TaskSnapshot::ended).map(TaskSnapshot::since).orElseGet(clock::instant);
        // Never seen running: it started, if at all, since the last poll, and its start is first known here
        Optional<Job> neverSeenRunning = attempt.startedAt().isPresent() ? Optional.empty() : store.reads().job(attempt.jobId());
        Optional<Instant> startedAt = attempt.startedAt()
                .or(() -> task.filter(TaskSnapshot::running).map(TaskSnapshot::since))
                .or(() -> neverSeenRunning.flatMap(job -> startMarker(job, attempt)));
        // A job that started and ended between two polls was never seen running: its task names the node.
        Optional<String> node = attempt.node().or(() -> task.flatMap(TaskSnapshot::nodeId).flatMap(view::hostname));
        Optional<Job> ran = startedAt.isEmpty() ? Optional.empty() : neverSeenRunning.or(() -> store.reads().job(attempt.jobId()));
        // Priced by the node as last listed: a lost node is still listed (down) until the fleet removes it
        Cost cost = ran.map(job -> meter.cost(job.spec().resources(), node, node.flatMap(view::nodeNamed), startedAt, finishedAt)).orElse(Cost.NONE);
        JobState next = store.writes().finishAttempt(attempt.jobId(), attempt.number(), new AttemptEnd(outcome, node, startedAt, finishedAt, cost), resultFiles);
        neverSeenRunning.ifPresent(job -> startedAt.ifPresent(start -> metrics.started(job, start)));
        // Counted against its user by fair share; a restart counts it again from the store, never twice
        ran.ifPresent(job -> usage.charge(job.user(), job.spec().resources(), startedAt.get(), finishedAt)
                .ifPresent(used -> store.writes().recordUsage(job.user(), used)));
        metrics.attemptEnded(outcome, startedAt, finishedAt);
        failPoints.reach(FailPoints.AFTER_RESULT);
        swarm.removeService(attempt.serviceName());
        log.info("Job {} attempt {}: {} ({}); job is now {}", attempt.jobId(), attempt.number(), outcome.state(), outcome.reason(), next);
    }

    /**
     * When the container started, for jobs that began and ended between two polls: the wrapper touches
     * this file first thing, and one stat at the end is cheaper than inspecting every container.
     */
    private static Optional<Instant> startMarker(Job job, Attempt attempt)
    {
        try {
            Path runDir = job.runDir().orElseThrow();
            Path marker = RunDirs.attemptDir(runDir, attempt.number()).resolve(JobServices.START_MARKER);
            // The job may have put a link there: its own mtime is what counts, never a file it points at
            return Optional.of(Files.getLastModifiedTime(marker, LinkOption.NOFOLLOW_LINKS).toInstant());
        }
        catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
