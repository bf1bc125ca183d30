package dev.berth.daemon;

import dev.berth.job.Attempt;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.job.Lifecycle;
import dev.berth.store.JobStore;
import dev.berth.swarm.Swarm;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Reconciliation: what a previous run left behind when it stopped (or crashed) mid-way. Jobs caught
 * being prepared go back to the queue; services whose result is already stored are removed (also
 * swept now and then while running). Attempts recorded before their service are left to the watch,
 * which adopts the service if it exists and creates it if not.
 */
final class StartupReconciler
{
    private static final Logger log = LoggerFactory.getLogger(StartupReconciler.class);

    private final JobStore store;
    private final Swarm swarm;
    private final ResultFiles resultFiles;

    StartupReconciler(JobStore store, Swarm swarm, ResultFiles resultFiles)
    {
        this.store = requireNonNull(store, "store is null");
        this.swarm = requireNonNull(swarm, "swarm is null");
        this.resultFiles = requireNonNull(resultFiles, "resultFiles is null");
    }

    void reconcile()
    {
        recoverInterruptedPreparations();
        sweepServices();
        List<Attempt> live = store.reads().liveAttempts();
        if (!live.isEmpty()) {
            log.info("Resuming {} attempts in flight: {}", live.size(),
                    live.stream().map(attempt -> attempt.serviceName() + " " + attempt.state()).collect(Collectors.joining(", ")));
        }
    }

    /** Jobs caught mid-preparation by a stop go back to the queue; their partial attempt dir is redone. */
    private void recoverInterruptedPreparations()
    {
        for (Job job : store.reads().inStates(EnumSet.of(JobState.PREPARING))) {
            boolean hasLiveAttempt = store.reads().attempts(job.id()).stream().anyMatch(attempt -> !attempt.state().terminal());
            if (!hasLiveAttempt) {
                store.writes().moveJob(job.id(), Lifecycle.restartedWhilePreparing());
                log.info("Job {}: berth stopped while preparing it; queued again", job.id());
            }
        }
    }

    /**
     * Removes services whose result is already stored: left behind when berth stopped between
     * recording a result and removing the service. The result files are written again first.
     */
    void sweepServices()
    {
        for (Swarm.BerthService service : swarm.services(store.instanceId())) {
            Optional<Attempt> attempt = store.reads().attempts(service.jobId()).stream().filter(found -> found.number() == service.attempt()).findFirst();
            if (attempt.isEmpty()) {
                log.warn("Service {} carries this berth's labels but no attempt of it is recorded; leaving it alone", service.name());
                continue;
            }
            if (attempt.get().state().terminal()) {
                Job job = store.reads().job(service.jobId()).orElseThrow();
                if (job.state().terminal()) {
                    resultFiles.ended(job, store.reads().attempts(service.jobId()));
                }
                swarm.removeService(service.name());
                log.info("Removed leftover service {} of a finished attempt", service.name());
            }
        }
    }
}
