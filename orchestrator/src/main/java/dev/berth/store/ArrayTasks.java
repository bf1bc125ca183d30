package dev.berth.store;

import dev.berth.job.ArraySpec;
import dev.berth.job.ArrayTask;
import dev.berth.job.JobMove;
import dev.berth.job.JobState;
import dev.berth.job.Lifecycle;

import java.sql.SQLException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The tasks of arrays, inside {@link JobWrites}' transactions. Under an array's {@code %LIMIT}, at most that many of
 * its tasks are live and out of WAITING at once; the others wait, held ({@code array_held}), outside admission's
 * line, and the end of a task queues the next held one, lowest index first, in the transaction of that end.
 */
final class ArrayTasks
{
    private static final String LIVE_OUT_OF_WAITING = "('QUEUED','PREPARING','SUBMITTED','RUNNING')";

    private final Database database;

    ArrayTasks(Database database)
    {
        this.database = requireNonNull(database, "database is null");
    }

    /** Whether a task of {@code spec}'s array may be queued now: its array has fewer tasks queued or running than its limit. */
    boolean placeFree(String arrayId, ArraySpec spec)
            throws SQLException
    {
        return spec.limit().isEmpty() || live(arrayId) < spec.limit().get();
    }

    /** Keeps a waiting task waiting, now for a place under its array's limit rather than for a dependency. */
    void hold(String jobId, String arrayId, int limit)
            throws SQLException
    {
        database.update("UPDATE jobs SET array_held = 1, reason = ? WHERE id = ? AND state = 'WAITING'", Lifecycle.heldByArrayLimit(arrayId, limit), jobId);
    }

    /** Queues as many held tasks of the array as its limit now has places for, lowest index first. */
    void fillPlaces(ArrayTask task)
            throws SQLException
    {
        if (task.spec().limit().isEmpty()) {
            return;
        }
        int free = task.spec().limit().get() - live(task.arrayId());
        if (free <= 0) {
            return;
        }
        List<String> next = database.query("SELECT id FROM jobs INDEXED BY jobs_by_array WHERE array_id = ? AND state = 'WAITING' AND array_held = 1"
                + " ORDER BY array_index LIMIT ?", rows -> rows.getString(1), task.arrayId(), free);
        JobMove move = Lifecycle.arrayPlaceFreed();
        for (String id : next) {
            // Read in this transaction, so the compare-and-set cannot miss: a miss is a bug, not a race
            if (database.update("UPDATE jobs SET state = ?, reason = NULL, array_held = 0 WHERE id = ? AND state = ?", move.to().name(), id, move.from().name()) != 1) {
                throw new IllegalStateException("task " + id + " of array " + task.arrayId() + " is no longer " + move.from());
            }
        }
    }

    /** Which task of which array the job is; empty for a job of its own (or none). */
    Optional<ArrayTask> taskOf(String jobId)
            throws SQLException
    {
        return database.queryOne("SELECT array_id, array_index, array_spec FROM jobs WHERE id = ? AND array_id IS NOT NULL",
                rows -> new ArrayTask(rows.getString(1), rows.getInt(2), JobRows.spec(rows.getString(3))), jobId);
    }

    /** Whether any of the array's tasks has yet to end: a few seeks of the index, not a count of the array. */
    boolean anyLive(String arrayId)
            throws SQLException
    {
        return database.queryOne("SELECT 1 FROM jobs INDEXED BY jobs_by_array WHERE array_id = ? AND state IN ('WAITING'," + LIVE_OUT_OF_WAITING.substring(1)
                + " LIMIT 1", rows -> true, arrayId).isPresent();
    }

    /** The array's state as a whole ({@link Lifecycle#arrayState}); empty when no job is a task of {@code arrayId}. */
    Optional<JobState> state(String arrayId)
            throws SQLException
    {
        Map<JobState, Integer> counts = counts(arrayId);
        return counts.isEmpty() ? Optional.empty() : Optional.of(Lifecycle.arrayState(counts));
    }

    /** How many of the array's tasks are in each state; empty for no array. */
    Map<JobState, Integer> counts(String arrayId)
            throws SQLException
    {
        Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
        database.query("SELECT state, count(*) FROM jobs INDEXED BY jobs_by_array WHERE array_id = ? GROUP BY state",
                rows -> counts.put(JobState.valueOf(rows.getString(1)), rows.getInt(2)), arrayId);
        return counts;
    }

    private int live(String arrayId)
            throws SQLException
    {
        return database.queryOne("SELECT count(*) FROM jobs INDEXED BY jobs_by_array WHERE array_id = ? AND state IN " + LIVE_OUT_OF_WAITING,
                rows -> rows.getInt(1), arrayId).orElse(0);
    }
}
