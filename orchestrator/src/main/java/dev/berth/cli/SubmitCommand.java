package dev.berth.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.config.BerthConfig;
import dev.berth.export.RunDirExports;
import dev.berth.job.ArraySpec;
import dev.berth.job.ArraySummary;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.rundir.CheckpointUsage;
import dev.berth.rundir.RunDirs;
import dev.berth.store.JobReads;
import dev.berth.store.JobStore;
import dev.berth.time.Sleeper;
import dev.berth.time.Ticker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;

import static java.util.Objects.requireNonNull;

/** {@code berth submit}: a request from flags or a file, sent to the queue, and with {@code --wait} followed to its end. */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {
                "Sends a job request to berth's queue and prints its job id.",
                "Give the request as flags, or as a JSON file in the remote-job-runner format with --file.",
                "A file of many requests (JSON Lines) is checked whole, then sent in batches: one id per line."},
        footer = {"", "Exit status with --wait: the job's exit code; 124 if it timed out, 130 if cancelled, 1 for any other failure.",
                "Of an array: 0 if every task succeeded; else 1 if one failed, 124 if one timed out (none failed), 130 if cancelled."})
final class SubmitCommand
        implements Callable<Integer>
{
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);

    @Mixin
    CommonOptions common;

    @Mixin
    RequestOptions request;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE",
            description = "The request as JSON ('-' for standard input); several requests one per line are sent together.")
    String file;

    @Option(names = "--array", paramLabel = "FIRST-LAST[:STEP][%LIMIT]",
            description = {"Submit an array: one task per index (e.g. 0-99, 0-99:2, 0-99%10 for at most 10 at once), each with",
                    "BERTH_ARRAY_INDEX and BERTH_ARRAY_SIZE; prints the array's id. At most " + ArraySpec.MAX_TASKS + " tasks."})
    String array;

    @Option(names = "--wait", description = "Follow the job (an array: all its tasks) to its end and exit with its exit code (an array: 0 only if every task succeeded).")
    boolean waitForEnd;

    @Option(names = "--json", description = "Print {\"job_ids\": [...]}; with --wait, the job's end as 'berth status --json' prints it.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final Clock clock;
    private final Sleeper sleeper;
    private final Ticker ticker;
    private final InputStream standardInput;
    private final BiFunction<BerthConfig, PrintWriter, QueueSender> senders;

    SubmitCommand(Clock clock, Sleeper sleeper, Ticker ticker, InputStream standardInput)
    {
        this(clock, sleeper, ticker, standardInput, QueueSender::new);
    }

    /** @param senders makes the sender for this run's config, printing its warnings to the given stream */
    SubmitCommand(Clock clock, Sleeper sleeper, Ticker ticker, InputStream standardInput, BiFunction<BerthConfig, PrintWriter, QueueSender> senders)
    {
        this.senders = requireNonNull(senders, "senders is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
        this.standardInput = requireNonNull(standardInput, "standardInput is null");
    }

    @Override
    public Integer call()
            throws Exception
    {
        BerthConfig config = common.config();
        if (array != null && file != null) {
            throw new BerthCli.UserException("--array goes with a request given as flags; in a request file, give \"array\": \"" + array + "\" in the request");
        }
        List<ObjectNode> requests = file != null ? fromFile() : List.of(withArray(request.toRequest()));
        if (waitForEnd && requests.size() > 1) {
            throw new BerthCli.UserException("--wait follows one job, but " + file + " holds " + requests.size()
                    + " requests; follow them with 'berth list' or 'berth status'");
        }
        List<String> ids = senders.apply(config, spec.commandLine().getErr()).send(requests, Optional.ofNullable(file));
        PrintWriter out = spec.commandLine().getOut();
        if (!waitForEnd) {
            printIds(out, ids);
            return 0;
        }
        if (!json) {
            // Printed before the wait, so the id is there to use while the job runs
            printIds(out, ids);
        }
        // With --json, one document on stdout: the job's end, which holds its id; the states it passes go to stderr
        return requests.get(0).has("array") ? followArray(config, ids.get(0)) : follow(config, ids.get(0));
    }

    private ObjectNode withArray(ObjectNode body)
    {
        if (array != null) {
            body.put("array", array);
        }
        return body;
    }

    private void printIds(PrintWriter out, List<String> ids)
            throws IOException
    {
        if (json) {
            ObjectNode printed = JobViews.mapper().createObjectNode();
            ids.forEach(printed.putArray("job_ids")::add);
            out.println(JobViews.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(printed));
        }
        else {
            ids.forEach(out::println);
        }
        out.flush();
    }

    private List<ObjectNode> fromFile()
            throws IOException
    {
        List<String> flags = request.requestFlags();
        if (!flags.isEmpty()) {
            throw new BerthCli.UserException("give the request either with --file or with flags, not both (also given: "
                    + String.join(", ", flags) + "); only --job-id may accompany --file");
        }
        List<ObjectNode> requests = new RequestFile(file).read(standardInput);
        if (request.jobId().isPresent()) {
            if (requests.size() > 1) {
                throw new BerthCli.UserException("--job-id names one job, but " + file + " holds " + requests.size()
                        + " requests; give each its own \"job_id\" in the file");
            }
            requests.get(0).put("job_id", request.jobId().get());
        }
        return requests;
    }

    /** Prints each state the job passes through, then how it ended; returns the exit status that stands for its end. */
    private int follow(BerthConfig config, String id)
            throws Exception
    {
        PrintWriter err = spec.commandLine().getErr();
        try (JobStore store = JobStore.open(config.databaseFile())) {
            JobFollower follower = new JobFollower(store.reads(), clock, sleeper, POLL_INTERVAL);
            follower.awaitJob(id, JobReads::job, JobFollower.FOREVER, () -> {
                err.println("still waiting for job " + id + " to be taken off the queue: is 'berth serve' running?");
                err.flush();
            });
            StateChanges changes = new StateChanges(err);
            Job ended = follower.awaitEnd(id, JobFollower.FOREVER, changes::print).orElseThrow();
            if (json) {
                PrintWriter out = spec.commandLine().getOut();
                out.println(JobViews.statusJson(ended, store.reads().attempts(id), store.reads().costs(List.of(id)).get(id),
                        CheckpointUsage.ofRunDir(ended.runDir(), ticker), RunDirExports.of(config), Optional.empty(), Optional.empty(),
                        store.reads().dependencies(id)));
                out.flush();
            }
            return finish(ended);
        }
    }

    /** Prints the array's counts by state as they change, then how it ended; returns 0 only if every task succeeded. */
    private int followArray(BerthConfig config, String id)
            throws Exception
    {
        PrintWriter err = spec.commandLine().getErr();
        try (JobStore store = JobStore.open(config.databaseFile())) {
            ArrayFollower follower = new ArrayFollower(store.arrays(), clock, sleeper, POLL_INTERVAL);
            while (follower.awaitArray(id, JobFollower.HINT_AFTER).isEmpty()) {
                err.println("still waiting for array " + id + " to be taken off the queue: is 'berth serve' running?");
                err.flush();
            }
            ArraySummary ended = follower.awaitEnd(id, JobFollower.FOREVER, new CountChanges(err)::print).orElseThrow();
            Path runDirs = ArrayViews.runDirs(new RunDirs(config.runsDir()), ended);
            List<Job> unsuccessful = store.arrays().tasks(id, ArrayViews.UNSUCCESSFUL);
            if (json) {
                PrintWriter out = spec.commandLine().getOut();
                out.println(ArrayViews.json(ended, runDirs, unsuccessful));
                out.flush();
            }
            unsuccessful.stream().limit(10).forEach(task -> err.println("task " + task.id() + ": " + task.state() + task.reason().map(reason -> ": " + reason).orElse("")));
            err.println("output: " + runDirs.resolve("<index>").resolve("stdout.txt"));
            err.flush();
            return switch (ended.state()) {
                case SUCCEEDED -> 0;
                case TIMED_OUT -> 124;
                case CANCELLED -> 130;
                default -> 1;
            };
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

    /** A line for each new count of an array's tasks by state. */
    private static final class CountChanges
    {
        private final PrintWriter err;
        private String shown = "";

        CountChanges(PrintWriter err)
        {
            this.err = err;
        }

        void print(ArraySummary array)
        {
            if (!array.countsText().equals(shown)) {
                shown = array.countsText();
                err.println("array " + array.id() + ": " + shown);
                err.flush();
            }
        }
    }

    /** A line for each new state of the job, with the daemon's note on it while it has not ended. */
    private static final class StateChanges
    {
        private final PrintWriter err;
        private JobState shown;

        StateChanges(PrintWriter err)
        {
            this.err = err;
        }

        void print(Job job)
        {
            if (job.state() != shown) {
                shown = job.state();
                err.println("job " + job.id() + ": " + shown + job.reason().filter(ignored -> !job.state().terminal()).map(reason -> " (" + reason + ")").orElse(""));
                err.flush();
            }
        }
    }
}
