package dev.berth.cli;

import dev.berth.job.Job;
import dev.berth.store.JobLookup;
import dev.berth.store.JobStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true, description = "Shows one job: its state, why, its commit, attempts, times and run dir.")
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

    @Override
    public Integer call()
            throws Exception
    {
        try (JobStore store = JobStore.open(common.config().databaseFile())) {
            Job job = JobLookup.find(store.reads(), jobId);
            String text = json
                    ? JobViews.statusJson(job, store.reads().attempts(job.id()))
                    : JobViews.details(job, store.reads().attempts(job.id()));
            spec.commandLine().getOut().println(text.stripTrailing());
            return 0;
        }
    }
}
