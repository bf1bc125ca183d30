package dev.berth.web.dashboard;

import dev.berth.config.Durations;
import dev.berth.fleet.FleetStatus;
import dev.berth.fleet.RunningJob;
import dev.berth.fleet.WorkerFlag;
import dev.berth.fleet.WorkerStatus;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * The workers page: each worker as {@code berth workers} shows it, the flags seen with what they mean, and
 * heartbeat files that cannot be read. {@code problem} says why the swarm's side is missing, if it is.
 */
public record WorkersView(String heartbeatDir, List<Worker> workers, List<JobView.Fact> flags, List<JobView.Fact> unreadable, String problem)
{
    public WorkersView
    {
        requireNonNull(heartbeatDir, "heartbeatDir is null");
        workers = List.copyOf(workers);
        flags = List.copyOf(flags);
        unreadable = List.copyOf(unreadable);
        requireNonNull(problem, "problem is null");
    }

    /** One worker's line, with the columns of {@code berth workers}. */
    public record Worker(String hostname, String pool, String lifecycle, String swarm, String agent, String heartbeat, String idle,
            List<Running> jobs, String gpus, String health, String flags, boolean healthy) {}

    /** A job a worker runs, linked to its page. */
    public record Running(String label, String href) {}

    static WorkersView of(FleetStatus fleet, String heartbeatDir, Duration staleAfter, String problem)
    {
        Set<WorkerFlag> seen = EnumSet.noneOf(WorkerFlag.class);
        fleet.workers().forEach(worker -> seen.addAll(worker.flags()));
        return new WorkersView(
                heartbeatDir,
                fleet.workers().stream().map(WorkersView::worker).toList(),
                seen.stream().map(flag -> new JobView.Fact(flag.name(), flag == WorkerFlag.STALE_HEARTBEAT
                        ? flag.meaning() + " (" + Durations.format(staleAfter) + ", BERTH_HEARTBEAT_STALE_AFTER)"
                        : flag.meaning())).toList(),
                fleet.unreadableHeartbeats().entrySet().stream().sorted(Map.Entry.comparingByKey())
                        .map(entry -> new JobView.Fact(entry.getKey(), entry.getValue())).toList(),
                problem);
    }

    private static Worker worker(WorkerStatus worker)
    {
        return new Worker(
                worker.hostname(),
                worker.pool().orElse(Formats.NONE),
                worker.lifecycle().orElse(Formats.NONE),
                worker.swarmState().map(state -> state + "/" + worker.availability().orElse("?")).orElse("not in swarm"),
                worker.agentState().orElse(Formats.NONE),
                worker.heartbeatAge().map(age -> Durations.format(age) + " ago").orElse("never"),
                worker.idleFor().map(Durations::format).orElse(Formats.NONE),
                worker.jobs().stream().map(WorkersView::running).toList(),
                worker.gpus().isEmpty() ? Formats.NONE : worker.gpus().size() + " (" + String.join(", ", worker.gpus()) + ")",
                worker.unhealthy().map(reason -> "unhealthy: " + reason + worker.unhealthyReportedAt()
                        .map(at -> " (reported to its Auto Scaling group at " + at + ")").orElse("")).orElse("ok"),
                worker.flags().isEmpty() ? "ok" : worker.flags().stream().sorted().map(Enum::name).collect(Collectors.joining(", ")),
                worker.healthy());
    }

    private static Running running(RunningJob job)
    {
        return new Running(job.job() + "/" + job.attempt(), Formats.jobHref(job.job()));
    }
}
