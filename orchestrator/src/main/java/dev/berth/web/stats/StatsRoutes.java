package dev.berth.web.stats;

import dev.berth.stats.Stats;
import dev.berth.stats.StatsJson;
import dev.berth.stats.StatsQuery;
import dev.berth.stats.StatsQueryException;
import dev.berth.stats.StatsReport;
import dev.berth.store.StatsReads;
import dev.berth.web.Pages;
import dev.berth.web.WebRoutes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /api/v1/stats?since=24h&by=repo}, answering the JSON {@code berth stats --json} prints, and the
 * dashboard's Stats page {@code /stats}, which draws the same JSON as charts. Parameters are refused in the
 * words the command line uses, as {@code {"error": ..., "field": ...}} by the API.
 */
public final class StatsRoutes
        implements WebRoutes
{
    private final Stats stats;
    private final Clock clock;
    private final Pages pages;
    private final String uplot;

    public StatsRoutes(StatsReads reads, Clock clock, Pages pages)
    {
        this.stats = new Stats(requireNonNull(reads, "reads is null"));
        this.clock = requireNonNull(clock, "clock is null");
        this.pages = requireNonNull(pages, "pages is null");
        this.uplot = "/webjars/uplot/" + webjarVersion("uplot") + "/dist/";
    }

    @Override
    public void addTo(RoutesConfig routes)
    {
        routes.get("/api/v1/stats", this::api);
        routes.get("/stats", this::page);
    }

    private void api(Context context)
    {
        StatsQuery query;
        try {
            query = query(context);
        }
        catch (StatsQueryException e) {
            context.status(HttpStatus.BAD_REQUEST).json(Map.of("error", e.getMessage(), "field", e.field()));
            return;
        }
        context.contentType("application/json").result(StatsJson.text(stats.report(query, clock.instant())));
    }

    private void page(Context context)
    {
        StatsQuery query;
        try {
            query = query(context);
        }
        catch (StatsQueryException e) {
            context.status(HttpStatus.BAD_REQUEST);
            pages.render(context, "stats.jte", Map.of("page", StatsPage.refused(uplot, e.getMessage())));
            return;
        }
        StatsReport report = stats.report(query, clock.instant());
        String since = Optional.ofNullable(context.queryParam("since")).map(String::strip).orElse(StatsQuery.DEFAULT_SINCE);
        pages.render(context, "stats.jte", Map.of("page", StatsPage.of(uplot, since, query.by(), report)));
    }

    private static StatsQuery query(Context context)
    {
        Optional<String> by = Optional.ofNullable(context.queryParam("by")).filter(text -> !text.isBlank());
        return StatsQuery.parse(Optional.ofNullable(context.queryParam("since")), by);
    }

    /** The version of a webjar on the class path, from the Maven metadata it carries, so a version bump in the pom is all it takes. */
    private static String webjarVersion(String artifact)
    {
        String resource = "/META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
        try (InputStream in = StatsRoutes.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the " + artifact + " webjar is missing from the class path (no " + resource + ")");
            }
            Properties properties = new Properties();
            properties.load(in);
            return requireNonNull(properties.getProperty("version"), "no version in " + resource);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
