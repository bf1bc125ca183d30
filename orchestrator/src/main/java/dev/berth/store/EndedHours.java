package dev.berth.store;

import dev.berth.job.JobState;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The jobs that ended in each clock hour, counted by final state, cause and pool, with what they reserved
 * summed: the table {@code ended_hours}, which {@code berth stats} reads for the whole hours of a window
 * instead of every job that ended in them (a week of 10⁵ jobs is a thousand rows here). Triggers on
 * {@code jobs} add each job to its hour in the statement that records its end, whichever write records
 * it, and take it away in the one that purges it, so the table never disagrees with the jobs (an ended
 * job never moves again).
 * A store made before the table existed gets it, with its past hours counted, on its first open by a
 * berth that knows it. Absent cause or pool are kept as '' (a key column cannot be NULL and still match).
 */
final class EndedHours
{
    static final long HOUR_MILLIS = 3_600_000L;

    /** The figures of a job that has just ended, from the trigger's {@code NEW} row: the same sums {@link StatsReads} makes of raw rows. */
    private static final String ROW_OF_NEW = """
            (NEW.finished_at / 3600000, NEW.state, coalesce(NEW.cause, ''), coalesce(NEW.pool, ''), 1, NEW.started_at IS NOT NULL,
             coalesce(NEW.gpus * max(0, NEW.finished_at - NEW.started_at), 0), coalesce(NEW.cpus * max(0, NEW.finished_at - NEW.started_at), 0))""";
    private static final String ADD = """
            INSERT INTO ended_hours (hour, state, cause, pool, jobs, ran, gpu_millis, cpu_millis) VALUES %s
            ON CONFLICT (hour, state, cause, pool) DO UPDATE SET jobs = jobs + excluded.jobs, ran = ran + excluded.ran,
                gpu_millis = gpu_millis + excluded.gpu_millis, cpu_millis = cpu_millis + excluded.cpu_millis;""".formatted(ROW_OF_NEW);

    private static final String KEY_OF_OLD = "hour = OLD.finished_at / 3600000 AND state = OLD.state AND cause = coalesce(OLD.cause, '')"
            + " AND pool = coalesce(OLD.pool, '')";
    private static final String TAKE = """
            UPDATE ended_hours SET jobs = jobs - 1, ran = ran - (OLD.started_at IS NOT NULL),
                gpu_millis = gpu_millis - coalesce(OLD.gpus * max(0, OLD.finished_at - OLD.started_at), 0),
                cpu_millis = cpu_millis - coalesce(OLD.cpus * max(0, OLD.finished_at - OLD.started_at), 0)
            WHERE %s;
            DELETE FROM ended_hours WHERE %s AND jobs = 0;""".formatted(KEY_OF_OLD, KEY_OF_OLD);

    private static final List<String> DEFINITION = List.of(
            """
            CREATE TABLE ended_hours (
                hour INTEGER NOT NULL, state TEXT NOT NULL, cause TEXT NOT NULL, pool TEXT NOT NULL,
                jobs INTEGER NOT NULL, ran INTEGER NOT NULL, gpu_millis REAL NOT NULL, cpu_millis REAL NOT NULL,
                PRIMARY KEY (hour, state, cause, pool)) WITHOUT ROWID""",
            // An end recorded on a stored job (finished, failed, cancelled)...
            "CREATE TRIGGER jobs_end_counted AFTER UPDATE OF finished_at ON jobs WHEN OLD.finished_at IS NULL AND NEW.finished_at IS NOT NULL BEGIN "
                    + ADD + " END",
            // ...and a job stored ended (a request rejected on arrival)
            "CREATE TRIGGER jobs_stored_ended_counted AFTER INSERT ON jobs WHEN NEW.finished_at IS NOT NULL BEGIN " + ADD + " END",
            // A purged job leaves its hour, and an hour left with no job goes
            "CREATE TRIGGER jobs_purged_uncounted AFTER DELETE ON jobs WHEN OLD.finished_at IS NOT NULL BEGIN " + TAKE + " END",
            """
            INSERT INTO ended_hours (hour, state, cause, pool, jobs, ran, gpu_millis, cpu_millis)
            SELECT finished_at / 3600000, state, coalesce(cause, ''), coalesce(pool, ''), count(*), count(started_at),
                   total(gpus * max(0, finished_at - started_at)), total(cpus * max(0, finished_at - started_at))
            FROM jobs WHERE finished_at IS NOT NULL GROUP BY 1, 2, 3, 4""");

    private EndedHours() {}

    /**
     * Makes the table, its triggers and its past hours when the store has none. Checked first without a
     * write, so opening a current store writes nothing; then again under the write lock, so that two berths
     * opening an older store at once count its past once, and no end falls between the count and the triggers.
     */
    static void create(Database database)
            throws SQLException
    {
        if (exists(database)) {
            return;
        }
        database.inTransaction(() -> {
            if (!exists(database)) {
                for (String statement : DEFINITION) {
                    database.update(statement);
                }
            }
            return null;
        });
    }

    /**
     * The jobs that ended in the whole hours {@code [firstHour, lastHour)} (hours since the epoch), each
     * row placed in its interval of {@code intervalMillis} from {@code originMillis}, which whole hours fill.
     */
    static List<StatsReads.Ended> read(Database database, long firstHour, long lastHour, long originMillis, long intervalMillis)
            throws SQLException
    {
        return database.query("SELECT hour, state, cause, pool, jobs, ran, gpu_millis, cpu_millis FROM ended_hours WHERE hour >= ? AND hour < ?",
                rows -> new StatsReads.Ended((rows.getLong(1) * HOUR_MILLIS - originMillis) / intervalMillis, JobState.valueOf(rows.getString(2)),
                        Optional.of(rows.getString(3)).filter(cause -> !cause.isEmpty()).map(JobRows::cause),
                        Optional.of(rows.getString(4)).filter(pool -> !pool.isEmpty()),
                        rows.getLong(5), rows.getLong(6), rows.getDouble(7), rows.getDouble(8)),
                firstHour, lastHour);
    }

    private static boolean exists(Database database)
            throws SQLException
    {
        return !database.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ended_hours'", rows -> 1).isEmpty();
    }
}
