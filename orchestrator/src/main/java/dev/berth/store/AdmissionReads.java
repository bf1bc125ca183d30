package dev.berth.store;

import dev.berth.fairshare.QueuedJobs;
import dev.berth.fairshare.UsageLedger;
import dev.berth.job.Claim;
import dev.berth.job.Resources;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.berth.store.JobRows.CLAIM_COLUMNS;
import static java.util.Objects.requireNonNull;

/**
 * What admission reads of the queue each round, a seek of the index {@code jobs_queued_in_line} at a time:
 * the pools with queued jobs, the users with queued jobs in one, some users' first jobs in line there, and
 * some users' next ones; once at start,
 * the use that ended attempts made, which fair share counts against their users; and that use as the
 * daemon last copied it, for the commands that show a queued job's place.
 */
public final class AdmissionReads
        implements QueuedJobs
{
    private static final String IN_LINE = "jobs INDEXED BY jobs_queued_in_line";

    private final Database database;

    AdmissionReads(Database database)
    {
        this.database = requireNonNull(database, "database is null");
    }

    @Override
    public List<Optional<String>> pools()
    {
        return database.read(() -> {
            List<Optional<String>> pools = new ArrayList<>();
            if (database.queryOne("SELECT 1 FROM " + IN_LINE + " WHERE state = 'QUEUED' AND pool IS NULL LIMIT 1", rows -> true).isPresent()) {
                pools.add(Optional.empty());
            }
            Optional<String> pool = nextPool("");
            while (pool.isPresent()) {
                pools.add(pool);
                pool = nextPool(pool.get());
            }
            return pools;
        });
    }

    @Override
    public List<String> users(Optional<String> pool)
    {
        // One statement, its seeks made inside SQLite: the next user after each one found
        String inPool = "state = 'QUEUED' AND " + poolIs(pool);
        String sql = """
                WITH RECURSIVE users(name) AS (
                    SELECT (SELECT min(user) FROM %1$s WHERE %2$s)
                    UNION ALL
                    SELECT (SELECT min(user) FROM %1$s WHERE %2$s AND user > users.name) FROM users WHERE users.name IS NOT NULL)
                SELECT name FROM users WHERE name IS NOT NULL""".formatted(IN_LINE, inPool);
        Object[] parameters = pool.isPresent() ? new Object[] {pool.get(), pool.get()} : new Object[0];
        return database.read(() -> database.query(sql, rows -> rows.getString(1), parameters));
    }

    @Override
    public List<Claim> firstOf(Optional<String> pool, List<String> users)
    {
        if (users.isEmpty()) {
            return List.of();
        }
        // One statement, a seek of the index for each user inside SQLite
        String sql = """
                WITH names(name) AS (VALUES %1$s)
                SELECT %2$s FROM names JOIN jobs ON jobs.seq = (
                    SELECT seq FROM %3$s WHERE state = 'QUEUED' AND %4$s AND user = names.name ORDER BY priority DESC, seq LIMIT 1)"""
                .formatted(String.join(", ", Collections.nCopies(users.size(), "(?)")), CLAIM_COLUMNS, IN_LINE, poolIs(pool));
        List<Object> parameters = new ArrayList<>(users);
        pool.ifPresent(parameters::add);
        return database.read(() -> database.query(sql, JobRows::claim, parameters.toArray()));
    }

    @Override
    public List<Claim> nextOf(Optional<String> pool, List<Claim> afters)
    {
        if (afters.isEmpty()) {
            return List.of();
        }
        String sql = """
                WITH afters(after_user, after_priority, after_seq) AS (VALUES %1$s)
                SELECT %2$s FROM afters JOIN jobs ON jobs.seq = (
                    SELECT seq FROM %3$s WHERE state = 'QUEUED' AND %4$s AND user = afters.after_user
                        AND (priority < afters.after_priority OR priority = afters.after_priority AND seq > afters.after_seq)
                    ORDER BY priority DESC, seq LIMIT 1)"""
                .formatted(String.join(", ", Collections.nCopies(afters.size(), "(?, ?, ?)")), CLAIM_COLUMNS, IN_LINE, poolIs(pool));
        List<Object> parameters = new ArrayList<>();
        for (Claim after : afters) {
            parameters.add(after.user());
            parameters.add(after.priority());
            parameters.add(after.seq());
        }
        pool.ifPresent(parameters::add);
        return database.read(() -> database.query(sql, JobRows::claim, parameters.toArray()));
    }

    /** What each attempt that ended since {@code since}, having started, held and for how long, under its job's user. */
    public List<Use> usesEndedSince(Instant since)
    {
        return database.read(() -> database.query("""
                SELECT jobs.user, jobs.cpus, jobs.memory, jobs.gpus, attempts.started_at, attempts.finished_at
                FROM attempts INDEXED BY attempts_by_finished JOIN jobs ON jobs.id = attempts.job_id
                WHERE attempts.finished_at >= ? AND attempts.started_at IS NOT NULL""",
                rows -> new Use(rows.getString(1), new Resources(rows.getDouble(2), rows.getLong(3), rows.getInt(4)),
                        Instant.ofEpochMilli(rows.getLong(5)), Instant.ofEpochMilli(rows.getLong(6))),
                since.toEpochMilli()));
    }

    /** Each user's use, as the daemon last copied it. */
    public Map<String, UsageLedger.Used> storedUsage()
    {
        Map<String, UsageLedger.Used> used = new HashMap<>();
        database.read(() -> database.query("SELECT user, hours, as_of FROM user_usage",
                rows -> used.put(rows.getString(1), new UsageLedger.Used(rows.getDouble(2), Instant.ofEpochMilli(rows.getLong(3))))));
        return used;
    }

    /** One ended attempt's use of a node. */
    public record Use(String user, Resources resources, Instant startedAt, Instant endedAt)
    {
        public Use
        {
            requireNonNull(user, "user is null");
            requireNonNull(resources, "resources is null");
            requireNonNull(startedAt, "startedAt is null");
            requireNonNull(endedAt, "endedAt is null");
        }
    }

    private Optional<String> nextPool(String after)
            throws SQLException
    {
        return database.queryOne("SELECT min(pool) FROM " + IN_LINE + " WHERE state = 'QUEUED' AND pool > ?", rows -> Optional.ofNullable(rows.getString(1)), after)
                .flatMap(pool -> pool);
    }

    private static String poolIs(Optional<String> pool)
    {
        return pool.isPresent() ? "pool = ?" : "pool IS NULL";
    }
}
