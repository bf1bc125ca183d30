package dev.berth.cli;

import dev.berth.config.BerthConfig;
import dev.berth.cost.Cost;
import dev.berth.export.ExportCheck;
import dev.berth.export.ExportState;
import dev.berth.export.RunDirExport;
import dev.berth.export.RunDirExports;
import dev.berth.forecast.QueueForecast;
import dev.berth.forecast.QueuePlace;
import dev.berth.job.ArraySummary;
import dev.berth.job.DependencyState;
import dev.berth.job.Job;
import dev.berth.rundir.CheckpointUsage;
import dev.berth.rundir.RunDirs;
import dev.berth.store.JobLookup;
import dev.berth.store.JobStore;
import dev.berth.time.Ticker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import static java.util.Objects.requireNonNull;

@Command(name = "status", mixinStandardHelpOptions = true, description = {
        "Shows one job: its state, why (a waiting job: the jobs it waits for), its commit, attempts, times, cost, run dir and checkpoint (size, last change).",
        "Given an array, shows it as a whole: its tasks by state, where their run dirs are, and the tasks that did not succeed.",
        "With an export configured (BERTH_EXPORT_S3), also the run dir's S3 location and whether the file system has exported it."})
final class StatusCommand
        implements Callable<Integer>
{
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "JOB", description = "The job id, or an unambiguous prefix of it; an array's id (or ARRAY:INDEX for one task).")
    String jobId;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final Ticker ticker;
    private final Clock clock;
    private final ExportCheck.Opener exportCheck;

    StatusCommand(Ticker ticker, Clock clock, ExportCheck.Opener exportCheck)
    {
        this.ticker = requireNonNull(ticker, "ticker is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.exportCheck = requireNonNull(exportCheck, "exportCheck is null");
    }

    @Override
    public Integer call()
            throws Exception
    {
        BerthConfig config = common.config();
        try (JobStore store = JobStore.open(config.databaseFile())) {
            JobLookup.Named named = JobLookup.named(store, jobId);
            if (named instanceof JobLookup.Named.WholeArray whole) {
                ArraySummary array = whole.array();
                Path runDirs = ArrayViews.runDirs(new RunDirs(config.runsDir()), array);
                List<Job> unsuccessful = store.arrays().tasks(array.id(), ArrayViews.UNSUCCESSFUL);
                String text = json ? ArrayViews.json(array, runDirs, unsuccessful) : ArrayViews.details(array, runDirs, unsuccessful);
                spec.commandLine().getOut().println(text.stripTrailing());
                return 0;
            }
            Job job = ((JobLookup.Named.OneJob) named).job();
            Optional<CheckpointUsage> checkpoint = CheckpointUsage.ofRunDir(job.runDir(), ticker);
            RunDirExports exports = RunDirExports.of(config);
            Optional<ExportState> export = exportState(job, exports, config);
            Optional<QueuePlace> place = new QueueForecast(store, config.fairShare(), clock).placeOf(job);
            List<DependencyState> dependencies = store.reads().dependencies(job.id());
            Cost cost = store.reads().costs(List.of(job.id())).get(job.id());
            String text = json
                    ? JobViews.statusJson(job, store.reads().attempts(job.id()), cost, checkpoint, exports, export, place, dependencies)
                    : JobViews.details(job, store.reads().attempts(job.id()), cost, checkpoint, exports, export, place, dependencies, clock.instant());
            spec.commandLine().getOut().println(text.stripTrailing());
            return 0;
        }
    }

    /** Asks S3 only for a job that has ended, whose result.json is the run dir's last file: nothing without an export. */
    private Optional<ExportState> exportState(Job job, RunDirExports exports, BerthConfig config)
    {
        Optional<RunDirExport> location = job.runDir().flatMap(exports::of);
        if (location.isEmpty()) {
            return Optional.empty();
        }
        if (!job.state().terminal()) {
            return Optional.of(ExportState.notEnded());
        }
        try (ExportCheck check = exportCheck.open(config)) {
            return Optional.of(ExportState.asked(location.get(), check));
        }
    }
}
