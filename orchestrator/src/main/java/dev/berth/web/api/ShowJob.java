package dev.berth.web.api;

import dev.berth.job.Job;
import dev.berth.job.JobJson;
import dev.berth.store.JobReads;
import io.javalin.http.Context;
import io.javalin.http.Handler;

import static java.util.Objects.requireNonNull;

/** {@code GET /api/v1/jobs/{id}}: one job with its attempts, as {@code berth status --json} prints it. */
final class ShowJob
        implements Handler
{
    private final JobReads reads;

    ShowJob(JobReads reads)
    {
        this.reads = requireNonNull(reads, "reads is null");
    }

    @Override
    public void handle(Context context)
    {
        Job job = JobFromPath.find(context, reads);
        context.json(JobJson.withAttempts(job, reads.attempts(job.id())));
    }
}
