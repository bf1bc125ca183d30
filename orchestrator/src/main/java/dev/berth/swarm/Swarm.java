package dev.berth.swarm;

import java.util.List;
import java.util.Optional;

/**
 * What the daemon uses of Docker Swarm: listings of nodes and of its own tasks, services and secrets,
 * the create and remove of one attempt's service, and pinning an image to exact bytes. {@link SwarmClient}
 * is the Engine API behind it; tests of the scheduling policy use an in-memory one.
 */
public interface Swarm
{
    String INSTANCE_LABEL = "berth.instance";
    String JOB_LABEL = "berth.job";
    String ATTEMPT_LABEL = "berth.attempt";
    /** Marks the secrets made by {@code berth secret create}: the only ones a job may name. */
    String SECRET_LABEL = "berth.secret";

    /** What a create did: made the service, found this attempt's own, or found the name held by a service not this berth's. */
    enum Created { CREATED, ALREADY_EXISTS, NAME_TAKEN }

    /** One of the services this berth instance created, named by its labels. */
    record BerthService(String name, String jobId, int attempt) {}

    /** Every node, with its GPUs of the generic-resource kind {@code gpuKind}. */
    List<SwarmNode> nodes(String gpuKind);

    /**
     * Drains the node and labels it {@link SwarmNode#DRAINED_BY_LABEL}={@code drainedBy}, so that Swarm places
     * nothing more there and whoever looks at the node knows why.
     */
    void drainNode(String nodeId, String drainedBy);

    /** All tasks of the services this berth instance created, in one call. */
    List<TaskSnapshot> tasks(String instanceId);

    /** The services this berth instance created, found by its label. */
    List<BerthService> services(String instanceId);

    /**
     * Which berth instance owns the service named {@code name}: empty if there is no such service,
     * an empty string if it carries no berth label (someone else's service).
     */
    Optional<String> serviceOwner(String name);

    /**
     * Creates the service. A name that already exists means an earlier create of the same attempt got
     * through, unless the service is another berth's: two berths sharing a swarm may reuse a job id.
     */
    Created createService(ServiceRequest request);

    /** Removes the service; one that is already gone is fine. */
    void removeService(String name);

    /**
     * Pins an image to exact bytes: the digest its registry gives for it now, asked with berth's credentials
     * for that registry (nodes can then pull it), else its local image id (every node must hold the image, as
     * with images built without a registry). Empty when neither the manager nor a registry knows the image.
     *
     * @throws dev.berth.registry.RegistryAccessException when the registry refuses berth's credentials, or wants
     *         some berth does not have
     */
    Optional<String> resolveImage(String image);

    /**
     * The secrets berth made, found by its label. Jobs may name only these: a swarm's other secrets
     * belong to other services, and whoever can send a request must not be able to read them.
     */
    List<SwarmSecret> secrets();

    /** The name of a job's attempt's service: one per attempt, so a create is safe to repeat. */
    static String serviceName(String jobId, int attempt)
    {
        return "berth-" + jobId + "-" + attempt;
    }
}
