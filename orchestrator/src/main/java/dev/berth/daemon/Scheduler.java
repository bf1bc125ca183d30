package dev.berth.daemon;

import dev.berth.config.BerthConfig;
import dev.berth.cost.CostMeter;
import dev.berth.fairshare.FairShareLine;
import dev.berth.fairshare.UsageLedger;
import dev.berth.store.AdmissionReads;
import dev.berth.config.Durations;
import dev.berth.export.RunDirExports;
import dev.berth.metrics.BerthMetrics;
import dev.berth.rundir.RunDirs;
import dev.berth.store.JobStore;
import dev.berth.swarm.Swarm;
import dev.berth.time.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The scheduling loop, which drives every job from QUEUED to its end. One thread runs rounds: a
 * listing of Swarm ({@link SwarmView}), the watch of live attempts ({@link AttemptWatcher}), then
 * admission ({@link AdmissionRound}). Between listings, a job's arrival or the end of a preparation
 * wakes it to admit and hand over from the last listing, without asking Swarm again. Preparation and
 * dispatch run on the {@link Dispatcher}'s pools, so a slow fetch never stalls the watching.
 */
final class Scheduler
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
    /**
     * How often berth lists tasks while a service of its waits to start (sooner than the poll interval):
     * it holds one of the pending cap's slots until berth sees it start, and its start time is recorded as berth sees it.
     */
    private static final Duration STARTING_POLL = Duration.ofMillis(100);
    private static final int ROUNDS_BETWEEN_SWEEPS = 120;
    private static final Duration ROUND_FAILURE_LOG_INTERVAL = Duration.ofMinutes(1);

    private final SwarmView view;
    private final AttemptWatcher watcher;
    private final AdmissionRound admission;
    private final Dispatcher dispatcher;
    private final StartupReconciler reconciler;
    private final Wakeup wakeup;
    private final Duration pollInterval;
    private final Duration startingPoll;
    private final Clock clock;
    private volatile boolean running;
    private Thread thread;
    /** The scheduling thread's own, as is all below. */
    private Instant lastRoundFailureLogged = Instant.MIN;
    private int rounds;
    /** Whether the last round saw a service of berth's being created or waiting to start. */
    private boolean startsAwaited;

    private Scheduler(SwarmView view, AttemptWatcher watcher, AdmissionRound admission, Dispatcher dispatcher, StartupReconciler reconciler,
            Wakeup wakeup, Duration pollInterval, Duration startingPoll, Clock clock)
    {
        this.view = requireNonNull(view, "view is null");
        this.watcher = requireNonNull(watcher, "watcher is null");
        this.admission = requireNonNull(admission, "admission is null");
        this.dispatcher = requireNonNull(dispatcher, "dispatcher is null");
        this.reconciler = requireNonNull(reconciler, "reconciler is null");
        this.wakeup = requireNonNull(wakeup, "wakeup is null");
        this.pollInterval = requireNonNull(pollInterval, "pollInterval is null");
        this.startingPoll = requireNonNull(startingPoll, "startingPoll is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Wires the scheduler's steps together over the parts the daemon gives it (real ones in {@link Daemon},
     * in-memory ones in the scheduling policy's tests).
     *
     * @param preparations runs preparations; the scheduler shuts it down when it closes
     * @param dispatches runs service creates; the scheduler shuts it down when it closes
     * @param metrics counts admissions and attempts' ends, and times waits and runs
     * @param workDirMode whether attempts get overlays of snapshots; the watch turns them off when a worker cannot mount one
     */
    static Scheduler create(JobStore store, Swarm swarm, Preparer preparer, RunDirs runDirs, BerthConfig config, Clock clock, Ticker ticker,
            FailPoints failPoints, ExecutorService preparations, ExecutorService dispatches, BerthMetrics metrics, WorkDirMode workDirMode)
    {
        Duration pollInterval = config.pollInterval();
        Duration startingPoll = STARTING_POLL.compareTo(pollInterval) < 0 ? STARTING_POLL : pollInterval;
        Wakeup wakeup = new Wakeup(ticker);
        SwarmView view = new SwarmView(swarm, store.instanceId(), config.gpuKind(), pollInterval, ticker);
        ResultFiles resultFiles = new ResultFiles(runDirs, RunDirExports.of(config));
        UsageLedger usage = new UsageLedger(config.fairShare());
        // Fair share counts what ended attempts used: made again from the store, so a restart forgets none of it
        for (AdmissionReads.Use use : store.admission().usesEndedSince(usage.rememberedSince(clock.instant()))) {
            usage.charge(use.user(), use.resources(), use.startedAt(), use.endedAt());
        }
        store.writes().replaceUsage(usage.entries());
        AttemptFinisher finisher = new AttemptFinisher(store, swarm, view, resultFiles, clock, failPoints, metrics, usage,
                new CostMeter(config.prices()));
        JobServices services = new JobServices(store.instanceId(), config.mirrorsDir(), config.snapshotsDir(), config.gpuKind());
        Dispatcher dispatcher = new Dispatcher(store, swarm, preparer, services, runDirs, finisher, resultFiles, wakeup, startingPoll,
                config.pendingCap(), clock, failPoints, preparations, dispatches, new PreviousAttemptStop(store, view, clock));
        return new Scheduler(
                view,
                new AttemptWatcher(store, swarm, view, dispatcher, finisher, clock, metrics, workDirMode),
                new AdmissionRound(store, view, dispatcher, config.pools(), config.autoscaling().poolNames(), config.pendingCap(), pollInterval, clock, ticker, metrics,
                        new FairShareLine(usage)),
                dispatcher,
                new StartupReconciler(store, swarm, resultFiles),
                wakeup,
                pollInterval,
                startingPoll,
                clock);
    }

    /** Reconciles what a previous run left behind, then starts the scheduling thread. */
    void start()
    {
        reconcile();
        running = true;
        thread = new Thread(this::loop, "berth-scheduler");
        thread.start();
    }

    /** What a previous run left behind is put right: before the first round, and never while rounds run. */
    void reconcile()
    {
        reconciler.reconcile();
    }

    /** Asks for a round now rather than at the next listing (a job arrived, a preparation finished). */
    void wake()
    {
        wakeup.wake();
    }

    private void loop()
    {
        while (running) {
            runOnce();
            try {
                wakeup.await();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One turn of the loop: a listing round when one is due, else admission and hand-over from the last listing. */
    void runOnce()
    {
        boolean listing = wakeup.listingDue();
        try {
            if (listing) {
                round();
            }
            else {
                admission.admit();
            }
        }
        catch (RuntimeException e) {
            Instant now = clock.instant();
            if (Duration.between(lastRoundFailureLogged, now).compareTo(ROUND_FAILURE_LOG_INTERVAL) >= 0) {
                log.warn("Cannot watch or admit jobs this round (will keep trying every {}): {}", Durations.format(pollInterval), e.getMessage());
                lastRoundFailureLogged = now;
            }
        }
        if (listing) {
            wakeup.listNextIn(startsAwaited ? startingPoll : pollInterval);
        }
    }

    private void round()
    {
        view.refresh();
        watcher.watch();
        admission.admit();
        startsAwaited = dispatcher.dispatching() || view.startsPending();
        if (++rounds % ROUNDS_BETWEEN_SWEEPS == 0) {
            reconciler.sweepServices();
        }
    }

    @Override
    public void close()
    {
        running = false;
        dispatcher.stopping();
        wake();
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        dispatcher.close();
    }
}
