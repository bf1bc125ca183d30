package dev.berth.metrics;

import dev.berth.swarm.ServiceRequest;
import dev.berth.swarm.Swarm;
import dev.berth.swarm.SwarmNode;
import dev.berth.swarm.SwarmSecret;
import dev.berth.swarm.TaskSnapshot;
import dev.berth.time.Ticker;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/** Swarm with each call timed, by operation and whether it threw: a slow or failing manager shows before jobs do. */
public final class TimedSwarm
        implements Swarm
{
    private final Swarm swarm;
    private final BerthMetrics metrics;
    private final Ticker ticker;

    public TimedSwarm(Swarm swarm, BerthMetrics metrics, Ticker ticker)
    {
        this.swarm = requireNonNull(swarm, "swarm is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
    }

    @Override
    public List<SwarmNode> nodes(String gpuKind)
    {
        return timed("nodes", () -> swarm.nodes(gpuKind));
    }

    @Override
    public void drainNode(String nodeId, String drainedBy)
    {
        timed("drain_node", () -> {
            swarm.drainNode(nodeId, drainedBy);
            return null;
        });
    }

    @Override
    public List<TaskSnapshot> tasks(String instanceId)
    {
        return timed("tasks", () -> swarm.tasks(instanceId));
    }

    @Override
    public List<BerthService> services(String instanceId)
    {
        return timed("services", () -> swarm.services(instanceId));
    }

    @Override
    public Optional<String> serviceOwner(String name)
    {
        return timed("service_owner", () -> swarm.serviceOwner(name));
    }

    @Override
    public Created createService(ServiceRequest request)
    {
        return timed("create_service", () -> swarm.createService(request));
    }

    @Override
    public void removeService(String name)
    {
        timed("remove_service", () -> {
            swarm.removeService(name);
            return null;
        });
    }

    @Override
    public Optional<String> resolveImage(String image)
    {
        return timed("resolve_image", () -> swarm.resolveImage(image));
    }

    @Override
    public List<SwarmSecret> secrets()
    {
        return timed("secrets", swarm::secrets);
    }

    private <T> T timed(String operation, Supplier<T> call)
    {
        long start = ticker.read();
        boolean succeeded = false;
        try {
            T result = call.get();
            succeeded = true;
            return result;
        }
        finally {
            metrics.swarmCall(operation, Duration.ofNanos(ticker.read() - start), succeeded);
        }
    }
}
