package dev.berth.cli;

import dev.berth.job.Attempt;
import dev.berth.job.Job;
import dev.berth.rundir.JobLogs;
import dev.berth.store.JobLookup;
import dev.berth.store.JobReads;
import dev.berth.store.JobStore;
import dev.berth.time.Sleeper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import static java.util.Objects.requireNonNull;

/** {@code berth logs}: a job's output file, printed once or, with {@code -f}, as it grows until the job ends. */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Prints a job's output (its stdout.txt in the run dir): of a job that ran more than once, every",
                "attempt's in turn, each under a line '==> attempt N ... <=='.",
                "The same files can be read on any node of the fleet, e.g. with tail -F."})
final class LogsCommand
        implements Callable<Integer>
{
    /** A job sent a moment ago (with {@code berth submit} in the line before) is waited for this long before its id is called unknown. */
    private static final Duration APPEAR_WITHIN = Duration.ofMinutes(1);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);

    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "JOB", description = "The job id, or an unambiguous prefix of it.")
    String jobId;

    @Option(names = "--stderr", description = "Print stderr.txt instead of stdout.txt.")
    boolean stderr;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new output until the job ends (a job sent a moment ago is waited for).")
    boolean follow;

    @Option(names = "--attempt", paramLabel = "N", description = "Print only attempt N's output.")
    Integer attempt;

    @Spec
    CommandSpec spec;

    private final Clock clock;
    private final Sleeper sleeper;

    LogsCommand(Clock clock, Sleeper sleeper)
    {
        this.clock = requireNonNull(clock, "clock is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
    }

    @Override
    public Integer call()
            throws Exception
    {
        String fileName = stderr ? "stderr.txt" : "stdout.txt";
        PrintWriter out = spec.commandLine().getOut();
        try (JobStore store = JobStore.open(common.config().databaseFile())) {
            if (attempt != null && follow) {
                throw new BerthCli.UserException("--attempt prints one attempt's output as it is; --follow follows the job's current attempt: give one of them");
            }
            if (!follow) {
                Job job = JobLookup.find(store, jobId);
                Optional<Path> file = job.runDir().isEmpty() ? Optional.empty() : LogTail.current(job.runDir().get(), fileName);
                if (file.isEmpty()) {
                    throw new BerthCli.UserException("job " + job.id() + " has no output yet (it is " + job.state() + ")");
                }
                List<Attempt> attempts = store.reads().attempts(job.id());
                if (attempt != null) {
                    if (attempt < 1 || attempt > attempts.size()) {
                        throw new BerthCli.UserException("job " + job.id() + " has no attempt " + attempt + " (it has " + attempts.size() + ")");
                    }
                    LogTail.copyWhole(JobLogs.ofAttempt(job.runDir().get(), attempt, fileName), out);
                }
                else if (attempts.size() <= 1) {
                    LogTail.copy(file.get(), out);
                }
                else {
                    for (Attempt each : attempts) {
                        out.println(header(each));
                        LogTail.copyWhole(JobLogs.ofAttempt(job.runDir().get(), each.number(), fileName), out);
                    }
                    out.flush();
                }
                return 0;
            }
            JobFollower follower = new JobFollower(store.reads(), clock, sleeper, POLL_INTERVAL);
            Optional<Job> found = follower.awaitJob(jobId, JobReads::find, APPEAR_WITHIN, () -> {
                PrintWriter err = spec.commandLine().getErr();
                err.println("no job '" + jobId + "' yet; waiting for berth to take it off the queue: is 'berth serve' running?");
                err.flush();
            });
            Job job = found.isPresent() ? found.get() : JobLookup.find(store, jobId);
            LogTail tail = new LogTail(fileName, out);
            follower.awaitEnd(job.id(), JobFollower.FOREVER, tail::printGrowth);
            return 0;
        }
    }

    /** {@code ==> attempt 1: INTERRUPTED on spot-3 (interrupted: spot interruption notice on spot-3) <==} */
    private static String header(Attempt attempt)
    {
        return "==> attempt " + attempt.number() + ": " + attempt.state() + attempt.node().map(node -> " on " + node).orElse("")
                + attempt.reason().map(reason -> " (" + reason + ")").orElse("") + " <==";
    }
}
