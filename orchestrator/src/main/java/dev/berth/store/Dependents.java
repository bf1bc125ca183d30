package dev.berth.store;

import dev.berth.job.Dependency;
import dev.berth.job.JobMove;
import dev.berth.job.JobState;
import dev.berth.job.Lifecycle;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayDeque;
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
 */
final class Dependents
{
    private final Database database;
    private final Mover mover;

    /** @param mover makes a settled job's move, as a compare-and-set from WAITING */
    Dependents(Database database, Mover mover)
    {
        this.database = requireNonNull(database, "database is null");
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

    /** Settles the waiting jobs that wait for {@code endedJobId}, which has just ended, and so on down each job cancelled here. */
    void ended(String endedJobId, Instant now)
            throws SQLException
    {
        settle(new ArrayDeque<>(waitingFor(endedJobId)), now);
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
            Optional<JobMove> move = Lifecycle.dependenciesSettled(dependencies, states);
            if (move.isPresent()) {
                mover.move(jobId, move.get(), now);
                if (move.get().to().terminal()) {
                    pending.addAll(waitingFor(jobId));
                }
            }
        }
    }

    private List<String> waitingFor(String jobId)
            throws SQLException
    {
        return database.query("SELECT job_dependencies.job_id FROM job_dependencies INDEXED BY job_dependencies_by_target"
                + " JOIN jobs ON jobs.id = job_dependencies.job_id WHERE job_dependencies.depends_on = ? AND jobs.state = 'WAITING'",
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
