package dev.berth.fleet;

import dev.berth.swarm.SwarmNode;

import java.util.List;

/** The swarm's current node list ({@code GET /nodes}); a manager's Swarm client provides it. */
@FunctionalInterface
public interface NodeLister
{
    List<SwarmNode> nodes();
}
