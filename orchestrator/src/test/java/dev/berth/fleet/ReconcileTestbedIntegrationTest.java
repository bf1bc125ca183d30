package dev.berth.fleet;

import dev.berth.testing.SwarmTestbed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The manager's reconcile script against a real swarm, where Swarm itself limits how a node may be
 * changed: a running task that holds a GPU is rejected ("assigned node no longer meets constraints") on
 * any update of its node while the node is active. A worker whose heartbeat asks for new labels and a
 * drain in the same pass must get both in one update, or its job is lost to the label change and berth
 * would give a rejection as the reason instead of the drain's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReconcileTestbedIntegrationTest
{
    private static final Path RECONCILE = Path.of("..", "heartbeat", "berth-fleet-reconcile").toAbsolutePath();
    private static final String REASON = "2 uncorrectable ECC errors on GPU-0";

    @TempDir
    static Path shared;

    private SwarmTestbed testbed;

    @BeforeAll
    void start()
            throws Exception
    {
        testbed = SwarmTestbed.start(1, List.of("gpu"), 1, Duration.ofSeconds(1));
    }

    @AfterAll
    void stop()
    {
        testbed.close();
    }

    @Test
    void aGpuWorkerRelabelledAndDrainedInOnePassStopsItsJobByTheDrain()
            throws Exception
    {
        String worker = testbed.workers().get(0);
        docker("service", "create", "--detach", "--name", "gpu-job", "--restart-condition", "none", "--stop-grace-period", "1s",
                "--constraint", "node.labels.berth.pool==gpu", "--generic-resource", "GPU=1", "berth-local/busybox:1", "sleep", "300");
        await().atMost(Duration.ofSeconds(60)).until(() -> task().startsWith("Running Running"));

        // The test bed labels only the pool; the heartbeat also names the lifecycle, and the GPU has gone bad
        String nodeId = docker("node", "inspect", "--format", "{{.ID}}", worker).strip();
        Instant now = Instant.now();
        HeartbeatFiles.write(shared.resolve(".swarm/workers"), worker, nodeId, "gpu", "on-demand", "active", now, now, "[]", "[]",
                "\"unhealthy\":\"" + REASON + "\",");

        String output = reconcile();
        assertThat(output).contains("labelled " + nodeId + " (" + worker + "): berth.pool=gpu berth.lifecycle=on-demand",
                "drained " + nodeId + " (" + worker + "): unhealthy, " + REASON);
        assertThat(docker("node", "inspect", "--format",
                "{{.Spec.Availability}} {{index .Spec.Labels \"berth.lifecycle\"}} {{index .Spec.Labels \"berth.drained-by\"}}", worker).strip())
                .isEqualTo("drain on-demand unhealthy");

        // Shut down by the drain, as berth expects of a drained node; a rejection would say the node no longer meets constraints
        await().atMost(Duration.ofSeconds(30)).until(() -> !task().contains("Running Running"));
        assertThat(task()).startsWith("Shutdown ").doesNotContain("Rejected").doesNotContain("no longer meets constraints");
    }

    /** The job's one task: desired state, current state and error, as {@code docker service ps} shows them. */
    private String task()
            throws IOException, InterruptedException
    {
        return docker("service", "ps", "--no-trunc", "--format", "{{.DesiredState}} {{.CurrentState}} {{.Error}}", "gpu-job").strip();
    }

    private String reconcile()
            throws IOException, InterruptedException
    {
        ProcessBuilder builder = new ProcessBuilder("sh", RECONCILE.toString()).redirectErrorStream(true);
        builder.environment().put("DOCKER_HOST", testbed.managerDockerHost());
        builder.environment().put("BERTH_SHARED_DIR", shared.toString());
        return run(builder);
    }

    private String docker(String... arguments)
            throws IOException, InterruptedException
    {
        ProcessBuilder builder = new ProcessBuilder("docker");
        builder.command().addAll(List.of(arguments));
        builder.environment().put("DOCKER_HOST", testbed.managerDockerHost());
        builder.redirectErrorStream(true);
        return run(builder);
    }

    private static String run(ProcessBuilder builder)
            throws IOException, InterruptedException
    {
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", builder.command()) + ": " + output).isZero();
        return output;
    }
}
