package dev.berth.cli;

import dev.berth.job.Cause;
import dev.berth.job.JobState;
import dev.berth.stats.Distribution;
import dev.berth.stats.StatsFormat;
import dev.berth.stats.StatsReport;
import dev.berth.stats.StatsReport.CostTotals;
import dev.berth.stats.StatsReport.DepthSample;
import dev.berth.stats.StatsReport.GroupStats;
import dev.berth.stats.StatsReport.IntervalEnded;
import dev.berth.stats.StatsReport.MonthCost;
import dev.berth.stats.StatsReport.PoolHours;
import dev.berth.stats.StatsWindow;
import dev.berth.store.JobGrouping;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** {@code berth stats} as a person reads it: a few summary lines, then compact tables. Times are local, as {@code berth list} shows them. */
final class StatsText
{
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());
    private static final String NONE = "-";
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private StatsText() {}

    static String render(StatsReport report)
    {
        StatsWindow window = report.window();
        StringBuilder text = new StringBuilder();
        text.append("the last ").append(StatsFormat.window(Duration.between(window.from(), window.to())))
                .append(": ").append(MINUTE.format(window.from())).append(" to ").append(MINUTE.format(window.to())).append('\n');
        text.append("finished:  ").append(count(report.endedTotal()))
                .append(report.endedTotal() == 0 ? "" : " (" + StatsReport.FINAL_STATES.stream()
                        .filter(state -> report.ended().get(state) > 0)
                        .map(state -> state.name() + " " + count(report.ended().get(state)))
                        .collect(Collectors.joining(", ")) + ")")
                .append('\n');
        long failed = report.failures().values().stream().mapToLong(Long::longValue).sum();
        text.append("failures:  ").append(failed == 0 ? "none" : Arrays.stream(Cause.values())
                        .filter(cause -> report.failures().get(cause) > 0)
                        .map(cause -> cause.label() + " " + count(report.failures().get(cause)))
                        .collect(Collectors.joining(", ")))
                .append('\n');
        List<DepthSample> depth = report.queueDepth();
        DepthSample deepest = depth.stream().max(Comparator.comparingLong(DepthSample::waiting)).orElseThrow();
        text.append("waiting:   ").append(deepest.waiting() == 0 ? "none" : count(depth.get(depth.size() - 1).waiting()) + " now, "
                + count(deepest.waiting()) + " at most (" + MINUTE.format(deepest.at()) + ")").append("\n\n");

        List<List<String>> times = new ArrayList<>();
        times.add(List.of("TIME", "JOBS", "MEDIAN", "P95", "MAX"));
        times.add(timeRow("wait", report.waits()));
        times.add(timeRow("run", report.runs()));
        text.append(Table.render(times));

        if (!report.pools().isEmpty()) {
            List<List<String>> pools = new ArrayList<>();
            pools.add(List.of("POOL", "RAN", "GPU-HOURS", "CPU-HOURS"));
            for (PoolHours pool : report.pools()) {
                pools.add(List.of(pool.pool().orElse("(any)"), count(pool.ran()), hours(pool.gpuHours()), hours(pool.cpuHours())));
            }
            text.append('\n').append(Table.render(pools));
        }
        if (!report.costs().byUser().isEmpty()) {
            text.append('\n').append(costs(report.costs()));
        }
        text.append('\n').append(report.by().isPresent() ? groups(report) : perInterval(report));
        return text.toString();
    }

    /** Per user, then per repository, per month: the attempts that ran, and what those of known cost cost. */
    private static String costs(CostTotals costs)
    {
        StringBuilder text = new StringBuilder("cost since ").append(MONTH.format(costs.from())).append(" (whole months, UTC)");
        if (costs.unknownAttempts() > 0) {
            long unknown = costs.unknownAttempts();
            text.append("; ").append(count(unknown)).append(unknown == 1 ? " attempt of unknown cost is" : " attempts of unknown cost are")
                    .append(" not in the sums (berth status shows why)");
        }
        text.append("\n");
        for (String grouping : List.of("user", "repo")) {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("MONTH", grouping.toUpperCase(Locale.ROOT), "ATTEMPTS", "UNKNOWN", "INSTANCE-HOURS", "USD"));
            for (MonthCost month : grouping.equals("user") ? costs.byUser() : costs.byRepo()) {
                rows.add(List.of(month.month(), month.group().orElse("(none)"), count(month.attempts()), count(month.unknown()),
                        hours(month.instanceHours()), String.format(Locale.ROOT, "%.2f", month.usd())));
            }
            text.append('\n').append(Table.render(rows));
        }
        return text.toString();
    }

    private static String perInterval(StatsReport report)
    {
        Map<Instant, Long> waitingAt = new HashMap<>();
        report.queueDepth().forEach(sample -> waitingAt.put(sample.at(), sample.waiting()));
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>();
        header.add(intervalName(report.window().interval()));
        StatsReport.FINAL_STATES.forEach(state -> header.add(state.name()));
        header.add("WAITING AT END");
        rows.add(header);
        for (IntervalEnded interval : report.endedPerInterval()) {
            List<String> row = new ArrayList<>();
            row.add(MINUTE.format(interval.start()));
            StatsReport.FINAL_STATES.forEach(state -> row.add(count(interval.ended().get(state))));
            Instant end = interval.start().plus(report.window().interval());
            Instant sampled = end.isAfter(report.window().to()) ? report.window().to() : end;
            row.add(Optional.ofNullable(waitingAt.get(sampled)).map(StatsText::count).orElse(NONE));
            rows.add(row);
        }
        return Table.render(rows);
    }

    /** Per repository or pool: the final states any of them reached, then times and hours. */
    private static String groups(StatsReport report)
    {
        List<JobState> states = StatsReport.FINAL_STATES.stream()
                .filter(state -> state == JobState.SUCCEEDED || report.groups().stream().anyMatch(group -> group.ended().get(state) > 0))
                .toList();
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>();
        header.add(report.by().orElseThrow().label().toUpperCase(Locale.ROOT));
        header.add("FINISHED");
        states.forEach(state -> header.add(state.name()));
        header.addAll(List.of("WAIT MEDIAN", "WAIT P95", "RUN MEDIAN", "RUN P95", "GPU-HOURS", "CPU-HOURS"));
        rows.add(header);
        for (GroupStats group : report.groups()) {
            List<String> row = new ArrayList<>();
            row.add(group.group().orElse(report.by().orElseThrow() == JobGrouping.POOL ? "(any)" : "(none)"));
            row.add(count(group.endedTotal()));
            states.forEach(state -> row.add(count(group.ended().get(state))));
            row.add(time(group.waits().median()));
            row.add(time(group.waits().p95()));
            row.add(time(group.runs().median()));
            row.add(time(group.runs().p95()));
            row.add(hours(group.gpuHours()));
            row.add(hours(group.cpuHours()));
            rows.add(row);
        }
        if (report.groups().isEmpty()) {
            return "(no jobs finished, started or waited in this window)\n";
        }
        return Table.render(rows);
    }

    private static List<String> timeRow(String name, Distribution distribution)
    {
        return List.of(name, count(distribution.count()), time(distribution.median()), time(distribution.p95()), time(distribution.max()));
    }

    private static String intervalName(Duration interval)
    {
        if (interval.equals(Duration.ofHours(1))) {
            return "HOUR";
        }
        if (interval.equals(Duration.ofDays(1))) {
            return "DAY";
        }
        return interval.toMinutes() + " MIN";
    }

    private static String time(Optional<Duration> duration)
    {
        return StatsFormat.duration(duration);
    }

    private static String count(long count)
    {
        return StatsFormat.count(count);
    }

    private static String hours(double hours)
    {
        return StatsFormat.hours(hours);
    }
}
