package dev.berth.top;

import dev.berth.fleet.FleetStatus;
import dev.berth.fleet.HeartbeatReader;
import dev.berth.fleet.NodeLister;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One look at the fleet for {@code berth top}: what {@code berth workers} shows, or why it could not
 * be seen this time (the engine did not answer). The jobs are still shown without it.
 */
public record FleetLook(Optional<FleetStatus> status, Optional<String> problem)
{
    public FleetLook
    {
        requireNonNull(status, "status is null");
        requireNonNull(problem, "problem is null");
        if (status.isPresent() == problem.isPresent()) {
            throw new IllegalArgumentException("a look at the fleet has either a status or a problem");
        }
    }

    /**
     * Looks at the fleet as {@code berth workers} does: the swarm's nodes joined with the heartbeat tree. An
     * engine that does not answer, or a heartbeat dir that cannot be listed, is told on the screen instead,
     * and the next refresh looks again.
     */
    public static FleetLook take(NodeLister nodes, HeartbeatReader heartbeats, Instant now, Duration staleAfter)
    {
        try {
            return seen(FleetStatus.of(nodes.nodes(), heartbeats.read(), now, staleAfter));
        }
        catch (RuntimeException e) {
            return unavailable("cannot see the fleet: " + e.getMessage());
        }
    }

    public static FleetLook seen(FleetStatus status)
    {
        return new FleetLook(Optional.of(status), Optional.empty());
    }

    public static FleetLook unavailable(String problem)
    {
        return new FleetLook(Optional.empty(), Optional.of(problem));
    }
}
