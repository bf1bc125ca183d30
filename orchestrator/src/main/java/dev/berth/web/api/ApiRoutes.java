package dev.berth.web.api;

import dev.berth.config.BerthConfig;
import dev.berth.export.RunDirExports;
import dev.berth.forecast.QueueForecast;
import dev.berth.job.RequestParser;
import dev.berth.queue.JobQueue;
import dev.berth.store.JobStore;
import dev.berth.submit.Submission;
import dev.berth.swarm.EngineException;
import dev.berth.swarm.Swarm;
import dev.berth.swarm.SwarmSecret;
import dev.berth.time.Ticker;
import dev.berth.web.WebRoutes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.HandlerType;
import io.javalin.router.EndpointNotFound;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * The HTTP JSON API under {@code /api/v1}: the CLI's operations (submit, list, status, cancel,
 * workers) over the same store and queue, with the CLI's checks and messages, and described by the
 * OpenAPI document it serves. Every answer is JSON, errors too, and a path under {@code /api/} that
 * no route takes is a JSON 404.
 */
public final class ApiRoutes
        implements WebRoutes
{
    public static final String PREFIX = "/api/v1";
    private static final Logger log = LoggerFactory.getLogger(ApiRoutes.class);

    private final List<ApiRoute> routes;

    /** @param wakeScheduler runs the scheduler's next round now, so a cancel takes effect at once */
    public ApiRoutes(BerthConfig config, JobStore store, JobQueue queue, RequestParser parser, Swarm swarm, Runnable wakeScheduler, Clock clock, Ticker ticker)
    {
        requireNonNull(config, "config is null");
        requireNonNull(store, "store is null");
        requireNonNull(swarm, "swarm is null");
        Submission submission = new Submission(parser, secretsOf(swarm));
        this.routes = List.of(
                new ApiRoute(HandlerType.POST, PREFIX + "/jobs", new SubmitJob(parser, submission, queue)),
                new ApiRoute(HandlerType.GET, PREFIX + "/jobs", new ListJobs(store.reads(), RunDirExports.of(config), new QueueForecast(store, config.fairShare(), clock))),
                new ApiRoute(HandlerType.GET, PREFIX + "/jobs/{id}", new ShowJob(store.reads(), RunDirExports.of(config), new QueueForecast(store, config.fairShare(), clock), ticker)),
                new ApiRoute(HandlerType.POST, PREFIX + "/jobs/{id}/cancel", new CancelJob(store, wakeScheduler, clock)),
                new ApiRoute(HandlerType.GET, PREFIX + "/workers", new ListWorkers(() -> swarm.nodes(config.gpuKind()), config.workersDir(),
                        config.stateDir(), config.heartbeatStaleAfter(), clock)),
                new ApiRoute(HandlerType.GET, PREFIX + "/openapi.json", OpenApiDocument.load()));
    }

    /** What this adds, in the order it adds them. */
    List<ApiRoute> routes()
    {
        return routes;
    }

    @Override
    public void addTo(RoutesConfig config)
    {
        for (ApiRoute route : routes) {
            config.addHttpHandler(route.method(), route.path(), new JsonAnswers(route.handler()));
        }
        config.exception(EndpointNotFound.class, new UnknownRoute());
    }

    /**
     * The secrets a submitted request may name, listed for each request that names any. When the engine
     * does not answer, intake checks them as the job arrives, as for {@code berth submit} far from the swarm.
     */
    private static Supplier<Optional<Set<String>>> secretsOf(Swarm swarm)
    {
        return () -> {
            try {
                return Optional.of(swarm.secrets().stream().map(SwarmSecret::name).collect(Collectors.toUnmodifiableSet()));
            }
            catch (EngineException e) {
                log.warn("Cannot check the secrets of a submitted request with the Docker engine; intake checks them: {}", e.getMessage());
                return Optional.empty();
            }
        };
    }
}
