package dev.berth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The baseline: Swarm driven straight through the Engine API, with the same transport berth uses
 * and a service shaped like berth's (one replica, never restarted, the same reservations and limits).
 */
final class RawSwarm
        implements AutoCloseable
{
    static final String LABEL = "berth.bench.raw";

    private final ObjectMapper json = new ObjectMapper();
    private final DockerHttpClient http;

    RawSwarm(String dockerHost)
    {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(dockerHost).build();
        this.http = new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .maxConnections(32)
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofSeconds(60))
                .build();
    }

    /** Creates a service whose container touches {@code marker} (inside {@code dir}, bind-mounted) and exits. */
    void create(String name, String image, Path dir, String marker)
    {
        Map<String, Object> containerSpec = Map.of(
                "Image", image,
                "Command", List.of("/bin/sh", "-c", ": >\"$0\"", dir.resolve(marker).toString()),
                "Mounts", List.of(Map.of("Type", "bind", "Source", dir.toString(), "Target", dir.toString())));
        Map<String, Object> resources = Map.of("NanoCPUs", 100_000_000L, "MemoryBytes", 32L << 20);
        Map<String, Object> spec = Map.of(
                "Name", name,
                "Labels", Map.of(LABEL, "1"),
                "TaskTemplate", Map.of(
                        "ContainerSpec", containerSpec,
                        "Resources", Map.of("Reservations", resources, "Limits", resources),
                        "RestartPolicy", Map.of("Condition", "none", "MaxAttempts", 0)),
                "Mode", Map.of("Replicated", Map.of("Replicas", 1)));
        Reply reply = call(DockerHttpClient.Request.Method.POST, "/services/create", spec);
        if (reply.status() != 201) {
            throw new IllegalStateException("service create refused (" + reply.status() + "): " + reply.body());
        }
    }

    /** The state of each raw service's task, by service name, from one filtered listing. */
    Map<String, String> taskStates()
    {
        Map<String, String> serviceNames = new HashMap<>();
        for (JsonNode service : get("/services?filters=" + encode(Map.of("label", List.of(LABEL))))) {
            serviceNames.put(service.path("ID").asText(), service.path("Spec").path("Name").asText());
        }
        Map<String, String> states = new HashMap<>();
        for (JsonNode task : get("/tasks?filters=" + encode(Map.of("label", List.of(LABEL))))) {
            String name = serviceNames.get(task.path("ServiceID").asText());
            if (name != null) {
                states.put(name, task.path("Status").path("State").asText());
            }
        }
        return states;
    }

    void remove(String name)
    {
        call(DockerHttpClient.Request.Method.DELETE, "/services/" + URLEncoder.encode(name, StandardCharsets.UTF_8), null);
    }

    /** Removes every service in the swarm: the test bed is the benchmark's own, and a scenario starts from an empty one. */
    void removeEverything()
    {
        for (JsonNode service : get("/services")) {
            remove(service.path("Spec").path("Name").asText());
        }
    }

    String engineVersion()
    {
        return get("/version").path("Version").asText("unknown");
    }

    private JsonNode get(String path)
    {
        Reply reply = call(DockerHttpClient.Request.Method.GET, path, null);
        if (reply.status() != 200) {
            throw new IllegalStateException("GET " + path + " refused (" + reply.status() + "): " + reply.body());
        }
        return reply.body();
    }

    private record Reply(int status, JsonNode body) {}

    private Reply call(DockerHttpClient.Request.Method method, String path, Object body)
    {
        DockerHttpClient.Request.Builder request = DockerHttpClient.Request.builder().method(method).path("/v1.41" + path);
        try {
            if (body != null) {
                request.putHeader("Content-Type", "application/json").body(new ByteArrayInputStream(json.writeValueAsBytes(body)));
            }
            try (DockerHttpClient.Response response = http.execute(request.build())) {
                byte[] bytes = response.getBody().readAllBytes();
                return new Reply(response.getStatusCode(), bytes.length == 0 ? json.createObjectNode() : json.readTree(bytes));
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String encode(Object filters)
    {
        try {
            return URLEncoder.encode(json.writeValueAsString(filters), StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close()
            throws IOException
    {
        http.close();
    }
}
