package dev.berth.daemon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.export.RunDirExports;
import dev.berth.job.Attempt;
import dev.berth.job.AttemptJson;
import dev.berth.job.Job;
import dev.berth.rundir.RunDirs;
import dev.berth.store.JobEnded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Finish, the files half: an ended job's {@code result.json} and {@code exit_code} in its run dir,
 * written inside the store's transaction that ends the job (see {@link JobEnded}), so whoever sees
 * the end in the store finds them in place.
 */
final class ResultFiles
        implements JobEnded
{
    private static final Logger log = LoggerFactory.getLogger(ResultFiles.class);

    private final RunDirs runDirs;
    private final RunDirExports exports;

    ResultFiles(RunDirs runDirs, RunDirExports exports)
    {
        this.runDirs = requireNonNull(runDirs, "runDirs is null");
        this.exports = requireNonNull(exports, "exports is null");
    }

    @Override
    public void ended(Job job, List<Attempt> attempts)
    {
        if (job.runDir().isEmpty()) {
            return;
        }
        ObjectNode result = runDirs.newObject();
        result.put("job_id", job.id());
        result.put("state", job.state().name());
        job.cause().ifPresent(cause -> result.put("cause", cause.label()));
        job.reason().ifPresent(reason -> result.put("reason", reason));
        job.exitCode().ifPresentOrElse(code -> result.put("exit_code", code), () -> result.putNull("exit_code"));
        job.commit().ifPresent(commit -> result.put("commit", commit));
        result.put("received_at", job.receivedAt().toString());
        job.startedAt().ifPresent(time -> result.put("started_at", time.toString()));
        job.finishedAt().ifPresent(time -> result.put("finished_at", time.toString()));
        // Where the file system's export puts the run dir, for a reader on the other side of it
        exports.of(job.runDir().get()).ifPresent(export -> result.put("s3_location", export.uri()));
        AttemptJson.putAttempts(result, attempts);
        try {
            runDirs.writeResult(job.runDir().get(), result, job.exitCode().orElse(null));
        }
        catch (IOException e) {
            log.warn("Job {}: cannot write result files into {}: {}", job.id(), job.runDir().get(), e.getMessage());
        }
    }
}
