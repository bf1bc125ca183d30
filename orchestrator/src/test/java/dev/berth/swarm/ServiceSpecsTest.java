package dev.berth.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ServiceSpec JSON the Engine API receives for one attempt, written as {@link EngineApi} writes it. */
class ServiceSpecsTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> LABELS = Map.of(
            Swarm.INSTANCE_LABEL, "instance-1",
            Swarm.JOB_LABEL, "train-7",
            Swarm.ATTEMPT_LABEL, "2");

    @Test
    void aGpuJobInAPoolIsOneReplicaNeverRestartedReservingItsGpusWithTheMirrorsReadOnly()
            throws Exception
    {
        ServiceRequest request = new ServiceRequest(
                "berth-train-7-2",
                LABELS,
                "registry.example/train@sha256:0123",
                List.of("/bin/sh", "-c", "exec \"./$BERTH_ENTRYPOINT\"", "berth-job"),
                Map.of("ENTRYPOINT_PARAMS", "--lr 0.01 --name=a b", "BERTH_ATTEMPT", "2"),
                Path.of("/shared/runs/r7/attempts/2/work"),
                List.of(new ServiceRequest.Mount(Path.of("/shared/runs/r7"), false), new ServiceRequest.Mount(Path.of("/shared/mirrors"), true)),
                1_500_000_000L,
                2L << 30,
                2,
                "GPU",
                Optional.of("gpu"),
                List.of(),
                Duration.ofSeconds(90));

        JsonNode sent = sent(request);

        assertThat(sent).isEqualTo(JSON.readTree("""
                {
                  "Name": "berth-train-7-2",
                  "Labels": {"berth.instance": "instance-1", "berth.job": "train-7", "berth.attempt": "2"},
                  "TaskTemplate": {
                    "ContainerSpec": {
                      "Image": "registry.example/train@sha256:0123",
                      "Command": ["/bin/sh", "-c", "exec \\"./$BERTH_ENTRYPOINT\\"", "berth-job"],
                      "Env": ["BERTH_ATTEMPT=2", "ENTRYPOINT_PARAMS=--lr 0.01 --name=a b"],
                      "Dir": "/shared/runs/r7/attempts/2/work",
                      "Labels": {"berth.instance": "instance-1", "berth.job": "train-7", "berth.attempt": "2"},
                      "Init": true,
                      "StopSignal": "SIGTERM",
                      "StopGracePeriod": 90000000000,
                      "Mounts": [
                        {"Type": "bind", "Source": "/shared/runs/r7", "Target": "/shared/runs/r7", "ReadOnly": false},
                        {"Type": "bind", "Source": "/shared/mirrors", "Target": "/shared/mirrors", "ReadOnly": true}
                      ]
                    },
                    "Resources": {
                      "Reservations": {
                        "NanoCPUs": 1500000000,
                        "MemoryBytes": 2147483648,
                        "GenericResources": [{"DiscreteResourceSpec": {"Kind": "GPU", "Value": 2}}]
                      },
                      "Limits": {"NanoCPUs": 1500000000, "MemoryBytes": 2147483648}
                    },
                    "RestartPolicy": {"Condition": "none", "MaxAttempts": 0},
                    "Placement": {"Constraints": ["node.labels.berth.pool==gpu"]}
                  },
                  "Mode": {"Replicated": {"Replicas": 1}}
                }
                """));
    }

    @Test
    void aJobWithoutGpusOrPoolReservesNoGenericResourcesAndMayRunOnAnyNode()
            throws Exception
    {
        ServiceRequest request = new ServiceRequest("berth-small-1", LABELS, "berth-local/busybox:1", List.of("true"), Map.of(),
                Path.of("/shared/runs/s/attempts/1/work"), List.of(), 100_000_000L, 64L << 20, 0, "GPU", Optional.empty(), List.of(),
                Duration.ofSeconds(30));

        JsonNode sent = sent(request);

        assertThat(sent.at("/TaskTemplate/Resources/Reservations")).isEqualTo(JSON.readTree("{\"NanoCPUs\": 100000000, \"MemoryBytes\": 67108864}"));
        assertThat(sent.path("TaskTemplate").has("Placement")).isFalse();
        assertThat(sent.at("/TaskTemplate/ContainerSpec/Env")).isEqualTo(JSON.createArrayNode());
        assertThat(sent.at("/TaskTemplate/ContainerSpec/Mounts")).isEqualTo(JSON.createArrayNode());
        assertThat(sent.at("/Mode/Replicated/Replicas").asInt()).isEqualTo(1);
        assertThat(sent.at("/TaskTemplate/RestartPolicy/Condition").asText()).isEqualTo("none");
    }

    @Test
    void secretsAreMountedByReferenceReadableByAnyUserOfTheContainer()
            throws Exception
    {
        ServiceRequest request = new ServiceRequest("berth-s-1", LABELS, "berth-local/busybox:1", List.of("true"), Map.of("SEED", "7"),
                Path.of("/shared/runs/s/attempts/1/work"), List.of(), 100_000_000L, 64L << 20, 0, "GPU", Optional.empty(), List.of("hf_token", "db.password"),
                Duration.ofSeconds(30));

        JsonNode sent = sent(request, Map.of("hf_token", "k2x9", "db.password", "p7q1", "unused", "u0"));

        assertThat(sent.at("/TaskTemplate/ContainerSpec/Secrets")).isEqualTo(JSON.readTree("""
                [
                  {"SecretID": "k2x9", "SecretName": "hf_token", "File": {"Name": "hf_token", "UID": "0", "GID": "0", "Mode": 292}},
                  {"SecretID": "p7q1", "SecretName": "db.password", "File": {"Name": "db.password", "UID": "0", "GID": "0", "Mode": 292}}
                ]
                """));
        assertThat(sent.at("/TaskTemplate/ContainerSpec/Env")).isEqualTo(JSON.readTree("[\"SEED=7\"]"));
        assertThat(sent(request("berth-none-1"), Map.of()).path("TaskTemplate").path("ContainerSpec").has("Secrets")).isFalse();
        assertThatThrownBy(() -> ServiceSpecs.toJson(request, Map.of("hf_token", "k2x9"))).hasMessage("secret db.password has no id");
    }

    @Test
    void anOverlayWorkDirIsALocalVolumeTheNodeMountsWithBerthsLabels()
            throws Exception
    {
        Path work = Path.of("/shared/runs/r7/attempts/2/work");
        ServiceRequest.Overlay overlay = new ServiceRequest.Overlay("berth-train-7-2-work", Path.of("/shared/snapshots/0a1b/tree"), work,
                Path.of("/shared/runs/r7/attempts/2/.overlay"), LABELS);
        ServiceRequest request = new ServiceRequest("berth-train-7-2", LABELS, "berth-local/busybox:1", List.of("true"), Map.of(), work,
                List.of(new ServiceRequest.Mount(Path.of("/shared/runs/r7/attempts/2"), false), ServiceRequest.Mount.overlay(work, overlay)),
                100_000_000L, 64L << 20, 0, "GPU", Optional.empty(), List.of(), Duration.ofSeconds(30));

        assertThat(sent(request).at("/TaskTemplate/ContainerSpec/Mounts/1")).isEqualTo(JSON.readTree("""
                {
                  "Type": "volume",
                  "Source": "berth-train-7-2-work",
                  "Target": "/shared/runs/r7/attempts/2/work",
                  "ReadOnly": false,
                  "VolumeOptions": {
                    "Labels": {"berth.instance": "instance-1", "berth.job": "train-7", "berth.attempt": "2"},
                    "DriverConfig": {
                      "Name": "local",
                      "Options": {
                        "type": "overlay",
                        "device": "overlay",
                        "o": "lowerdir=/shared/snapshots/0a1b/tree,upperdir=/shared/runs/r7/attempts/2/work,workdir=/shared/runs/r7/attempts/2/.overlay"
                      }
                    }
                  }
                }
                """));
    }

    @Test
    void anOverlaysVolumeNameNeverComesBackWithOtherDirs()
    {
        Path lower = Path.of("/shared/snapshots/0a1b/tree");
        ServiceRequest.Overlay first = ServiceRequest.Overlay.named("berth-train-7-1-work", lower, Path.of("/shared/runs/r7/attempts/1/work"),
                Path.of("/shared/runs/r7/attempts/1/.overlay"), LABELS);
        ServiceRequest.Overlay again = ServiceRequest.Overlay.named("berth-train-7-1-work", lower, Path.of("/shared/runs/r7/attempts/1/work"),
                Path.of("/shared/runs/r7/attempts/1/.overlay"), LABELS);
        // The same job id and attempt in another run dir, as after a purge or in another berth on the same engine
        ServiceRequest.Overlay elsewhere = ServiceRequest.Overlay.named("berth-train-7-1-work", lower, Path.of("/shared/runs/r8/attempts/1/work"),
                Path.of("/shared/runs/r8/attempts/1/.overlay"), LABELS);

        assertThat(first.volume()).startsWith("berth-train-7-1-work-").isEqualTo(again.volume());
        assertThat(elsewhere.volume()).startsWith("berth-train-7-1-work-").isNotEqualTo(first.volume());
    }

    /** The bytes the engine receives, read back. */
    private static JsonNode sent(ServiceRequest request)
            throws Exception
    {
        return sent(request, Map.of());
    }

    private static JsonNode sent(ServiceRequest request, Map<String, String> secretIds)
            throws Exception
    {
        return JSON.readTree(JSON.writeValueAsBytes(ServiceSpecs.toJson(request, secretIds)));
    }

    private static ServiceRequest request(String name)
    {
        return new ServiceRequest(name, LABELS, "berth-local/busybox:1", List.of("true"), Map.of(), Path.of("/w"), List.of(), 1, 1, 0, "GPU",
                Optional.empty(), List.of(), Duration.ofSeconds(30));
    }
}
