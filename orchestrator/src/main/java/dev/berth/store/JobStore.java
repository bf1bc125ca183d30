package dev.berth.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.job.Attempt;
import dev.berth.job.AttemptEnd;
import dev.berth.job.AttemptState;
import dev.berth.job.Cause;
import dev.berth.job.Claim;
import dev.berth.job.IllegalTransitionException;
import dev.berth.job.Job;
import dev.berth.job.JobMove;
import dev.berth.job.JobRequest;
import dev.berth.job.JobState;
import dev.berth.job.Lifecycle;
import dev.berth.job.Resources;
import dev.berth.repo.RepoUrl;
import org.sqlite.JDBC;
import org.sqlite.SQLiteConfig.Pragma;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * berth's durable state: one SQLite file in WAL mode on the manager's own disk. The daemon is
 * the only regular writer; the CLI reads it directly (so {@code list} and {@code status} work
 * while the daemon restarts) and writes only a cancel request. Every state change is a
 * compare-and-set inside a transaction, checked by {@link Lifecycle} first.
 */
public final class JobStore
        implements AutoCloseable
{
    private static final String JOB_COLUMNS = "seq, id, name, state, cause, reason, request, repo, branch, entrypoint, params, image, "
            + "cpus, memory, gpus, env, timeout_ms, max_attempts, pool, image_ref, commit_sha, run_dir, received_at, started_at, "
            + "finished_at, exit_code, attempts, cancel_requested, retry_exit_codes";
    private static final String CLAIM_COLUMNS = "seq, id, state, cpus, memory, gpus, pool, timeout_ms, attempts, cancel_requested";

    private final Connection connection;
    private final String instanceId;

    private JobStore(Connection connection)
            throws SQLException
    {
        this.connection = connection;
        this.instanceId = createSchema();
    }

    public static JobStore open(Path databaseFile)
    {
        try {
            Files.createDirectories(databaseFile.toAbsolutePath().getParent());
            // Settings as the driver's connection properties, and the driver called directly: a short command's
            // start pays neither for a second parse of the settings nor for DriverManager's search of the class path
            Properties settings = new Properties();
            settings.setProperty(Pragma.JOURNAL_MODE.pragmaName, "WAL");
            settings.setProperty(Pragma.SYNCHRONOUS.pragmaName, "NORMAL");
            settings.setProperty(Pragma.BUSY_TIMEOUT.pragmaName, "10000");
            settings.setProperty(Pragma.FOREIGN_KEYS.pragmaName, "true");
            // Take the write lock when a transaction starts: a deferred one that reads, then writes, fails
            // at once with SQLITE_BUSY when the CLI writes a cancel at the same moment.
            settings.setProperty(Pragma.TRANSACTION_MODE.pragmaName, "IMMEDIATE");
            Connection connection = JDBC.createConnection("jdbc:sqlite:" + databaseFile.toAbsolutePath(), settings);
            return new JobStore(connection);
        }
        catch (SQLException | IOException e) {
            throw new StoreException("cannot open state database " + databaseFile + ": " + e.getMessage(), e);
        }
    }

    private String createSchema()
            throws SQLException
    {
        try (Statement statement = connection.createStatement()) {
            statement.execute("""
                    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""");
            statement.execute("""
                    CREATE TABLE IF NOT EXISTS jobs (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        name TEXT NOT NULL,
                        state TEXT NOT NULL,
                        cause TEXT,
                        reason TEXT,
                        request TEXT NOT NULL,
                        message_id TEXT,
                        repo TEXT, branch TEXT, entrypoint TEXT, params TEXT, image TEXT,
                        cpus REAL, memory INTEGER, gpus INTEGER, env TEXT, timeout_ms INTEGER, max_attempts INTEGER, pool TEXT,
                        image_ref TEXT, commit_sha TEXT, run_dir TEXT,
                        received_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER,
                        exit_code INTEGER,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        cancel_requested INTEGER NOT NULL DEFAULT 0,
                        retry_exit_codes TEXT)""");
            statement.execute("CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs(state, seq)");
            statement.execute("CREATE INDEX IF NOT EXISTS jobs_by_state_pool ON jobs(state, pool, seq)");
            statement.execute("""
                    CREATE TABLE IF NOT EXISTS attempts (
                        job_id TEXT NOT NULL REFERENCES jobs(id),
                        number INTEGER NOT NULL,
                        service_name TEXT NOT NULL UNIQUE,
                        state TEXT NOT NULL,
                        node TEXT, cause TEXT, reason TEXT, exit_code INTEGER,
                        created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER,
                        PRIMARY KEY (job_id, number))""");
        }
        // A store made before retry_exit_codes existed gains the column on its first open by this version, and
        // only then. Checked again under the write lock, so two berths upgrading at once add it only once.
        if (!jobsHaveRetryExitCodes()) {
            inTransaction(() -> {
                if (!jobsHaveRetryExitCodes()) {
                    update("ALTER TABLE jobs ADD COLUMN retry_exit_codes TEXT");
                }
                return null;
            });
        }
        Optional<String> instance = queryOne("SELECT value FROM meta WHERE key = 'instance'", rows -> rows.getString(1));
        if (instance.isPresent()) {
            // Opening an existing store writes nothing, so a CLI command never waits for the daemon's write lock.
            return instance.get();
        }
        update("INSERT OR IGNORE INTO meta (key, value) VALUES ('instance', ?)", UUID.randomUUID().toString().substring(0, 8));
        return queryOne("SELECT value FROM meta WHERE key = 'instance'", rows -> rows.getString(1)).orElseThrow();
    }

    private boolean jobsHaveRetryExitCodes()
            throws SQLException
    {
        return query("PRAGMA table_info(jobs)", rows -> rows.getString("name")).contains("retry_exit_codes");
    }

    /** Labels every Swarm service this store's daemon creates, so two berths sharing a swarm never touch each other's. */
    public String instanceId()
    {
        return instanceId;
    }

    public synchronized InsertOutcome insert(JobRequest request, String rawRequest, Optional<String> messageId, Instant now)
    {
        return inTransaction(() -> {
            Optional<String> existing = queryOne("SELECT request FROM jobs WHERE id = ?", rows -> rows.getString(1), request.id());
            if (existing.isPresent()) {
                return existing.get().equals(rawRequest) ? InsertOutcome.DUPLICATE : InsertOutcome.CONFLICT;
            }
            try (PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO jobs (id, name, state, request, message_id, repo, branch, entrypoint, params, image, cpus, memory, gpus,
                                      env, timeout_ms, max_attempts, pool, received_at, retry_exit_codes)
                    VALUES (?, ?, 'QUEUED', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                Resources resources = request.resources();
                insert.setString(1, request.id());
                insert.setString(2, request.name());
                insert.setString(3, rawRequest);
                insert.setString(4, messageId.orElse(null));
                insert.setString(5, request.repo().toString());
                insert.setString(6, request.branch());
                insert.setString(7, request.entrypoint());
                insert.setString(8, request.entrypointParams().orElse(null));
                insert.setString(9, request.image());
                insert.setDouble(10, resources.cpus());
                insert.setLong(11, resources.memoryBytes());
                insert.setInt(12, resources.gpus());
                insert.setString(13, request.env().isEmpty() ? null : EnvJson.MAPPER.writeValueAsString(request.env()));
                setNullable(insert, 14, request.timeout().map(Duration::toMillis));
                insert.setInt(15, request.maxAttempts());
                insert.setString(16, request.pool().orElse(null));
                insert.setLong(17, now.toEpochMilli());
                insert.setString(18, writeCodes(request.retryExitCodes()));
                insert.executeUpdate();
            }
            return InsertOutcome.CREATED;
        });
    }

    /** Records a request that could not be understood; idempotent on {@code id}. */
    public synchronized boolean insertRejected(String id, String rawRequest, String reason, Optional<String> messageId, Instant now)
    {
        return inTransaction(() -> update("""
                INSERT OR IGNORE INTO jobs (id, name, state, cause, reason, request, message_id, received_at, finished_at)
                VALUES (?, 'rejected', 'REJECTED', 'request', ?, ?, ?, ?, ?)""",
                id, reason, rawRequest, messageId.orElse(null), now.toEpochMilli(), now.toEpochMilli()) == 1);
    }

    public synchronized Optional<Job> job(String id)
    {
        return read(() -> queryOne("SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ?", JobStore::job, id));
    }

    /** A job by its id or an unambiguous prefix of it, as users type ids. */
    public synchronized Optional<Job> find(String idOrPrefix)
            throws AmbiguousJobIdException
    {
        Optional<Job> exact = job(idOrPrefix);
        if (exact.isPresent()) {
            return exact;
        }
        List<Job> matches = read(() -> query("SELECT " + JOB_COLUMNS + " FROM jobs WHERE id >= ? AND id < ? ORDER BY seq LIMIT 5",
                JobStore::job, idOrPrefix, idOrPrefix + Character.MAX_VALUE));
        if (matches.size() > 1) {
            throw new AmbiguousJobIdException(idOrPrefix, matches.stream().map(Job::id).toList());
        }
        return matches.stream().findFirst();
    }

    /** Jobs in any of {@code states}, oldest first (the order admission serves them in). */
    public synchronized List<Job> inStates(Collection<JobState> states)
    {
        String placeholders = states.stream().map(state -> "'" + state.name() + "'").collect(Collectors.joining(","));
        return read(() -> query("SELECT " + JOB_COLUMNS + " FROM jobs WHERE state IN (" + placeholders + ") ORDER BY seq", JobStore::job));
    }

    /** What the jobs being prepared, submitted or running claim, oldest first. */
    public synchronized List<Claim> liveClaims()
    {
        return read(() -> query("SELECT " + CLAIM_COLUMNS + " FROM jobs WHERE state IN ('PREPARING', 'SUBMITTED', 'RUNNING') ORDER BY seq",
                JobStore::claim));
    }

    /**
     * What the oldest {@code perPool} queued jobs of each pool claim, oldest first: what admission can
     * consider in one round without loading a deep queue. Pools are found by index seeks, one per pool.
     */
    public synchronized List<Claim> oldestQueued(int perPool)
    {
        return read(() -> {
            List<Claim> claims = new ArrayList<>(query("SELECT " + CLAIM_COLUMNS + " FROM jobs WHERE state = 'QUEUED' AND pool IS NULL ORDER BY seq LIMIT ?",
                    JobStore::claim, perPool));
            Optional<String> pool = nextQueuedPool("");
            while (pool.isPresent()) {
                claims.addAll(query("SELECT " + CLAIM_COLUMNS + " FROM jobs WHERE state = 'QUEUED' AND pool = ? ORDER BY seq LIMIT ?",
                        JobStore::claim, pool.get(), perPool));
                pool = nextQueuedPool(pool.get());
            }
            claims.sort(Comparator.comparingLong(Claim::seq));
            return claims;
        });
    }

    /** The first pool name after {@code after} that has queued jobs (the empty string sorts before every pool). */
    private Optional<String> nextQueuedPool(String after)
            throws SQLException
    {
        return queryOne("SELECT min(pool) FROM jobs WHERE state = 'QUEUED' AND pool > ?", rows -> Optional.ofNullable(rows.getString(1)), after)
                .flatMap(pool -> pool);
    }

    /** The newest jobs first, optionally only in some states. */
    public synchronized List<Job> newest(Collection<JobState> states, int limit)
    {
        String filter = states.isEmpty() ? "" : " WHERE state IN ("
                + states.stream().map(state -> "'" + state.name() + "'").collect(Collectors.joining(",")) + ")";
        return read(() -> query("SELECT " + JOB_COLUMNS + " FROM jobs" + filter + " ORDER BY seq DESC LIMIT ?", JobStore::job, limit));
    }

    public synchronized Map<JobState, Integer> countByState()
    {
        return read(() -> query("SELECT state, count(*) FROM jobs GROUP BY state",
                rows -> Map.entry(JobState.valueOf(rows.getString(1)), rows.getInt(2)))
                .stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }

    public synchronized List<Attempt> attempts(String jobId)
    {
        return read(() -> query("SELECT * FROM attempts WHERE job_id = ? ORDER BY number", JobStore::attempt, jobId));
    }

    /** Every attempt that has not ended, oldest job first. */
    public synchronized List<Attempt> liveAttempts()
    {
        return read(() -> query("""
                SELECT a.* FROM attempts a JOIN jobs j ON j.id = a.job_id
                WHERE a.state IN ('SUBMITTING', 'PENDING', 'RUNNING') ORDER BY j.seq""", JobStore::attempt));
    }

    /** Moves a job that has no live attempt (admitted, back to the queue), recording the move's reason or clearing it. */
    public synchronized void moveJob(String id, JobMove move)
    {
        inTransaction(() -> {
            casJob(id, move.from(), move.to(), "reason = ?", move.reason().orElse(null));
            return null;
        });
    }

    /** Ends a job that never got (another) attempt: it cannot fit, its preparation failed, it was cancelled before its service. */
    public synchronized void endJob(String id, JobMove move, Instant now, JobEnded onEnd)
    {
        if (!move.to().terminal()) {
            throw new IllegalArgumentException("not an end: " + move);
        }
        inTransaction(() -> {
            casJob(id, move.from(), move.to(), "cause = ?, reason = ?, finished_at = ?",
                    move.cause().map(Cause::label).orElse(null), move.reason().orElse(null), now.toEpochMilli());
            announceEnd(id, onEnd);
            return null;
        });
    }

    /** Says why a job in {@code state} still waits (no room, pending cap, empty pool, a name taken), for {@code berth status}. */
    public synchronized void noteReason(String id, JobState state, String reason)
    {
        inTransaction(() -> update("UPDATE jobs SET reason = ? WHERE id = ? AND state = ?", reason, id, state.name()));
    }

    /** Where the job's files go: recorded before anything is written there, so even a job that fails to prepare shows it. */
    public synchronized void recordRunDir(String id, Path runDir)
    {
        inTransaction(() -> update("UPDATE jobs SET run_dir = ? WHERE id = ?", runDir.toString(), id));
    }

    /** What preparation learned: kept so every later attempt runs the same bytes of the same commit. */
    public synchronized void recordPreparation(String id, String imageRef, String commit)
    {
        inTransaction(() -> update("UPDATE jobs SET image_ref = ?, commit_sha = ? WHERE id = ?", imageRef, commit, id));
    }

    /** Records an attempt before its service exists, so a crash between the two can be reconciled by name. */
    public synchronized void recordAttempt(String jobId, int number, String serviceName, Instant now)
    {
        inTransaction(() -> {
            update("INSERT INTO attempts (job_id, number, service_name, state, created_at) VALUES (?, ?, ?, 'SUBMITTING', ?)",
                    jobId, number, serviceName, now.toEpochMilli());
            update("UPDATE jobs SET attempts = ? WHERE id = ?", number, jobId);
            return null;
        });
    }

    /** The attempt's service exists: the job now pends in Swarm. */
    public synchronized void attemptSubmitted(String jobId, int number)
    {
        inTransaction(() -> {
            casAttempt(jobId, number, AttemptState.SUBMITTING, AttemptState.PENDING, "");
            casJob(jobId, JobState.PREPARING, JobState.SUBMITTED, "reason = NULL");
            return null;
        });
    }

    public synchronized void attemptRunning(String jobId, int number, String node, Instant startedAt)
    {
        inTransaction(() -> {
            casAttempt(jobId, number, AttemptState.PENDING, AttemptState.RUNNING, ", node = ?, started_at = ?", node, startedAt.toEpochMilli());
            casJob(jobId, JobState.SUBMITTED, JobState.RUNNING, "started_at = coalesce(started_at, ?)", startedAt.toEpochMilli());
            return null;
        });
    }

    /**
     * Ends an attempt and moves its job to what follows ({@link Lifecycle#jobAfter}): its final state, or
     * QUEUED for another attempt. Returns the job's new state.
     */
    public synchronized JobState finishAttempt(String jobId, int number, AttemptEnd end, JobEnded onEnd)
    {
        return inTransaction(() -> {
            Attempt attempt = queryOne("SELECT * FROM attempts WHERE job_id = ? AND number = ?", JobStore::attempt, jobId, number)
                    .orElseThrow(() -> new IllegalTransitionException("job " + jobId + " has no attempt " + number));
            Job job = queryOne("SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ?", JobStore::job, jobId).orElseThrow();
            Cause cause = end.cause().orElse(null);
            casAttempt(jobId, number, attempt.state(), end.state(),
                    ", node = coalesce(?, node), cause = ?, reason = ?, exit_code = ?, started_at = coalesce(started_at, ?), finished_at = ?",
                    end.node().orElse(null), cause == null ? null : cause.label(), end.reason(), end.exitCode().orElse(null),
                    end.startedAt().map(Instant::toEpochMilli).orElse(null), end.finishedAt().toEpochMilli());

            JobMove move = Lifecycle.afterAttempt(job.state(), end.outcome(), number, job.spec());
            if (move.to() == JobState.QUEUED) {
                casJob(jobId, move.from(), move.to(), "reason = ?", move.reason().orElse(null));
            }
            else {
                casJob(jobId, move.from(), move.to(),
                        "cause = ?, reason = ?, exit_code = ?, started_at = coalesce(started_at, ?), finished_at = ?",
                        move.cause().map(Cause::label).orElse(null), move.reason().orElse(null), end.exitCode().orElse(null),
                        end.startedAt().map(Instant::toEpochMilli).orElse(null), end.finishedAt().toEpochMilli());
                announceEnd(jobId, onEnd);
            }
            return move.to();
        });
    }

    /**
     * Asks for a job to be cancelled. A queued job is cancelled here and now; any other live job is
     * flagged for the daemon, which stops its service. Returns the job's state after the call.
     */
    public synchronized JobState requestCancel(String jobId, Instant now)
    {
        return inTransaction(() -> {
            Job job = queryOne("SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ?", JobStore::job, jobId)
                    .orElseThrow(() -> new IllegalArgumentException("no job " + jobId));
            if (job.state() == JobState.QUEUED) {
                JobMove move = Lifecycle.cancelledWhileQueued();
                casJob(jobId, move.from(), move.to(), "cause = ?, reason = ?, finished_at = ?",
                        move.cause().map(Cause::label).orElse(null), move.reason().orElse(null), now.toEpochMilli());
                return move.to();
            }
            if (!job.state().terminal()) {
                update("UPDATE jobs SET cancel_requested = 1 WHERE id = ?", jobId);
            }
            return job.state();
        });
    }

    /** Lets the caller write what others read of an ended job before the end is committed (see {@link JobEnded}). */
    private void announceEnd(String id, JobEnded onEnd)
            throws SQLException
    {
        Job job = queryOne("SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ?", JobStore::job, id).orElseThrow();
        onEnd.ended(job, query("SELECT * FROM attempts WHERE job_id = ? ORDER BY number", JobStore::attempt, id));
    }

    private void casJob(String id, JobState from, JobState to, String assignments, Object... values)
            throws SQLException
    {
        Lifecycle.check(from, to);
        String sql = "UPDATE jobs SET state = ?" + (assignments.isEmpty() ? "" : ", " + assignments) + " WHERE id = ? AND state = ?";
        if (update(sql, around(to.name(), values, id, from.name())) != 1) {
            String actual = queryOne("SELECT state FROM jobs WHERE id = ?", rows -> rows.getString(1), id).orElse("missing");
            throw new IllegalTransitionException("job " + id + " is " + actual + ", not " + from + "; refusing to move it to " + to);
        }
    }

    private void casAttempt(String jobId, int number, AttemptState from, AttemptState to, String assignments, Object... values)
            throws SQLException
    {
        Lifecycle.check(from, to);
        String sql = "UPDATE attempts SET state = ?" + assignments + " WHERE job_id = ? AND number = ? AND state = ?";
        if (update(sql, around(to.name(), values, jobId, number, from.name())) != 1) {
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

    private static Claim claim(ResultSet rows)
            throws SQLException
    {
        return new Claim(
                rows.getLong("seq"),
                rows.getString("id"),
                JobState.valueOf(rows.getString("state")),
                new Resources(rows.getDouble("cpus"), rows.getLong("memory"), rows.getInt("gpus")),
                Optional.ofNullable(rows.getString("pool")),
                optionalLong(rows, "timeout_ms").map(Duration::ofMillis),
                rows.getInt("attempts"),
                rows.getInt("cancel_requested") != 0);
    }

    private static Job job(ResultSet rows)
            throws SQLException
    {
        JobState state = JobState.valueOf(rows.getString("state"));
        Optional<JobRequest> request = Optional.empty();
        if (state != JobState.REJECTED) {
            request = Optional.of(new JobRequest(
                    rows.getString("id"),
                    rows.getString("name"),
                    RepoUrl.parse(rows.getString("repo")),
                    rows.getString("branch"),
                    rows.getString("entrypoint"),
                    Optional.ofNullable(rows.getString("params")),
                    rows.getString("image"),
                    new Resources(rows.getDouble("cpus"), rows.getLong("memory"), rows.getInt("gpus")),
                    readEnv(rows.getString("env")),
                    optionalLong(rows, "timeout_ms").map(Duration::ofMillis),
                    rows.getInt("max_attempts"),
                    readCodes(rows.getString("retry_exit_codes")),
                    Optional.ofNullable(rows.getString("pool"))));
        }
        return new Job(
                rows.getLong("seq"),
                rows.getString("id"),
                rows.getString("name"),
                state,
                Optional.ofNullable(rows.getString("cause")).map(JobStore::cause),
                Optional.ofNullable(rows.getString("reason")),
                request,
                rows.getString("request"),
                Optional.ofNullable(rows.getString("image_ref")),
                Optional.ofNullable(rows.getString("commit_sha")),
                Optional.ofNullable(rows.getString("run_dir")).map(Path::of),
                Instant.ofEpochMilli(rows.getLong("received_at")),
                optionalLong(rows, "started_at").map(Instant::ofEpochMilli),
                optionalLong(rows, "finished_at").map(Instant::ofEpochMilli),
                optionalLong(rows, "exit_code").map(Long::intValue),
                rows.getInt("attempts"),
                rows.getInt("cancel_requested") != 0);
    }

    private static Attempt attempt(ResultSet rows)
            throws SQLException
    {
        return new Attempt(
                rows.getString("job_id"),
                rows.getInt("number"),
                rows.getString("service_name"),
                AttemptState.valueOf(rows.getString("state")),
                Optional.ofNullable(rows.getString("node")),
                Optional.ofNullable(rows.getString("cause")).map(JobStore::cause),
                Optional.ofNullable(rows.getString("reason")),
                optionalLong(rows, "exit_code").map(Long::intValue),
                Instant.ofEpochMilli(rows.getLong("created_at")),
                optionalLong(rows, "started_at").map(Instant::ofEpochMilli),
                optionalLong(rows, "finished_at").map(Instant::ofEpochMilli));
    }

    private static Cause cause(String label)
    {
        return Cause.valueOf(label.toUpperCase(java.util.Locale.ROOT));
    }

    private static Map<String, String> readEnv(String json)
    {
        try {
            // Most jobs set no env: reading them needs no JSON mapper, whose set-up is a good part of a short command's start
            return json == null || json.equals("{}") ? Map.of() : EnvJson.MAPPER.readValue(json, new TypeReference<Map<String, String>>() {});
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt env column: " + e.getOriginalMessage(), e);
        }
    }

    /** Made on first use only. */
    private static final class EnvJson
    {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    /** Exit codes as "75,76": NULL for none, which is also what rows stored before the column existed hold. */
    private static String writeCodes(Set<Integer> codes)
    {
        return codes.isEmpty() ? null : codes.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static Set<Integer> readCodes(String text)
    {
        return text == null ? Set.of() : Arrays.stream(text.split(",")).map(Integer::valueOf).collect(Collectors.toSet());
    }

    private static Optional<Long> optionalLong(ResultSet rows, String column)
            throws SQLException
    {
        long value = rows.getLong(column);
        return rows.wasNull() ? Optional.empty() : Optional.of(value);
    }

    private int update(String sql, Object... parameters)
            throws SQLException
    {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            return statement.executeUpdate();
        }
    }

    private <T> List<T> query(String sql, RowMapper<T> mapper, Object... parameters)
            throws SQLException
    {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            try (ResultSet rows = statement.executeQuery()) {
                List<T> results = new ArrayList<>();
                while (rows.next()) {
                    results.add(mapper.map(rows));
                }
                return results;
            }
        }
    }

    private <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... parameters)
            throws SQLException
    {
        return query(sql, mapper, parameters).stream().findFirst();
    }

    private static void bind(PreparedStatement statement, Object... parameters)
            throws SQLException
    {
        for (int i = 0; i < parameters.length; i++) {
            if (parameters[i] == null) {
                statement.setNull(i + 1, Types.NULL);
            }
            else {
                statement.setObject(i + 1, parameters[i]);
            }
        }
    }

    private static void setNullable(PreparedStatement statement, int index, Optional<Long> value)
            throws SQLException
    {
        if (value.isPresent()) {
            statement.setLong(index, value.get());
        }
        else {
            statement.setNull(index, Types.INTEGER);
        }
    }

    /**
     * Runs a read as single statements outside any transaction: in WAL mode each sees a committed
     * snapshot and waits for no writer, so {@code berth list} stays quick while the daemon writes.
     */
    private <T> T read(Work<T> work)
    {
        try {
            return work.run();
        }
        catch (SQLException | JsonProcessingException e) {
            throw new StoreException("state database error: " + e.getMessage(), e);
        }
    }

    /** Runs {@code work} in one transaction, so readers never see half a change and writers queue up. */
    private <T> T inTransaction(Work<T> work)
    {
        try {
            connection.setAutoCommit(false);
            T result = work.run();
            connection.commit();
            return result;
        }
        catch (SQLException | JsonProcessingException e) {
            rollback();
            throw new StoreException("state database error: " + e.getMessage(), e);
        }
        catch (RuntimeException e) {
            rollback();
            throw e;
        }
        finally {
            try {
                connection.setAutoCommit(true);
            }
            catch (SQLException ignored) {
                // the connection is broken; the next call reports it
            }
        }
    }

    private void rollback()
    {
        try {
            connection.rollback();
        }
        catch (SQLException ignored) {
            // nothing more to undo
        }
    }

    @Override
    public synchronized void close()
    {
        try {
            connection.close();
        }
        catch (SQLException e) {
            throw new StoreException("cannot close state database: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface RowMapper<T>
    {
        T map(ResultSet rows)
                throws SQLException;
    }

    @FunctionalInterface
    private interface Work<T>
    {
        T run()
                throws SQLException, JsonProcessingException;
    }
}
