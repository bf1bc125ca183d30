package dev.berth.web.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.job.Job;
import dev.berth.store.JobReads;
import dev.berth.web.Pages;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.time.Clock;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * A job's page ({@code /jobs/{id}}): the job, its attempts and its output followed live; and its summary
 * alone ({@code /fragments/jobs/{id}}), which the page fetches again when the store changes.
 */
final class JobPage
{
    private final JobReads reads;
    private final Pages pages;
    private final CsrfTokens csrf;
    private final Clock clock;
    private final ObjectMapper mapper = new ObjectMapper();

    JobPage(JobReads reads, Pages pages, CsrfTokens csrf, Clock clock)
    {
        this.reads = requireNonNull(reads, "reads is null");
        this.pages = requireNonNull(pages, "pages is null");
        this.csrf = requireNonNull(csrf, "csrf is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    void page(Context context)
    {
        pages.render(context, "job.jte", Map.of("view", view(context)));
    }

    void summary(Context context)
    {
        pages.render(context, "job_summary.jte", Map.of("view", view(context)));
    }

    private JobView view(Context context)
    {
        long marker = reads.changeMarker();
        Job job = job(reads, context.pathParam("id"));
        return JobView.of(job, reads.attempts(job.id()), reads.dependencies(job.id()), clock.instant(), csrf.tokenFor(context), marker, mapper);
    }

    /** @throws PageException (404) when there is no job {@code id} */
    static Job job(JobReads reads, String id)
    {
        return reads.job(id).orElseThrow(() -> new PageException(HttpStatus.NOT_FOUND,
                "there is no job " + id + ": the jobs page lists every job berth has stored"));
    }
}
