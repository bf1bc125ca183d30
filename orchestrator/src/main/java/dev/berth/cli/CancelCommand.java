package dev.berth.cli;

import dev.berth.config.Durations;
import dev.berth.job.JobState;
import dev.berth.job.Job;
import dev.berth.store.JobStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = {"Cancels a job: a queued one at once; a preparing or running one is stopped and its service removed by the daemon.",
                "Cancelling a job that has already ended changes nothing."})
final class CancelCommand
        implements Callable<Integer>
{
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "JOB", description = "The job id, or an unambiguous prefix of it.")
    String jobId;

    @Option(names = "--no-wait", description = "Return once the cancel is recorded, without waiting for the job to stop.")
    boolean noWait;

    @Option(names = "--wait-for", defaultValue = "60s", description = "How long to wait for the job to stop (default: ${DEFAULT-VALUE}).")
    String waitFor;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call()
            throws Exception
    {
        PrintWriter out = spec.commandLine().getOut();
        try (JobStore store = JobStore.open(common.config().databaseFile())) {
            Job job = JobLookup.find(store, jobId);
            if (job.state().terminal()) {
                out.println("job " + job.id() + " already ended as " + job.state() + "; nothing to cancel");
                return 0;
            }
            JobState state = store.writes().requestCancel(job.id(), Instant.now());
            if (state == JobState.CANCELLED) {
                out.println("job " + job.id() + " cancelled");
                return 0;
            }
            if (noWait) {
                out.println("job " + job.id() + " is " + state + "; the daemon will stop it");
                return 0;
            }
            Duration patience = Durations.parse(waitFor).orElseThrow(() -> new BerthCli.UserException("--wait-for must be a duration such as 60s"));
            Instant deadline = Instant.now().plus(patience);
            while (Instant.now().isBefore(deadline)) {
                Job now = store.reads().job(job.id()).orElseThrow();
                if (now.state().terminal()) {
                    out.println("job " + job.id() + (now.state() == JobState.CANCELLED ? " cancelled" : " ended as " + now.state() + " before it could be cancelled"));
                    return 0;
                }
                Thread.sleep(200);
            }
            throw new BerthCli.UserException("job " + job.id() + " is still " + store.reads().job(job.id()).orElseThrow().state()
                    + " after " + Durations.format(patience) + ": is 'berth serve' running? The cancel stays recorded and takes effect when it is.");
        }
    }
}
