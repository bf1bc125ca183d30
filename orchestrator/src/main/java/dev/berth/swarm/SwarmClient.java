package dev.berth.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.transport.DockerHttpClient.Request.Method;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * berth's view of the Swarm: nodes, its own tasks and services, and image resolution. Every
 * listing is one call for all jobs together (Swarm has no task events, and a call per job
 * would not scale). Services are found by berth's labels, never by name prefix.
 */
public final class SwarmClient
        implements Swarm, AutoCloseable
{
    private final EngineApi api;

    public SwarmClient(String dockerHost)
    {
        this.api = new EngineApi(dockerHost);
    }

    /** Whether this engine is a swarm manager. */
    public boolean isManager()
    {
        JsonNode swarm = api.get("/info").path("Swarm");
        return swarm.path("LocalNodeState").asText().equals("active") && swarm.path("ControlAvailable").asBoolean();
    }

    /** Makes a single-node swarm of this engine, for the embedded default. */
    public void initSingleNodeSwarm()
    {
        Map<String, Object> body = Map.of("ListenAddr", "127.0.0.1:2377", "AdvertiseAddr", "127.0.0.1");
        EngineApi.Reply reply = api.call(Method.POST, "/swarm/init", body);
        if (reply.status() != 200 && reply.status() != 503) {
            throw api.failure("POST", "/swarm/init", reply);
        }
    }

    @Override
    public List<SwarmNode> nodes(String gpuKind)
    {
        List<SwarmNode> nodes = new ArrayList<>();
        for (JsonNode node : api.get("/nodes")) {
            JsonNode resources = node.path("Description").path("Resources");
            List<String> gpus = new ArrayList<>();
            for (JsonNode resource : resources.path("GenericResources")) {
                JsonNode named = resource.path("NamedResourceSpec");
                JsonNode discrete = resource.path("DiscreteResourceSpec");
                if (named.path("Kind").asText().equals(gpuKind)) {
                    gpus.add(named.path("Value").asText());
                }
                else if (discrete.path("Kind").asText().equals(gpuKind)) {
                    for (long i = 0; i < discrete.path("Value").asLong(); i++) {
                        gpus.add(gpuKind + "-" + i);
                    }
                }
            }
            Map<String, String> labels = new LinkedHashMap<>();
            node.path("Spec").path("Labels").fields().forEachRemaining(label -> labels.put(label.getKey(), label.getValue().asText()));
            nodes.add(new SwarmNode(
                    node.path("ID").asText(),
                    node.path("Description").path("Hostname").asText(),
                    node.path("Status").path("State").asText(),
                    node.path("Spec").path("Availability").asText(),
                    labels,
                    resources.path("NanoCPUs").asLong(),
                    resources.path("MemoryBytes").asLong(),
                    gpus));
        }
        return nodes;
    }

    @Override
    public List<TaskSnapshot> tasks(String instanceId)
    {
        JsonNode tasks = listLabelled("/tasks", instanceId);
        List<TaskSnapshot> snapshots = new ArrayList<>();
        for (JsonNode task : tasks) {
            JsonNode labels = task.path("Spec").path("ContainerSpec").path("Labels");
            JsonNode status = task.path("Status");
            JsonNode exitCode = status.path("ContainerStatus").path("ExitCode");
            String nodeId = task.path("NodeID").asText("");
            snapshots.add(new TaskSnapshot(
                    Swarm.serviceName(labels.path(JOB_LABEL).asText(), labels.path(ATTEMPT_LABEL).asInt()),
                    nodeId.isEmpty() ? Optional.empty() : Optional.of(nodeId),
                    status.path("State").asText(),
                    task.path("DesiredState").asText(),
                    // Swarm reports ExitCode 0 for tasks whose container never ran; only trust it once a container existed.
                    exitCode.isMissingNode() || status.path("ContainerStatus").path("ContainerID").asText("").isEmpty()
                            ? Optional.empty() : Optional.of(exitCode.asInt()),
                    status.path("Err").asText(""),
                    Instant.parse(task.path("CreatedAt").asText()),
                    Instant.parse(status.path("Timestamp").asText())));
        }
        return snapshots;
    }

    @Override
    public List<BerthService> services(String instanceId)
    {
        JsonNode services = listLabelled("/services", instanceId);
        List<BerthService> found = new ArrayList<>();
        for (JsonNode service : services) {
            JsonNode labels = service.path("Spec").path("Labels");
            found.add(new BerthService(service.path("Spec").path("Name").asText(), labels.path(JOB_LABEL).asText(), labels.path(ATTEMPT_LABEL).asInt()));
        }
        return found;
    }

    @Override
    public Optional<String> serviceOwner(String name)
    {
        EngineApi.Reply reply = api.call(Method.GET, "/services/" + EngineApi.segment(name), null);
        if (reply.status() == 404) {
            return Optional.empty();
        }
        if (reply.status() != 200) {
            throw api.failure("GET", "/services/" + name, reply);
        }
        return Optional.of(reply.body().path("Spec").path("Labels").path(INSTANCE_LABEL).asText(""));
    }

    @Override
    public Created createService(ServiceRequest request)
    {
        EngineApi.Reply reply = api.call(Method.POST, "/services/create", ServiceSpecs.toJson(request));
        return switch (reply.status()) {
            case 200, 201 -> Created.CREATED;
            case 409 -> serviceOwner(request.name()).orElse("").equals(request.labels().get(INSTANCE_LABEL))
                    ? Created.ALREADY_EXISTS
                    : Created.NAME_TAKEN;
            default -> throw api.failure("POST", "/services/create", reply);
        };
    }

    @Override
    public void removeService(String name)
    {
        EngineApi.Reply reply = api.call(Method.DELETE, "/services/" + EngineApi.segment(name), null);
        if (reply.status() != 200 && reply.status() != 404) {
            throw api.failure("DELETE", "/services/" + name, reply);
        }
    }

    @Override
    public Optional<String> resolveImage(String image)
    {
        EngineApi.Reply local = api.call(Method.GET, "/images/" + image + "/json", null);
        if (local.status() == 200) {
            String repository = image.contains("@") ? image.substring(0, image.indexOf('@')) : stripTag(image);
            for (JsonNode digest : local.body().path("RepoDigests")) {
                if (digest.asText().startsWith(repository + "@")) {
                    return Optional.of(digest.asText());
                }
            }
            return Optional.of(local.body().path("Id").asText());
        }
        EngineApi.Reply remote = api.call(Method.GET, "/distribution/" + image + "/json", null);
        if (remote.status() == 200) {
            return Optional.of(stripTag(image) + "@" + remote.body().path("Descriptor").path("digest").asText());
        }
        return Optional.empty();
    }

    private static String stripTag(String image)
    {
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        return colon > slash ? image.substring(0, colon) : image;
    }

    /** What the engine lists at {@code path} that carries this berth instance's label: one call for all of its jobs. */
    private JsonNode listLabelled(String path, String instanceId)
    {
        return api.get(path + "?" + EngineApi.query("filters", Map.of("label", List.of(INSTANCE_LABEL + "=" + instanceId))));
    }

    @Override
    public void close()
    {
        api.close();
    }
}
