package dev.berth.job;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.export.ExportState;
import dev.berth.export.RunDirExports;
import dev.berth.rundir.CheckpointUsage;
import dev.berth.rundir.RunDirs;

import java.util.List;
import java.util.Optional;

/**
 * How a job reads in JSON: in {@code berth list --json} and {@code berth status --json}, and in the
 * HTTP API. The field names are an interface: keep them stable.
 */
public final class JobJson
{
    private JobJson() {}

    /**
     * A job as a listing shows it: without its attempts, which a listing of many jobs does not read; with its run
     * dir's S3 location ({@code s3_location}) when an export is configured.
     */
    public static ObjectNode listed(Job job, RunDirExports exports)
    {
        return node(job, exports);
    }

    /** A job as {@code berth status --json} shows it, with its attempts, oldest first. */
    public static ObjectNode withAttempts(Job job, List<Attempt> attempts, RunDirExports exports)
    {
        ObjectNode node = node(job, exports);
        AttemptJson.putAttempts(node, attempts);
        return node;
    }

    /**
     * A job as {@code berth status --json} and {@code GET /api/v1/jobs/{id}} show it: with its attempts, its
     * checkpoint dir's usage (null without one), and how far its run dir's export has come when that was asked
     * ({@code export}: {@code state} NOT_ENDED, PENDING, EXPORTED or UNKNOWN, and {@code problem}).
     */
    public static ObjectNode status(Job job, List<Attempt> attempts, Optional<CheckpointUsage> checkpoint, RunDirExports exports,
            Optional<ExportState> export)
    {
        ObjectNode node = withAttempts(job, attempts, exports);
        export.ifPresent(state -> {
            ObjectNode exportNode = node.putObject("export").put("state", state.stage().name());
            state.problem().ifPresentOrElse(problem -> exportNode.put("problem", problem), () -> exportNode.putNull("problem"));
        });
        if (checkpoint.isPresent()) {
            CheckpointUsage usage = checkpoint.get();
            node.putObject("checkpoint")
                    .put("dir", RunDirs.checkpointDirOf(job.runDir().orElseThrow()).toString())
                    .put("bytes", usage.bytes())
                    .put("files", usage.files())
                    .put("last_change", usage.lastChange().toString())
                    .put("complete", usage.complete());
        }
        else {
            node.putNull("checkpoint");
        }
        return node;
    }

    /**
     * Adds the jobs this one waits or waited for, as {@code status --json} and {@code GET /api/v1/jobs/{id}} show them:
     * {@code dependencies} ({@code job_id}, {@code kind} after or after_any, {@code state}, null once purged; empty for
     * none) and, while it is WAITING, {@code waiting_for}, the ids of those not yet ended.
     */
    public static void putDependencies(ObjectNode node, Job job, List<DependencyState> dependencies)
    {
        ArrayNode listed = node.putArray("dependencies");
        for (DependencyState dependency : dependencies) {
            ObjectNode entry = listed.addObject().put("job_id", dependency.dependency().jobId()).put("kind", dependency.dependency().kind().field());
            dependency.state().ifPresentOrElse(state -> entry.put("state", state.name()), () -> entry.putNull("state"));
        }
        if (job.state() == JobState.WAITING) {
            ArrayNode waiting = node.putArray("waiting_for");
            dependencies.stream().filter(DependencyState::live).forEach(dependency -> waiting.add(dependency.dependency().jobId()));
        }
    }

    /**
     * An array as a whole, as {@code list --json} (without {@code --tasks}) and {@code status --json} show it:
     * {@code id}, {@code name}, {@code array} (its range, with its limit), {@code tasks} (how many), {@code state}
     * ({@link Lifecycle#arrayState}), {@code counts} (tasks by state), {@code user}, {@code received_at}.
     */
    public static ObjectNode array(ArraySummary array)
    {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("id", array.id());
        node.put("name", array.name());
        node.put("array", array.spec().toString());
        node.put("tasks", array.spec().size());
        array.spec().limit().ifPresent(limit -> node.put("limit", limit));
        node.put("state", array.state().name());
        ObjectNode counts = node.putObject("counts");
        array.counts().forEach((state, count) -> counts.put(state.name(), count));
        node.put("user", array.user());
        node.put("received_at", array.receivedAt().toString());
        return node;
    }

    /** What a cancel left a job in: {@code {"job_id", "state"}}, as {@code berth cancel --json} prints it. */
    public static ObjectNode cancelOutcome(String jobId, JobState state)
    {
        return JsonNodeFactory.instance.objectNode().put("job_id", jobId).put("state", state.name());
    }

    private static ObjectNode node(Job job, RunDirExports exports)
    {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("id", job.id());
        node.put("name", job.name());
        node.put("state", job.state().name());
        node.put("user", job.user());
        job.request().flatMap(JobRequest::rerunOf).ifPresent(original -> node.put("rerun_of", original));
        job.task().ifPresent(task -> node.putObject("array").put("id", task.arrayId()).put("index", task.index()).put("size", task.spec().size())
                .put("range", task.spec().toString()));
        job.cause().ifPresent(cause -> node.put("cause", cause.label()));
        job.reason().ifPresent(reason -> node.put("reason", reason));
        job.exitCode().ifPresentOrElse(code -> node.put("exit_code", code), () -> node.putNull("exit_code"));
        job.request().ifPresent(request -> {
            node.put("repo", request.repo().toString());
            node.put("branch", request.branch());
            node.put("entrypoint", request.entrypoint());
            node.put("image", request.image());
            node.put("cpus", request.resources().cpus());
            node.put("memory_bytes", request.resources().memoryBytes());
            node.put("gpus", request.resources().gpus());
            request.pool().ifPresent(pool -> node.put("pool", pool));
            request.timeout().ifPresent(timeout -> node.put("timeout_seconds", timeout.toSeconds()));
            node.put("max_attempts", request.maxAttempts());
            node.put("priority", request.priority());
            request.retryExitCodes().forEach(node.putArray("retry_exit_codes")::add);
            request.secrets().forEach(node.putArray("secrets")::add);
        });
        job.commit().ifPresent(commit -> node.put("commit", commit));
        job.imageRef().ifPresent(ref -> node.put("image_ref", ref));
        job.runDir().ifPresent(dir -> node.put("run_dir", dir.toString()));
        job.runDir().flatMap(exports::of).ifPresent(export -> node.put("s3_location", export.uri()));
        node.put("received_at", job.receivedAt().toString());
        job.startedAt().ifPresent(time -> node.put("started_at", time.toString()));
        job.finishedAt().ifPresent(time -> node.put("finished_at", time.toString()));
        node.put("attempt_count", job.attempts());
        return node;
    }
}
