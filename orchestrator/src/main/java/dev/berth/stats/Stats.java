package dev.berth.stats;

import dev.berth.job.Cause;
import dev.berth.job.JobState;
import dev.berth.stats.StatsReport.CostTotals;
import dev.berth.stats.StatsReport.GroupStats;
import dev.berth.stats.StatsReport.IntervalEnded;
import dev.berth.stats.StatsReport.MonthCost;
import dev.berth.stats.StatsReport.PoolHours;
import dev.berth.store.JobGrouping;
import dev.berth.store.StatsReads;
import dev.berth.store.StatsReads.AttemptCosts;
import dev.berth.store.StatsReads.Ended;
import dev.berth.store.StatsReads.JobSpan;
import dev.berth.store.StatsReads.JobTime;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
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
        List<Ended> endedRows = reads.ended(from, to, window.origin(), window.interval());
        for (Ended row : endedRows) {
            ended.merge(row.state(), row.jobs(), Long::sum);
            perInterval.get((int) row.interval()).merge(row.state(), row.jobs(), Long::sum);
            if (row.state() != JobState.SUCCEEDED) {
                row.cause().ifPresent(cause -> failures.merge(cause, row.jobs(), Long::sum));
            }
        }
        List<IntervalEnded> endedPerInterval = new ArrayList<>();
        for (int i = 0; i < perInterval.size(); i++) {
            endedPerInterval.add(new IntervalEnded(window.intervalStart(i), perInterval.get(i)));
        }

        List<JobSpan> waits = reads.waitsEndedByStart(from, to, query.by());
        List<JobTime> runs = reads.runs(from, to, query.by());
        List<JobSpan> endedWaits = new ArrayList<>(waits);
        endedWaits.addAll(reads.waitsEndedUnstarted(from, to));
        List<Long> stillWaiting = reads.waitingSince(to);

        List<GroupStats> groups = query.by()
                .map(by -> groups(by == JobGrouping.POOL ? endedRows : reads.endedByGroup(from, to, by), waits, runs))
                .orElse(List.of());
        return new StatsReport(window, query.by(), ended, endedPerInterval, QueueDepth.sample(window.samples(), endedWaits, stillWaiting),
                Distribution.of(durations(waits)), Distribution.of(times(runs)), failures, pools(endedRows), groups, costs(from, to));
    }

    private CostTotals costs(Instant windowFrom, Instant to)
    {
        Instant from = windowFrom.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1).toInstant();
        List<AttemptCosts> rows = reads.attemptCosts(from, to);
        return new CostTotals(from, monthly(rows, row -> Optional.of(row.user())), monthly(rows, AttemptCosts::repo));
    }

    private static List<MonthCost> monthly(List<AttemptCosts> rows, Function<AttemptCosts, Optional<String>> group)
    {
        Map<List<Object>, List<AttemptCosts>> byKey = rows.stream().collect(Collectors.groupingBy(row -> List.of(row.month(), group.apply(row))));
        return byKey.values().stream()
                .map(same -> new MonthCost(same.get(0).month(), group.apply(same.get(0)), same.stream().mapToLong(AttemptCosts::attempts).sum(),
                        same.stream().mapToLong(AttemptCosts::unknown).sum(), same.stream().mapToDouble(AttemptCosts::instanceHours).sum(),
                        same.stream().mapToDouble(AttemptCosts::usd).sum()))
                .sorted(Comparator.comparing(MonthCost::month).thenComparing(Comparator.comparingDouble(MonthCost::usd).reversed())
                        .thenComparing(cost -> cost.group().orElse("")))
                .toList();
    }

    private static List<PoolHours> pools(List<Ended> byPool)
    {
        Map<Optional<String>, List<Ended>> perPool = byPool.stream().collect(Collectors.groupingBy(Ended::group));
        return perPool.entrySet().stream()
                .map(pool -> new PoolHours(pool.getKey(), pool.getValue().stream().mapToLong(Ended::ran).sum(),
                        hours(pool.getValue(), Ended::gpuMillis), hours(pool.getValue(), Ended::cpuMillis)))
                .filter(pool -> pool.ran() > 0)
                .sorted(Comparator.comparing((PoolHours pool) -> pool.pool().orElse("")))
                .toList();
    }

    /** Every group any figure saw, most jobs ended first, then by name; the jobs without a group last among equals. */
    private static List<GroupStats> groups(List<Ended> ended, List<JobSpan> waits, List<JobTime> runs)
    {
        Map<Optional<String>, List<Ended>> endedByGroup = ended.stream().collect(Collectors.groupingBy(Ended::group));
        Map<Optional<String>, List<JobSpan>> waitsByGroup = waits.stream().collect(Collectors.groupingBy(JobSpan::group));
        Map<Optional<String>, List<JobTime>> runsByGroup = runs.stream().collect(Collectors.groupingBy(JobTime::group));
        Set<Optional<String>> keys = new LinkedHashSet<>(endedByGroup.keySet());
        keys.addAll(waitsByGroup.keySet());
        keys.addAll(runsByGroup.keySet());
        List<GroupStats> groups = new ArrayList<>();
        for (Optional<String> key : keys) {
            List<Ended> rows = endedByGroup.getOrDefault(key, List.of());
            Map<JobState, Long> states = zeros(StatsReport.FINAL_STATES);
            rows.forEach(row -> states.merge(row.state(), row.jobs(), Long::sum));
            groups.add(new GroupStats(key, states,
                    Distribution.of(durations(waitsByGroup.getOrDefault(key, List.of()))),
                    Distribution.of(times(runsByGroup.getOrDefault(key, List.of()))),
                    hours(rows, Ended::gpuMillis), hours(rows, Ended::cpuMillis)));
        }
        groups.sort(Comparator.comparingLong(GroupStats::endedTotal).reversed()
                .thenComparing(group -> group.group().isEmpty())
                .thenComparing(group -> group.group().orElse("")));
        return groups;
    }

    private static double hours(List<Ended> rows, Function<Ended, Double> millis)
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

    /** Each time, never negative (an end stamped before its start, by the clocks of two machines, took no time). */
    private static long[] times(List<JobTime> times)
    {
        long[] millis = new long[times.size()];
        for (int i = 0; i < millis.length; i++) {
            millis[i] = Math.max(0, times.get(i).millis());
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
