package dev.berth.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.config.BerthConfig;
import dev.berth.job.Attempt;
import dev.berth.job.Job;
import dev.berth.selftest.SelfTest;
import dev.berth.selftest.SelfTestOptions;
import dev.berth.selftest.SelfTestOutput;
import dev.berth.selftest.SelfTestRepository;
import dev.berth.selftest.SelfTestVerdict;
import dev.berth.selftest.Stage;
import dev.berth.selftest.StageReport;
import dev.berth.store.JobReads;
import dev.berth.store.JobStore;
import dev.berth.time.Sleeper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import static java.util.Objects.requireNonNull;

/** {@code berth selftest}: the self-test job sent through the queue as {@code berth submit} sends, followed stage by stage, and judged. */
@Command(name = "selftest", mixinStandardHelpOptions = true,
        description = {
                "Proves the whole circuit works: sends berth's self-test job through the queue and prints the time of each stage it",
                "reaches (queued, prepared, running, done), then the job's figures: a matrix multiplication on the CPU and, with --gpus,",
                "on a GPU, each product checked. Its repository ships inside berth, so it needs no network."},
        footer = {"", "Exit status: 0 when the job succeeded and its check printed 'selftest: OK'; 1 otherwise, naming the stage that failed."})
final class SelftestCommand
        implements Callable<Integer>
{
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    /** Intake takes a request off the queue within a second when the daemon runs; this long means it does not. */
    private static final Duration QUEUE_PATIENCE = Duration.ofMinutes(2);

    @Mixin
    CommonOptions common;

    @Option(names = "--gpus", defaultValue = "0", description = "Also multiply on a GPU: reserve this many (the image needs torch or cupy; default: ${DEFAULT-VALUE}).")
    int gpus;

    @Option(names = "--pool", description = "Run only on nodes labelled berth.pool=POOL.")
    String pool;

    @Option(names = "--image", description = "Container image (default: $BERTH_DEFAULT_IMAGE, which without numpy multiplies with awk).")
    String image;

    @Option(names = "--json", description = "Print the outcome as one JSON document; the stages go to stderr.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final Clock clock;
    private final Sleeper sleeper;

    SelftestCommand(Clock clock, Sleeper sleeper)
    {
        this.clock = requireNonNull(clock, "clock is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
    }

    @Override
    public Integer call()
            throws Exception
    {
        if (gpus < 0) {
            throw new BerthCli.UserException("--gpus must be 0 or more, got " + gpus);
        }
        SelfTestOptions options = new SelfTestOptions(gpus, Optional.ofNullable(pool), Optional.ofNullable(image));
        BerthConfig config = common.config();
        PrintWriter err = spec.commandLine().getErr();
        // With --json, stdout holds the one document
        PrintWriter progress = json ? err : spec.commandLine().getOut();

        QueueSender sender = new QueueSender(config, new SubmitChecks(config.dockerHost(), err));
        SelfTest selfTest = new SelfTest(new SelfTestRepository(config.sharedDir()), request -> sender.send(List.of(request), Optional.empty()).get(0));
        SelfTest.Started started = selfTest.start(options);
        String id = started.jobId();
        StageReport stages = new StageReport(ZoneId.systemDefault());
        progress.println("selftest: job " + id + " sent: commit " + started.commit().substring(0, 12) + " of berth's self-test repository, " + describe(options));
        progress.flush();

        try (JobStore store = JobStore.open(config.databaseFile())) {
            JobFollower follower = new JobFollower(store.reads(), clock, sleeper, POLL_INTERVAL);
            Optional<Job> arrived = follower.awaitJob(id, JobReads::job, QUEUE_PATIENCE, () -> {
                err.println("selftest: still waiting for job " + id + " to be taken off the queue: is 'berth serve' running?");
                err.flush();
            });
            if (arrived.isEmpty()) {
                return conclude(SelfTestVerdict.notQueued(id, QUEUE_PATIENCE), started, Optional.empty(), List.of(), Optional.empty());
            }
            Job ended = follower.awaitEnd(id, JobFollower.FOREVER, job -> {
                stages.newlyReached(job, store.reads().attempts(id)).forEach(progress::println);
                progress.flush();
            }).orElseThrow();
            List<Attempt> attempts = store.reads().attempts(id);
            Optional<String> stdout = SelfTestOutput.read(ended);
            return conclude(SelfTestVerdict.judge(ended, attempts, stdout), started, Optional.of(ended), attempts, stdout);
        }
    }

    private int conclude(SelfTestVerdict verdict, SelfTest.Started started, Optional<Job> job, List<Attempt> attempts, Optional<String> stdout)
            throws IOException
    {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JobViews.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(document(verdict, started, job, attempts, stdout)));
        }
        else {
            if (job.isPresent()) {
                out.println(stdout.filter(text -> !text.isBlank()).map(text -> "job output:\n" + text.stripTrailing().indent(2).stripTrailing())
                        .orElse("job output: none"));
            }
            if (verdict.ok()) {
                out.println("selftest: OK: " + verdict.message());
            }
        }
        out.flush();
        if (!verdict.ok()) {
            throw new BerthCli.UserException(verdict.message());
        }
        return 0;
    }

    private static ObjectNode document(SelfTestVerdict verdict, SelfTest.Started started, Optional<Job> job, List<Attempt> attempts, Optional<String> stdout)
    {
        ObjectNode document = JobViews.mapper().createObjectNode();
        document.put("job_id", started.jobId());
        document.put("commit", started.commit());
        document.put("ok", verdict.ok());
        document.put("failed_stage", verdict.failedAt().map(Stage::label).orElse(null));
        document.put("message", verdict.message());
        ObjectNode reached = document.putObject("stages");
        job.ifPresent(ended -> {
            for (Stage stage : Stage.values()) {
                stage.reachedAt(ended, attempts).ifPresent(at -> reached.putObject(stage.label())
                        .put("at", at.toString())
                        .put("seconds_after_queued", StageReport.secondsAfterQueued(ended, at)));
            }
        });
        document.put("output", stdout.orElse(null));
        return document;
    }

    private static String describe(SelfTestOptions options)
    {
        return (options.gpus() == 0 ? "CPU only" : "CPU and " + options.gpus() + " GPU" + (options.gpus() > 1 ? "s" : ""))
                + options.pool().map(pool -> ", pool " + pool).orElse("")
                + options.image().map(image -> ", image " + image).orElse("");
    }
}
