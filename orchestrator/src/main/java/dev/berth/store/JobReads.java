package dev.berth.store;

import dev.berth.cost.Cost;
import dev.berth.cost.CostJson;
import dev.berth.job.ArrayTask;
import dev.berth.job.Attempt;
import dev.berth.job.Claim;
import dev.berth.job.Dependency;
import dev.berth.job.DependencyState;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.job.Lifecycle;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    private static final int COST_BATCH = 500;

    private final Database database;

    JobReads(Database database)
    {
        this.database = requireNonNull(database, "database is null");
    }

    public Optional<Job> job(String id)
    {
        return database.read(() -> database.queryOne("SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ?", JobRows::job, id));
    }

    /**
     * A job by its id or an unambiguous prefix of it, as users type ids; an array's task by its whole id, which
     * a user may also write {@code ARRAY:INDEX}. A prefix finds jobs of their own only: an array's prefix means
     * the array (see {@link ArrayReads#find}), never one of its tasks.
     */
    public Optional<Job> find(String idOrPrefix)
            throws AmbiguousJobIdException
    {
        String id = ArrayTask.normalize(idOrPrefix);
        Optional<Job> exact = job(id);
        if (exact.isPresent()) {
            return exact;
        }
        List<Job> matches = database.read(() -> database.query("SELECT " + JOB_COLUMNS + " FROM jobs WHERE id >= ? AND id < ? AND array_id IS NULL"
                + " ORDER BY seq LIMIT 5", JobRows::job, id, id + Character.MAX_VALUE));
        if (matches.size() > 1) {
            throw new AmbiguousJobIdException(idOrPrefix, matches.stream().map(Job::id).toList());
        }
        return matches.stream().findFirst();
    }

    /**
     * What the job waits or waited for, and where each of those is now, by id (an array: as a whole, see
     * {@link Lifecycle#arrayState}); none for a job without dependencies.
     */
    public List<DependencyState> dependencies(String jobId)
    {
        return database.read(() -> {
            List<DependencyState> found = database.query("""
                    SELECT job_dependencies.depends_on, job_dependencies.kind, jobs.state
                    FROM job_dependencies LEFT JOIN jobs ON jobs.id = job_dependencies.depends_on
                    WHERE job_dependencies.job_id = ? ORDER BY job_dependencies.depends_on""",
                    rows -> new DependencyState(new Dependency(rows.getString(1), Dependency.Kind.ofField(rows.getString(2))),
                            Optional.ofNullable(rows.getString(3)).map(JobState::valueOf)), jobId);
            List<DependencyState> states = new ArrayList<>();
            for (DependencyState dependency : found) {
                states.add(dependency.state().isPresent() ? dependency
                        : new DependencyState(dependency.dependency(), new ArrayTasks(database).state(dependency.dependency().jobId())));
            }
            return states;
        });
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
        return newestMatching(JobFilter.inStates(Set.copyOf(states)), seq, limit);
    }

    /**
     * The newest jobs first that {@code filter} lets through among those stored before {@code seq}, a
     * page at a time as {@link #newestBefore} reads them. Name, repository and user are compared whole,
     * each answered by its index ({@code jobs_by_name}, {@code jobs_by_repo}, {@code jobs_by_user}), as
     * states are by {@code jobs_by_state}.
     */
    public List<Job> newestMatching(JobFilter filter, long seq, int limit)
    {
        return matching(filter, "seq < ?", "DESC", seq, limit);
    }

    /**
     * The oldest jobs first that {@code filter} lets through among those stored after {@code seq}: the page
     * before one that began with that job, read backwards.
     */
    public List<Job> oldestMatching(JobFilter filter, long seq, int limit)
    {
        return matching(filter, "seq > ?", "ASC", seq, limit);
    }

    private List<Job> matching(JobFilter filter, String from, String order, long seq, int limit)
    {
        List<Condition> conditions = new ArrayList<>();
        if (!filter.states().isEmpty()) {
            conditions.add(new Condition(stateFilter(filter.states(), ""), List.of()));
        }
        filter.name().ifPresent(name -> conditions.add(new Condition("name = ?", List.of(name))));
        filter.repo().ifPresent(repo -> conditions.add(new Condition("repo = ?", List.of(repo))));
        filter.user().ifPresent(user -> conditions.add(new Condition("user = ?", List.of(user))));
        List<Object> parameters = new ArrayList<>();
        String sql;
        if (conditions.size() <= 1) {
            // One index walks the matching jobs in order and stops at the limit
            parameters.add(seq);
            conditions.forEach(condition -> parameters.addAll(condition.parameters()));
            sql = "SELECT " + JOB_COLUMNS + " FROM jobs WHERE " + from + conditions.stream().map(condition -> " AND " + condition.sql()).collect(Collectors.joining())
                    + " ORDER BY seq " + order + " LIMIT ?";
        }
        else {
            // SQLite walks one index per table: it would read the row of each job one condition lets through to test the
            // others, every such job when few pass them all. Intersected on the indexes alone, only the page's rows are read.
            List<String> selects = new ArrayList<>();
            for (Condition condition : conditions) {
                selects.add("SELECT seq FROM jobs WHERE " + from + " AND " + condition.sql());
                parameters.add(seq);
                parameters.addAll(condition.parameters());
            }
            sql = "SELECT " + JOB_COLUMNS + " FROM jobs WHERE seq IN (" + String.join(" INTERSECT ", selects) + " ORDER BY 1 " + order + " LIMIT ?) ORDER BY seq " + order;
        }
        parameters.add(limit);
        return database.read(() -> database.query(sql, JobRows::job, parameters.toArray()));
    }

    /** One condition of a filter: its SQL, and the values of its parameters. */
    private record Condition(String sql, List<Object> parameters) {}

    /**
     * A number that changes whenever the store may have changed: SQLite's data version as the reading
     * connection sees it, which moves with each commit of another connection, this store's own writer
     * and the CLI's (a cancel) alike. One lookup of SQLite's own counter, no table read, so the
     * dashboard asks every second to learn whether to refresh.
     */
    public long changeMarker()
    {
        return database.read(() -> database.queryOne("PRAGMA data_version", rows -> rows.getLong(1)).orElseThrow());
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

    /**
     * The commits that jobs not ended yet run or are pinned to: their snapshots must stay. Walks the live states'
     * entries of {@code jobs_by_state}; a queue of fresh jobs, whose commits are not resolved yet, adds nothing.
     */
    public Set<String> commitsInUse()
    {
        List<JobState> live = Arrays.stream(JobState.values()).filter(state -> !state.terminal()).toList();
        return database.read(() -> Set.copyOf(database.query("SELECT commit_sha FROM jobs" + stateFilter(live, " WHERE ")
                + " AND commit_sha IS NOT NULL UNION SELECT pinned_commit FROM jobs" + stateFilter(live, " WHERE ") + " AND pinned_commit IS NOT NULL",
                rows -> rows.getString(1))));
    }

    /** {@code state IN (...)} after {@code joiner}, or nothing for no states; the names are an enum's, so they go into the SQL as they are. */
    static String stateFilter(Collection<JobState> states, String joiner)
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

    /**
     * What the ended attempts of each of {@code jobIds} cost together, lost ones included (the fleet paid for
     * them); a job with none ended has cost nothing yet. An attempt that ended before costs were kept is unknown.
     */
    public Map<String, Cost> costs(List<String> jobIds)
    {
        Map<String, Cost> costs = new HashMap<>();
        jobIds.forEach(id -> costs.put(id, Cost.NONE));
        // A page of a listing at a time, far below SQLite's limit on a statement's parameters
        for (int from = 0; from < jobIds.size(); from += COST_BATCH) {
            List<String> batch = jobIds.subList(from, Math.min(jobIds.size(), from + COST_BATCH));
            String placeholders = String.join(",", Collections.nCopies(batch.size(), "?"));
            database.read(() -> database.query("SELECT job_id, cost FROM attempts WHERE finished_at IS NOT NULL AND job_id IN (" + placeholders + ") ORDER BY job_id, number",
                    rows -> Map.entry(rows.getString(1), Optional.ofNullable(rows.getString(2)).map(CostJson::read)
                            .orElseGet(() -> Cost.unknown("ended before costs were kept"))), batch.toArray()))
                    .forEach(entry -> costs.merge(entry.getKey(), entry.getValue(), Cost::plus));
        }
        return costs;
    }

    /** Every attempt that has not ended, oldest job first. */
    public List<Attempt> liveAttempts()
    {
        return database.read(() -> database.query("""
                SELECT a.* FROM attempts a JOIN jobs j ON j.id = a.job_id
                WHERE a.state IN ('SUBMITTING', 'PENDING', 'RUNNING') ORDER BY j.seq""", JobRows::attempt));
    }
}
