package dev.berth.cli;

import dev.berth.job.Job;
import dev.berth.rundir.CheckpointUsage;
import dev.berth.store.JobLookup;
import dev.berth.store.JobStore;
import dev.berth.time.Ticker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.Optional;
import java.util.concurrent.Callable;

import static java.util.Objects.requireNonNull;

@Command(name = "status", mixinStandardHelpOptions = true, description = "Shows one job: its state, why, its commit, attempts, times, run dir and checkpoint (size, last change).")
final class StatusCommand
        implements Callable<Integer>
{
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "JOB", description = "The job id, or an unambiguous prefix of it.")
    String jobId;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final Ticker ticker;

    StatusCommand(Ticker ticker)
    {
        this.ticker = requireNonNull(ticker, "ticker is null");
    }

    @Override
    public Integer call()
            throws Exception
    {
        try (JobStore store = JobStore.open(common.config().databaseFile())) {
            Job job = JobLookup.find(store.reads(), jobId);
            Optional<CheckpointUsage> checkpoint = CheckpointUsage.ofRunDir(job.runDir(), ticker);
            String text = json
                    ? JobViews.statusJson(job, store.reads().attempts(job.id()), checkpoint)
                    : JobViews.details(job, store.reads().attempts(job.id()), checkpoint);
            spec.commandLine().getOut().println(text.stripTrailing());
            return 0;
        }
    }
}
