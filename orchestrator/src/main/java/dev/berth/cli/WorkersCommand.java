package dev.berth.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.config.BerthConfig;
import dev.berth.config.Durations;
import dev.berth.fleet.FleetJson;
import dev.berth.fleet.FleetStatus;
import dev.berth.fleet.HeartbeatReader;
import dev.berth.fleet.NodeLister;
import dev.berth.fleet.SpotNotice;
import dev.berth.fleet.WorkerFlag;
import dev.berth.fleet.WorkerStatus;
import dev.berth.scale.ScalingReport;
import dev.berth.swarm.SwarmNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

@Command(name = "workers",
        description = {
                "Show every worker: pool, swarm state, heartbeat age, running jobs, GPUs, spot notices, GPU health.",
                "Joins the swarm's node list with the heartbeat files under <shared>/.swarm/workers and flags",
                "heartbeats older than BERTH_HEARTBEAT_STALE_AFTER, nodes without one, and heartbeats without a node.",
                "With BERTH_AUTOSCALE, each autoscaled pool's count and bounds, and why its last step was taken."},
        mixinStandardHelpOptions = true)
public final class WorkersCommand
        implements Callable<Integer>
{
    private static final String NONE = "-";

    @Mixin
    CommonOptions common;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final NodeLister nodeLister;
    private final Clock clock;

    public WorkersCommand(NodeLister nodeLister, Clock clock)
    {
        this.nodeLister = requireNonNull(nodeLister, "nodeLister is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public Integer call()
            throws Exception
    {
        BerthConfig config = common.config();
        FleetStatus fleet = FleetStatus.of(
                nodeLister.nodes(),
                new HeartbeatReader(config.workersDir()).read(),
                clock.instant(),
                config.heartbeatStaleAfter());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(fleet, config));
        }
        else {
            printTable(out, fleet, config, clock.instant());
            ScalingReport.read(config.stateDir()).ifPresent(report -> printScaling(out, report, clock.instant()));
        }
        out.flush();
        return 0;
    }

    private static void printTable(PrintWriter out, FleetStatus fleet, BerthConfig config, Instant now)
    {
        if (fleet.workers().isEmpty()) {
            out.printf("no workers: the swarm lists no nodes and %s holds no heartbeats%n", config.workersDir());
        }
        else {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("HOST", "POOL", "LIFECYCLE", "SWARM", "AGENT", "HEARTBEAT", "IDLE", "JOBS", "GPUS", "NOTICE", "FLAGS"));
            for (WorkerStatus worker : fleet.workers()) {
                rows.add(List.of(
                        worker.hostname(),
                        worker.pool().orElse(NONE),
                        worker.lifecycle().orElse(NONE),
                        worker.swarmState().map(state -> state + "/" + worker.availability().orElse("?")).orElse("not in swarm"),
                        worker.agentState().orElse(NONE),
                        worker.heartbeatAge().map(age -> Durations.format(age) + " ago").orElse("never"),
                        worker.idleFor().map(Durations::format).orElse(NONE),
                        worker.jobs().isEmpty() ? NONE : worker.jobs().stream().map(job -> job.job() + "/" + job.attempt()).collect(Collectors.joining(",")),
                        worker.gpus().isEmpty() ? NONE : String.valueOf(worker.gpus().size()),
                        notice(worker, now),
                        worker.flags().isEmpty() ? "ok" : worker.flags().stream().sorted().map(Enum::name).collect(Collectors.joining(","))));
            }
            out.print(Table.render(rows));
        }

        Set<WorkerFlag> seen = EnumSet.noneOf(WorkerFlag.class);
        fleet.workers().forEach(worker -> seen.addAll(worker.flags()));
        if (!seen.isEmpty()) {
            out.println();
            for (WorkerFlag flag : seen) {
                String meaning = flag == WorkerFlag.STALE_HEARTBEAT
                        ? flag.meaning() + " (" + Durations.format(config.heartbeatStaleAfter()) + ", BERTH_HEARTBEAT_STALE_AFTER)"
                        : flag.meaning();
                out.printf("%s: %s%n", flag, meaning);
            }
        }
        for (WorkerStatus worker : fleet.workers()) {
            worker.unhealthy().ifPresent(reason -> out.printf("%s is unhealthy: %s (%s)%n", worker.hostname(), printable(reason),
                    worker.unhealthyReportedAt()
                            .map(at -> "reported to its Auto Scaling group " + Durations.format(nonNegative(Duration.between(at, now))) + " ago")
                            .orElse("not reported to an Auto Scaling group yet")));
        }
        fleet.unreadableHeartbeats().forEach((file, problem) ->
                out.printf("unreadable heartbeat %s: %s%n", config.workersDir().resolve(file), problem));
    }

    /** Each autoscaled pool's bounds and count, and its last step with the reason it was taken. */
    private static void printScaling(PrintWriter out, ScalingReport report, Instant now)
    {
        out.println();
        for (ScalingReport.PoolScaling pool : report.pools()) {
            out.printf("autoscaled pool %s: %s of %d to %d%n", pool.pool(), pool.desired() < 0 ? "unknown count" : pool.desired() + " workers", pool.min(), pool.max());
            pool.lastStep().ifPresent(step -> out.printf("  last step %s ago: %s%n", Durations.format(nonNegative(Duration.between(step.at(), now))), step.reason()));
        }
    }

    /** What AWS said of the instance: a spot interruption notice (and when it takes effect), else a rebalance recommendation. */
    private static String notice(WorkerStatus worker, Instant now)
    {
        if (worker.spotNotice().isPresent()) {
            SpotNotice notice = worker.spotNotice().get();
            return notice.action() + notice.time().map(time -> time.isAfter(now)
                    ? " in " + Durations.format(Duration.between(now, time))
                    : " " + Durations.format(Duration.between(time, now)) + " ago").orElse("");
        }
        if (worker.rebalanceAt().isPresent()) {
            return "rebalance recommended " + Durations.format(nonNegative(Duration.between(worker.rebalanceAt().get(), now))) + " ago";
        }
        // Drained for a notice that its heartbeat no longer shows (its agent restarted)
        return worker.drainedBy().filter(SwarmNode.DRAINED_FOR_SPOT_NOTICE::equals).map(by -> "spot notice").orElse(NONE);
    }

    /** A heartbeat's words, which anyone able to write the shared dir could have put there, without what would steer a terminal. */
    private static String printable(String text)
    {
        return text.replaceAll("\\p{Cntrl}", "?");
    }

    private static Duration nonNegative(Duration duration)
    {
        return duration.isNegative() ? Duration.ZERO : duration;
    }

    private static String toJson(FleetStatus fleet, BerthConfig config)
            throws Exception
    {
        ObjectNode root = FleetJson.of(fleet, config.heartbeatStaleAfter());
        root.set("scaling", ScalingReport.poolsJson(config.stateDir()));
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
    }
}
