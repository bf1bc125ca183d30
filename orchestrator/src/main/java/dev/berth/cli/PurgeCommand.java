package dev.berth.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.config.BerthConfig;
import dev.berth.config.Durations;
import dev.berth.rundir.RunDirs;
import dev.berth.store.JobReads;
import dev.berth.store.JobStore;
import dev.berth.store.PurgedJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static java.util.Objects.requireNonNull;

/** {@code berth purge}: removes jobs that ended long ago from the store, and with {@code --run-dirs} their files too. */
@Command(name = "purge", mixinStandardHelpOptions = true,
        description = {"Removes jobs that ended before a given age from berth's state, with their attempts. A queued, preparing or",
                "running job is never removed. Their run dirs stay unless --run-dirs is given."})
final class PurgeCommand
        implements Callable<Integer>
{
    /** Jobs removed per transaction, so the daemon's own writes never wait long behind a purge. */
    static final int BATCH = 1_000;

    @Mixin
    CommonOptions common;

    @Option(names = "--finished-before", required = true, paramLabel = "AGE",
            description = "Only jobs that ended longer ago than this, e.g. 30d or 12h.")
    String finishedBefore;

    @Option(names = "--dry-run", description = "Say what would be removed, and remove nothing.")
    boolean dryRun;

    @Option(names = "--run-dirs", description = "Remove the jobs' run dirs (logs, outputs) too.")
    boolean runDirs;

    @Option(names = "--json", description = "Print {\"purged\": N, \"run_dirs_removed\": N, ...} (with --dry-run: \"would_purge\").")
    boolean json;

    @Spec
    CommandSpec spec;

    private final Clock clock;

    PurgeCommand(Clock clock)
    {
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public Integer call()
            throws Exception
    {
        Duration age = Durations.parse(finishedBefore).orElseThrow(() -> new BerthCli.UserException(
                "--finished-before must be an age such as 30d, 12h or 90m, got '" + finishedBefore + "'"));
        Instant before = clock.instant().minus(age);
        BerthConfig config = common.config();
        PrintWriter out = spec.commandLine().getOut();
        try (JobStore store = JobStore.open(config.databaseFile())) {
            if (dryRun) {
                JobReads.EndedBefore found = store.reads().endedBefore(before);
                ObjectNode answer = JobViews.mapper().createObjectNode().put("would_purge", found.count()).put("finished_before", before.toString());
                found.oldest().ifPresent(oldest -> answer.put("oldest_finished_at", oldest.toString()));
                out.println(json ? answer.toString() : "would remove %,d jobs that ended before %s%s%s".formatted(found.count(), JobViews.time(before),
                        found.oldest().map(oldest -> " (the oldest ended " + JobViews.time(oldest) + ")").orElse(""),
                        runDirs ? ", and their run dirs" : ""));
                return 0;
            }
            return purge(store, new RunDirs(config.runsDir()), before, out);
        }
    }

    private int purge(JobStore store, RunDirs dirs, Instant before, PrintWriter out)
    {
        long purged = 0;
        long removed = 0;
        List<String> problems = new ArrayList<>();
        List<PurgedJob> batch;
        do {
            batch = store.writes().purgeEndedBefore(before, BATCH);
            purged += batch.size();
            for (PurgedJob job : batch) {
                if (runDirs && job.runDir().isPresent()) {
                    try {
                        removed += dirs.remove(job.runDir().get()) ? 1 : 0;
                    }
                    catch (IOException e) {
                        problems.add("job " + job.id() + ": " + e.getMessage());
                    }
                }
            }
        }
        while (batch.size() == BATCH);
        if (json) {
            ObjectNode answer = JobViews.mapper().createObjectNode().put("purged", purged).put("finished_before", before.toString());
            if (runDirs) {
                answer.put("run_dirs_removed", removed);
            }
            problems.forEach(answer.putArray("problems")::add);
            out.println(answer);
        }
        else {
            out.println("removed %,d jobs that ended before %s%s".formatted(purged, JobViews.time(before),
                    runDirs ? " and %,d run dirs".formatted(removed) : "; their run dirs stay (--run-dirs removes them too)"));
            PrintWriter err = spec.commandLine().getErr();
            problems.forEach(problem -> err.println("berth purge: could not remove the run dir of " + problem));
        }
        return problems.isEmpty() ? 0 : 1;
    }
}
