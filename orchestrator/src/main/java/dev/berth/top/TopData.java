package dev.berth.top;

import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.store.JobStore;

import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * What {@code berth top} reads and does: snapshots of the store and the fleet, a job's log, and a cancel,
 * all straight on the database (as {@code berth list} does when no daemon answers), so top works whether
 * or not {@code berth serve} runs. A cancel is the one write, the same as {@code berth cancel}'s.
 */
public final class TopData
{
    private final JobStore store;
    private final Supplier<FleetLook> fleet;
    private final Clock clock;

    public TopData(JobStore store, Supplier<FleetLook> fleet, Clock clock)
    {
        this.store = requireNonNull(store, "store is null");
        this.fleet = requireNonNull(fleet, "fleet is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public TopSnapshot snapshot()
    {
        return TopSnapshot.read(store.reads(), fleet.get(), clock.instant());
    }

    /** The last {@code most} lines of job {@code id}'s {@code stream}, across its attempts. */
    public LogExcerpt log(String id, LogStream stream, int most)
    {
        Optional<Job> job = store.reads().job(id);
        if (job.isEmpty()) {
            return LogExcerpt.note("job " + id + " is not in the store");
        }
        return LogExcerpts.read(job.get(), store.reads().attempts(id), stream, most);
    }

    /** Cancels job {@code id} as {@code berth cancel --no-wait} does; returns what became of it, in a sentence. */
    public String cancel(String id)
    {
        Optional<Job> job = store.reads().job(id);
        if (job.isEmpty()) {
            return "job " + id + " is not in the store";
        }
        if (job.get().state().terminal()) {
            return "job " + id + " already ended as " + job.get().state() + "; nothing to cancel";
        }
        JobState state = store.writes().requestCancel(id, clock.instant());
        return state == JobState.CANCELLED
                ? "job " + id + " cancelled"
                : "job " + id + " is " + state + "; berth serve stops it (the cancel is recorded)";
    }
}
