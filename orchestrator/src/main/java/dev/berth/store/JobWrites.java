package dev.berth.store;

import dev.berth.cost.CostJson;
import dev.berth.fairshare.UsageLedger;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.berth.job.ArraySpec;
import dev.berth.job.ArrayTask;
import dev.berth.job.Attempt;
import dev.berth.job.AttemptEnd;
import dev.berth.job.AttemptOutcome;
import dev.berth.job.AttemptState;
import dev.berth.job.Cause;
import dev.berth.job.IllegalTransitionException;
import dev.berth.job.Job;
import dev.berth.job.JobMove;
import dev.berth.job.JobRequest;
import dev.berth.job.JobState;
import dev.berth.job.Lifecycle;
import dev.berth.job.Resources;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.berth.store.JobRows.JOB_COLUMNS;
import static java.util.Objects.requireNonNull;

/**
 * Every change berth makes to its jobs and attempts, each in one transaction. The daemon is the only
 * regular writer; the CLI writes only a cancel request. Every state change is a compare-and-set,
 * checked by {@link Lifecycle} first, so an illegal or stale move is refused and nothing is written.
 */
public final class JobWrites
{
    /** The states a job ends in, as SQL: a live job is never purged, whatever its age. */
    static final String ENDED_STATES = "('SUCCEEDED','FAILED','TIMED_OUT','CANCELLED','REJECTED')";

    private final Database database;
    private final ArrayTasks arrays;
    private final Dependents dependents;

    JobWrites(Database database)
    {
        this.database = requireNonNull(database, "database is null");
        this.arrays = new ArrayTasks(database);
        this.dependents = new Dependents(database, arrays, this::settledMove);
    }

    /**
     * Stores a new job: QUEUED, or WAITING when it has dependencies (by whole id, as intake resolved them), and
     * at once queued or cancelled instead when those have ended already. An array's request stores one job per
     * task, all in this transaction, those beyond its limit held WAITING ({@link ArrayTasks}).
     */
    public InsertOutcome insert(JobRequest request, String rawRequest, Optional<String> messageId, Instant now)
    {
        return database.inTransaction(() -> {
            Optional<String> existing = database.queryOne("SELECT request FROM jobs WHERE id = ?", rows -> rows.getString(1), request.id());
            if (existing.isEmpty()) {
                // An array of that id: its tasks all hold its request
                existing = database.queryOne("SELECT request FROM jobs INDEXED BY jobs_by_array WHERE array_id = ? LIMIT 1", rows -> rows.getString(1), request.id());
            }
            if (existing.isPresent()) {
                return existing.get().equals(rawRequest) ? InsertOutcome.DUPLICATE : InsertOutcome.CONFLICT;
            }
            if (request.array().isEmpty()) {
                insertRow(request, rawRequest, messageId, now, request.id(), Optional.empty(), false);
                return InsertOutcome.CREATED;
            }
            ArraySpec spec = request.array().get();
            List<Integer> indices = spec.indices().boxed().toList();
            // A job of its own that holds one of the tasks' ids: the array cannot have them
            if (database.queryOne("SELECT 1 FROM jobs WHERE id IN (" + String.join(",", indices.stream().map(index -> "?").toList()) + ")",
                    rows -> true, indices.stream().map(index -> (Object) ArrayTask.taskId(request.id(), index)).toArray()).isPresent()) {
                return InsertOutcome.CONFLICT;
            }
            for (int position = 0; position < indices.size(); position++) {
                ArrayTask task = new ArrayTask(request.id(), indices.get(position), spec);
                // With dependencies, every task waits for them first; the limit holds some once they are settled
                boolean held = request.dependencies().isEmpty() && spec.limit().isPresent() && position >= spec.limit().get();
                insertRow(request, rawRequest, messageId, now, ArrayTask.taskId(request.id(), task.index()), Optional.of(task), held);
            }
            return InsertOutcome.CREATED;
        });
    }

    /** One job's row: a job of its own, or one task of an array ({@code held}: WAITING for a place under its limit). */
    private void insertRow(JobRequest request, String rawRequest, Optional<String> messageId, Instant now, String id, Optional<ArrayTask> task, boolean held)
            throws SQLException, JsonProcessingException
    {
        Resources resources = request.resources();
        JobState state = held || !request.dependencies().isEmpty() ? JobState.WAITING : JobState.QUEUED;
        database.update("""
                INSERT INTO jobs (id, name, state, reason, request, message_id, repo, branch, entrypoint, params, image, cpus, memory, gpus,
                                  env, timeout_ms, max_attempts, pool, received_at, retry_exit_codes, secrets, user, stop_grace_ms, pinned_commit, commit_sha,
                                  rerun_of, priority, array_id, array_index, array_spec, array_held)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                id,
                request.name(),
                state.name(),
                held ? Lifecycle.heldByArrayLimit(request.id(), task.orElseThrow().spec().limit().orElseThrow()) : null,
                rawRequest,
                messageId.orElse(null),
                request.repo().toString(),
                request.branch(),
                request.entrypoint(),
                request.entrypointParams().orElse(null),
                request.image(),
                resources.cpus(),
                resources.memoryBytes(),
                resources.gpus(),
                JobRows.writeEnv(request.env()),
                request.timeout().map(Duration::toMillis).orElse(null),
                request.maxAttempts(),
                request.pool().orElse(null),
                now.toEpochMilli(),
                JobRows.writeCodes(request.retryExitCodes()),
                JobRows.writeNames(request.secrets()),
                request.user().orElse(Job.UNKNOWN_USER),
                request.stopGrace().toMillis(),
                request.commit().orElse(null),
                // A pinned commit is the job's from the start: preparation checks it out as a retry's, asking no remote
                request.commit().orElse(null),
                request.rerunOf().orElse(null),
                request.priority(),
                task.map(ArrayTask::arrayId).orElse(null),
                task.map(ArrayTask::index).orElse(null),
                task.map(value -> value.spec().toString()).orElse(null),
                held ? 1 : 0);
        if (!request.dependencies().isEmpty()) {
            dependents.record(id, request.dependencies(), now);
        }
    }

    /** Records a request that could not be understood, under the user who sent it when known; idempotent on {@code id}. */
    public boolean insertRejected(String id, String rawRequest, String reason, Optional<String> messageId, Optional<String> user, Instant now)
    {
        return database.inTransaction(() -> database.update("""
                INSERT OR IGNORE INTO jobs (id, name, state, cause, reason, request, message_id, received_at, finished_at, user)
                VALUES (?, 'rejected', 'REJECTED', 'request', ?, ?, ?, ?, ?, ?)""",
                id, reason, rawRequest, messageId.orElse(null), now.toEpochMilli(), now.toEpochMilli(), user.orElse(Job.UNKNOWN_USER)) == 1);
    }

    /**
     * Removes the {@code limit} oldest of the jobs that ended before {@code before}, with their attempts, in one
     * transaction, and says which went and where their run dirs are. A caller purging many takes them a
     * batch at a time, so the daemon's writes wait for one batch at most.
     */
    public List<PurgedJob> purgeEndedBefore(Instant before, int limit)
    {
        return database.inTransaction(() -> {
            List<PurgedJob> purged = database.query("SELECT id, run_dir FROM jobs WHERE finished_at < ? AND state IN " + ENDED_STATES
                    + " ORDER BY finished_at LIMIT ?", rows -> new PurgedJob(rows.getString(1), Optional.ofNullable(rows.getString(2)).map(Path::of)),
                    before.toEpochMilli(), limit);
            for (PurgedJob job : purged) {
                database.update("DELETE FROM attempts WHERE job_id = ?", job.id());
                database.update("DELETE FROM job_dependencies WHERE job_id = ?", job.id());
                database.update("DELETE FROM jobs WHERE id = ?", job.id());
            }
            return purged;
        });
    }

    /** Moves a job that has no live attempt (admitted, back to the queue), recording the move's reason or clearing it. */
    public void moveJob(String id, JobMove move)
    {
        database.inTransaction(() -> {
            casJob(id, move.from(), move.to(), "reason = ?", move.reason().orElse(null));
            return null;
        });
    }

    /** Ends a job that never got (another) attempt: it cannot fit, its preparation failed, it was cancelled before its service. */
    public void endJob(String id, JobMove move, Instant now, JobEnded onEnd)
    {
        if (!move.to().terminal()) {
            throw new IllegalArgumentException("not an end: " + move);
        }
        database.inTransaction(() -> {
            casJob(id, move.from(), move.to(), "cause = ?, reason = ?, finished_at = ?",
                    move.cause().map(Cause::label).orElse(null), move.reason().orElse(null), now.toEpochMilli());
            announceEnd(id, onEnd);
            dependents.ended(id, now);
            return null;
        });
    }

    /** Says why a job in {@code state} still waits (no room, pending cap, empty pool, a name taken), for {@code berth status}. */
    public void noteReason(String id, JobState state, String reason)
    {
        database.inTransaction(() -> database.update("UPDATE jobs SET reason = ? WHERE id = ? AND state = ?", reason, id, state.name()));
    }

    /** Where the job's files go: recorded before anything is written there, so even a job that fails to prepare shows it. */
    public void recordRunDir(String id, Path runDir)
    {
        database.inTransaction(() -> database.update("UPDATE jobs SET run_dir = ? WHERE id = ?", runDir.toString(), id));
    }

    /** What preparation learned: kept so every later attempt runs the same bytes of the same commit. */
    public void recordPreparation(String id, String imageRef, String commit)
    {
        database.inTransaction(() -> database.update("UPDATE jobs SET image_ref = ?, commit_sha = ? WHERE id = ?", imageRef, commit, id));
    }

    /** Records an attempt before its service exists, so a crash between the two can be reconciled by name. */
    public void recordAttempt(String jobId, int number, String serviceName, Instant now)
    {
        database.inTransaction(() -> {
            database.update("INSERT INTO attempts (job_id, number, service_name, state, created_at) VALUES (?, ?, ?, 'SUBMITTING', ?)",
                    jobId, number, serviceName, now.toEpochMilli());
            database.update("UPDATE jobs SET attempts = ? WHERE id = ?", number, jobId);
            return null;
        });
    }

    /** The attempt's service exists: the job now pends in Swarm. */
    public void attemptSubmitted(String jobId, int number)
    {
        database.inTransaction(() -> {
            casAttempt(jobId, number, AttemptState.SUBMITTING, AttemptState.PENDING, "");
            casJob(jobId, JobState.PREPARING, JobState.SUBMITTED, "reason = NULL");
            return null;
        });
    }

    public void attemptRunning(String jobId, int number, String node, Instant startedAt)
    {
        database.inTransaction(() -> {
            casAttempt(jobId, number, AttemptState.PENDING, AttemptState.RUNNING, ", node = ?, started_at = ?", node, startedAt.toEpochMilli());
            casJob(jobId, JobState.SUBMITTED, JobState.RUNNING, "started_at = coalesce(started_at, ?)", startedAt.toEpochMilli());
            return null;
        });
    }

    /**
     * Ends an attempt and moves its job to what follows ({@link Lifecycle#afterAttempt}): its final state, or
     * QUEUED for another attempt. Returns the job's new state.
     */
    public JobState finishAttempt(String jobId, int number, AttemptEnd end, JobEnded onEnd)
    {
        return database.inTransaction(() -> {
            Attempt attempt = database.queryOne("SELECT * FROM attempts WHERE job_id = ? AND number = ?", JobRows::attempt, jobId, number)
                    .orElseThrow(() -> new IllegalTransitionException("job " + jobId + " has no attempt " + number));
            Job job = database.queryOne("SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ?", JobRows::job, jobId).orElseThrow();
            AttemptOutcome outcome = end.outcome();
            Cause cause = outcome.cause().orElse(null);
            casAttempt(jobId, number, attempt.state(), outcome.state(),
                    ", node = coalesce(?, node), cause = ?, reason = ?, exit_code = ?, started_at = coalesce(started_at, ?), finished_at = ?, cost = ?",
                    end.node().orElse(null), cause == null ? null : cause.label(), outcome.reason(), outcome.exitCode().orElse(null),
                    end.startedAt().map(Instant::toEpochMilli).orElse(null), end.finishedAt().toEpochMilli(), CostJson.stored(end.cost()));

            JobMove move = Lifecycle.afterAttempt(job.state(), outcome, number, job.spec());
            if (move.to() == JobState.QUEUED) {
                casJob(jobId, move.from(), move.to(), "reason = ?", move.reason().orElse(null));
            }
            else {
                casJob(jobId, move.from(), move.to(),
                        "cause = ?, reason = ?, exit_code = ?, started_at = coalesce(started_at, ?), finished_at = ?",
                        move.cause().map(Cause::label).orElse(null), move.reason().orElse(null), outcome.exitCode().orElse(null),
                        end.startedAt().map(Instant::toEpochMilli).orElse(null), end.finishedAt().toEpochMilli());
                announceEnd(jobId, onEnd);
                dependents.ended(jobId, end.finishedAt());
            }
            return move.to();
        });
    }

    /** Keeps a copy of the user's use for fair share (see {@link AdmissionReads#storedUsage}). */
    public void recordUsage(String user, UsageLedger.Used used)
    {
        database.inTransaction(() -> upsertUsage(user, used));
    }

    /** Replaces the copy of every user's use with the daemon's, as counted again at its start. */
    public void replaceUsage(Map<String, UsageLedger.Used> usage)
    {
        database.inTransaction(() -> {
            database.update("DELETE FROM user_usage");
            for (Map.Entry<String, UsageLedger.Used> entry : usage.entrySet()) {
                upsertUsage(entry.getKey(), entry.getValue());
            }
            return null;
        });
    }

    private int upsertUsage(String user, UsageLedger.Used used)
            throws SQLException
    {
        return database.update("INSERT INTO user_usage (user, hours, as_of) VALUES (?, ?, ?)"
                + " ON CONFLICT (user) DO UPDATE SET hours = excluded.hours, as_of = excluded.as_of", user, used.hours(), used.asOf().toEpochMilli());
    }

    /**
     * Asks for a job to be cancelled. A queued or waiting job is cancelled here and now (and the jobs waiting
     * for it settled); any other live job is flagged for the daemon, which stops its service. Returns the
     * job's state after the call.
     */
    public JobState requestCancel(String jobId, Instant now)
    {
        return database.inTransaction(() -> cancel(jobId, now));
    }

    private JobState cancel(String jobId, Instant now)
            throws SQLException
    {
        JobState state = database.queryOne("SELECT state FROM jobs WHERE id = ?", rows -> JobState.valueOf(rows.getString(1)), jobId)
                .orElseThrow(() -> new IllegalArgumentException("no job " + jobId));
        if (state == JobState.QUEUED || state == JobState.WAITING) {
            JobMove move = state == JobState.QUEUED ? Lifecycle.cancelledWhileQueued() : Lifecycle.cancelledWhileWaiting();
            casJob(jobId, move.from(), move.to(), "cause = ?, reason = ?, finished_at = ?, array_held = 0",
                    move.cause().map(Cause::label).orElse(null), move.reason().orElse(null), now.toEpochMilli());
            dependents.ended(jobId, now);
            return move.to();
        }
        if (!state.terminal()) {
            database.update("UPDATE jobs SET cancel_requested = 1 WHERE id = ?", jobId);
        }
        return state;
    }

    /**
     * Asks for every task of an array to be cancelled, in one transaction, as {@link #requestCancel} does each: the
     * held and waiting first, so that no end in between queues one of them. Returns how many tasks each state
     * holds after the call.
     */
    public Map<JobState, Integer> requestCancelArray(String arrayId, Instant now)
    {
        return database.inTransaction(() -> {
            List<String> live = database.query("SELECT id FROM jobs INDEXED BY jobs_by_array WHERE array_id = ? AND state NOT IN " + ENDED_STATES
                    + " ORDER BY state = 'WAITING' DESC, state = 'QUEUED' DESC, array_index DESC", rows -> rows.getString(1), arrayId);
            for (String id : live) {
                cancel(id, now);
            }
            return arrays.counts(arrayId);
        });
    }

    /** A waiting job's move once its dependencies are settled: to the queue, its note cleared, or to its end. */
    private void settledMove(String id, JobMove move, Instant now)
            throws SQLException
    {
        if (move.to().terminal()) {
            casJob(id, move.from(), move.to(), "cause = ?, reason = ?, finished_at = ?",
                    move.cause().map(Cause::label).orElse(null), move.reason().orElse(null), now.toEpochMilli());
        }
        else {
            casJob(id, move.from(), move.to(), "reason = ?", move.reason().orElse(null));
        }
    }

    /** Lets the caller write what others read of an ended job before the end is committed (see {@link JobEnded}). */
    private void announceEnd(String id, JobEnded onEnd)
            throws SQLException
    {
        Job job = database.queryOne("SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ?", JobRows::job, id).orElseThrow();
        onEnd.ended(job, database.query("SELECT * FROM attempts WHERE job_id = ? ORDER BY number", JobRows::attempt, id));
    }

    private void casJob(String id, JobState from, JobState to, String assignments, Object... values)
            throws SQLException
    {
        Lifecycle.check(from, to);
        String sql = "UPDATE jobs SET state = ?" + (assignments.isEmpty() ? "" : ", " + assignments) + " WHERE id = ? AND state = ?";
        if (database.update(sql, around(to.name(), values, id, from.name())) != 1) {
            String actual = database.queryOne("SELECT state FROM jobs WHERE id = ?", rows -> rows.getString(1), id).orElse("missing");
            throw new IllegalTransitionException("job " + id + " is " + actual + ", not " + from + "; refusing to move it to " + to);
        }
    }

    private void casAttempt(String jobId, int number, AttemptState from, AttemptState to, String assignments, Object... values)
            throws SQLException
    {
        Lifecycle.check(from, to);
        String sql = "UPDATE attempts SET state = ?" + assignments + " WHERE job_id = ? AND number = ? AND state = ?";
        if (database.update(sql, around(to.name(), values, jobId, number, from.name())) != 1) {
            throw new IllegalTransitionException("attempt " + number + " of job " + jobId + " is no longer " + from + "; refusing to move it to " + to);
        }
    }

    /** The new state, then the assignments' values, then the WHERE clause's: the order of a compare-and-set's parameters. */
    private static Object[] around(Object first, Object[] values, Object... trailing)
    {
        Object[] parameters = new Object[1 + values.length + trailing.length];
        parameters[0] = first;
        System.arraycopy(values, 0, parameters, 1, values.length);
        System.arraycopy(trailing, 0, parameters, 1 + values.length, trailing.length);
        return parameters;
    }
}
