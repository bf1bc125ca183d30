package dev.berth.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.RuntimeJsonMappingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.config.BerthConfig;
import dev.berth.job.InvalidRequestException;
import dev.berth.job.JobState;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.queue.QueueEndpoint;
import dev.berth.queue.QueueException;
import dev.berth.queue.SqsJobQueue;
import dev.berth.job.Job;
import dev.berth.store.JobStore;
import dev.berth.text.Sha256;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import software.amazon.awssdk.core.exception.SdkException;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {
                "Sends a job request to berth's queue and prints its job id.",
                "Give the request as flags, or as a JSON file in the remote-job-runner format with --file.",
                "A file of many requests (JSON Lines) is checked whole, then sent in batches: one id per line."},
        footer = {"", "Exit status with --wait: the job's exit code; 124 if it timed out, 130 if cancelled, 1 for any other failure."})
final class SubmitCommand
        implements Callable<Integer>
{
    @Mixin
    CommonOptions common;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE",
            description = "The request as JSON ('-' for standard input); several requests one per line are sent together.")
    String file;

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

    @Option(names = "--max-attempts", description = "Attempts when workers are lost or an exit code in --retry-exit-code ends one (default: $BERTH_MAX_ATTEMPTS or 3).")
    Integer maxAttempts;

    @Option(names = "--retry-exit-code", paramLabel = "CODE",
            description = "Run the job again, while attempts remain, when it exits with CODE (repeatable).")
    List<Integer> retryExitCodes;

    @Option(names = "--pool", description = "Run only on nodes labelled berth.pool=POOL.")
    String pool;

    @Option(names = "--job-id", description = "Idempotency key: submitting the same id again is the same job.")
    String jobId;

    @Option(names = "--wait", description = "Follow the job to its end and exit with its exit code.")
    boolean waitForEnd;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call()
            throws Exception
    {
        BerthConfig config = common.config();
        List<ObjectNode> bodies = file != null ? readFile() : List.of(fromFlags());
        if (waitForEnd && bodies.size() > 1) {
            throw new BerthCli.UserException("--wait follows one job, but " + file + " holds " + bodies.size()
                    + " requests; follow them with 'berth list' or 'berth status'");
        }
        RequestParser parser = parser(config);
        List<SqsJobQueue.Outgoing> outgoing = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            ObjectNode body = bodies.get(i);
            if (!body.hasNonNull("job_id")) {
                body.put("job_id", randomId());
            }
            String text = JobViews.mapper().writeValueAsString(body);
            try {
                ids.add(parser.parse(text, body.path("job_id").asText()).id());
            }
            catch (InvalidRequestException e) {
                throw new BerthCli.UserException("invalid request" + (bodies.size() > 1 ? " " + (i + 1) + " of " + bodies.size() + " in " + file : "")
                        + ": " + e.getMessage() + (bodies.size() > 1 ? " (nothing was sent)" : ""));
            }
            outgoing.add(new SqsJobQueue.Outgoing(text, Sha256.hex(text)));
        }

        QueueEndpoint endpoint = QueueEndpoint.forClient(config);
        try (SqsJobQueue queue = new SqsJobQueue(endpoint)) {
            queue.sendAll(outgoing, "berth-submit");
        }
        catch (SdkException | QueueException e) {
            throw new BerthCli.UserException("cannot send to the queue " + endpoint.queueUrl() + ": " + e.getMessage()
                    + (endpoint.embedded() ? " (the embedded queue runs inside 'berth serve': is it running?)" : ""));
        }
        PrintWriter out = spec.commandLine().getOut();
        ids.forEach(out::println);
        out.flush();
        return waitForEnd ? follow(config, ids.get(0)) : 0;
    }

    private int follow(BerthConfig config, String id)
            throws InterruptedException
    {
        PrintWriter err = spec.commandLine().getErr();
        Instant sent = Instant.now();
        boolean hinted = false;
        JobState shown = null;
        try (JobStore store = JobStore.open(config.databaseFile())) {
            while (true) {
                Optional<Job> found = store.job(id);
                if (found.isEmpty() && !hinted && Duration.between(sent, Instant.now()).toSeconds() >= 10) {
                    err.println("still waiting for job " + id + " to be taken off the queue: is 'berth serve' running?");
                    err.flush();
                    hinted = true;
                }
                if (found.isPresent() && found.get().state() != shown) {
                    Job job = found.get();
                    shown = job.state();
                    err.println("job " + id + ": " + shown + job.reason().filter(ignored -> !job.state().terminal()).map(reason -> " (" + reason + ")").orElse(""));
                    err.flush();
                    if (shown.terminal()) {
                        return finish(job);
                    }
                }
                Thread.sleep(250);
            }
        }
    }

    private int finish(Job job)
    {
        PrintWriter err = spec.commandLine().getErr();
        job.reason().ifPresent(reason -> err.println("job " + job.id() + ": " + reason));
        job.runDir().ifPresent(dir -> err.println("output: " + dir.resolve("stdout.txt") + "  errors: " + dir.resolve("stderr.txt")));
        err.flush();
        return switch (job.state()) {
            case SUCCEEDED -> 0;
            case TIMED_OUT -> 124;
            case CANCELLED -> 130;
            default -> job.exitCode().filter(code -> code != 0).orElse(1);
        };
    }

    private List<ObjectNode> readFile()
            throws IOException
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
        addIfSet(flags, "--max-attempts", maxAttempts);
        addIfSet(flags, "--retry-exit-code", retryExitCodes);
        addIfSet(flags, "--pool", pool);
        if (!flags.isEmpty()) {
            throw new BerthCli.UserException("give the request either with --file or with flags, not both (also given: "
                    + String.join(", ", flags) + "); only --job-id may accompany --file");
        }
        byte[] bytes = file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
        String content;
        try {
            content = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        }
        catch (CharacterCodingException e) {
            throw new BerthCli.UserException(file + " is not valid UTF-8 text: a job request must be UTF-8 JSON");
        }
        List<ObjectNode> requests = new ArrayList<>();
        // One object, or many: one per line (JSON Lines) or simply one after another.
        try (MappingIterator<JsonNode> values = JobViews.mapper().readerFor(JsonNode.class).readValues(content)) {
            while (values.hasNextValue()) {
                JsonNode node = values.nextValue();
                if (!(node instanceof ObjectNode object)) {
                    throw new BerthCli.UserException(file + ": request " + (requests.size() + 1) + " (line "
                            + values.getCurrentLocation().getLineNr() + ") is not a JSON object");
                }
                requests.add(object);
            }
        }
        catch (JsonProcessingException | RuntimeJsonMappingException e) {
            throw new BerthCli.UserException(file + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (requests.isEmpty()) {
            throw new BerthCli.UserException(file + " holds no request: give one JSON object, or one per line");
        }
        if (jobId != null) {
            if (requests.size() > 1) {
                throw new BerthCli.UserException("--job-id names one job, but " + file + " holds " + requests.size()
                        + " requests; give each its own \"job_id\" in the file");
            }
            requests.get(0).put("job_id", jobId);
        }
        return requests;
    }

    private ObjectNode fromFlags()
    {
        if (repo == null || entrypoint == null) {
            throw new BerthCli.UserException("--repo and --entrypoint are required (or give the whole request with --file)");
        }
        ObjectNode body = JobViews.mapper().createObjectNode();
        body.put("repo_uri", repo);
        body.put("branch", branch == null ? "main" : branch);
        body.put("entrypoint", entrypoint);
        if (params != null) {
            body.put("entrypoint_params", params);
        }
        putIfSet(body, "name", name);
        putIfSet(body, "image", image);
        putIfSet(body, "timeout", timeout);
        putIfSet(body, "pool", pool);
        putIfSet(body, "job_id", jobId);
        if (maxAttempts != null) {
            body.put("max_attempts", maxAttempts);
        }
        if (retryExitCodes != null) {
            retryExitCodes.forEach(body.putArray("retry_exit_codes")::add);
        }
        if (cpus != null || memory != null || gpus != null) {
            ObjectNode resources = body.putObject("resources");
            if (cpus != null) {
                resources.put("cpus", cpus);
            }
            putIfSet(resources, "memory", memory);
            if (gpus != null) {
                resources.put("gpus", gpus);
            }
        }
        if (env != null) {
            ObjectNode envNode = body.putObject("env");
            new LinkedHashMap<>(env).forEach(envNode::put);
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

    private static RequestParser parser(BerthConfig config)
    {
        return new RequestParser(new RequestDefaults(config.defaultImage(), config.defaultCpus(), config.defaultMemoryBytes(), config.defaultMaxAttempts()));
    }

    private static String randomId()
    {
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
