package dev.berth.store;

import dev.berth.job.Cause;
import dev.berth.job.JobState;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What {@code berth stats} reads of a window of time {@code [from, to)}: counts and sums that SQLite
 * makes itself, and the one or two timestamps per job that a percentile or the queue's depth needs.
 * Every read is a range of one of the partial indexes {@link Schema} makes for it ({@code jobs_by_end},
 * {@code jobs_by_start}, {@code jobs_waiting}), which hold the columns read, so 10⁵ jobs in a window are
 * read from their index alone; grouping by repository also reads the rows. Times are epoch milliseconds.
 */
public final class StatsReads
{
    private final Database database;

    StatsReads(Database database)
    {
        this.database = requireNonNull(database, "database is null");
    }

    /** Jobs that ended in the window, counted by final state, cause and interval (the {@code interval}-long slices from {@code origin}). */
    public List<EndedCount> endedCounts(Instant from, Instant to, Instant origin, Duration interval)
    {
        return database.read(() -> database.query("""
                SELECT (finished_at - ?) / ?, state, cause, count(*) FROM jobs
                WHERE finished_at >= ? AND finished_at < ? GROUP BY 1, 2, 3""",
                rows -> new EndedCount(rows.getLong(1), JobState.valueOf(rows.getString(2)),
                        Optional.ofNullable(rows.getString(3)).map(JobRows::cause), rows.getLong(4)),
                origin.toEpochMilli(), interval.toMillis(), from.toEpochMilli(), to.toEpochMilli()));
    }

    /**
     * Jobs that ended in the window by group and final state, with what those that ran reserved
     * (GPUs and CPUs times the time from their first start to their end) summed.
     */
    public List<GroupEnded> endedByGroup(Instant from, Instant to, JobGrouping grouping)
    {
        String column = grouping.column();
        return database.read(() -> database.query("SELECT " + column + """
                , state, count(*), count(started_at), total(gpus * (finished_at - started_at)), total(cpus * (finished_at - started_at)) FROM jobs
                WHERE finished_at >= ? AND finished_at < ? GROUP BY 1, 2""",
                rows -> new GroupEnded(Optional.ofNullable(rows.getString(1)), JobState.valueOf(rows.getString(2)), rows.getLong(3), rows.getLong(4),
                        rows.getDouble(5), rows.getDouble(6)),
                from.toEpochMilli(), to.toEpochMilli()));
    }

    /** The runs of the jobs that ended in the window after starting: first start to end, with each job's group when one is asked for. */
    public List<JobSpan> runs(Instant from, Instant to, Optional<JobGrouping> grouping)
    {
        return database.read(() -> database.query("SELECT started_at, finished_at" + groupColumn(grouping)
                + " FROM jobs WHERE finished_at >= ? AND finished_at < ? AND started_at IS NOT NULL",
                rows -> span(rows, grouping), from.toEpochMilli(), to.toEpochMilli()));
    }

    /** The waits that a first start ended in the window: receipt to first start, with each job's group when one is asked for. */
    public List<JobSpan> waitsEndedByStart(Instant from, Instant to, Optional<JobGrouping> grouping)
    {
        return database.read(() -> database.query("SELECT received_at, started_at" + groupColumn(grouping)
                + " FROM jobs WHERE started_at >= ? AND started_at < ?",
                rows -> span(rows, grouping), from.toEpochMilli(), to.toEpochMilli()));
    }

    /** The waits that ended in the window with no start (cancelled, rejected, failed while queued or preparing): receipt to end. */
    public List<JobSpan> waitsEndedUnstarted(Instant from, Instant to)
    {
        return database.read(() -> database.query("SELECT received_at, finished_at FROM jobs WHERE finished_at >= ? AND finished_at < ? AND started_at IS NULL",
                rows -> span(rows, Optional.empty()), from.toEpochMilli(), to.toEpochMilli()));
    }

    /** When each job received before {@code before} and still waiting (neither started nor ended) was received. */
    public List<Long> waitingSince(Instant before)
    {
        return database.read(() -> database.query("SELECT received_at FROM jobs WHERE started_at IS NULL AND finished_at IS NULL AND received_at < ?",
                rows -> rows.getLong(1), before.toEpochMilli()));
    }

    private static String groupColumn(Optional<JobGrouping> grouping)
    {
        return grouping.map(by -> ", " + by.column()).orElse("");
    }

    private static JobSpan span(ResultSet rows, Optional<JobGrouping> grouping)
            throws SQLException
    {
        return new JobSpan(rows.getLong(1), rows.getLong(2), grouping.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.getString(3)));
    }

    /** How many jobs ended in one interval in one final state, with one cause (none for SUCCEEDED). */
    public record EndedCount(long interval, JobState state, Optional<Cause> cause, long jobs)
    {
        public EndedCount
        {
            requireNonNull(state, "state is null");
            requireNonNull(cause, "cause is null");
        }
    }

    /**
     * The jobs of one group that ended in one final state; {@code group} is empty for jobs without the
     * column (no pool, or no repository for a request that was rejected).
     *
     * @param ran how many of them started
     * @param gpuMillis their GPUs times their run time, summed: GPU-milliseconds
     * @param cpuMillis the same for CPUs
     */
    public record GroupEnded(Optional<String> group, JobState state, long jobs, long ran, double gpuMillis, double cpuMillis)
    {
        public GroupEnded
        {
            requireNonNull(group, "group is null");
            requireNonNull(state, "state is null");
        }
    }

    /** A stretch of one job's life, from one epoch millisecond to another: its wait, or its run. */
    public record JobSpan(long fromMillis, long toMillis, Optional<String> group)
    {
        public JobSpan
        {
            requireNonNull(group, "group is null");
        }
    }
}
