package dev.berth.cli;

import dev.berth.forecast.QueueForecast;
import dev.berth.forecast.QueuePlace;
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

import java.time.Clock;
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
    private final Clock clock;

    StatusCommand(Ticker ticker, Clock clock)
    {
        this.ticker = requireNonNull(ticker, "ticker is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public Integer call()
            throws Exception
    {
        try (JobStore store = JobStore.open(common.config().databaseFile())) {
            Job job = JobLookup.find(store.reads(), jobId);
            Optional<CheckpointUsage> checkpoint = CheckpointUsage.ofRunDir(job.runDir(), ticker);
            Optional<QueuePlace> place = new QueueForecast(store.queue(), clock).placeOf(job);
            String text = json
                    ? JobViews.statusJson(job, store.reads().attempts(job.id()), checkpoint, place)
                    : JobViews.details(job, store.reads().attempts(job.id()), checkpoint, place, clock.instant());
            spec.commandLine().getOut().println(text.stripTrailing());
            return 0;
        }
    }
}
