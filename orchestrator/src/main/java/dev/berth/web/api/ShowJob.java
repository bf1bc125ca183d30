package dev.berth.web.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cost.CostJson;
import dev.berth.export.RunDirExports;
import dev.berth.forecast.QueueForecast;
import dev.berth.forecast.QueueJson;
import dev.berth.job.Job;
import dev.berth.job.JobJson;
import dev.berth.rundir.CheckpointUsage;
import dev.berth.store.JobReads;
import dev.berth.time.Ticker;
import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** {@code GET /api/v1/jobs/{id}}: one job with its attempts and, while queued, its place in line, as {@code berth status --json} prints it. */
final class ShowJob
        implements Handler
{
    private final JobReads reads;
    private final RunDirExports exports;
    private final QueueForecast forecast;
    private final Ticker ticker;

    /** Says where a run dir is exported to, not whether it has been: an HTTP answer does not wait on S3. */
    ShowJob(JobReads reads, RunDirExports exports, QueueForecast forecast, Ticker ticker)
    {
        this.reads = requireNonNull(reads, "reads is null");
        this.exports = requireNonNull(exports, "exports is null");
        this.forecast = requireNonNull(forecast, "forecast is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
    }

    @Override
    public void handle(Context context)
            throws IOException
    {
        Job job = JobFromPath.find(context, reads);
        ObjectNode answer = JobJson.status(job, reads.attempts(job.id()), CheckpointUsage.ofRunDir(job.runDir(), ticker), exports, Optional.empty());
        QueueJson.put(answer, forecast.placeOf(job));
        JobJson.putDependencies(answer, job, reads.dependencies(job.id()));
        CostJson.put(answer, reads.costs(List.of(job.id())).get(job.id()));
        context.json(answer);
    }
}
