package dev.berth.store;

import dev.berth.job.ArraySummary;
import dev.berth.job.Job;
import dev.berth.job.JobState;

import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.berth.store.JobRows.JOB_COLUMNS;
import static java.util.Objects.requireNonNull;

/** What the commands read of arrays: one as a whole, by id or prefix, its tasks, and how many listing lines jobs and arrays make. */
public final class ArrayReads
{
    private final Database database;

    ArrayReads(Database database)
    {
        this.database = requireNonNull(database, "database is null");
    }

    /** The array {@code arrayId} as a whole; empty when no job is a task of it. */
    public Optional<ArraySummary> array(String arrayId)
    {
        return database.read(() -> {
            Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
            database.query("SELECT state, count(*) FROM jobs INDEXED BY jobs_by_array WHERE array_id = ? GROUP BY state",
                    rows -> counts.put(JobState.valueOf(rows.getString(1)), rows.getInt(2)), arrayId);
            if (counts.isEmpty()) {
                return Optional.empty();
            }
            return database.queryOne("SELECT name, array_spec, user, received_at FROM jobs INDEXED BY jobs_by_array WHERE array_id = ? LIMIT 1",
                    rows -> new ArraySummary(arrayId, rows.getString(1), JobRows.spec(rows.getString(2)), rows.getString(3),
                            Instant.ofEpochMilli(rows.getLong(4)), counts), arrayId);
        });
    }

    /**
     * The array whose id is {@code idOrPrefix}, else the one array whose id starts with it.
     *
     * @throws AmbiguousJobIdException when several arrays' ids start with it
     */
    public Optional<ArraySummary> find(String idOrPrefix)
            throws AmbiguousJobIdException
    {
        Optional<ArraySummary> exact = array(idOrPrefix);
        if (exact.isPresent()) {
            return exact;
        }
        List<String> matches = database.read(() -> database.query("SELECT DISTINCT array_id FROM jobs INDEXED BY jobs_by_array"
                + " WHERE array_id >= ? AND array_id < ? LIMIT 5", rows -> rows.getString(1), idOrPrefix, idOrPrefix + Character.MAX_VALUE));
        if (matches.size() > 1) {
            throw new AmbiguousJobIdException(idOrPrefix, matches);
        }
        return matches.stream().findFirst().flatMap(this::array);
    }

    /** The array's tasks, lowest index first, optionally only in some states (none given: every state). */
    public List<Job> tasks(String arrayId, Collection<JobState> states)
    {
        return database.read(() -> database.query("SELECT " + JOB_COLUMNS + " FROM jobs INDEXED BY jobs_by_array WHERE array_id = ?"
                + JobReads.stateFilter(states, " AND ") + " ORDER BY array_index", JobRows::job, arrayId));
    }

    /**
     * How many lines a listing of the jobs in {@code states} (none given: every state) makes when each array is one
     * line: the jobs of their own, and the arrays with a task in those states.
     */
    /**
     * Where the array's tasks begin in the order jobs were stored ({@link Job#seq} of its first task): its tasks were
     * stored in one transaction, one after another, so a listing newest first that has shown the array as one line
     * goes on below this without reading the rest of its tasks.
     */
    public long firstSeq(String arrayId)
    {
        return database.read(() -> database.queryOne("SELECT min(seq) FROM jobs INDEXED BY jobs_by_array WHERE array_id = ?",
                rows -> rows.getLong(1), arrayId).orElseThrow());
    }

    public long lines(Collection<JobState> states)
    {
        return database.read(() -> {
            long jobs = database.queryOne("SELECT count(*) FROM jobs WHERE array_id IS NULL" + JobReads.stateFilter(states, " AND "),
                    rows -> rows.getLong(1)).orElseThrow();
            long arrays = database.queryOne("SELECT count(DISTINCT array_id) FROM jobs INDEXED BY jobs_by_array WHERE array_id IS NOT NULL"
                    + JobReads.stateFilter(states, " AND "), rows -> rows.getLong(1)).orElseThrow();
            return jobs + arrays;
        });
    }
}
