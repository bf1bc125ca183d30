package dev.berth.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.berth.config.Durations;
import dev.berth.job.ArraySummary;
import dev.berth.job.Job;
import dev.berth.job.JobJson;
import dev.berth.job.JobState;
import dev.berth.store.JobLookup;
import dev.berth.store.JobStore;
import dev.berth.time.Sleeper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

import static java.util.Objects.requireNonNull;

/** {@code berth cancel}: records the cancel, then waits for the daemon to stop the job. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = {"Cancels a job: a queued one at once; a preparing or running one is stopped and its service removed by the daemon.",
                "Cancelling a job that has already ended changes nothing."})
final class CancelCommand
        implements Callable<Integer>
{
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "JOB", description = "The job id, or an unambiguous prefix of it; an array's id cancels all its tasks, ARRAY:INDEX one.")
    String jobId;

    @Option(names = "--no-wait", description = "Return once the cancel is recorded, without waiting for the job to stop.")
    boolean noWait;

    @Option(names = "--wait-for", defaultValue = "60s", description = "How long to wait for the job to stop (default: ${DEFAULT-VALUE}).")
    String waitFor;

    @Option(names = "--json", description = "Print the outcome as {\"job_id\": ..., \"state\": ...}: the job's end, or with --no-wait its state now.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final Clock clock;
    private final Sleeper sleeper;

    CancelCommand(Clock clock, Sleeper sleeper)
    {
        this.clock = requireNonNull(clock, "clock is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
    }

    @Override
    public Integer call()
            throws Exception
    {
        try (JobStore store = JobStore.open(common.config().databaseFile())) {
            JobLookup.Named named = JobLookup.named(store, jobId);
            if (named instanceof JobLookup.Named.WholeArray whole) {
                return cancelArray(store, whole.array());
            }
            Job job = ((JobLookup.Named.OneJob) named).job();
            if (job.state().terminal()) {
                return print(job.id(), job.state(), "job " + job.id() + " already ended as " + job.state() + "; nothing to cancel");
            }
            JobState state = store.writes().requestCancel(job.id(), clock.instant());
            if (state == JobState.CANCELLED) {
                return print(job.id(), state, "job " + job.id() + " cancelled");
            }
            if (noWait) {
                return print(job.id(), state, "job " + job.id() + " is " + state + "; the daemon will stop it");
            }
            // The cancel is recorded: the daemon stops the job, and this waits to see it stopped
            Duration patience = Durations.parse(waitFor).orElseThrow(() -> new BerthCli.UserException("--wait-for must be a duration such as 60s"));
            Optional<Job> ended = new JobFollower(store.reads(), clock, sleeper, POLL_INTERVAL).awaitEnd(job.id(), patience, look -> {});
            if (ended.isPresent()) {
                JobState end = ended.get().state();
                return print(job.id(), end, "job " + job.id() + (end == JobState.CANCELLED ? " cancelled" : " ended as " + end + " before it could be cancelled"));
            }
            throw new BerthCli.UserException("job " + job.id() + " is still " + store.reads().job(job.id()).orElseThrow().state()
                    + " after " + Durations.format(patience) + ": is 'berth serve' running? The cancel stays recorded and takes effect when it is.");
        }
    }

    /** Every task not ended yet: the queued and waiting at once, the others stopped by the daemon, which this waits for. */
    private int cancelArray(JobStore store, ArraySummary array)
            throws Exception
    {
        if (array.state().terminal()) {
            return print(array.id(), array.state(), "array " + array.id() + " already ended (" + array.countsText() + "); nothing to cancel");
        }
        store.writes().requestCancelArray(array.id(), clock.instant());
        ArraySummary now = store.arrays().array(array.id()).orElseThrow();
        if (now.state().terminal() || noWait) {
            return print(array.id(), now.state(), "array " + array.id() + ": " + now.countsText()
                    + (now.state().terminal() ? "" : "; the daemon will stop the running tasks"));
        }
        Duration patience = Durations.parse(waitFor).orElseThrow(() -> new BerthCli.UserException("--wait-for must be a duration such as 60s"));
        Optional<ArraySummary> ended = new ArrayFollower(store.arrays(), clock, sleeper, POLL_INTERVAL).awaitEnd(array.id(), patience, look -> {});
        if (ended.isPresent()) {
            return print(array.id(), ended.get().state(), "array " + array.id() + " cancelled: " + ended.get().countsText());
        }
        throw new BerthCli.UserException("array " + array.id() + " still has tasks live after " + Durations.format(patience) + " ("
                + store.arrays().array(array.id()).orElseThrow().countsText()
                + "): is 'berth serve' running? The cancel stays recorded and takes effect when it is.");
    }

    /** The outcome: the sentence, or with {@code --json} the job and the state the cancel left it in. */
    private int print(String id, JobState state, String sentence)
            throws JsonProcessingException
    {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JobViews.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(JobJson.cancelOutcome(id, state)));
        }
        else {
            out.println(sentence);
        }
        return 0;
    }
}
