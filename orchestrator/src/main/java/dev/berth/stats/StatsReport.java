package dev.berth.stats;

import dev.berth.job.Cause;
import dev.berth.job.JobState;
import dev.berth.store.JobGrouping;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The answer of {@code berth stats}, {@code GET /api/v1/stats} and the Stats page, all three the same.
 *
 * @param ended the jobs that ended in the window, by final state (every one of {@link #FINAL_STATES})
 * @param endedPerInterval the same for each of the window's intervals, oldest first
 * @param queueDepth how many jobs waited (received, not yet started, not ended) at each of the window's sample times
 * @param waits from receipt to first start, of the jobs that first started in the window
 * @param runs from first start to end, of the jobs that ended in the window after starting
 * @param failures the jobs that ended in the window in any final state but SUCCEEDED, by cause (every cause)
 * @param pools GPU-hours and CPU-hours reserved by the jobs that ended in the window, per pool
 * @param groups the same figures per repository or pool when asked ({@code by}), most jobs first; else empty
 * @param costs what the attempts that ended in the months the window touches cost, per user and per repository
 */
public record StatsReport(
        StatsWindow window,
        Optional<JobGrouping> by,
        Map<JobState, Long> ended,
        List<IntervalEnded> endedPerInterval,
        List<DepthSample> queueDepth,
        Distribution waits,
        Distribution runs,
        Map<Cause, Long> failures,
        List<PoolHours> pools,
        List<GroupStats> groups,
        CostTotals costs)
{
    public StatsReport
    {
        requireNonNull(window, "window is null");
        requireNonNull(by, "by is null");
        ended = Map.copyOf(ended);
        endedPerInterval = List.copyOf(endedPerInterval);
        queueDepth = List.copyOf(queueDepth);
        requireNonNull(waits, "waits is null");
        requireNonNull(runs, "runs is null");
        failures = Map.copyOf(failures);
        pools = List.copyOf(pools);
        groups = List.copyOf(groups);
        requireNonNull(costs, "costs is null");
    }

    public long endedTotal()
    {
        return ended.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The final states, in {@link JobState}'s order: the keys of every {@code ended} map, and the order they are shown in. */
    public static final List<JobState> FINAL_STATES = Arrays.stream(JobState.values()).filter(JobState::terminal).toList();

    /** The jobs that ended in the interval that begins at {@code start}, by final state. */
    public record IntervalEnded(Instant start, Map<JobState, Long> ended)
    {
        public IntervalEnded
        {
            requireNonNull(start, "start is null");
            ended = Map.copyOf(ended);
        }
    }

    /** How many jobs were waiting at {@code at}. */
    public record DepthSample(Instant at, long waiting)
    {
        public DepthSample
        {
            requireNonNull(at, "at is null");
        }
    }

    /**
     * What the jobs of one pool (empty: jobs that named none) reserved while they ran: their GPUs or
     * CPUs times their run time, in hours.
     *
     * @param ran how many jobs that ended in the window had started
     */
    public record PoolHours(Optional<String> pool, long ran, double gpuHours, double cpuHours)
    {
        public PoolHours
        {
            requireNonNull(pool, "pool is null");
        }
    }

    /**
     * The figures of one repository or pool; {@code group} is empty for the jobs without one (no pool
     * named; no repository, for a request that was rejected).
     */
    public record GroupStats(Optional<String> group, Map<JobState, Long> ended, Distribution waits, Distribution runs, double gpuHours, double cpuHours)
    {
        public GroupStats
        {
            requireNonNull(group, "group is null");
            ended = Map.copyOf(ended);
            requireNonNull(waits, "waits is null");
            requireNonNull(runs, "runs is null");
        }

        public long endedTotal()
        {
            return ended.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * Costs per month, from the start of the month (UTC) the window starts in to the window's end, so that each
     * month's figure is the month's whole (the current one to date); months oldest first, then the dearest first.
     */
    public record CostTotals(Instant from, List<MonthCost> byUser, List<MonthCost> byRepo)
    {
        public CostTotals
        {
            requireNonNull(from, "from is null");
            byUser = List.copyOf(byUser);
            byRepo = List.copyOf(byRepo);
        }

        public long unknownAttempts()
        {
            return byUser.stream().mapToLong(MonthCost::unknown).sum();
        }
    }

    /**
     * What the attempts of one user's or one repository's jobs ({@code group}, empty for a job with none) that ran
     * and ended in {@code month} ({@code 2026-12}) cost.
     *
     * @param unknown how many of the {@code attempts} have no known cost, left out of the sums
     */
    public record MonthCost(String month, Optional<String> group, long attempts, long unknown, double instanceHours, double usd)
    {
        public MonthCost
        {
            requireNonNull(month, "month is null");
            requireNonNull(group, "group is null");
        }
    }
}
