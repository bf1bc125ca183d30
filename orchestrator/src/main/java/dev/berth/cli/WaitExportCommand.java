package dev.berth.cli;

import dev.berth.config.BerthConfig;
import dev.berth.config.Durations;
import dev.berth.config.ExportLocation;
import dev.berth.export.ExportCheck;
import dev.berth.export.ExportCheckException;
import dev.berth.export.RunDirExport;
import dev.berth.export.RunDirExports;
import dev.berth.job.Job;
import dev.berth.store.JobLookup;
import dev.berth.store.JobStore;
import dev.berth.time.Sleeper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

import static java.util.Objects.requireNonNull;

@Command(name = "wait-export", mixinStandardHelpOptions = true, description = {
        "Waits until an ended job's run dir has reached S3 through the file system's export (its result.json is",
        "in the bucket), then prints its S3 location: for a script that reads the outputs from S3 next.",
        "Fails when the job has not ended, when no export is configured (BERTH_EXPORT_S3), or after --timeout."})
final class WaitExportCommand
        implements Callable<Integer>
{
    static final Duration POLL_INTERVAL = Duration.ofSeconds(2);

    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "JOB", description = "The job id, or an unambiguous prefix of it.")
    String jobId;

    @Option(names = "--timeout", paramLabel = "D", defaultValue = "30m", description = "How long to wait, such as 90s or 1h (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--json", description = "Print {\"job_id\", \"s3_location\"} once exported.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final Clock clock;
    private final Sleeper sleeper;
    private final ExportCheck.Opener exportCheck;

    WaitExportCommand(Clock clock, Sleeper sleeper, ExportCheck.Opener exportCheck)
    {
        this.clock = requireNonNull(clock, "clock is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
        this.exportCheck = requireNonNull(exportCheck, "exportCheck is null");
    }

    @Override
    public Integer call()
            throws Exception
    {
        Duration patience = Durations.parse(timeout).orElseThrow(() -> new BerthCli.UserException("--timeout must be a duration such as 90s or 1h, got '" + timeout + "'"));
        BerthConfig config = common.config();
        if (config.exportS3().isEmpty()) {
            throw new BerthCli.UserException("no export is configured: " + ExportLocation.KEY + " names the S3 location the run dirs are exported to "
                    + "(on the fleet, the manager's berth.env has it); without one, outputs stay on the shared file system");
        }
        Job job;
        try (JobStore store = JobStore.open(config.databaseFile())) {
            job = JobLookup.find(store, jobId);
        }
        if (!job.state().terminal()) {
            throw new BerthCli.UserException("job " + job.id() + " is " + job.state() + ": its run dir is exported once it has ended; "
                    + "wait for that first (berth submit --wait, or berth status)");
        }
        RunDirExport location = job.runDir().flatMap(RunDirExports.of(config)::of).orElseThrow(() -> new BerthCli.UserException(
                "job " + job.id() + " has no run dir under " + config.runsDir() + " (it ended before one was made): nothing is exported for it"));
        Instant deadline = clock.instant().plus(patience);
        Optional<String> lastProblem = Optional.empty();
        try (ExportCheck check = exportCheck.open(config)) {
            while (true) {
                try {
                    if (check.exported(location)) {
                        spec.commandLine().getOut().println(json
                                ? JobViews.mapper().writeValueAsString(JobViews.mapper().createObjectNode().put("job_id", job.id()).put("s3_location", location.uri()))
                                : location.uri());
                        return 0;
                    }
                    lastProblem = Optional.empty();
                }
                catch (ExportCheckException e) {
                    // S3 may be out of reach for a moment: keep asking, and say why at the end if it stays so
                    lastProblem = Optional.of(e.getMessage());
                }
                if (!clock.instant().isBefore(deadline)) {
                    throw new BerthCli.UserException("job " + job.id() + "'s run dir is not exported after " + Durations.format(patience) + ": "
                            + lastProblem.orElse("s3://" + location.bucket() + "/" + location.resultKey() + " is not there yet")
                            + "; the file system exports it on its own, so try again later, or with a longer --timeout");
                }
                Duration left = Duration.between(clock.instant(), deadline);
                sleeper.sleep(left.compareTo(POLL_INTERVAL) < 0 ? left : POLL_INTERVAL);
            }
        }
    }
}
