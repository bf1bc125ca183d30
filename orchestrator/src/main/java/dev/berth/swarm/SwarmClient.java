package dev.berth.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.transport.DockerHttpClient.Request.Method;
import dev.berth.registry.ImageNames;
import dev.berth.registry.RegistryAccessException;
import dev.berth.registry.RegistryAuth;
import dev.berth.registry.RegistryCredentials;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * berth's view of the Swarm: nodes, its own tasks and services, and image resolution. Every
 * listing is one call for all jobs together (Swarm has no task events, and a call per job
 * would not scale). Services and secrets are found by berth's labels, never by name prefix. Registry
 * credentials go with each image look-up and each service, so the workers pull with them.
 */
public final class SwarmClient
        implements Swarm, AutoCloseable
{
    private final EngineApi api;
    private final RegistryCredentials credentials;

    /** A client that passes no registry credentials: for listings, and images that need none. */
    public SwarmClient(String dockerHost)
    {
        this(dockerHost, RegistryCredentials.none());
    }

    public SwarmClient(String dockerHost, RegistryCredentials credentials)
    {
        this.api = new EngineApi(dockerHost);
        this.credentials = requireNonNull(credentials, "credentials is null");
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
            JsonNode instanceId = node.path("Description").path("Engine").path("Labels").path(SwarmNode.INSTANCE_ID_LABEL);
            if (instanceId.isTextual()) {
                labels.put(SwarmNode.INSTANCE_ID_LABEL, instanceId.asText());
            }
            node.path("Spec").path("Labels").fields().forEachRemaining(label -> labels.put(label.getKey(), label.getValue().asText()));
            nodes.add(new SwarmNode(
                    node.path("ID").asText(),
                    node.path("Description").path("Hostname").asText(),
                    node.path("Status").path("State").asText(),
                    node.path("Spec").path("Availability").asText(),
                    labels,
                    resources.path("NanoCPUs").asLong(),
                    resources.path("MemoryBytes").asLong(),
                    gpus,
                    node.path("Spec").path("Role").asText()));
        }
        return nodes;
    }

    @Override
    public void drainNode(String nodeId, String drainedBy)
    {
        String path = "/nodes/" + EngineApi.segment(nodeId);
        JsonNode node = api.get(path);
        // The engine takes a node's whole spec at the version it was read at: an update between the two is refused, not lost
        ObjectNode spec = node.path("Spec").deepCopy();
        spec.put("Availability", "drain");
        spec.with("Labels").put(SwarmNode.DRAINED_BY_LABEL, drainedBy);
        String update = path + "/update?version=" + node.path("Version").path("Index").asLong();
        EngineApi.Reply reply = api.call(Method.POST, update, spec);
        if (reply.status() != 200) {
            throw api.failure("POST", update, reply);
        }
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
        EngineApi.Reply reply = api.call(Method.POST, "/services/create", ServiceSpecs.toJson(request, secretIds(request)), registryAuth(request.image()));
        return switch (reply.status()) {
            case 200, 201 -> Created.CREATED;
            case 409 -> serviceOwner(request.name()).orElse("").equals(request.labels().get(INSTANCE_LABEL))
                    ? Created.ALREADY_EXISTS
                    : Created.NAME_TAKEN;
            default -> throw api.failure("POST", "/services/create", reply);
        };
    }

    /** Swarm's ids of the secrets the request names, which a service spec must give with their names; one listing, only when it names any. */
    private Map<String, String> secretIds(ServiceRequest request)
    {
        if (request.secrets().isEmpty()) {
            return Map.of();
        }
        Map<String, String> ids = new LinkedHashMap<>();
        secrets().forEach(secret -> ids.put(secret.name(), secret.id()));
        List<String> missing = request.secrets().stream().filter(name -> !ids.containsKey(name)).toList();
        if (!missing.isEmpty()) {
            // As the engine itself would refuse a reference to a secret it does not have: the request's fault
            throw new EngineException("cannot create service " + request.name() + ": secret not found: " + String.join(", ", missing), 404);
        }
        return ids;
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
        String repository = ImageNames.repository(image);
        Optional<String> localDigest = Optional.empty();
        EngineApi.Reply local = api.call(Method.GET, "/images/" + image + "/json", null);
        if (local.status() == 200) {
            for (JsonNode digest : local.body().path("RepoDigests")) {
                if (digest.asText().startsWith(repository + "@")) {
                    localDigest = Optional.of(digest.asText());
                    break;
                }
            }
            if (localDigest.isEmpty()) {
                // Built or loaded here, never pulled: no registry knows it, and every node must hold it
                return Optional.of(local.body().path("Id").asText());
            }
        }
        // From a registry: the registry says which bytes the tag names now, and whether berth's credentials may pull them
        Optional<RegistryAuth> auth = registryAuth(image);
        EngineApi.Reply remote = api.call(Method.GET, "/distribution/" + image + "/json", null, auth);
        if (remote.status() == 200) {
            return Optional.of(repository + "@" + remote.body().path("Descriptor").path("digest").asText());
        }
        String answer = remote.body().path("message").asText(remote.body().toString());
        if (refusedAccess(remote.status(), answer)) {
            String registry = ImageNames.registry(image);
            throw new RegistryAccessException(auth.isPresent()
                    ? "registry " + registry + " refused the credentials from " + auth.get().source() + " for image " + image + " (" + answer
                            + "): configure them in " + credentials.whereToConfigure(registry)
                    : "no credentials for registry " + registry + ", which refused image " + image + " without them (" + answer
                            + "): configure them in " + credentials.whereToConfigure(registry));
        }
        // The registry unreachable, or the tag gone from it: the manager's copy, if it has one, is the best there is
        return localDigest;
    }

    @Override
    public List<SwarmSecret> secrets()
    {
        return secrets(Map.of("label", List.of(SECRET_LABEL)));
    }

    /** berth's secret of that name; one of another's, or none, is empty. */
    public Optional<SwarmSecret> secret(String name)
    {
        // Swarm's name filter also matches other names that contain this one: keep the exact one
        return secrets(Map.of("label", List.of(SECRET_LABEL), "name", List.of(name))).stream().filter(secret -> secret.name().equals(name)).findFirst();
    }

    private List<SwarmSecret> secrets(Map<String, List<String>> filters)
    {
        List<SwarmSecret> found = new ArrayList<>();
        for (JsonNode secret : api.get("/secrets?" + EngineApi.query("filters", filters))) {
            found.add(new SwarmSecret(secret.path("ID").asText(), secret.path("Spec").path("Name").asText(), Instant.parse(secret.path("CreatedAt").asText())));
        }
        return found;
    }

    /**
     * Creates a secret labelled as berth's; returns its id. Swarm keeps the value encrypted in its raft
     * log and hands it only to the containers of services that name the secret; no one can read it back.
     * A name that is taken (by berth or anyone else) is refused with status 409: secrets cannot change.
     */
    public String createSecret(String name, byte[] value)
    {
        Map<String, Object> body = Map.of("Name", name, "Labels", Map.of(SECRET_LABEL, "true"), "Data", Base64.getEncoder().encodeToString(value));
        EngineApi.Reply reply = api.call(Method.POST, "/secrets/create", body);
        if (reply.status() != 201 && reply.status() != 200) {
            throw api.failure("POST", "/secrets/create", reply);
        }
        return reply.body().path("ID").asText();
    }

    /** Removes the secret; one that is already gone is fine. Swarm refuses (400) while a service names it. */
    public void removeSecret(String id)
    {
        EngineApi.Reply reply = api.call(Method.DELETE, "/secrets/" + EngineApi.segment(id), null);
        if (reply.status() != 204 && reply.status() != 200 && reply.status() != 404) {
            throw api.failure("DELETE", "/secrets/" + id, reply);
        }
    }

    /** The credentials for an image's registry; none for an image pinned to a local id, which no registry holds. */
    private Optional<RegistryAuth> registryAuth(String image)
    {
        return image.startsWith("sha256:") ? Optional.empty() : credentials.forRegistry(ImageNames.registry(image));
    }

    /** Whether the registry turned the request down for want of (the right) credentials, as the engine relays it. */
    private static boolean refusedAccess(int status, String answer)
    {
        String text = answer.toLowerCase(Locale.ROOT);
        return status == 401 || status == 403
                || text.contains("unauthorized") || text.contains("denied") || text.contains("no basic auth credentials") || text.contains("authentication required");
    }

    /**
     * Removes the volumes of this berth instance's jobs (the attempts' overlays) that no container on this engine
     * uses any more; returns how many. The engine unmounts an overlay when its container stops, and keeps the
     * volume's name until it is removed. One still in use, or removed meanwhile, is left for the next call.
     */
    public int removeUnusedJobVolumes(String instanceId)
    {
        JsonNode listing = api.get("/volumes?" + EngineApi.query("filters",
                Map.of("label", List.of(INSTANCE_LABEL + "=" + instanceId), "dangling", List.of("true"))));
        int removed = 0;
        for (JsonNode volume : listing.path("Volumes")) {
            String name = volume.path("Name").asText();
            EngineApi.Reply reply = api.call(Method.DELETE, "/volumes/" + EngineApi.segment(name), null);
            if (reply.status() == 204) {
                removed++;
            }
            else if (reply.status() != 404 && reply.status() != 409) {
                throw api.failure("DELETE", "/volumes/" + name, reply);
            }
        }
        return removed;
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
