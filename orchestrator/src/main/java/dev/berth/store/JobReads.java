package dev.berth.store;

import dev.berth.job.Attempt;
import dev.berth.job.Claim;
import dev.berth.job.Job;
import dev.berth.job.JobState;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static dev.berth.store.JobRows.CLAIM_COLUMNS;
import static dev.berth.store.JobRows.JOB_COLUMNS;
import static java.util.Objects.requireNonNull;

/**
 * What the CLI and the daemon read of the store. Each read runs outside any transaction (see
 * {@link Database#read}), so it waits for no writer, the daemon included.
 */
public final class JobReads
{
    private final Database database;

    JobReads(Database database)
    {
        this.database = requireNonNull(database, "database is null");
    }

    public Optional<Job> job(String id)
    {
        return database.read(() -> database.queryOne("SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ?", JobRows::job, id));
    }

    /** A job by its id or an unambiguous prefix of it, as users type ids. */
    public Optional<Job> find(String idOrPrefix)
            throws AmbiguousJobIdException
    {
        Optional<Job> exact = job(idOrPrefix);
        if (exact.isPresent()) {
            return exact;
        }
        List<Job> matches = database.read(() -> database.query("SELECT " + JOB_COLUMNS + " FROM jobs WHERE id >= ? AND id < ? ORDER BY seq LIMIT 5",
                JobRows::job, idOrPrefix, idOrPrefix + Character.MAX_VALUE));
        if (matches.size() > 1) {
            throw new AmbiguousJobIdException(idOrPrefix, matches.stream().map(Job::id).toList());
        }
        return matches.stream().findFirst();
    }

    /** Jobs in any of {@code states}, oldest first (the order admission serves them in). */
    public List<Job> inStates(Collection<JobState> states)
    {
        String placeholders = states.stream().map(state -> "'" + state.name() + "'").collect(Collectors.joining(","));
        return database.read(() -> database.query("SELECT " + JOB_COLUMNS + " FROM jobs WHERE state IN (" + placeholders + ") ORDER BY seq", JobRows::job));
    }

    /** What the jobs being prepared, submitted or running claim, oldest first. */
    public List<Claim> liveClaims()
    {
        return database.read(() -> database.query("SELECT " + CLAIM_COLUMNS + " FROM jobs WHERE state IN ('PREPARING', 'SUBMITTED', 'RUNNING') ORDER BY seq",
                JobRows::claim));
    }

    /**
     * What the oldest {@code perPool} queued jobs of each pool claim, oldest first: what admission can
     * consider in one round without loading a deep queue. Pools are found by index seeks, one per pool.
     */
    public List<Claim> oldestQueued(int perPool)
    {
        return database.read(() -> {
            List<Claim> claims = new ArrayList<>(database.query("SELECT " + CLAIM_COLUMNS + " FROM jobs WHERE state = 'QUEUED' AND pool IS NULL ORDER BY seq LIMIT ?",
                    JobRows::claim, perPool));
            Optional<String> pool = nextQueuedPool("");
            while (pool.isPresent()) {
                claims.addAll(database.query("SELECT " + CLAIM_COLUMNS + " FROM jobs WHERE state = 'QUEUED' AND pool = ? ORDER BY seq LIMIT ?",
                        JobRows::claim, pool.get(), perPool));
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
        return database.queryOne("SELECT min(pool) FROM jobs WHERE state = 'QUEUED' AND pool > ?", rows -> Optional.ofNullable(rows.getString(1)), after)
                .flatMap(pool -> pool);
    }

    /** The newest jobs first, optionally only in some states (none given: every state). */
    public List<Job> newest(Collection<JobState> states, int limit)
    {
        return newestBefore(states, Long.MAX_VALUE, limit);
    }

    /**
     * The newest jobs first among those stored before {@code seq} (a job's {@link Job#seq}): the next
     * page after a page that ended with that job, so a long listing is read a page at a time.
     */
    public List<Job> newestBefore(Collection<JobState> states, long seq, int limit)
    {
        return database.read(() -> database.query("SELECT " + JOB_COLUMNS + " FROM jobs WHERE seq < ?" + stateFilter(states, " AND ")
                + " ORDER BY seq DESC LIMIT ?", JobRows::job, seq, limit));
    }

    /**
     * The newest jobs first that match {@code filter} among those stored before {@code seq}: a page of the
     * dashboard's listing. States are found through {@code jobs_by_state}; a name, repository or user filter is
     * checked row by row, newest first, until the page is full, so one that matches few jobs reads the
     * whole table (tens of milliseconds at 10⁵ jobs).
     */
    public List<Job> newestBefore(JobFilter filter, long seq, int limit)
    {
        Matching matching = Matching.of(filter);
        return database.read(() -> database.query("SELECT " + JOB_COLUMNS + " FROM jobs WHERE seq < ?" + matching.sql()
                + " ORDER BY seq DESC LIMIT ?", JobRows::job, matching.parameters(seq, limit)));
    }

    /**
     * The oldest jobs first that match {@code filter} among those stored after {@code seq}: the page before
     * one that began with that job, read backwards.
     */
    public List<Job> oldestAfter(JobFilter filter, long seq, int limit)
    {
        Matching matching = Matching.of(filter);
        return database.read(() -> database.query("SELECT " + JOB_COLUMNS + " FROM jobs WHERE seq > ?" + matching.sql()
                + " ORDER BY seq LIMIT ?", JobRows::job, matching.parameters(seq, limit)));
    }

    /**
     * A number that changes whenever the store may have changed: rows this process wrote, plus commits of
     * other processes (a cancel from the CLI). Two lookups of SQLite's own counters, no table read, so
     * the dashboard asks every second to learn whether to refresh.
     */
    public long changeMarker()
    {
        return database.read(() -> database.queryOne("SELECT total_changes()", rows -> rows.getLong(1)).orElseThrow()
                + database.queryOne("PRAGMA data_version", rows -> rows.getLong(1)).orElseThrow());
    }

    /** A filter's conditions after the {@code seq} one, and the values they bind. */
    private record Matching(String sql, List<Object> values)
    {
        static Matching of(JobFilter filter)
        {
            StringBuilder sql = new StringBuilder(stateFilter(filter.states(), " AND "));
            List<Object> values = new ArrayList<>();
            filter.nameContains().ifPresent(text -> {
                sql.append(" AND name LIKE ? ESCAPE '\\'");
                values.add(containing(text));
            });
            filter.repoContains().ifPresent(text -> {
                sql.append(" AND repo LIKE ? ESCAPE '\\'");
                values.add(containing(text));
            });
            filter.user().ifPresent(user -> {
                sql.append(" AND user = ?");
                values.add(user);
            });
            return new Matching(sql.toString(), values);
        }

        /** {@code seq}, the filter's values, then {@code limit}: the order the SQL binds them in. */
        Object[] parameters(long seq, int limit)
        {
            List<Object> all = new ArrayList<>();
            all.add(seq);
            all.addAll(values);
            all.add(limit);
            return all.toArray();
        }

        private static String containing(String text)
        {
            return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        }
    }

    /**
     * How many jobs there are in any of {@code states} (none given: every state), to say how many a
     * listing left out. One {@code count(*)}: with a filter it counts entries of {@code jobs_by_state},
     * without it SQLite counts the smallest index, so 10⁵ jobs take milliseconds.
     */
    public long count(Collection<JobState> states)
    {
        return database.read(() -> database.queryOne("SELECT count(*) FROM jobs" + stateFilter(states, " WHERE "), rows -> rows.getLong(1)))
                .orElseThrow();
    }

    /** {@code state IN (...)} after {@code joiner}, or nothing for no states; the names are an enum's, so they go into the SQL as they are. */
    private static String stateFilter(Collection<JobState> states, String joiner)
    {
        return states.isEmpty() ? "" : joiner + "state IN ("
                + states.stream().map(state -> "'" + state.name() + "'").collect(Collectors.joining(",")) + ")";
    }

    /** How many jobs ended before {@code before}, and when the oldest of them ended: what a purge would remove. */
    public EndedBefore endedBefore(Instant before)
    {
        return database.read(() -> database.queryOne("SELECT count(*), min(finished_at) AS oldest FROM jobs WHERE finished_at < ? AND state IN "
                        + JobWrites.ENDED_STATES, rows -> new EndedBefore(rows.getLong(1), JobRows.optionalLong(rows, "oldest").map(Instant::ofEpochMilli)),
                before.toEpochMilli()).orElseThrow());
    }

    public record EndedBefore(long count, Optional<Instant> oldest) {}

    public Map<JobState, Integer> countByState()
    {
        return database.read(() -> database.query("SELECT state, count(*) FROM jobs GROUP BY state",
                rows -> Map.entry(JobState.valueOf(rows.getString(1)), rows.getInt(2)))
                .stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }

    public List<Attempt> attempts(String jobId)
    {
        return database.read(() -> database.query("SELECT * FROM attempts WHERE job_id = ? ORDER BY number", JobRows::attempt, jobId));
    }

    /** Every attempt that has not ended, oldest job first. */
    public List<Attempt> liveAttempts()
    {
        return database.read(() -> database.query("""
                SELECT a.* FROM attempts a JOIN jobs j ON j.id = a.job_id
                WHERE a.state IN ('SUBMITTING', 'PENDING', 'RUNNING') ORDER BY j.seq""", JobRows::attempt));
    }
}
