package dev.berth.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Brings up the real multi-node test bed (root, dockerd) and checks it through the manager's Engine API. */
final class SwarmTestbedIntegrationTest
{
    private static final Logger LOG = LoggerFactory.getLogger(SwarmTestbedIntegrationTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IMAGE = "berth-local/busybox:1";

    @Test
    void bringsUpPooledGpuWorkersThatRunJobsOnSharedFilesAndGoDownWhenKilledAndRejoinWhenRestarted(@TempDir Path shared)
            throws Exception
    {
        Path baseDir;
        try (SwarmTestbed testbed = SwarmTestbed.start(2, List.of("spot", "gpu"), 1);
                DockerHttpClient docker = new ZerodepDockerHttpClient.Builder().dockerHost(URI.create(testbed.managerDockerHost())).build()) {
            baseDir = testbed.baseDir();
            assertThat(testbed.workers()).containsExactly("tb-worker-1", "tb-worker-2");

            Map<String, JsonNode> nodes = nodesByHostname(docker);
            assertThat(nodes).containsOnlyKeys("tb-manager", "tb-worker-1", "tb-worker-2");
            assertThat(nodes.values()).allSatisfy(node -> assertThat(node.at("/Status/State").asText()).isEqualTo("ready"));
            assertThat(pool(nodes.get("tb-manager"))).isEqualTo("manager");
            assertThat(pool(nodes.get("tb-worker-1"))).isEqualTo("spot");
            assertThat(pool(nodes.get("tb-worker-2"))).isEqualTo("gpu");
            assertThat(gpus(nodes.get("tb-manager"))).isEmpty();
            assertThat(gpus(nodes.get("tb-worker-1"))).containsExactly("GPU=GPU-tb-worker-1-0");
            assertThat(gpus(nodes.get("tb-worker-2"))).containsExactly("GPU=GPU-tb-worker-2-0");

            // The job's file in a host directory proves the worker holds the image and shares the host's file system,
            // and that a fake GPU can be reserved and reaches the job the way a real one would.
            String service = "testbed-probe";
            createOneShotService(docker, service, "node.labels.berth.pool==spot", "GPU", shared, "echo \"$DOCKER_RESOURCE_GPU\" > /out/result");
            Path result = shared.resolve("result");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> Files.exists(result) && Files.size(result) > 0);
            assertThat(Files.readString(result)).isEqualTo("GPU-tb-worker-1-0\n");
            assertThat(taskNodeIds(docker, service)).containsExactly(nodes.get("tb-worker-1").get("ID").asText());

            long killed = System.nanoTime();
            testbed.killWorker("tb-worker-1");
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> nodesByHostname(docker).get("tb-worker-1").at("/Status/State").asText().equals("down"));
            LOG.info("tb-worker-1 reported down {} ms after it was killed", (System.nanoTime() - killed) / 1_000_000);
            assertThat(nodesByHostname(docker).get("tb-worker-2").at("/Status/State").asText()).isEqualTo("ready");

            testbed.restartWorker("tb-worker-1");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> nodesByHostname(docker).get("tb-worker-1").at("/Status/State").asText().equals("ready"));
            assertThat(nodesByHostname(docker)).hasSize(3);

            testbed.drainWorker("tb-worker-2");
            assertThat(nodesByHostname(docker).get("tb-worker-2").at("/Spec/Availability").asText()).isEqualTo("drain");
        }

        assertThat(baseDir).doesNotExist();
        assertThat(netnsNames()).noneMatch(name -> name.startsWith("berth-tb-"));
        assertThat(commandLinesMentioning(baseDir.toString())).isEmpty();
        assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo"))).noneMatch(line -> line.contains(baseDir.toString()));
    }

    private static String pool(JsonNode node)
    {
        return node.at("/Spec/Labels/berth.pool").asText();
    }

    private static List<String> gpus(JsonNode node)
    {
        List<String> gpus = new ArrayList<>();
        for (JsonNode resource : node.at("/Description/Resources/GenericResources")) {
            JsonNode named = resource.get("NamedResourceSpec");
            gpus.add(named.get("Kind").asText() + "=" + named.get("Value").asText());
        }
        return gpus;
    }

    private static Map<String, JsonNode> nodesByHostname(DockerHttpClient docker)
            throws IOException
    {
        Map<String, JsonNode> nodes = new HashMap<>();
        for (JsonNode node : call(docker, DockerHttpClient.Request.Method.GET, "/v1.41/nodes", null, 200)) {
            nodes.put(node.at("/Description/Hostname").asText(), node);
        }
        return nodes;
    }

    private static List<String> taskNodeIds(DockerHttpClient docker, String service)
            throws IOException
    {
        String filters = URLEncoder.encode("{\"service\":[\"" + service + "\"]}", StandardCharsets.UTF_8);
        List<String> nodeIds = new ArrayList<>();
        for (JsonNode task : call(docker, DockerHttpClient.Request.Method.GET, "/v1.41/tasks?filters=" + filters, null, 200)) {
            nodeIds.add(task.get("NodeID").asText());
        }
        return nodeIds;
    }

    private static void createOneShotService(DockerHttpClient docker, String name, String constraint, String gpuKind, Path shared, String script)
            throws IOException
    {
        ObjectNode spec = JSON.createObjectNode();
        spec.put("Name", name);
        ObjectNode template = spec.putObject("TaskTemplate");
        ObjectNode container = template.putObject("ContainerSpec");
        container.put("Image", IMAGE);
        container.putArray("Command").add("sh").add("-c").add(script);
        container.putArray("Mounts").addObject()
                .put("Type", "bind")
                .put("Source", shared.toString())
                .put("Target", "/out");
        template.putObject("Placement").putArray("Constraints").add(constraint);
        template.putObject("RestartPolicy").put("Condition", "none");
        template.putObject("Resources").putObject("Reservations").putArray("GenericResources").addObject()
                .putObject("DiscreteResourceSpec")
                .put("Kind", gpuKind)
                .put("Value", 1);
        spec.putObject("Mode").putObject("Replicated").put("Replicas", 1);
        call(docker, DockerHttpClient.Request.Method.POST, "/v1.41/services/create", JSON.writeValueAsBytes(spec), 201);
    }

    private static JsonNode call(DockerHttpClient docker, DockerHttpClient.Request.Method method, String path, byte[] body, int expectedStatus)
            throws IOException
    {
        DockerHttpClient.Request.Builder request = DockerHttpClient.Request.builder().method(method).path(path);
        if (body != null) {
            request.putHeader("Content-Type", "application/json").body(new ByteArrayInputStream(body));
        }
        try (DockerHttpClient.Response response = docker.execute(request.build())) {
            byte[] content = response.getBody().readAllBytes();
            assertThat(response.getStatusCode())
                    .as("%s %s answered %s", method, path, new String(content, StandardCharsets.UTF_8))
                    .isEqualTo(expectedStatus);
            return JSON.readTree(content);
        }
    }

    private static List<String> netnsNames()
            throws IOException
    {
        Path netns = Path.of("/run/netns");
        if (!Files.isDirectory(netns)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(netns)) {
            return entries.map(path -> path.getFileName().toString()).toList();
        }
    }

    private static List<String> commandLinesMentioning(String text)
    {
        // Each node's dockerd, containerd and shims name a path under the base directory on their command line.
        return ProcessHandle.allProcesses()
                .flatMap(process -> process.info().commandLine().stream())
                .filter(commandLine -> commandLine.contains(text))
                .toList();
    }
}
