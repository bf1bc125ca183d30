package dev.berth.testing;

import dev.berth.swarm.EngineException;
import dev.berth.swarm.ServiceRequest;
import dev.berth.swarm.Swarm;
import dev.berth.swarm.SwarmNode;
import dev.berth.swarm.SwarmSecret;
import dev.berth.swarm.TaskSnapshot;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * An in-memory Swarm for tests of the scheduling policy: services and their one task each, moved by
 * the test as Swarm would move them (placed and running on a node, complete, failed, a container slow
 * to stop), nodes that can go down or be drained (for a spot notice too), berth's secrets (names only: a value never reaches the daemon), and faults
 * on the next create.
 */
public final class FakeSwarm
        implements Swarm
{
    private final Clock clock;
    private final Map<String, SwarmNode> nodes = new LinkedHashMap<>();
    private final Map<String, ServiceRequest> services = new LinkedHashMap<>();
    private final Map<String, ServiceRequest> removedServices = new LinkedHashMap<>();
    private final Map<String, TaskSnapshot> tasks = new LinkedHashMap<>();
    private final List<String> created = new ArrayList<>();
    private final List<String> images = new ArrayList<>();
    /** Services whose container, once stopped, takes its time to go: their task stays listed, running, after the remove. */
    private final Set<String> slowStops = new HashSet<>();
    private final Map<String, SwarmSecret> secrets = new LinkedHashMap<>();
    private RuntimeException nextCreateFailure;
    private RuntimeException secretListingFailure;
    private RuntimeException listingFailure;
    private int secretListings;

    public FakeSwarm(Clock clock)
    {
        this.clock = requireNonNull(clock, "clock is null");
    }

    public synchronized FakeSwarm withNode(SwarmNode node)
    {
        nodes.put(node.id(), node);
        return this;
    }

    public synchronized FakeSwarm withImage(String image)
    {
        images.add(image);
        return this;
    }

    /** A secret made by 'berth secret create', as Swarm lists it. */
    public synchronized FakeSwarm withSecret(String name)
    {
        secrets.put(name, new SwarmSecret("id-" + name, name, clock.instant()));
        return this;
    }

    /** The secret is removed, as 'berth secret rm' would. */
    public synchronized void removeSecret(String name)
    {
        secrets.remove(name);
    }

    /** Every listing of secrets fails with {@code failure} from now on, as with the engine unreachable; null: they work again. */
    public synchronized void failSecretListings(RuntimeException failure)
    {
        secretListingFailure = failure;
    }

    /** How often the secrets were listed, failed listings included. */
    public synchronized int secretListings()
    {
        return secretListings;
    }

    /** A node that is ready and active, with {@code cpus} CPUs, {@code memoryGib} GiB and no GPUs. */
    public static SwarmNode node(String id, int cpus, int memoryGib)
    {
        return new SwarmNode(id, id, "ready", "active", Map.of(), cpus * 1_000_000_000L, memoryGib * (1L << 30), List.of());
    }

    /** The node's state changes (down, disconnected) or its availability (drain), as Swarm reports it. */
    public synchronized void setNode(String id, String state, String availability)
    {
        SwarmNode node = nodes.get(id);
        nodes.put(id, new SwarmNode(id, node.hostname(), state, availability, node.labels(), node.nanoCpus(), node.memoryBytes(), node.gpus(), node.role()));
    }

    /** The manager's reconcile drains the node for a spot interruption notice: drained, and labelled so. */
    public synchronized void drainForSpotNotice(String id)
    {
        SwarmNode node = nodes.get(id);
        Map<String, String> labels = new LinkedHashMap<>(node.labels());
        labels.put(SwarmNode.DRAINED_BY_LABEL, SwarmNode.DRAINED_FOR_SPOT_NOTICE);
        nodes.put(id, new SwarmNode(id, node.hostname(), node.state(), "drain", labels, node.nanoCpus(), node.memoryBytes(), node.gpus(), node.role()));
    }

    /**
     * The service's container takes its stop grace to go, as a job saving a checkpoint on SIGTERM does: once the
     * service is removed, its task stays listed as running (desired state remove) until {@link #containerGone}.
     */
    public synchronized void stopsSlowly(String serviceName)
    {
        slowStops.add(serviceName);
    }

    /** Swarm begins to stop the service's task, as a drain of its node does: desired state shutdown, running while its container takes its SIGTERM. */
    public synchronized void shuttingDown(String serviceName)
    {
        TaskSnapshot task = task(serviceName);
        moveTask(serviceName, task.nodeId(), task.state(), "shutdown", task.exitCode(), task.error());
    }

    /** The slowly stopping container has exited: its task leaves the listing, as Swarm's does. */
    public synchronized void containerGone(String serviceName)
    {
        slowStops.remove(serviceName);
        if (!services.containsKey(serviceName)) {
            tasks.remove(serviceName);
        }
    }

    /** The next create fails with {@code failure}, as the engine would (refused, unreachable). */
    public synchronized void failNextCreate(RuntimeException failure)
    {
        nextCreateFailure = failure;
    }

    /** Swarm places the service's task on {@code nodeId} and its container runs. */
    public synchronized void run(String serviceName, String nodeId)
    {
        moveTask(serviceName, Optional.of(nodeId), "running", "running", Optional.empty(), "");
    }

    /** Swarm placed the task on {@code nodeId}, and the node could not start its container: {@code error} as Swarm says it. */
    public synchronized void failToStart(String serviceName, String nodeId, String error)
    {
        moveTask(serviceName, Optional.of(nodeId), "failed", "shutdown", Optional.of(128), error);
    }

    /** The container exited by itself with {@code exitCode}. */
    public synchronized void exit(String serviceName, int exitCode)
    {
        TaskSnapshot task = task(serviceName);
        if (exitCode == 0) {
            moveTask(serviceName, task.nodeId(), "complete", "shutdown", Optional.of(0), "");
        }
        else {
            moveTask(serviceName, task.nodeId(), "failed", "shutdown", Optional.of(exitCode), "task: non-zero exit (" + exitCode + ")");
        }
    }

    /** Every service created so far, in order, removed or not. */
    public synchronized List<String> createdServices()
    {
        return List.copyOf(created);
    }

    /** The services that exist now. */
    public synchronized List<String> liveServices()
    {
        return List.copyOf(services.keySet());
    }

    public synchronized ServiceRequest service(String name)
    {
        return requireNonNull(services.get(name), () -> "no service " + name);
    }

    public synchronized TaskSnapshot task(String serviceName)
    {
        return requireNonNull(tasks.get(serviceName), () -> "no task of " + serviceName);
    }

    /** Node and task listings fail with {@code failure} (null: they answer again), as with the manager unreachable. */
    public synchronized void failListings(RuntimeException failure)
    {
        listingFailure = failure;
    }

    @Override
    public synchronized List<SwarmNode> nodes(String gpuKind)
    {
        if (listingFailure != null) {
            throw listingFailure;
        }
        return List.copyOf(nodes.values());
    }

    @Override
    public synchronized void drainNode(String nodeId, String drainedBy)
    {
        SwarmNode node = nodes.get(nodeId);
        Map<String, String> labels = new LinkedHashMap<>(node.labels());
        labels.put(SwarmNode.DRAINED_BY_LABEL, drainedBy);
        nodes.put(nodeId, new SwarmNode(nodeId, node.hostname(), node.state(), "drain", labels, node.nanoCpus(), node.memoryBytes(), node.gpus(), node.role()));
    }

    /** The node leaves the swarm, as a worker a scaler removed does. */
    public synchronized void removeNode(String id)
    {
        nodes.remove(id);
    }

    @Override
    public synchronized List<TaskSnapshot> tasks(String instanceId)
    {
        if (listingFailure != null) {
            throw listingFailure;
        }
        return tasks.values().stream().filter(task -> ownedBy(task.serviceName(), instanceId) || removedButStopping(task.serviceName(), instanceId)).toList();
    }

    @Override
    public synchronized List<BerthService> services(String instanceId)
    {
        return services.values().stream()
                .filter(service -> instanceId.equals(service.labels().get(INSTANCE_LABEL)))
                .map(service -> new BerthService(service.name(), service.labels().get(JOB_LABEL), Integer.parseInt(service.labels().get(ATTEMPT_LABEL))))
                .toList();
    }

    @Override
    public synchronized Optional<String> serviceOwner(String name)
    {
        return Optional.ofNullable(services.get(name)).map(service -> service.labels().getOrDefault(INSTANCE_LABEL, ""));
    }

    @Override
    public synchronized Created createService(ServiceRequest request)
    {
        if (nextCreateFailure != null) {
            RuntimeException failure = nextCreateFailure;
            nextCreateFailure = null;
            throw failure;
        }
        List<String> unknown = request.secrets().stream().filter(name -> !secrets.containsKey(name)).toList();
        if (!unknown.isEmpty()) {
            throw refused("secret not found: " + String.join(", ", unknown));
        }
        ServiceRequest existing = services.get(request.name());
        if (existing != null) {
            return existing.labels().get(INSTANCE_LABEL).equals(request.labels().get(INSTANCE_LABEL)) ? Created.ALREADY_EXISTS : Created.NAME_TAKEN;
        }
        services.put(request.name(), request);
        created.add(request.name());
        tasks.put(request.name(), new TaskSnapshot(request.name(), Optional.empty(), "pending", "running", Optional.empty(), "", clock.instant(), clock.instant()));
        return Created.CREATED;
    }

    /** A service of another berth sharing the swarm, or of no berth at all. */
    public synchronized void addForeignService(ServiceRequest request)
    {
        services.put(request.name(), request);
    }

    @Override
    public synchronized void removeService(String name)
    {
        ServiceRequest removed = services.remove(name);
        if (removed != null && slowStops.contains(name) && tasks.containsKey(name)) {
            removedServices.put(name, removed);
            // Only the desired state changes: the container is still there, in its stop grace
            TaskSnapshot task = tasks.get(name);
            tasks.put(name, new TaskSnapshot(name, task.nodeId(), task.state(), "remove", task.exitCode(), task.error(), task.createdAt(), task.since()));
            return;
        }
        tasks.remove(name);
    }

    @Override
    public synchronized Optional<String> resolveImage(String image)
    {
        return images.contains(image) ? Optional.of(image.replaceAll(":.*", "") + "@sha256:" + "0".repeat(64)) : Optional.empty();
    }

    @Override
    public synchronized List<SwarmSecret> secrets()
    {
        secretListings++;
        if (secretListingFailure != null) {
            throw secretListingFailure;
        }
        return List.copyOf(secrets.values());
    }

    /** An engine error such as Swarm's answer to a bad service spec. */
    public static EngineException refused(String message)
    {
        return new EngineException(message, 400);
    }

    private boolean removedButStopping(String serviceName, String instanceId)
    {
        ServiceRequest removed = removedServices.get(serviceName);
        return slowStops.contains(serviceName) && removed != null && instanceId.equals(removed.labels().get(INSTANCE_LABEL));
    }

    private boolean ownedBy(String serviceName, String instanceId)
    {
        ServiceRequest service = services.get(serviceName);
        return service != null && instanceId.equals(service.labels().get(INSTANCE_LABEL));
    }

    private void moveTask(String serviceName, Optional<String> nodeId, String state, String desiredState, Optional<Integer> exitCode, String error)
    {
        TaskSnapshot task = task(serviceName);
        tasks.put(serviceName, new TaskSnapshot(serviceName, nodeId, state, desiredState, exitCode, error, task.createdAt(), clock.instant()));
    }
}
