package dev.berth.stats;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cost.CostJson;
import dev.berth.job.Cause;
import dev.berth.job.JobState;
import dev.berth.stats.StatsReport.DepthSample;
import dev.berth.stats.StatsReport.GroupStats;
import dev.berth.stats.StatsReport.IntervalEnded;
import dev.berth.stats.StatsReport.MonthCost;
import dev.berth.stats.StatsReport.PoolHours;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A report as JSON: what {@code berth stats --json} prints and {@code GET /api/v1/stats} answers, byte
 * for byte, and what the Stats page draws. The field names are an interface: keep them stable. Times
 * are ISO-8601 instants, durations seconds, hours rounded to thousandths (3.6 s).
 */
public final class StatsJson
{
    private StatsJson() {}

    /** The report, pretty-printed, with a final newline. */
    public static String text(StatsReport report)
    {
        try {
            return Mapper.INSTANCE.writerWithDefaultPrettyPrinter().writeValueAsString(tree(report)) + "\n";
        }
        catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode tree(StatsReport report)
    {
        ObjectNode root = Mapper.INSTANCE.createObjectNode();
        root.put("from", report.window().from().toString());
        root.put("to", report.window().to().toString());
        root.put("since_seconds", Duration.between(report.window().from(), report.window().to()).toSeconds());
        root.put("interval_seconds", report.window().interval().toSeconds());
        report.by().ifPresentOrElse(by -> root.put("by", by.label()), () -> root.putNull("by"));
        root.set("finished", ended(report.ended()));
        ArrayNode perInterval = root.putArray("finished_per_interval");
        for (IntervalEnded interval : report.endedPerInterval()) {
            ObjectNode node = perInterval.addObject().put("start", interval.start().toString());
            StatsReport.FINAL_STATES.forEach(state -> node.put(state.name(), interval.ended().get(state)));
        }
        ArrayNode depth = root.putArray("queue_depth");
        for (DepthSample sample : report.queueDepth()) {
            depth.addObject().put("at", sample.at().toString()).put("waiting", sample.waiting());
        }
        root.set("wait", distribution(report.waits()));
        root.set("run", distribution(report.runs()));
        ObjectNode failures = root.putObject("failures_by_cause");
        for (Cause cause : Cause.values()) {
            failures.put(cause.label(), report.failures().get(cause));
        }
        ArrayNode pools = root.putArray("pools");
        for (PoolHours pool : report.pools()) {
            ObjectNode node = pools.addObject();
            putOptional(node, "pool", pool.pool());
            node.put("ran", pool.ran()).put("gpu_hours", hours(pool.gpuHours())).put("cpu_hours", hours(pool.cpuHours()));
        }
        ArrayNode groups = root.putArray("groups");
        for (GroupStats group : report.groups()) {
            ObjectNode node = groups.addObject();
            putOptional(node, report.by().orElseThrow().label(), group.group());
            node.set("finished", ended(group.ended()));
            node.set("wait", distribution(group.waits()));
            node.set("run", distribution(group.runs()));
            node.put("gpu_hours", hours(group.gpuHours())).put("cpu_hours", hours(group.cpuHours()));
        }
        ObjectNode cost = root.putObject("cost").put("from", report.costs().from().toString()).put("to", report.window().to().toString());
        putMonths(cost.putArray("by_user"), "user", report.costs().byUser());
        putMonths(cost.putArray("by_repo"), "repo", report.costs().byRepo());
        return root;
    }

    /** {@code usd} and {@code instance_hours} sum the attempts of known cost; {@code unknown_attempts} says how many are left out. */
    private static void putMonths(ArrayNode list, String field, List<MonthCost> months)
    {
        for (MonthCost month : months) {
            ObjectNode node = list.addObject().put("month", month.month());
            putOptional(node, field, month.group());
            node.put("attempts", month.attempts()).put("unknown_attempts", month.unknown())
                    .put("instance_hours", hours(month.instanceHours())).put("usd", CostJson.rounded(month.usd()));
        }
    }

    private static ObjectNode ended(Map<JobState, Long> ended)
    {
        ObjectNode node = Mapper.INSTANCE.createObjectNode();
        node.put("total", ended.values().stream().mapToLong(Long::longValue).sum());
        StatsReport.FINAL_STATES.forEach(state -> node.put(state.name(), ended.get(state)));
        return node;
    }

    private static ObjectNode distribution(Distribution distribution)
    {
        ObjectNode node = Mapper.INSTANCE.createObjectNode();
        node.put("count", distribution.count());
        putSeconds(node, "median_seconds", distribution.median());
        putSeconds(node, "p95_seconds", distribution.p95());
        putSeconds(node, "max_seconds", distribution.max());
        ArrayNode histogram = node.putArray("histogram");
        for (Distribution.Bin bin : distribution.histogram()) {
            ObjectNode binNode = histogram.addObject().put("from_seconds", seconds(bin.from()));
            putSeconds(binNode, "to_seconds", bin.upTo());
            binNode.put("jobs", bin.count());
        }
        return node;
    }

    private static void putSeconds(ObjectNode node, String field, Optional<Duration> duration)
    {
        duration.ifPresentOrElse(value -> node.put(field, seconds(value)), () -> node.putNull(field));
    }

    private static void putOptional(ObjectNode node, String field, Optional<String> value)
    {
        value.ifPresentOrElse(text -> node.put(field, text), () -> node.putNull(field));
    }

    private static double seconds(Duration duration)
    {
        return duration.toMillis() / 1000.0;
    }

    private static double hours(double hours)
    {
        return Math.round(hours * 1000) / 1000.0;
    }

    /** Made on first use: a command that prints a table needs none. */
    private static final class Mapper
    {
        static final ObjectMapper INSTANCE = new ObjectMapper();
    }
}
