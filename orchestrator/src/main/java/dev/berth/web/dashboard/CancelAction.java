package dev.berth.web.dashboard;

import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.store.JobStore;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

import static java.util.Objects.requireNonNull;

/**
 * The job page's Cancel button ({@code POST /jobs/{id}/cancel}): records the cancel as {@code berth
 * cancel --no-wait} does and wakes the scheduler, which stops the job at once rather than at its next
 * round. A form without this browser's token is refused (see {@link CsrfTokens}).
 */
final class CancelAction
{
    private static final Logger log = LoggerFactory.getLogger(CancelAction.class);

    private final JobStore store;
    private final Runnable wakeScheduler;
    private final CsrfTokens csrf;
    private final Clock clock;

    CancelAction(JobStore store, Runnable wakeScheduler, CsrfTokens csrf, Clock clock)
    {
        this.store = requireNonNull(store, "store is null");
        this.wakeScheduler = requireNonNull(wakeScheduler, "wakeScheduler is null");
        this.csrf = requireNonNull(csrf, "csrf is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    void cancel(Context context)
    {
        csrf.check(context);
        Job job = JobPage.job(store.reads(), context.pathParam("id"));
        if (!job.state().terminal()) {
            JobState state = store.writes().requestCancel(job.id(), clock.instant());
            log.info("Cancel of job {} asked for from the dashboard; it is {}", job.id(), state);
            wakeScheduler.run();
        }
        context.redirect(Formats.jobHref(job.id()), HttpStatus.SEE_OTHER);
    }
}
