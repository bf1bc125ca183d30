package dev.berth.store;

import dev.berth.job.ArrayTask;
import dev.berth.job.Dependency;
import dev.berth.job.JobMove;
import dev.berth.job.JobState;
import dev.berth.job.Lifecycle;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The jobs that wait for others, inside {@link JobWrites}' transactions: their dependencies recorded as they
 * are stored, and settled ({@link Lifecycle#dependenciesSettled}) then and whenever one of them ends, in the
 * transaction of that end, so a job is queued (or cancelled) exactly when its last dependency's end commits.
 * A dependency may be an array: it ends when its last task does, in the state {@link Lifecycle#arrayState} gives.
 * The end of an array's task also queues the next of its tasks that its limit held ({@link ArrayTasks}).
 */
final class Dependents
{
    private final Database database;
    private final ArrayTasks arrays;
    private final Mover mover;

    /** @param mover makes a settled job's move, as a compare-and-set from WAITING */
    Dependents(Database database, ArrayTasks arrays, Mover mover)
    {
        this.database = requireNonNull(database, "database is null");
        this.arrays = requireNonNull(arrays, "arrays is null");
        this.mover = requireNonNull(mover, "mover is null");
    }

    /** Records what a newly stored WAITING job waits for, then settles it: its dependencies may have ended already. */
    void record(String jobId, List<Dependency> dependencies, Instant now)
            throws SQLException
    {
        for (Dependency dependency : dependencies) {
            database.update("INSERT INTO job_dependencies (job_id, depends_on, kind) VALUES (?, ?, ?)",
                    jobId, dependency.jobId(), dependency.kind().field());
        }
        settle(new ArrayDeque<>(List.of(jobId)), now);
    }

    /**
     * Settles the waiting jobs that wait for {@code endedJobId}, which has just ended (or for its array, when that
     * was the array's last live task), and so on down each job cancelled here; and fills the places under its
     * array's limit.
     */
    void ended(String endedJobId, Instant now)
            throws SQLException
    {
        settle(new ArrayDeque<>(releasedBy(endedJobId)), now);
    }

    private void settle(Deque<String> pending, Instant now)
            throws SQLException
    {
        // A work list, not recursion: a long chain of dependents cancelled by one failure must not run out of stack
        while (!pending.isEmpty()) {
            String jobId = pending.poll();
            // Settled already: one job may wait for several that a cascade cancels
            if (!database.queryOne("SELECT 1 FROM jobs WHERE id = ? AND state = 'WAITING'", rows -> true, jobId).isPresent()) {
                continue;
            }
            List<Dependency> dependencies = database.query("SELECT depends_on, kind FROM job_dependencies WHERE job_id = ?",
                    rows -> new Dependency(rows.getString(1), Dependency.Kind.ofField(rows.getString(2))), jobId);
            Map<String, JobState> states = new HashMap<>();
            database.query("SELECT jobs.id, jobs.state FROM job_dependencies JOIN jobs ON jobs.id = job_dependencies.depends_on"
                    + " WHERE job_dependencies.job_id = ?", rows -> states.put(rows.getString(1), JobState.valueOf(rows.getString(2))), jobId);
            for (Dependency dependency : dependencies) {
                if (!states.containsKey(dependency.jobId())) {
                    arrays.state(dependency.jobId()).ifPresent(state -> states.put(dependency.jobId(), state));
                }
            }
            Optional<JobMove> move = Lifecycle.dependenciesSettled(dependencies, states);
            if (move.isEmpty()) {
                continue;
            }
            Optional<ArrayTask> task = arrays.taskOf(jobId);
            if (move.get().to() == JobState.QUEUED && task.isPresent() && !arrays.placeFree(task.get().arrayId(), task.get().spec())) {
                arrays.hold(jobId, task.get().arrayId(), task.get().spec().limit().orElseThrow());
                continue;
            }
            mover.move(jobId, move.get(), now);
            if (move.get().to().terminal()) {
                pending.addAll(releasedBy(jobId));
            }
        }
    }

    /** The waiting jobs an end may release: those that wait for the job, and for its array when the array has ended with it. */
    private List<String> releasedBy(String endedJobId)
            throws SQLException
    {
        List<String> released = new ArrayList<>(waitingFor(endedJobId));
        Optional<ArrayTask> task = arrays.taskOf(endedJobId);
        if (task.isPresent()) {
            arrays.fillPlaces(task.get());
            if (!arrays.anyLive(task.get().arrayId())) {
                released.addAll(waitingFor(task.get().arrayId()));
            }
        }
        return released;
    }

    private List<String> waitingFor(String jobId)
            throws SQLException
    {
        return database.query("SELECT job_dependencies.job_id FROM job_dependencies INDEXED BY job_dependencies_by_target"
                + " JOIN jobs ON jobs.id = job_dependencies.job_id WHERE job_dependencies.depends_on = ? AND jobs.state = 'WAITING'"
                // In the order they were stored: an array's tasks by index, so its limit holds the highest ones
                + " ORDER BY jobs.seq",
                rows -> rows.getString(1), jobId);
    }

    /** One settled job's move, in the transaction that settled it. */
    @FunctionalInterface
    interface Mover
    {
        void move(String jobId, JobMove move, Instant now)
                throws SQLException;
    }
}
