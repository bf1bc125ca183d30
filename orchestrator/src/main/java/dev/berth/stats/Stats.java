package dev.berth.stats;

import dev.berth.job.Cause;
import dev.berth.job.JobState;
import dev.berth.stats.StatsReport.GroupStats;
import dev.berth.stats.StatsReport.IntervalEnded;
import dev.berth.stats.StatsReport.PoolHours;
import dev.berth.store.JobGrouping;
import dev.berth.store.StatsReads;
import dev.berth.store.StatsReads.EndedCount;
import dev.berth.store.StatsReads.GroupEnded;
import dev.berth.store.StatsReads.JobSpan;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * The aggregates of {@code berth stats}, the stats API and the Stats page, made once here from the
 * store's {@link StatsReads}: counts and sums come from SQLite, and only the columns a percentile or
 * the queue's depth needs are read per job. Each read sees the store as it is then, so a job that ends
 * while stats are made may be in one figure and not yet in the next.
 */
public final class Stats
{
    private static final double MILLIS_PER_HOUR = 3_600_000.0;

    private final StatsReads reads;

    public Stats(StatsReads reads)
    {
        this.reads = requireNonNull(reads, "reads is null");
    }

    public StatsReport report(StatsQuery query, Instant now)
    {
        StatsWindow window = StatsWindow.ending(now, query.since());
        Instant from = window.from();
        Instant to = window.to();

        Map<JobState, Long> ended = zeros(StatsReport.FINAL_STATES);
        Map<Cause, Long> failures = zeros(List.of(Cause.values()));
        List<Map<JobState, Long>> perInterval = new ArrayList<>();
        for (int i = 0; i < window.intervals(); i++) {
            perInterval.add(zeros(StatsReport.FINAL_STATES));
        }
        for (EndedCount count : reads.endedCounts(from, to, window.origin(), window.interval())) {
            ended.merge(count.state(), count.jobs(), Long::sum);
            perInterval.get((int) count.interval()).merge(count.state(), count.jobs(), Long::sum);
            if (count.state() != JobState.SUCCEEDED) {
                count.cause().ifPresent(cause -> failures.merge(cause, count.jobs(), Long::sum));
            }
        }
        List<IntervalEnded> endedPerInterval = new ArrayList<>();
        for (int i = 0; i < perInterval.size(); i++) {
            endedPerInterval.add(new IntervalEnded(window.intervalStart(i), perInterval.get(i)));
        }

        List<GroupEnded> byPool = reads.endedByGroup(from, to, JobGrouping.POOL);
        List<JobSpan> waits = reads.waitsEndedByStart(from, to, query.by());
        List<JobSpan> runs = reads.runs(from, to, query.by());
        List<JobSpan> endedWaits = new ArrayList<>(waits);
        endedWaits.addAll(reads.waitsEndedUnstarted(from, to));
        List<Long> stillWaiting = reads.waitingSince(to);

        List<GroupStats> groups = query.by()
                .map(by -> groups(by == JobGrouping.POOL ? byPool : reads.endedByGroup(from, to, by), waits, runs))
                .orElse(List.of());
        return new StatsReport(window, query.by(), ended, endedPerInterval, QueueDepth.sample(window.samples(), endedWaits, stillWaiting),
                Distribution.of(durations(waits)), Distribution.of(durations(runs)), failures, pools(byPool), groups);
    }

    private static List<PoolHours> pools(List<GroupEnded> byPool)
    {
        Map<Optional<String>, List<GroupEnded>> perPool = byPool.stream().collect(Collectors.groupingBy(GroupEnded::group));
        return perPool.entrySet().stream()
                .map(pool -> new PoolHours(pool.getKey(), pool.getValue().stream().mapToLong(GroupEnded::ran).sum(),
                        hours(pool.getValue(), GroupEnded::gpuMillis), hours(pool.getValue(), GroupEnded::cpuMillis)))
                .filter(pool -> pool.ran() > 0)
                .sorted(Comparator.comparing((PoolHours pool) -> pool.pool().orElse("")))
                .toList();
    }

    /** Every group any figure saw, most jobs ended first, then by name; the jobs without a group last among equals. */
    private static List<GroupStats> groups(List<GroupEnded> ended, List<JobSpan> waits, List<JobSpan> runs)
    {
        Map<Optional<String>, List<GroupEnded>> endedByGroup = ended.stream().collect(Collectors.groupingBy(GroupEnded::group));
        Map<Optional<String>, List<JobSpan>> waitsByGroup = waits.stream().collect(Collectors.groupingBy(JobSpan::group));
        Map<Optional<String>, List<JobSpan>> runsByGroup = runs.stream().collect(Collectors.groupingBy(JobSpan::group));
        Set<Optional<String>> keys = new LinkedHashSet<>(endedByGroup.keySet());
        keys.addAll(waitsByGroup.keySet());
        keys.addAll(runsByGroup.keySet());
        List<GroupStats> groups = new ArrayList<>();
        for (Optional<String> key : keys) {
            List<GroupEnded> rows = endedByGroup.getOrDefault(key, List.of());
            Map<JobState, Long> states = zeros(StatsReport.FINAL_STATES);
            rows.forEach(row -> states.merge(row.state(), row.jobs(), Long::sum));
            groups.add(new GroupStats(key, states,
                    Distribution.of(durations(waitsByGroup.getOrDefault(key, List.of()))),
                    Distribution.of(durations(runsByGroup.getOrDefault(key, List.of()))),
                    hours(rows, GroupEnded::gpuMillis), hours(rows, GroupEnded::cpuMillis)));
        }
        groups.sort(Comparator.comparingLong(GroupStats::endedTotal).reversed()
                .thenComparing(group -> group.group().isEmpty())
                .thenComparing(group -> group.group().orElse("")));
        return groups;
    }

    private static double hours(List<GroupEnded> rows, Function<GroupEnded, Double> millis)
    {
        return rows.stream().mapToDouble(millis::apply).sum() / MILLIS_PER_HOUR;
    }

    /** Each span's length, never negative (a start stamped before its receipt, by the clocks of two machines, waited no time). */
    private static long[] durations(List<JobSpan> spans)
    {
        long[] millis = new long[spans.size()];
        for (int i = 0; i < millis.length; i++) {
            millis[i] = Math.max(0, spans.get(i).toMillis() - spans.get(i).fromMillis());
        }
        return millis;
    }

    private static <K extends Enum<K>> Map<K, Long> zeros(List<K> keys)
    {
        Map<K, Long> counts = new EnumMap<>(keys.get(0).getDeclaringClass());
        keys.forEach(key -> counts.put(key, 0L));
        return counts;
    }
}
