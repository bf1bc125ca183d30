package dev.berth.web.stats;

import dev.berth.job.Cause;
import dev.berth.job.JobState;
import dev.berth.stats.Distribution;
import dev.berth.stats.StatsFormat;
import dev.berth.stats.StatsJson;
import dev.berth.stats.StatsQuery;
import dev.berth.stats.StatsReport;
import dev.berth.stats.StatsReport.GroupStats;
import dev.berth.stats.StatsReport.PoolHours;
import dev.berth.store.JobGrouping;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What {@code stats.jte} shows, worked out here so the template only places it: the window and grouping
 * choosers, the figures as text beside each chart, the tables, and the report's JSON for the charts.
 * Every string may hold what a user wrote (a repository, a pool); the template escapes them all.
 *
 * @param uplot where the charting library's files are served, ending in a slash
 * @param error why the parameters were refused; then there is no report
 */
public record StatsPage(
        String uplot,
        List<Choice> windows,
        List<Choice> groupings,
        Optional<String> error,
        String period,
        String finished,
        String waits,
        String runs,
        String failures,
        List<List<String>> pools,
        Optional<String> groupHeader,
        List<List<String>> groups,
        String json)
{
    /** What the window chooser offers: the windows an operator looks back over most. */
    static final List<String> WINDOWS = List.of("1h", "24h", "7d");
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    public StatsPage
    {
        requireNonNull(uplot, "uplot is null");
        windows = List.copyOf(windows);
        groupings = List.copyOf(groupings);
        requireNonNull(error, "error is null");
        requireNonNull(period, "period is null");
        requireNonNull(finished, "finished is null");
        requireNonNull(waits, "waits is null");
        requireNonNull(runs, "runs is null");
        requireNonNull(failures, "failures is null");
        pools = pools.stream().map(List::copyOf).toList();
        requireNonNull(groupHeader, "groupHeader is null");
        groups = groups.stream().map(List::copyOf).toList();
        requireNonNull(json, "json is null");
    }

    /** A link of a chooser; {@code current} when it is what the page shows. */
    public record Choice(String label, String href, boolean current)
    {
        public Choice
        {
            requireNonNull(label, "label is null");
            requireNonNull(href, "href is null");
        }
    }

    static StatsPage of(String uplot, String since, Optional<JobGrouping> by, StatsReport report)
    {
        String period = "the last " + StatsFormat.window(Duration.between(report.window().from(), report.window().to()))
                + ": " + MINUTE.format(report.window().from()) + " to " + MINUTE.format(report.window().to());
        String finished = StatsFormat.count(report.endedTotal()) + " finished" + (report.endedTotal() == 0 ? "" : ": " + String.join(", ",
                StatsReport.FINAL_STATES.stream().filter(state -> report.ended().get(state) > 0)
                        .map(state -> StatsFormat.count(report.ended().get(state)) + " " + state.name()).toList()));
        long failed = report.failures().values().stream().mapToLong(Long::longValue).sum();
        String failures = failed == 0 ? "none" : String.join(", ", Arrays.stream(Cause.values()).filter(cause -> report.failures().get(cause) > 0)
                .map(cause -> StatsFormat.count(report.failures().get(cause)) + " " + cause.label()).toList());
        List<List<String>> pools = report.pools().stream()
                .map(pool -> List.of(poolName(pool), StatsFormat.count(pool.ran()), StatsFormat.hours(pool.gpuHours()), StatsFormat.hours(pool.cpuHours())))
                .toList();
        List<List<String>> groups = report.groups().stream().map(group -> groupRow(by.orElseThrow(), group)).toList();
        return new StatsPage(uplot, windows(since, by), groupings(since, by), Optional.empty(), period, finished, caption(report.waits()),
                caption(report.runs()), failures, pools, by.map(JobGrouping::label), groups, StatsJson.text(report));
    }

    /** The page saying why its parameters were refused, with the choosers' links to pages that are not. */
    static StatsPage refused(String uplot, String error)
    {
        return new StatsPage(uplot, notCurrent(windows(StatsQuery.DEFAULT_SINCE, Optional.empty())),
                notCurrent(groupings(StatsQuery.DEFAULT_SINCE, Optional.empty())), Optional.of(error), "", "", "", "", "", List.of(), Optional.empty(),
                List.of(), "{}");
    }

    /** "4 jobs · median 5m00s · p95 2h00m · longest 2h00m": stated beside the histogram, which marks the first two. */
    private static String caption(Distribution distribution)
    {
        if (distribution.count() == 0) {
            return "no jobs";
        }
        return StatsFormat.count(distribution.count()) + " jobs · median " + StatsFormat.duration(distribution.median())
                + " · p95 " + StatsFormat.duration(distribution.p95()) + " · longest " + StatsFormat.duration(distribution.max());
    }

    private static String poolName(PoolHours pool)
    {
        return pool.pool().orElse("(any)");
    }

    private static List<String> groupRow(JobGrouping by, GroupStats group)
    {
        long succeeded = group.ended().get(JobState.SUCCEEDED);
        return List.of(
                group.group().orElse(by == JobGrouping.POOL ? "(any)" : "(none)"),
                StatsFormat.count(group.endedTotal()),
                StatsFormat.count(succeeded),
                StatsFormat.count(group.endedTotal() - succeeded),
                StatsFormat.duration(group.waits().median()),
                StatsFormat.duration(group.waits().p95()),
                StatsFormat.duration(group.runs().median()),
                StatsFormat.duration(group.runs().p95()),
                StatsFormat.hours(group.gpuHours()),
                StatsFormat.hours(group.cpuHours()));
    }

    private static List<Choice> notCurrent(List<Choice> choices)
    {
        return choices.stream().map(choice -> new Choice(choice.label(), choice.href(), false)).toList();
    }

    private static List<Choice> windows(String since, Optional<JobGrouping> by)
    {
        return WINDOWS.stream().map(window -> new Choice(window, href(window, by), window.equals(since))).toList();
    }

    private static List<Choice> groupings(String since, Optional<JobGrouping> by)
    {
        List<Choice> choices = new ArrayList<>();
        choices.add(new Choice("whole fleet", href(since, Optional.empty()), by.isEmpty()));
        for (JobGrouping grouping : JobGrouping.values()) {
            choices.add(new Choice("by " + grouping.label(), href(since, Optional.of(grouping)), by.equals(Optional.of(grouping))));
        }
        return choices;
    }

    /** A link to the page for a window and grouping; {@code since} is one the page accepted (digits and a unit) or a chooser's: nothing to encode. */
    private static String href(String since, Optional<JobGrouping> by)
    {
        return "/stats?since=" + since + by.map(grouping -> "&by=" + grouping.label()).orElse("");
    }
}
