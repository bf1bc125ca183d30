package dev.berth.web.dashboard;

import dev.berth.job.Cause;
import dev.berth.job.Job;
import dev.berth.job.JobRequest;
import dev.berth.text.Abbreviation;

import java.time.Instant;

/**
 * One line of the jobs table, every value as it is shown. The template escapes each; nothing here is
 * markup. {@code reasonInFull} is the whole reason, for the cell's tooltip.
 */
public record JobRow(
        String id,
        String href,
        String name,
        String user,
        String state,
        String cause,
        String repo,
        String branch,
        String commit,
        String received,
        String runTime,
        int attempts,
        String reason,
        String reasonInFull)
{
    private static final int REASON_SHOWN = 120;

    static JobRow of(Job job, Instant now)
    {
        String reason = job.reason().orElse("");
        return new JobRow(
                job.id(),
                Formats.jobHref(job.id()),
                job.name(),
                job.user(),
                job.state().name(),
                job.cause().map(Cause::label).orElse(""),
                job.request().map(request -> request.repo().toString()).orElse(""),
                job.request().map(JobRequest::branch).orElse(""),
                job.commit().map(Formats::shortCommit).orElse(""),
                Formats.time(job.receivedAt()),
                Formats.span(job.startedAt(), job.finishedAt(), now),
                job.attempts(),
                Abbreviation.abbreviate(reason, REASON_SHOWN),
                reason);
    }
}
