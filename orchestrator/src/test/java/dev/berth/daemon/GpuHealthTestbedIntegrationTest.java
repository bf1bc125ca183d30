package dev.berth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.fleet.FleetJson;
import dev.berth.fleet.FleetStatus;
import dev.berth.fleet.Heartbeat;
import dev.berth.fleet.HeartbeatReader;
import dev.berth.job.Attempt;
import dev.berth.job.AttemptState;
import dev.berth.job.Cause;
import dev.berth.job.JobState;
import dev.berth.swarm.SwarmClient;
import dev.berth.swarm.SwarmNode;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.GitRepos;
import dev.berth.testing.MetadataStandIn;
import dev.berth.testing.SwarmTestbed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A GPU going bad under a job, on a real multi-node swarm: each worker runs the real heartbeat agent in its
 * own network namespace over a stand-in {@code nvidia-smi} listing its GPU; one GPU starts reporting
 * uncorrectable ECC errors; the manager's real reconcile script drains that worker as unhealthy; berth's
 * job there is stopped and retried on the other worker; and once its job has stopped the worker reports
 * itself unhealthy to its Auto Scaling group (a stand-in {@code aws} that records the call) under the
 * instance id its metadata service (a stand-in at 169.254.169.254 in its namespace) gave.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GpuHealthTestbedIntegrationTest
{
    private static final Path HEARTBEAT = Path.of("..", "heartbeat").toAbsolutePath();
    private static final String REPORT = "--region " + MetadataStandIn.REGION + " autoscaling set-instance-health --instance-id " + MetadataStandIn.INSTANCE_ID
            + " --health-status Unhealthy --no-should-respect-grace-period";

    @TempDir
    static Path temp;

    private SwarmTestbed testbed;
    private BerthHarness berth;
    private GitRepos repo;
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    void start()
            throws Exception
    {
        testbed = SwarmTestbed.start(2, List.of("gpu"), 1, Duration.ofSeconds(1));
        repo = GitRepos.create(temp.resolve("repo"));
        repo.commit(Map.of("train.sh", """
                #!/bin/sh
                trap 'echo "stopped on SIGTERM"; exit 143' TERM
                echo "training on $DOCKER_RESOURCE_GPU"
                i=0
                while [ "$i" -lt 20 ]; do
                    sleep 1
                    i=$((i + 1))
                done
                echo "trained"
                """));
        berth = BerthHarness.start(temp.resolve("berth"), Map.of("BERTH_DOCKER_HOST", testbed.managerDockerHost()));
    }

    @AfterAll
    void stop()
            throws Exception
    {
        for (Process process : processes) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        berth.close();
        repo.close();
        testbed.close();
    }

    @Test
    void aWorkerWhoseGpuFailsIsDrainedItsJobRetriedElsewhereAndItIsReportedUnhealthy()
            throws Exception
    {
        for (String worker : testbed.workers()) {
            Files.writeString(gpus(worker), gpu(worker) + ", 0\n");
            startAgent(worker);
        }
        HeartbeatReader heartbeats = new HeartbeatReader(berth.config().workersDir());
        await().atMost(Duration.ofSeconds(30)).until(() -> heartbeats.read().heartbeats().stream().filter(beat -> beat.nodeId().isPresent()).count() == 2);
        // The manager's timer has labelled the workers from their heartbeats long before a job lands on them
        assertThat(reconcile()).contains("(" + testbed.workers().get(0) + "): berth.pool=gpu berth.lifecycle=on-demand",
                "(" + testbed.workers().get(1) + "): berth.pool=gpu berth.lifecycle=on-demand");

        berth.send("{\"job_id\": \"train\", \"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"train.sh\","
                + " \"pool\": \"gpu\", \"resources\": {\"gpus\": 1}, \"stop_grace\": \"10s\", \"max_attempts\": 3}");
        berth.awaitState("train", EnumSet.of(JobState.RUNNING), Duration.ofSeconds(60));
        String failing = berth.store().reads().attempts("train").get(0).node().orElseThrow();
        String other = testbed.workers().stream().filter(worker -> !worker.equals(failing)).findFirst().orElseThrow();
        testbed.inNode(failing, "ip", "addr", "add", "169.254.169.254/32", "dev", "lo");
        startMetadataService(failing);
        assertThat(heartbeat(heartbeats, failing).unhealthy()).isEmpty();

        // Its GPU starts reporting uncorrectable ECC errors
        Files.writeString(gpus(failing), gpu(failing) + ", 2\n");
        String reason = "2 uncorrectable ECC errors on " + gpu(failing);
        await().atMost(Duration.ofSeconds(15)).until(() -> heartbeat(heartbeats, failing).unhealthy().isPresent());
        assertThat(heartbeat(heartbeats, failing).unhealthy()).contains(reason);
        assertThat(heartbeat(heartbeats, other).unhealthy()).isEmpty();
        // Its job is still running there: not reported yet, or the group would end the instance under it
        assertThat(awsCalls(failing)).doesNotExist();

        // Drained in one update: Swarm rejects a task that holds a GPU on any update of its node while the node is active
        assertThat(reconcile()).contains("(" + failing + "): unhealthy, " + reason).doesNotContain("labelled");

        berth.awaitState("train", EnumSet.of(JobState.SUCCEEDED), Duration.ofSeconds(120));
        List<Attempt> attempts = berth.store().reads().attempts("train");
        assertThat(attempts).extracting(Attempt::state).containsExactly(AttemptState.INTERRUPTED, AttemptState.SUCCEEDED);
        assertThat(attempts.get(0).cause()).contains(Cause.INFRA);
        assertThat(attempts.get(0).reason()).contains("interrupted: node " + failing + " was drained as unhealthy: " + reason);
        assertThat(attempts.get(1).node()).contains(other);

        // Reported once its job had stopped, under the instance id the metadata service gave
        await().atMost(Duration.ofSeconds(30)).until(() -> heartbeat(heartbeats, failing).unhealthyReportedAt().isPresent());
        List<String> calls = Files.readAllLines(awsCalls(failing));
        assertThat(calls).singleElement().satisfies(call -> assertThat(call).endsWith(" " + REPORT));
        long reportedAt = Long.parseLong(calls.get(0).substring(0, calls.get(0).indexOf(' ')));
        assertThat(reportedAt).isGreaterThanOrEqualTo(attempts.get(0).finishedAt().orElseThrow().getEpochSecond() - 1);
        assertThat(awsCalls(other)).doesNotExist();

        // The drain is for good, and berth workers shows why
        reconcile();
        try (SwarmClient swarm = new SwarmClient(testbed.managerDockerHost())) {
            List<SwarmNode> nodes = swarm.nodes("GPU");
            SwarmNode drained = nodes.stream().filter(node -> node.hostname().equals(failing)).findFirst().orElseThrow();
            assertThat(drained.availability()).isEqualTo("drain");
            assertThat(drained.drainedBy()).contains(SwarmNode.DRAINED_AS_UNHEALTHY);
            assertThat(drained.unhealthyReason()).contains(reason);

            JsonNode workers = FleetJson.of(FleetStatus.of(nodes, heartbeats.read(), Instant.now(), Duration.ofSeconds(60)), Duration.ofSeconds(60)).path("workers");
            JsonNode shown = find(workers, failing);
            assertThat(shown.path("unhealthy").asText()).isEqualTo(reason);
            assertThat(shown.path("drained_by").asText()).isEqualTo("unhealthy");
            assertThat(shown.path("unhealthy_reported_at").isTextual()).isTrue();
            assertThat(shown.path("flags").toString()).contains("UNHEALTHY");
            assertThat(find(workers, other).path("unhealthy").isNull()).isTrue();
        }
        System.out.printf("GPU health: %s drained as unhealthy; attempt 1 ended, attempt 2 ran on %s %d ms later; reported at %s%n", failing, other,
                Duration.between(attempts.get(0).finishedAt().orElseThrow(), attempts.get(1).startedAt().orElseThrow()).toMillis(),
                Instant.ofEpochSecond(reportedAt));
    }

    /** The worker's agent, in the worker's network namespace, with the worker's stand-in nvidia-smi and aws first on its PATH. */
    private void startAgent(String worker)
            throws IOException
    {
        Path bin = Files.createDirectories(temp.resolve("bin-" + worker));
        script(bin.resolve("nvidia-smi"), """
                #!/bin/sh
                [ "$*" = '--query-gpu=uuid,ecc.errors.uncorrected.volatile.total --format=csv,noheader,nounits' ] || exit 2
                cat '%s'
                """.formatted(gpus(worker)));
        script(bin.resolve("aws"), """
                #!/bin/sh
                echo "$(date +%%s) $*" >>'%s'
                """.formatted(awsCalls(worker)));
        Path kernelLog = temp.resolve("kern-" + worker + ".log");
        Files.writeString(kernelLog, "");
        processes.add(testbed.startInNode(worker, Map.of(
                        "PATH", bin + ":" + System.getenv("PATH"),
                        "BERTH_SHARED_DIR", berth.config().sharedDir().toString(),
                        "DOCKER_HOST", testbed.dockerHost(worker),
                        "HEARTBEAT_HOSTNAME", worker,
                        "HEARTBEAT_POOL", "gpu",
                        "HEARTBEAT_GPUS", gpu(worker),
                        "HEARTBEAT_KERNEL_LOG_COMMAND", "cat '" + kernelLog + "'",
                        "HEARTBEAT_INTERVAL", "1"),
                temp.resolve("agent-" + worker + ".log"),
                "sh", HEARTBEAT.resolve("berth-heartbeat").toString()));
    }

    /** The stand-in metadata service on 169.254.169.254:80 of the worker's namespace, in a JVM of its own started there. */
    private void startMetadataService(String worker)
            throws Exception
    {
        Path log = temp.resolve("metadata-" + worker + ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        String classes = Path.of(MetadataStandIn.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        processes.add(testbed.startInNode(worker, Map.of(), log, java, "-cp", classes, MetadataStandIn.class.getName(), "169.254.169.254", "80", "none"));
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log).contains("serving http://169.254.169.254:80"));
    }

    /** One run of the manager's reconcile script, as its timer runs it; returns what it printed. */
    private String reconcile()
            throws IOException, InterruptedException
    {
        ProcessBuilder builder = new ProcessBuilder("sh", HEARTBEAT.resolve("berth-fleet-reconcile").toString()).redirectErrorStream(true);
        builder.environment().put("DOCKER_HOST", testbed.managerDockerHost());
        builder.environment().put("BERTH_SHARED_DIR", berth.config().sharedDir().toString());
        Process reconcile = builder.start();
        String output = new String(reconcile.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(reconcile.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(reconcile.exitValue()).as(output).isZero();
        return output;
    }

    /** The GPU the test bed gives the worker, as Swarm's generic resource and as its stand-in nvidia-smi lists it. */
    private static String gpu(String worker)
    {
        return "GPU-" + worker + "-0";
    }

    private static Path gpus(String worker)
    {
        return temp.resolve("gpus-" + worker + ".csv");
    }

    private static Path awsCalls(String worker)
    {
        return temp.resolve("aws-calls-" + worker);
    }

    private static Heartbeat heartbeat(HeartbeatReader reader, String hostname)
    {
        return reader.read().heartbeats().stream().filter(beat -> beat.hostname().equals(hostname)).findFirst().orElseThrow();
    }

    private static JsonNode find(JsonNode workers, String hostname)
    {
        for (JsonNode worker : workers) {
            if (worker.path("hostname").asText().equals(hostname)) {
                return worker;
            }
        }
        throw new AssertionError("berth workers does not list " + hostname + ": " + workers);
    }

    private static void script(Path path, String text)
            throws IOException
    {
        Files.writeString(path, text);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
