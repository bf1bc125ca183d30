package dev.berth.daemon;

import dev.berth.repo.Snapshots;
import dev.berth.store.JobReads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.IntSupplier;

import static java.util.Objects.requireNonNull;

/**
 * Now and then: snapshots over {@code BERTH_SNAPSHOT_CAP} go, least recently used first and never one that
 * a job not ended yet runs, and the manager's engine forgets the volumes of overlays whose containers are
 * gone (each worker's heartbeat agent does the same on its own engine).
 */
final class SnapshotUpkeep
        implements Runnable
{
    static final Duration EVERY = Duration.ofMinutes(1);
    /** A preparation that just used a snapshot may not have recorded its job's commit yet; a snapshot used this recently stays. */
    static final Duration RECENT_USE = Duration.ofHours(1);
    private static final Logger log = LoggerFactory.getLogger(SnapshotUpkeep.class);

    private final Snapshots snapshots;
    private final long capBytes;
    private final JobReads reads;
    private final IntSupplier unusedVolumesRemoval;

    /** @param unusedVolumesRemoval removes the engine's unused job volumes, returning how many */
    SnapshotUpkeep(Snapshots snapshots, long capBytes, JobReads reads, IntSupplier unusedVolumesRemoval)
    {
        this.snapshots = requireNonNull(snapshots, "snapshots is null");
        this.capBytes = capBytes;
        this.reads = requireNonNull(reads, "reads is null");
        this.unusedVolumesRemoval = requireNonNull(unusedVolumesRemoval, "unusedVolumesRemoval is null");
    }

    @Override
    public void run()
    {
        try {
            Snapshots.Trimmed trimmed = snapshots.trim(capBytes, reads.commitsInUse(), RECENT_USE);
            if (trimmed.removed() > 0) {
                log.info("Snapshots: removed {} least recently used ({} bytes); {} bytes kept", trimmed.removed(), trimmed.removedBytes(), trimmed.keptBytes());
            }
        }
        catch (RuntimeException e) {
            // The next run tries again; a snapshot that stays a while longer costs only space
            log.warn("Snapshots: could not trim: {}", e.getMessage());
        }
        try {
            int removed = unusedVolumesRemoval.getAsInt();
            if (removed > 0) {
                log.debug("Removed {} volumes of ended attempts' overlays", removed);
            }
        }
        catch (RuntimeException e) {
            log.warn("Could not remove the volumes of ended attempts' overlays: {}", e.getMessage());
        }
    }
}
