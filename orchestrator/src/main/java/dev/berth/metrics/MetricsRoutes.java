package dev.berth.metrics;

import dev.berth.web.WebRoutes;
import io.javalin.config.RoutesConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import static java.util.Objects.requireNonNull;

/** {@code GET /metrics}: every meter in Prometheus's text format, with the state gauges read for this scrape. */
public final class MetricsRoutes
        implements WebRoutes
{
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final StateGauges gauges;

    public MetricsRoutes(PrometheusMeterRegistry registry, StateGauges gauges)
    {
        this.registry = requireNonNull(registry, "registry is null");
        this.gauges = requireNonNull(gauges, "gauges is null");
    }

    @Override
    public void addTo(RoutesConfig routes)
    {
        routes.get("/metrics", context -> context.contentType(CONTENT_TYPE).result(scrape()));
    }

    /** One scrape at a time: two at once would each replace the gauges the other is writing out. */
    synchronized String scrape()
    {
        gauges.read();
        return registry.scrape();
    }
}
