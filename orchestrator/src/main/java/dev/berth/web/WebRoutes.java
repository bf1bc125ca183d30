package dev.berth.web;

import io.javalin.config.RoutesConfig;

/** One capability's pages or endpoints (the dashboard, the API, metrics), added to the one server. */
public interface WebRoutes
{
    void addTo(RoutesConfig routes);
}
