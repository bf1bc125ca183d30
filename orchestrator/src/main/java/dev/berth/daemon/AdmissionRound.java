package dev.berth.daemon;

import dev.berth.config.PoolType;
import dev.berth.fairshare.FairShareLine;
import dev.berth.job.Claim;
import dev.berth.job.JobState;
import dev.berth.job.Lifecycle;
import dev.berth.metrics.BerthMetrics;
import dev.berth.store.JobEnded;
import dev.berth.store.JobStore;
import dev.berth.swarm.Swarm;
import dev.berth.swarm.TaskSnapshot;
import dev.berth.time.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Admission: hands prepared jobs to Swarm while fewer than the pending cap wait there, then asks the
 * {@link Admission} policy which queued jobs to prepare next, taking them in the order fair share puts
 * them in ({@link FairShareLine}), and records its answer (admitted, never
 * fits, why the others wait). Preparation runs ahead of Swarm by up to the cap again: a job's checkout
 * is made while the jobs before it start, so a slot freed in Swarm is taken at once rather than after
 * the next job's git and disk work. Swarm itself never holds more than the cap of berth's services
 * waiting to start, and so can never reorder more of the queue than that. Runs on the scheduling thread.
 */
final class AdmissionRound
{
    private static final Logger log = LoggerFactory.getLogger(AdmissionRound.class);
    /**
     * How deep into each pool's queue one round looks: far more than a round admits, and deep enough
     * for small jobs to fill in behind large ones that wait. Reading a queue of 10^5 jobs every round
     * would cost the daemon seconds and gigabytes; 256 rows cost about 2 ms.
     */
    private static final int ADMISSION_WINDOW = 256;

    private final JobStore store;
    private final SwarmView view;
    private final Dispatcher dispatcher;
    private final List<PoolType> poolTypes;
    private final Set<String> autoscaledPools;
    private final int pendingCap;
    private final Duration pollInterval;
    private final Clock clock;
    private final Ticker ticker;
    private final BerthMetrics metrics;
    private final FairShareLine line;
    /** Why each job in the window waits, as last recorded: a reason is written only when it changes. */
    private final Map<String, String> waitingReasons = new HashMap<>();
    /** When, by the ticker, a round with no slot free next looks at the queue. */
    private long nextQueueLook;

    AdmissionRound(JobStore store, SwarmView view, Dispatcher dispatcher, List<PoolType> poolTypes, Set<String> autoscaledPools, int pendingCap, Duration pollInterval, Clock clock, Ticker ticker,
            BerthMetrics metrics, FairShareLine line)
    {
        this.store = requireNonNull(store, "store is null");
        this.view = requireNonNull(view, "view is null");
        this.dispatcher = requireNonNull(dispatcher, "dispatcher is null");
        this.poolTypes = List.copyOf(requireNonNull(poolTypes, "poolTypes is null"));
        this.autoscaledPools = Set.copyOf(requireNonNull(autoscaledPools, "autoscaledPools is null"));
        this.pendingCap = pendingCap;
        this.pollInterval = requireNonNull(pollInterval, "pollInterval is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.line = requireNonNull(line, "line is null");
        this.nextQueueLook = ticker.read();
    }

    void admit()
    {
        Instant now = clock.instant();
        // Read only when there is something to hand over or to admit: most rounds of an idle daemon need neither
        boolean handingOver = dispatcher.hasReady();
        List<Claim> live = handingOver ? store.reads().liveClaims() : List.of();
        dispatcher.handOverReady(live);

        int slots = Math.max(0, pendingCap - dispatcher.inFlight());
        // With no slot free nothing can be admitted: the queue is looked at once a poll interval still, to end
        // the jobs cancelled there and to say why the others wait, but not on every wake-up of a busy daemon
        if (slots == 0 && ticker.read() - nextQueueLook < 0) {
            return;
        }
        nextQueueLook = ticker.read() + pollInterval.toNanos();
        if (!handingOver) {
            // What the live jobs have held so far is part of their users' standing in the line
            live = store.reads().liveClaims();
        }
        List<Claim> queued = new ArrayList<>();
        for (Claim claim : line.order(store.admission(), live, now, ADMISSION_WINDOW)) {
            if (claim.cancelRequested()) {
                store.writes().endJob(claim.jobId(), Lifecycle.cancelledWhileQueued(), now, JobEnded.NOTHING);
                continue;
            }
            if (!dispatcher.heldBack(claim.jobId(), now)) {
                queued.add(claim);
            }
        }
        // Forget why jobs waited once they left the window: admitted, cancelled or failed.
        waitingReasons.keySet().retainAll(queued.stream().map(Claim::jobId).collect(Collectors.toSet()));
        if (queued.isEmpty()) {
            return;
        }
        List<Admission.Held> held = new ArrayList<>();
        for (Claim claim : live) {
            held.add(new Admission.Held(claim, view.task(Swarm.serviceName(claim.jobId(), claim.attempts())).flatMap(TaskSnapshot::nodeId)));
        }
        Admission.Plan plan = Admission.plan(view.nodes(), poolTypes, autoscaledPools, held, queued, slots);
        plan.neverFits().forEach((jobId, reason) -> {
            store.writes().endJob(jobId, Lifecycle.neverFits(reason), now, JobEnded.NOTHING);
            log.info("Job {} failed: {}", jobId, reason);
        });
        plan.waiting().forEach((jobId, reason) -> {
            if (!reason.equals(waitingReasons.put(jobId, reason))) {
                store.writes().noteReason(jobId, JobState.QUEUED, reason);
            }
        });
        for (String jobId : plan.admit()) {
            waitingReasons.remove(jobId);
            store.writes().moveJob(jobId, Lifecycle.admitted());
            metrics.admitted();
            dispatcher.prepare(jobId);
        }
    }
}
