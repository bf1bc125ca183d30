package dev.berth.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.config.Durations;
import dev.berth.config.Sizes;
import dev.berth.cost.Cost;
import dev.berth.cost.CostJson;
import dev.berth.export.ExportState;
import dev.berth.export.RunDirExports;
import dev.berth.forecast.QueueJson;
import dev.berth.forecast.QueuePlace;
import dev.berth.job.Attempt;
import dev.berth.job.Dependency;
import dev.berth.job.DependencyState;
import dev.berth.job.Job;
import dev.berth.job.JobJson;
import dev.berth.job.JobRequest;
import dev.berth.job.JobState;
import dev.berth.job.Lifecycle;
import dev.berth.rundir.CheckpointUsage;
import dev.berth.rundir.RunDirs;
import dev.berth.text.Abbreviation;
import dev.berth.time.Ticker;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** How jobs read on a terminal and in {@code --json}. The JSON field names are an interface: keep them stable. */
final class JobViews
{
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private JobViews() {}

    /** Made on first use: a table needs none, and a mapper costs a short command a good part of its start. */
    static ObjectMapper mapper()
    {
        return Mapper.INSTANCE;
    }

    private static final class Mapper
    {
        static final ObjectMapper INSTANCE = new ObjectMapper();
    }

    /** A job as {@code list --json} prints it ({@code attempts} null) or {@code status --json} does; see {@link JobJson}. */
    static ObjectNode json(Job job, List<Attempt> attempts, RunDirExports exports)
    {
        return attempts == null ? JobJson.listed(job, exports) : JobJson.withAttempts(job, attempts, exports);
    }

    /**
     * A job as {@code berth status --json} prints it (and {@code submit --wait --json} its end): attempts and all,
     * its checkpoint dir's usage (null without one), how far its run dir's export has come, when that was asked, and its
     * place in line (null unless it is queued), the jobs it waits or waited for (see {@link JobJson#putDependencies}) and
     * what its ended attempts cost ({@link CostJson}).
     */
    static String statusJson(Job job, List<Attempt> attempts, Cost cost, Optional<CheckpointUsage> checkpoint, RunDirExports exports,
            Optional<ExportState> export, Optional<QueuePlace> place, List<DependencyState> dependencies)
            throws JsonProcessingException
    {
        ObjectNode node = JobJson.status(job, attempts, checkpoint, exports, export);
        QueueJson.put(node, place);
        JobJson.putDependencies(node, job, dependencies);
        CostJson.put(node, cost);
        return mapper().writerWithDefaultPrettyPrinter().writeValueAsString(node);
    }

    static String details(Job job, List<Attempt> attempts, Cost cost, Optional<CheckpointUsage> checkpoint, RunDirExports exports,
            Optional<ExportState> export, Optional<QueuePlace> place, List<DependencyState> dependencies, Instant now)
    {
        StringBuilder text = new StringBuilder();
        line(text, "job", job.id() + " (" + job.name() + ")");
        line(text, "state", job.state() + job.cause().map(cause -> " [" + cause.label() + "]").orElse(""));
        line(text, "user", job.user());
        job.request().flatMap(JobRequest::rerunOf).ifPresent(original -> line(text, "rerun of", original));
        job.task().ifPresent(task -> line(text, "array", "task " + task.index() + " of " + task.arrayId() + " (" + job.name() + "[" + task.spec() + "], "
                + ArrayViews.tasks(task.spec().size()) + ")"));
        job.reason().ifPresent(reason -> line(text, job.state().terminal() ? "reason" : "note", reason));
        place.ifPresent(where -> line(text, "queue", place(where, now)));
        // (a task held by its array's limit waits for no job: its note says so)
        if (job.state() == JobState.WAITING && !Lifecycle.waitingFor(dependencies).isEmpty()) {
            line(text, "waiting for", Lifecycle.waitingFor(dependencies));
        }
        if (!dependencies.isEmpty()) {
            line(text, "after", dependencies.stream().map(dependency -> dependency.dependency().jobId()
                    + (dependency.dependency().kind() == Dependency.Kind.AFTER_ANY ? " (any end)" : "")).collect(Collectors.joining(", ")));
        }
        job.exitCode().ifPresent(code -> line(text, "exit code", String.valueOf(code)));
        if (job.request().isPresent()) {
            JobRequest request = job.request().get();
            line(text, "repo", request.repo() + " " + request.branch() + job.commit().map(commit -> " @ " + commit).orElse(""));
            line(text, "entrypoint", request.entrypoint());
            line(text, "image", request.image() + job.imageRef().map(ref -> " (" + ref + ")").orElse(""));
            line(text, "resources", request.resources() + request.pool().map(pool -> " pool=" + pool).orElse(""));
            if (request.priority() != 0) {
                line(text, "priority", String.valueOf(request.priority()));
            }
            request.timeout().ifPresent(timeout -> line(text, "timeout", Durations.format(timeout)));
            if (!request.secrets().isEmpty()) {
                line(text, "secrets", String.join(", ", request.secrets()));
            }
        }
        else {
            line(text, "request", Abbreviation.abbreviate(job.rawRequest().replaceAll("\\s+", " "), 200));
        }
        line(text, "received", time(job.receivedAt()));
        job.startedAt().ifPresent(time -> line(text, "started", time(time)));
        job.finishedAt().ifPresent(time -> line(text, "finished", time(time) + job.startedAt().map(start -> " (ran " + duration(start, time) + ")").orElse("")));
        if (job.attempts() > 0) {
            // A live job's running attempt is priced when it ends
            line(text, "cost", cost.text() + (cost.known() && !job.state().terminal() ? " so far" : ""));
        }
        job.runDir().ifPresent(dir -> line(text, "run dir", dir.toString()));
        job.runDir().flatMap(exports::of).ifPresent(location -> line(text, "s3", location.uri() + export.map(state -> " (" + state.text() + ")").orElse("")));
        checkpoint.ifPresent(usage -> line(text, "checkpoint", checkpoint(usage)));
        for (Attempt attempt : attempts) {
            line(text, "attempt " + attempt.number(), attempt.state()
                    + attempt.node().map(node -> " on " + node).orElse("")
                    + attempt.reason().map(reason -> ": " + reason).orElse(""));
        }
        return text.toString();
    }

    private static String checkpoint(CheckpointUsage usage)
    {
        if (usage.files() == 0 && usage.complete()) {
            return "empty";
        }
        String text = Sizes.readable(usage.bytes()) + " in " + usage.files() + (usage.files() == 1 ? " file" : " files")
                + ", last changed " + time(usage.lastChange());
        return usage.complete() ? text : "at least " + text + " (counting stopped after " + CheckpointUsage.MAX_ENTRIES + " entries or "
                + Durations.format(CheckpointUsage.TIME_BUDGET) + ")";
    }

    /** A queued job's place for {@code status}: "3 of 12 waiting for pool gpu; estimated start ... (in 25m00s)". */
    static String place(QueuePlace place, Instant now)
    {
        return place.position() + " of " + place.waiting() + " waiting for " + place.pool().map(pool -> "pool " + pool).orElse("any node")
                + "; " + place.estimatedStart().map(start -> "estimated start " + time(start) + " (" + fromNow(start, now) + ")")
                .orElse("no estimated start yet");
    }

    /** The same for a listing's column: "3/12 ~25m00s", or "3/12" without an estimate. */
    static String shortPlace(QueuePlace place, Instant now)
    {
        return place.position() + "/" + place.waiting() + place.estimatedStart().map(start -> " ~" + Durations.format(nonNegative(start, now))).orElse("");
    }

    private static String fromNow(Instant start, Instant now)
    {
        return start.isAfter(now) ? "in " + Durations.format(Duration.between(now, start)) : "any moment";
    }

    private static Duration nonNegative(Instant start, Instant now)
    {
        return start.isAfter(now) ? Duration.between(now, start) : Duration.ZERO;
    }

    static String time(Instant instant)
    {
        return TIME.format(instant);
    }

    static String duration(Instant from, Instant to)
    {
        return Durations.format(Duration.between(from, to));
    }

    static String runtime(Job job, Instant now)
    {
        Optional<Instant> start = job.startedAt();
        if (start.isEmpty()) {
            return "-";
        }
        return duration(start.get(), job.finishedAt().orElse(now));
    }

    private static void line(StringBuilder text, String label, String value)
    {
        text.append(String.format("%-11s %s%n", label + ":", value));
    }
}
