package dev.berth.web.api;

import dev.berth.job.Job;
import dev.berth.job.JobJson;
import dev.berth.job.JobState;
import dev.berth.store.JobStore;
import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.time.Clock;

import static java.util.Objects.requireNonNull;

/**
 * {@code POST /api/v1/jobs/{id}/cancel}: what {@code berth cancel --no-wait} does. The cancel is
 * recorded (a queued job is cancelled at once), the scheduler is woken to stop a preparing or running
 * one, and the answer is the state the job is in now, as {@code cancel --json} prints it. A job that
 * has ended stays as it ended.
 */
final class CancelJob
        implements Handler
{
    private final JobStore store;
    private final Runnable wakeScheduler;
    private final Clock clock;

    CancelJob(JobStore store, Runnable wakeScheduler, Clock clock)
    {
        this.store = requireNonNull(store, "store is null");
        this.wakeScheduler = requireNonNull(wakeScheduler, "wakeScheduler is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public void handle(Context context)
    {
        Job job = JobFromPath.find(context, store.reads());
        JobState state = job.state();
        if (!state.terminal()) {
            state = store.writes().requestCancel(job.id(), clock.instant());
            // The scheduler stops the job on its next round: now, rather than after its poll interval
            wakeScheduler.run();
        }
        context.json(JobJson.cancelOutcome(job.id(), state));
    }
}
