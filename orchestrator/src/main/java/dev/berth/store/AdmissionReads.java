package dev.berth.store;

import dev.berth.fairshare.QueuedJobs;
import dev.berth.fairshare.UsageLedger;
import dev.berth.job.Claim;
import dev.berth.job.Resources;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.berth.store.JobRows.CLAIM_COLUMNS;
import static java.util.Objects.requireNonNull;

/**
 * What admission reads of the queue each round, a seek of the index {@code jobs_queued_in_line} at a time:
 * the pools with queued jobs, each user's first job in line there, and the jobs after one; once at start,
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
    public List<Claim> firstOfEachUser(Optional<String> pool)
    {
        return database.read(() -> {
            List<Claim> firsts = new ArrayList<>();
            // One seek per user: the first row of the next user after the last one found
            Optional<Claim> first = firstAfterUser(pool, "");
            while (first.isPresent()) {
                firsts.add(first.get());
                first = firstAfterUser(pool, first.get().user());
            }
            return firsts;
        });
    }

    @Override
    public List<Claim> after(Optional<String> pool, String user, Claim after, int limit)
    {
        String sql = "SELECT " + CLAIM_COLUMNS + " FROM " + IN_LINE + " WHERE state = 'QUEUED' AND " + poolIs(pool)
                + " AND user = ? AND (priority < ? OR priority = ? AND seq > ?) ORDER BY priority DESC, seq LIMIT ?";
        Object[] parameters = pool.isPresent()
                ? new Object[] {pool.get(), user, after.priority(), after.priority(), after.seq(), limit}
                : new Object[] {user, after.priority(), after.priority(), after.seq(), limit};
        return database.read(() -> database.query(sql, JobRows::claim, parameters));
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

    private Optional<Claim> firstAfterUser(Optional<String> pool, String after)
            throws SQLException
    {
        String sql = "SELECT " + CLAIM_COLUMNS + " FROM " + IN_LINE + " WHERE state = 'QUEUED' AND " + poolIs(pool)
                + " AND user > ? ORDER BY user, priority DESC, seq LIMIT 1";
        return database.queryOne(sql, JobRows::claim, pool.isPresent() ? new Object[] {pool.get(), after} : new Object[] {after});
    }

    private static String poolIs(Optional<String> pool)
    {
        return pool.isPresent() ? "pool = ?" : "pool IS NULL";
    }
}
