package dev.berth.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A job request given as {@code berth submit}'s flags, mixed in with {@code @Mixin}, and the request
 * object they make: the JSON a request in a file would be, so both are checked and sent alike.
 */
final class RequestOptions
{
    @Option(names = "--repo", description = "Repository URL (https://, ssh://, git://, file://; no scheme means https).")
    String repo;

    @Option(names = "--branch", description = "Branch to run (default: main).")
    String branch;

    @Option(names = "--entrypoint", description = "Executable path inside the repository, run from its root.")
    String entrypoint;

    @Option(names = "--params", description = "Reaches the job as the environment variable ENTRYPOINT_PARAMS.")
    String params;

    @Option(names = "--name", description = "A readable name for lists and the run dir.")
    String name;

    @Option(names = "--image", description = "Container image (default: $BERTH_DEFAULT_IMAGE).")
    String image;

    @Option(names = "--cpus", description = "CPUs to reserve, e.g. 0.5 or 4.")
    Double cpus;

    @Option(names = "--memory", description = "Memory to reserve and cap, e.g. 512m or 16g.")
    String memory;

    @Option(names = "--gpus", description = "GPUs to reserve.")
    Integer gpus;

    @Option(names = "--env", paramLabel = "NAME=VALUE", description = "Environment variable for the job (repeatable).")
    Map<String, String> env;

    @Option(names = "--timeout", description = "Stop the job after this long, e.g. 90s or 2h.")
    String timeout;

    @Option(names = "--stop-grace", description = "How long the job has to save its work between SIGTERM and SIGKILL when it is stopped "
            + "(cancel, timeout, spot notice), e.g. 30s (default: 90s).")
    String stopGrace;

    @Option(names = "--max-attempts", description = "Attempts when workers are lost or an exit code in --retry-exit-code ends one (default: $BERTH_MAX_ATTEMPTS or 3).")
    Integer maxAttempts;

    @Option(names = "--retry-exit-code", paramLabel = "CODE",
            description = "Run the job again, while attempts remain, when it exits with CODE (repeatable).")
    List<Integer> retryExitCodes;

    @Option(names = "--pool", description = "Run only on nodes labelled berth.pool=POOL.")
    String pool;

    @Option(names = "--priority", description = "Orders your own queued jobs, higher first (default: 0); fair share decides between users.")
    Integer priority;

    @Option(names = "--secret", paramLabel = "NAME",
            description = "A secret made with 'berth secret create NAME', which the job reads from /run/secrets/NAME (repeatable).")
    List<String> secrets;

    @Option(names = "--after", split = ",", paramLabel = "JOB[,JOB...]",
            description = "Start only once all these jobs SUCCEEDED (ids or unambiguous prefixes); cancelled if one ends otherwise. At most 100 with --after-any.")
    List<String> after;

    @Option(names = "--after-any", split = ",", paramLabel = "JOB[,JOB...]",
            description = "Start only once all these jobs have ended, however they ended (ids or unambiguous prefixes).")
    List<String> afterAny;

    /** The one flag that may also go with a request file. */
    @Option(names = "--job-id", description = "Idempotency key: submitting the same id again is the same job.")
    String jobId;

    Optional<String> jobId()
    {
        return Optional.ofNullable(jobId);
    }

    /** The flags given that describe the request itself: all but {@code --job-id}. */
    List<String> requestFlags()
    {
        List<String> flags = new ArrayList<>();
        addIfSet(flags, "--repo", repo);
        addIfSet(flags, "--branch", branch);
        addIfSet(flags, "--entrypoint", entrypoint);
        addIfSet(flags, "--params", params);
        addIfSet(flags, "--name", name);
        addIfSet(flags, "--image", image);
        addIfSet(flags, "--cpus", cpus);
        addIfSet(flags, "--memory", memory);
        addIfSet(flags, "--gpus", gpus);
        addIfSet(flags, "--env", env);
        addIfSet(flags, "--timeout", timeout);
        addIfSet(flags, "--stop-grace", stopGrace);
        addIfSet(flags, "--max-attempts", maxAttempts);
        addIfSet(flags, "--retry-exit-code", retryExitCodes);
        addIfSet(flags, "--pool", pool);
        addIfSet(flags, "--priority", priority);
        addIfSet(flags, "--secret", secrets);
        addIfSet(flags, "--after", after);
        addIfSet(flags, "--after-any", afterAny);
        return flags;
    }

    /** The request in the remote-job-runner format; only what was given, so berth's defaults fill in the rest. */
    ObjectNode toRequest()
    {
        if (repo == null || entrypoint == null) {
            throw new BerthCli.UserException("--repo and --entrypoint are required (or give the whole request with --file)");
        }
        ObjectNode body = JobViews.mapper().createObjectNode();
        body.put("repo_uri", repo);
        body.put("branch", branch == null ? "main" : branch);
        body.put("entrypoint", entrypoint);
        return overrideIn(body);
    }

    /**
     * Sets in {@code body} each field these flags give and leaves the rest as it is: a new request's
     * fields, or what {@code berth rerun} changes. Resources and env are changed key by key.
     */
    ObjectNode overrideIn(ObjectNode body)
    {
        putIfSet(body, "entrypoint_params", params);
        putIfSet(body, "name", name);
        putIfSet(body, "image", image);
        putIfSet(body, "timeout", timeout);
        putIfSet(body, "stop_grace", stopGrace);
        putIfSet(body, "pool", pool);
        putIfSet(body, "job_id", jobId);
        if (maxAttempts != null) {
            body.put("max_attempts", maxAttempts);
        }
        if (priority != null) {
            body.put("priority", priority);
        }
        if (retryExitCodes != null) {
            retryExitCodes.forEach(body.putArray("retry_exit_codes")::add);
        }
        if (cpus != null || memory != null || gpus != null) {
            ObjectNode resources = body.get("resources") instanceof ObjectNode given ? given : body.putObject("resources");
            if (cpus != null) {
                resources.put("cpus", cpus);
            }
            putIfSet(resources, "memory", memory);
            if (gpus != null) {
                resources.put("gpus", gpus);
            }
        }
        if (env != null) {
            ObjectNode envNode = body.get("env") instanceof ObjectNode given ? given : body.putObject("env");
            new LinkedHashMap<>(env).forEach(envNode::put);
        }
        if (secrets != null) {
            secrets.forEach(body.putArray("secrets")::add);
        }
        if (after != null) {
            after.forEach(body.putArray("after")::add);
        }
        if (afterAny != null) {
            afterAny.forEach(body.putArray("after_any")::add);
        }
        return body;
    }

    private static void addIfSet(List<String> flags, String flag, Object value)
    {
        if (value != null) {
            flags.add(flag);
        }
    }

    private static void putIfSet(ObjectNode node, String field, String value)
    {
        if (value != null) {
            node.put(field, value);
        }
    }
}
