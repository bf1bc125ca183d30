package dev.berth.store;

import dev.berth.job.Cause;
import dev.berth.job.JobState;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What {@code berth stats} reads of a window of time {@code [from, to)}: counts and sums that SQLite
 * makes itself (for whole hours, kept counted in {@link EndedHours}), and the one or two timestamps per
 * job that a percentile or the queue's depth needs. Every other read is a range of one of the partial
 * indexes {@link Schema} makes for it ({@code jobs_by_end}, {@code jobs_by_start}, their narrow
 * {@code jobs_run_times} and {@code jobs_wait_times}, {@code jobs_waiting}, {@code jobs_ended_unstarted}),
 * which hold the columns read, so the jobs of a window are read from their index alone, never the rows
 * with their requests; the times of a window's jobs, when not grouped, cross from SQLite joined in one
 * text ({@code Database.joinedNumberColumns}). Times are epoch milliseconds. Each read holds the store's
 * reading connection while it runs: some tens of milliseconds for a week of 10⁵ jobs.
 */
public final class StatsReads
{
    private final Database database;

    StatsReads(Database database)
    {
        this.database = requireNonNull(database, "database is null");
    }

    /**
     * Jobs that ended in the window, counted by interval (the {@code interval}-long slices from {@code origin}),
     * final state, cause and pool, with what those that ran reserved (GPUs and CPUs times the time from their
     * first start to their end, never negative) summed: every count and sum stats makes. A key may come in
     * more than one row (from the counted hours and from the part hours at the edges), to be added up.
     */
    public List<Ended> ended(Instant from, Instant to, Instant origin, Duration interval)
    {
        long start = from.toEpochMilli();
        long end = to.toEpochMilli();
        long step = interval.toMillis();
        // The whole hours of the window come counted from ended_hours, when its intervals are made of whole hours;
        // the part hours at its edges, and windows cut in minutes (6 h at most), from the jobs themselves
        long firstHour = -Math.floorDiv(-start, EndedHours.HOUR_MILLIS);
        long lastHour = Math.floorDiv(end, EndedHours.HOUR_MILLIS);
        boolean hourly = step % EndedHours.HOUR_MILLIS == 0 && origin.toEpochMilli() % EndedHours.HOUR_MILLIS == 0 && firstHour < lastHour;
        return database.read(() -> {
            if (!hourly) {
                return endedJobs(start, end, origin.toEpochMilli(), step);
            }
            List<Ended> ended = new ArrayList<>(endedJobs(start, firstHour * EndedHours.HOUR_MILLIS, origin.toEpochMilli(), step));
            ended.addAll(EndedHours.read(database, firstHour, lastHour, origin.toEpochMilli(), step));
            ended.addAll(endedJobs(lastHour * EndedHours.HOUR_MILLIS, end, origin.toEpochMilli(), step));
            return ended;
        });
    }

    /** {@link #ended} of the jobs that ended in {@code [start, end)}, from their rows. */
    private List<Ended> endedJobs(long start, long end, long origin, long step)
            throws SQLException
    {
        if (start >= end) {
            return List.of();
        }
        return database.query("""
                SELECT (finished_at - ?) / ?, state, cause, pool, count(*), count(started_at),
                       total(gpus * max(0, finished_at - started_at)), total(cpus * max(0, finished_at - started_at))
                FROM jobs WHERE finished_at >= ? AND finished_at < ? GROUP BY 1, 2, 3, 4""",
                rows -> new Ended(rows.getLong(1), JobState.valueOf(rows.getString(2)), Optional.ofNullable(rows.getString(3)).map(JobRows::cause),
                        Optional.ofNullable(rows.getString(4)), rows.getLong(5), rows.getLong(6), rows.getDouble(7), rows.getDouble(8)),
                origin, step, start, end);
    }

    /** The same by group and final state alone, for a grouping other than the pool (which {@link #ended} has already). */
    public List<Ended> endedByGroup(Instant from, Instant to, JobGrouping grouping)
    {
        return database.read(() -> database.query("SELECT state, " + grouping.column() + """
                , count(*), count(started_at), total(gpus * max(0, finished_at - started_at)), total(cpus * max(0, finished_at - started_at))
                FROM jobs WHERE finished_at >= ? AND finished_at < ? GROUP BY 1, 2""",
                rows -> new Ended(0, JobState.valueOf(rows.getString(1)), Optional.empty(), Optional.ofNullable(rows.getString(2)),
                        rows.getLong(3), rows.getLong(4), rows.getDouble(5), rows.getDouble(6)),
                from.toEpochMilli(), to.toEpochMilli()));
    }

    /** How long the jobs that ended in the window after starting ran: first start to end, with each job's group when one is asked for. */
    public List<JobTime> runs(Instant from, Instant to, Optional<JobGrouping> grouping)
    {
        if (grouping.isEmpty()) {
            long[] millis = database.read(() -> database.joinedNumbers("SELECT group_concat(finished_at - started_at)"
                    + " FROM jobs INDEXED BY jobs_run_times WHERE finished_at >= ? AND finished_at < ? AND started_at IS NOT NULL", from.toEpochMilli(), to.toEpochMilli()));
            List<JobTime> runs = new ArrayList<>(millis.length);
            for (long each : millis) {
                runs.add(new JobTime(each, Optional.empty()));
            }
            return runs;
        }
        return database.read(() -> database.query("SELECT finished_at - started_at" + groupColumn(grouping)
                + " FROM jobs WHERE finished_at >= ? AND finished_at < ? AND started_at IS NOT NULL",
                rows -> new JobTime(rows.getLong(1), grouping.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.getString(2))),
                from.toEpochMilli(), to.toEpochMilli()));
    }

    /** The waits that a first start ended in the window: receipt to first start, with each job's group when one is asked for. */
    public List<JobSpan> waitsEndedByStart(Instant from, Instant to, Optional<JobGrouping> grouping)
    {
        if (grouping.isEmpty()) {
            // Each receipt from the window's start and each wait's length: shorter numbers than two epoch times, so less text to cross
            long start = from.toEpochMilli();
            long[][] times = database.read(() -> database.joinedNumberColumns("SELECT group_concat(received_at - ?), group_concat(started_at - received_at)"
                    + " FROM jobs INDEXED BY jobs_wait_times WHERE started_at >= ? AND started_at < ?", 2, start, start, to.toEpochMilli()));
            List<JobSpan> waits = new ArrayList<>(times[0].length);
            for (int i = 0; i < times[0].length; i++) {
                long received = start + times[0][i];
                waits.add(new JobSpan(received, received + times[1][i], Optional.empty()));
            }
            return waits;
        }
        return database.read(() -> database.query("SELECT received_at, started_at" + groupColumn(grouping)
                + " FROM jobs WHERE started_at >= ? AND started_at < ?",
                rows -> span(rows, grouping), from.toEpochMilli(), to.toEpochMilli()));
    }

    /** The waits that ended in the window with no start (cancelled, rejected, failed while queued or preparing): receipt to end. */
    public List<JobSpan> waitsEndedUnstarted(Instant from, Instant to)
    {
        return database.read(() -> database.query("SELECT received_at, finished_at FROM jobs INDEXED BY jobs_ended_unstarted"
                + " WHERE finished_at >= ? AND finished_at < ? AND started_at IS NULL",
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

    /**
     * Jobs that ended alike: in one interval, in one final state, with one cause (none for SUCCEEDED), in one
     * group (by pool, or another {@link JobGrouping}; empty for jobs without the column: no pool named, or no
     * repository for a request that was rejected). What a read does not split by holds 0 or empty.
     *
     * @param ran how many of them started
     * @param gpuMillis their GPUs times their run time, summed: GPU-milliseconds
     * @param cpuMillis the same for CPUs
     */
    public record Ended(long interval, JobState state, Optional<Cause> cause, Optional<String> group, long jobs, long ran, double gpuMillis,
            double cpuMillis)
    {
        public Ended
        {
            requireNonNull(state, "state is null");
            requireNonNull(cause, "cause is null");
            requireNonNull(group, "group is null");
        }
    }

    /**
     * What the attempts that ran and ended in {@code [from, to)} cost, summed by the month (UTC) they ended in, their
     * job's user and repository. A range of {@code attempts_by_finished}, each attempt joined with its job.
     */
    public List<AttemptCosts> attemptCosts(Instant from, Instant to)
    {
        return database.read(() -> database.query("""
                SELECT strftime('%Y-%m', a.finished_at / 1000, 'unixepoch'), j.user, j.repo, count(*),
                       sum(a.cost IS NULL OR json_extract(a.cost, '$.unknown') IS NOT NULL),
                       total(json_extract(a.cost, '$.instance_hours')), total(json_extract(a.cost, '$.usd'))
                FROM attempts a JOIN jobs j ON j.id = a.job_id
                WHERE a.finished_at >= ? AND a.finished_at < ? AND a.started_at IS NOT NULL GROUP BY 1, 2, 3""",
                rows -> new AttemptCosts(rows.getString(1), rows.getString(2), Optional.ofNullable(rows.getString(3)), rows.getLong(4), rows.getLong(5),
                        rows.getDouble(6), rows.getDouble(7)),
                from.toEpochMilli(), to.toEpochMilli()));
    }

    /**
     * The cost of the attempts of one month ({@code 2026-12}), user and repository (empty for none).
     *
     * @param unknown how many of the {@code attempts} have no known cost: left out of the sums, never counted as 0
     */
    public record AttemptCosts(String month, String user, Optional<String> repo, long attempts, long unknown, double instanceHours, double usd)
    {
        public AttemptCosts
        {
            requireNonNull(month, "month is null");
            requireNonNull(user, "user is null");
            requireNonNull(repo, "repo is null");
        }
    }

    /** How long one job took at something, in milliseconds, with its group when one was asked for. */
    public record JobTime(long millis, Optional<String> group)
    {
        public JobTime
        {
            requireNonNull(group, "group is null");
        }
    }

    /** A stretch of one job's life, from one epoch millisecond to another: its wait. */
    public record JobSpan(long fromMillis, long toMillis, Optional<String> group)
    {
        public JobSpan
        {
            requireNonNull(group, "group is null");
        }
    }
}
