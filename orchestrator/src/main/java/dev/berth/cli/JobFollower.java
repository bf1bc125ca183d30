package dev.berth.cli;

import dev.berth.job.Job;
import dev.berth.store.AmbiguousJobIdException;
import dev.berth.store.JobReads;
import dev.berth.time.Sleeper;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Follows one job in the store, for the commands that wait on the daemon ({@code submit --wait},
 * {@code logs -f}, {@code cancel}): waits for the job to appear, then looks at it every interval
 * until it ends. It only reads; the daemon moves the job.
 */
final class JobFollower
{
    /** Patience that never runs out. */
    static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();
    /** After this long without the job in the store, the user is told why it may not be there yet. */
    static final Duration HINT_AFTER = Duration.ofSeconds(10);

    private final JobReads store;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Duration interval;

    JobFollower(JobReads store, Clock clock, Sleeper sleeper, Duration interval)
    {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
        this.interval = requireNonNull(interval, "interval is null");
    }

    /** How a job is looked up: by its exact id ({@link JobReads#job}) or as users type ids ({@link JobReads#find}). */
    @FunctionalInterface
    interface Lookup
    {
        Optional<Job> find(JobReads store, String idOrPrefix)
                throws AmbiguousJobIdException;
    }

    /** What the caller does with each look at the job, such as printing its new state or output. */
    @FunctionalInterface
    interface Look
    {
        void seen(Job job)
                throws IOException;
    }

    /**
     * The job, once it is in the store; empty when {@code patience} ran out first. A job sent a moment
     * ago is there once the daemon has taken it off the queue. {@code onSlow} runs once, when the job
     * is still not there after {@link #HINT_AFTER}.
     */
    Optional<Job> awaitJob(String idOrPrefix, Lookup lookup, Duration patience, Runnable onSlow)
            throws AmbiguousJobIdException, InterruptedException
    {
        Instant start = clock.instant();
        boolean hinted = false;
        while (true) {
            Optional<Job> found = lookup.find(store, idOrPrefix);
            if (found.isPresent()) {
                return found;
            }
            Duration waited = Duration.between(start, clock.instant());
            if (waited.compareTo(patience) >= 0) {
                return Optional.empty();
            }
            if (!hinted && waited.compareTo(HINT_AFTER) >= 0) {
                onSlow.run();
                hinted = true;
            }
            sleeper.sleep(interval);
        }
    }

    /**
     * Looks at job {@code id}, which is in the store, every interval, handing each look to {@code look},
     * until the job ends (and is returned, after its last look) or {@code patience} runs out (empty).
     */
    Optional<Job> awaitEnd(String id, Duration patience, Look look)
            throws IOException, InterruptedException
    {
        Instant start = clock.instant();
        while (Duration.between(start, clock.instant()).compareTo(patience) < 0) {
            Job job = store.job(id).orElseThrow();
            look.seen(job);
            if (job.state().terminal()) {
                return Optional.of(job);
            }
            sleeper.sleep(interval);
        }
        return Optional.empty();
    }
}
