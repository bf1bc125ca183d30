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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The baseline: Swarm driven straight through the Engine API, with the same transport berth uses,
 * creating the same services berth creates (one replica, never restarted, the same reservations,
 * limits, mounts and job wrapper), so the difference is berth's own work.
 */
final class RawSwarm
        implements AutoCloseable
{
    static final String LABEL = "berth.bench.raw";

    /** berth's job wrapper, word for word, so the baseline's containers do what berth's do. */
    private static final String WRAPPER = """
            : >"$BERTH_ATTEMPT_DIR/.started"
            exec >>"$BERTH_ATTEMPT_DIR/stdout.txt" 2>>"$BERTH_ATTEMPT_DIR/stderr.txt" || exit 125
            exec "./$BERTH_ENTRYPOINT"
            """;

    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, String> imageIds = new HashMap<>();
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

    /**
     * Makes {@code root} ready for {@link #create}: the job's script in {@code work/}, and a directory to
     * mount read-only as berth mounts its mirrors.
     */
    static Path jobRoot(Path root)
            throws IOException
    {
        Path script = Files.createDirectories(root.resolve("work")).resolve(Requests.NO_OP_ENTRYPOINT);
        Files.writeString(script, Requests.NO_OP_SCRIPT);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(root.resolve("read-only"));
        return root;
    }

    /**
     * Creates a service shaped like the one berth creates for a job: the same wrapper (it touches
     * {@code .started} in the service's own dir under {@code root}, then appends its output to files
     * there and runs the script), the same environment's size, the same two bind mounts, the working
     * directory, the image by id. Returns the service's dir, where {@code .started} appears.
     */
    Path create(String name, String image, Path root)
            throws IOException
    {
        Path serviceDir = Files.createDirectories(root.resolve(name));
        Map<String, Object> containerSpec = new LinkedHashMap<>();
        containerSpec.put("Image", imageId(image));
        containerSpec.put("Command", List.of("/bin/sh", "-c", WRAPPER, "raw-job"));
        containerSpec.put("Env", List.of("ENTRYPOINT_PARAMS=", "BERTH_JOB_ID=" + name, "BERTH_ATTEMPT=1", "BERTH_RUN_DIR=" + serviceDir,
                "BERTH_ATTEMPT_DIR=" + serviceDir, "BERTH_ENTRYPOINT=" + Requests.NO_OP_ENTRYPOINT, "BERTH_COMMIT=none", "NVIDIA_VISIBLE_DEVICES=void"));
        containerSpec.put("Dir", root.resolve("work").toString());
        containerSpec.put("Labels", Map.of(LABEL, "1"));
        containerSpec.put("Mounts", List.of(
                Map.of("Type", "bind", "Source", root.toString(), "Target", root.toString(), "ReadOnly", false),
                Map.of("Type", "bind", "Source", root.resolve("read-only").toString(), "Target", root.resolve("read-only").toString(), "ReadOnly", true)));
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
        return serviceDir;
    }

    /** berth runs every attempt from the image's id, resolved once; so does the baseline. */
    private String imageId(String image)
    {
        return imageIds.computeIfAbsent(image, name -> get("/images/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/json").path("Id").asText());
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
