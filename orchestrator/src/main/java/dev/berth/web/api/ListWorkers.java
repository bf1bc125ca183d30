package dev.berth.web.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.fleet.FleetJson;
import dev.berth.fleet.FleetStatus;
import dev.berth.fleet.HeartbeatReader;
import dev.berth.fleet.NodeLister;
import dev.berth.scale.ScalingReport;
import dev.berth.swarm.EngineException;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpStatus;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/** {@code GET /api/v1/workers}: the swarm's nodes joined with the workers' heartbeats, as {@code berth workers --json} prints them. */
final class ListWorkers
        implements Handler
{
    private final NodeLister nodes;
    private final Path workersDir;
    private final Path stateDir;
    private final Duration staleAfter;
    private final Clock clock;

    ListWorkers(NodeLister nodes, Path workersDir, Path stateDir, Duration staleAfter, Clock clock)
    {
        this.nodes = requireNonNull(nodes, "nodes is null");
        this.workersDir = requireNonNull(workersDir, "workersDir is null");
        this.stateDir = requireNonNull(stateDir, "stateDir is null");
        this.staleAfter = requireNonNull(staleAfter, "staleAfter is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public void handle(Context context)
    {
        FleetStatus fleet;
        try {
            fleet = FleetStatus.of(nodes.nodes(), new HeartbeatReader(workersDir).read(), clock.instant(), staleAfter);
        }
        catch (EngineException e) {
            throw ApiError.of(HttpStatus.SERVICE_UNAVAILABLE, "cannot list the swarm's nodes: " + e.getMessage());
        }
        ObjectNode body = FleetJson.of(fleet, staleAfter);
        body.set("scaling", ScalingReport.poolsJson(stateDir));
        context.json(body);
    }
}
