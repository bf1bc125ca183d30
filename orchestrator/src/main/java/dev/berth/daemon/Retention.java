package dev.berth.daemon;

import dev.berth.store.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * {@code BERTH_RETENTION}: now and then, removes from the store the jobs that ended longer ago than
 * the retention, as {@code berth purge --finished-before} does, a batch per transaction so that the
 * scheduler's writes never wait long. Run dirs stay: outputs are the users' to remove.
 */
final class Retention
        implements Runnable
{
    static final Duration EVERY = Duration.ofHours(1);
    private static final Logger log = LoggerFactory.getLogger(Retention.class);
    private static final int BATCH = 1_000;

    private final JobStore store;
    private final Duration retention;
    private final Clock clock;

    Retention(JobStore store, Duration retention, Clock clock)
    {
        this.store = requireNonNull(store, "store is null");
        this.retention = requireNonNull(retention, "retention is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public void run()
    {
        try {
            Instant before = clock.instant().minus(retention);
            long purged = 0;
            int batch;
            do {
                batch = store.writes().purgeEndedBefore(before, BATCH).size();
                purged += batch;
            }
            while (batch == BATCH);
            if (purged > 0) {
                log.info("Retention: removed {} jobs that ended before {} from the store (their run dirs stay)", purged, before);
            }
        }
        catch (RuntimeException e) {
            // The next run tries again; a purge that failed loses nothing
            log.warn("Retention: could not remove old jobs: {}", e.getMessage());
        }
    }
}
