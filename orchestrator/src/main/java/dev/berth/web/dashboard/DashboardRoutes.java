package dev.berth.web.dashboard;

import dev.berth.config.BerthConfig;
import dev.berth.fleet.NodeLister;
import dev.berth.store.JobStore;
import dev.berth.web.AccessToken;
import dev.berth.web.Pages;
import dev.berth.web.WebRoutes;
import io.javalin.config.RoutesConfig;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The web dashboard: the jobs page ({@code /}), a job's page ({@code /jobs/{id}}) with its cancel
 * ({@code POST /jobs/{id}/cancel}), the workers page ({@code /workers}) and the sign-in ({@code /login});
 * the parts of pages they fetch again ({@code /fragments/...}) when the store changes
 * ({@code /events/jobs}); and a job's output ({@code /api/v1/jobs/{id}/logs}), part of the API too.
 * Server-rendered (jte); the few scripts and styles come from the jar. The live parts share two
 * threads, {@code berth-web-live}, stopped by {@link #close}.
 */
public final class DashboardRoutes
        implements WebRoutes, AutoCloseable
{
    private static final int LIVE_THREADS = 2;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    private final ScheduledExecutorService live = Executors.newScheduledThreadPool(LIVE_THREADS, runnable -> {
        Thread thread = new Thread(runnable, "berth-web-live");
        thread.setDaemon(true);
        return thread;
    });
    private final Pages pages;
    private final JobsPage jobs;
    private final JobPage job;
    private final CancelAction cancel;
    private final JobsFeed feed;
    private final LogsEndpoint logs;
    private final WorkersPage workers;
    private final LoginPage login;

    /**
     * @param wakeScheduler makes the scheduler run a round now, as a cancel asks
     * @param token the access token when berth answers beyond loopback, for the sign-in to check
     */
    public DashboardRoutes(JobStore store, Runnable wakeScheduler, NodeLister nodes, BerthConfig config, Optional<AccessToken> token, Clock clock, Pages pages)
    {
        this.pages = requireNonNull(pages, "pages is null");
        requireNonNull(store, "store is null");
        requireNonNull(config, "config is null");
        CsrfTokens csrf = new CsrfTokens();
        this.jobs = new JobsPage(store.reads(), pages, clock);
        this.job = new JobPage(store.reads(), pages, csrf, clock);
        this.cancel = new CancelAction(store, wakeScheduler, csrf, clock);
        this.feed = new JobsFeed(store.reads(), live);
        this.logs = new LogsEndpoint(store.reads(), live);
        this.workers = new WorkersPage(nodes, config.workersDir(), config.heartbeatStaleAfter(), pages, clock);
        this.login = new LoginPage(token, pages);
    }

    @Override
    public void addTo(RoutesConfig routes)
    {
        routes.get("/", jobs::page);
        routes.get("/fragments/jobs", jobs::table);
        routes.get("/jobs/{id}", job::page);
        routes.get("/fragments/jobs/{id}", job::summary);
        routes.post("/jobs/{id}/cancel", cancel::cancel);
        routes.get("/events/jobs", feed::subscribe);
        routes.get("/api/v1/jobs/{id}/logs", logs::logs);
        routes.get("/workers", workers::page);
        routes.get("/login", login::page);
        routes.post("/login", login::signIn);
        routes.exception(PageException.class, (problem, context) -> {
            context.status(problem.status());
            pages.render(context, "error.jte", Map.of("status", problem.status().getCode() + " " + problem.status().getMessage(),
                    "problem", problem.getMessage()));
        });
    }

    @Override
    public void close()
    {
        live.shutdownNow();
        try {
            // A look at a log that is under way finishes before its stream is ended under it
            live.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        feed.close();
        logs.close();
    }
}
