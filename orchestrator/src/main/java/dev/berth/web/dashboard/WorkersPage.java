package dev.berth.web.dashboard;

import dev.berth.fleet.FleetStatus;
import dev.berth.fleet.HeartbeatReader;
import dev.berth.fleet.HeartbeatScan;
import dev.berth.fleet.NodeLister;
import dev.berth.swarm.SwarmNode;
import dev.berth.web.Pages;
import io.javalin.http.Context;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The workers page ({@code /workers}): the swarm's nodes joined with the workers' heartbeat tree, as
 * {@code berth workers} shows them. An engine that does not answer still leaves the heartbeats to see.
 */
final class WorkersPage
{
    private final NodeLister nodes;
    private final Path heartbeatDir;
    private final Duration staleAfter;
    private final Pages pages;
    private final Clock clock;

    WorkersPage(NodeLister nodes, Path heartbeatDir, Duration staleAfter, Pages pages, Clock clock)
    {
        this.nodes = requireNonNull(nodes, "nodes is null");
        this.heartbeatDir = requireNonNull(heartbeatDir, "heartbeatDir is null");
        this.staleAfter = requireNonNull(staleAfter, "staleAfter is null");
        this.pages = requireNonNull(pages, "pages is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    void page(Context context)
    {
        List<SwarmNode> listed = List.of();
        String problem = "";
        try {
            listed = nodes.nodes();
        }
        catch (RuntimeException e) {
            problem = "cannot list the swarm's nodes (" + e.getMessage() + "): only the heartbeats are shown";
        }
        HeartbeatScan scan = new HeartbeatReader(heartbeatDir).read();
        FleetStatus fleet = FleetStatus.of(listed, scan, clock.instant(), staleAfter);
        pages.render(context, "workers.jte", Map.of("view", WorkersView.of(fleet, heartbeatDir.toString(), staleAfter, problem)));
    }
}
