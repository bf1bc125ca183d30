package dev.berth.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What a waiting job's place in line is made from, beside the line itself ({@link AdmissionReads}): the
 * queued jobs' repositories and entrypoints, the jobs running in a pool, and how long jobs of one
 * repository and entrypoint have run.
 * "One pool" is the jobs that name it, or, for a job that names none, those that name none too; each
 * read is a range of an index ({@code jobs_by_state_pool}, {@code jobs_by_repo}) or a lookup by id.
 */
public final class QueueReads
{
    /** The successes a typical run time is the median of: recent enough to follow a changing job, enough to ignore one odd run. */
    static final int TYPICAL_OF = 20;

    private final Database database;

    QueueReads(Database database)
    {
        this.database = requireNonNull(database, "database is null");
    }

    /** The jobs of {@code ids} that are still queued, in that order: the line admission takes, as far as a place in it needs. */
    public List<InLine> inLine(List<String> ids)
    {
        if (ids.isEmpty()) {
            return List.of();
        }
        Map<String, InLine> byId = new HashMap<>();
        database.read(() -> database.query("SELECT id, repo, entrypoint FROM jobs WHERE state = 'QUEUED' AND id IN (" + String.join(",", Collections.nCopies(ids.size(), "?")) + ")",
                rows -> byId.put(rows.getString(1), new InLine(rows.getString(1), rows.getString(2), rows.getString(3))), ids.toArray()));
        return ids.stream().map(byId::get).filter(Objects::nonNull).toList();
    }

    /** How many jobs of the pool are queued. */
    public long queuedCount(Optional<String> pool)
    {
        return database.read(() -> database.queryOne("SELECT count(*) FROM jobs INDEXED BY jobs_by_state_pool WHERE state = 'QUEUED' AND " + poolIs(pool),
                rows -> rows.getLong(1), pool.map(name -> new Object[] {name}).orElse(new Object[0])).orElse(0L));
    }

    /** The jobs of the pool that have a node now (prepared, handed to Swarm, or running), with their first start when they have one. */
    public List<Holding> holding(Optional<String> pool)
    {
        return database.read(() -> database.query("SELECT repo, entrypoint, started_at FROM jobs WHERE state IN ('PREPARING', 'SUBMITTED', 'RUNNING') AND "
                + poolIs(pool), rows -> new Holding(rows.getString(1), rows.getString(2), Optional.ofNullable((Long) rows.getObject(3)).map(Instant::ofEpochMilli)),
                pool.map(name -> new Object[] {name}).orElse(new Object[0])));
    }

    /** The median run time of the last {@value #TYPICAL_OF} jobs of this repository and entrypoint that succeeded; none before the first. */
    public Optional<Duration> typicalRunTime(String repo, String entrypoint)
    {
        List<Long> millis = database.read(() -> database.query("SELECT finished_at - started_at FROM jobs INDEXED BY jobs_by_repo"
                + " WHERE repo = ? AND entrypoint = ? AND state = 'SUCCEEDED' AND started_at IS NOT NULL ORDER BY seq DESC LIMIT ?",
                rows -> Math.max(0, rows.getLong(1)), repo, entrypoint, TYPICAL_OF));
        if (millis.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis(millis.stream().sorted().toList().get((millis.size() - 1) / 2)));
    }

    private static String poolIs(Optional<String> pool)
    {
        return pool.isPresent() ? "pool = ?" : "pool IS NULL";
    }

    /** A queued job, as far as its place in line needs it. */
    public record InLine(String jobId, String repo, String entrypoint)
    {
        public InLine
        {
            requireNonNull(jobId, "jobId is null");
            requireNonNull(repo, "repo is null");
            requireNonNull(entrypoint, "entrypoint is null");
        }
    }

    /** A job that holds a place on the pool's nodes; {@code started} empty until its task first ran. */
    public record Holding(String repo, String entrypoint, Optional<Instant> started)
    {
        public Holding
        {
            requireNonNull(repo, "repo is null");
            requireNonNull(entrypoint, "entrypoint is null");
            requireNonNull(started, "started is null");
        }
    }
}
