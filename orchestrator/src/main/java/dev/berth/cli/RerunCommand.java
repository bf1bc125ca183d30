package dev.berth.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.config.BerthConfig;
import dev.berth.job.Job;
import dev.berth.store.JobLookup;
import dev.berth.store.JobStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code berth rerun}: a new job that runs an ended one again, exactly: its commit (not the branch's
 * tip now), its image's digest, its parameters, env, secret names and resources, with what the flags
 * change. It is sent into the queue as any request is.
 */
@Command(name = "rerun", mixinStandardHelpOptions = true,
        description = {"Runs an ended job again as a new job: the same commit (not the branch's tip now), the same image digest,",
                "parameters, env, secret names and resources, changed where flags are given (e.g. --cpus 8 --timeout 4h).",
                "Prints the new job's id; its status says which job it reruns.",
                "An array's task (ARRAY:INDEX) runs again as an array of that one index, with the same BERTH_ARRAY_INDEX."})
final class RerunCommand
        implements Callable<Integer>
{
    @Mixin
    CommonOptions common;

    @Mixin
    RequestOptions changes;

    @Parameters(paramLabel = "JOB", description = "The ended job, by id or an unambiguous prefix of it.")
    String jobId;

    @Option(names = "--json", description = "Print {\"job_id\": NEW, \"rerun_of\": JOB}.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call()
            throws Exception
    {
        if (changes.repo != null || changes.branch != null || changes.entrypoint != null) {
            throw new BerthCli.UserException("a rerun runs the same code, so --repo, --branch and --entrypoint cannot change; use 'berth submit' for other code");
        }
        BerthConfig config = common.config();
        Job job;
        try (JobStore store = JobStore.open(config.databaseFile())) {
            job = JobLookup.find(store, jobId);
        }
        ObjectNode request = rerunOf(job);
        String newId = new QueueSender(config, spec.commandLine().getErr()).send(List.of(request), Optional.empty()).get(0);
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? JobViews.mapper().createObjectNode().put("job_id", newId).put("rerun_of", job.id()).toString() : newId);
        return 0;
    }

    private ObjectNode rerunOf(Job job)
            throws Exception
    {
        if (!job.state().terminal()) {
            throw new BerthCli.UserException("job " + job.id() + " is still " + job.state() + "; rerun it once it has ended (or cancel it first)");
        }
        if (job.request().isEmpty()) {
            throw new BerthCli.UserException("job " + job.id() + " was rejected (" + job.reason().orElse("not a request")
                    + "), so there is nothing to run again; correct the request and submit it");
        }
        String commit = job.commit().orElseThrow(() -> new BerthCli.UserException("job " + job.id() + " ended as " + job.state()
                + " before berth resolved its commit, so there is no exact code to run again; submit it again to run the branch's tip"));
        ObjectNode request = (ObjectNode) JobViews.mapper().readTree(job.rawRequest());
        request.remove("job_id");
        // One task again, not its whole array: an array of that one index, so that the job sees the same BERTH_ARRAY_INDEX
        job.task().ifPresent(task -> request.put("array", task.index() + "-" + task.index()));
        request.put("commit", commit);
        job.imageRef().ifPresent(digest -> request.put("image", digest));
        request.put("rerun_of", job.id());
        changes.jobId().ifPresent(id -> request.put("job_id", id));
        return changes.overrideIn(request);
    }
}
