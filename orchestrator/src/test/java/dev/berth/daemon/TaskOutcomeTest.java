package dev.berth.daemon;

import dev.berth.job.AttemptOutcome;
import dev.berth.job.AttemptState;
import dev.berth.job.Cause;
import dev.berth.swarm.SwarmNode;
import dev.berth.swarm.TaskSnapshot;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class TaskOutcomeTest
{
    private static final SwarmNode READY = node("ready", "active");

    @Test
    void aRunningTaskOnAHealthyNodeHasNotEnded()
    {
        assertThat(TaskOutcome.judge(task("running", "running", null, ""), Optional.of(READY))).isEmpty();
    }

    @Test
    void aCompleteTaskSucceeded()
    {
        AttemptOutcome outcome = TaskOutcome.judge(task("complete", "shutdown", 0, ""), Optional.of(READY)).orElseThrow();

        assertThat(outcome.state()).isEqualTo(AttemptState.SUCCEEDED);
        assertThat(outcome.exitCode()).contains(0);
    }

    @Test
    void theJobsOwnNonZeroExitIsItsFault()
    {
        AttemptOutcome outcome = TaskOutcome.judge(task("failed", "shutdown", 3, "task: non-zero exit (3)"), Optional.of(READY)).orElseThrow();

        assertThat(outcome.state()).isEqualTo(AttemptState.FAILED);
        assertThat(outcome.cause()).contains(Cause.EXIT);
        assertThat(outcome.exitCode()).contains(3);
    }

    @Test
    void aContainerThatCouldNotStartIsTheNodesFaultDespiteItsExitCode()
    {
        AttemptOutcome outcome = TaskOutcome.judge(task("failed", "shutdown", 128,
                "starting container failed: failed to create endpoint on network bridge"), Optional.of(READY)).orElseThrow();

        assertThat(outcome.state()).isEqualTo(AttemptState.INTERRUPTED);
        assertThat(outcome.cause()).contains(Cause.INFRA);
        assertThat(outcome.exitCode()).isEmpty();
        assertThat(outcome.reason()).contains("on worker-1").contains("starting container failed");
    }

    @Test
    void aTaskStillClaimingToRunOnADownOrDrainedNodeWasInterrupted()
    {
        TaskSnapshot running = task("running", "running", null, "");

        assertThat(TaskOutcome.judge(running, Optional.of(node("down", "active"))).orElseThrow().reason())
                .isEqualTo("interrupted: node worker-1 went down");
        assertThat(TaskOutcome.judge(running, Optional.of(node("ready", "drain"))).orElseThrow().reason())
                .isEqualTo("interrupted: node worker-1 was drained");
    }

    @Test
    void aDrainForASpotInterruptionNoticeSaysSo()
    {
        TaskSnapshot running = task("running", "running", null, "");
        SwarmNode noticed = node("ready", "drain", Map.of(SwarmNode.DRAINED_BY_LABEL, SwarmNode.DRAINED_FOR_SPOT_NOTICE));

        AttemptOutcome outcome = TaskOutcome.judge(running, Optional.of(noticed)).orElseThrow();

        assertThat(outcome.state()).isEqualTo(AttemptState.INTERRUPTED);
        assertThat(outcome.cause()).contains(Cause.INFRA);
        assertThat(outcome.reason()).isEqualTo("interrupted: spot interruption notice on worker-1");
        // The reclaim that follows the notice takes the node down: still the notice's doing
        assertThat(TaskOutcome.judge(running, Optional.of(node("down", "drain", noticed.labels()))).orElseThrow().reason())
                .isEqualTo("interrupted: spot interruption notice on worker-1");
        // A burst worker's drain for idleness is no notice, and neither is the label on a node made active again
        assertThat(TaskOutcome.judge(running, Optional.of(node("ready", "drain", Map.of(SwarmNode.DRAINED_BY_LABEL, "heartbeat")))).orElseThrow().reason())
                .isEqualTo("interrupted: node worker-1 was drained");
        assertThat(TaskOutcome.judge(running, Optional.of(node("ready", "active", noticed.labels())))).isEmpty();
    }

    @Test
    void aDrainOfAnUnhealthyNodeSaysWhy()
    {
        TaskSnapshot running = task("running", "running", null, "");
        SwarmNode unhealthy = node("ready", "drain", Map.of(SwarmNode.DRAINED_BY_LABEL, SwarmNode.DRAINED_AS_UNHEALTHY,
                SwarmNode.UNHEALTHY_LABEL, "3 uncorrectable ECC errors on GPU-b"));

        AttemptOutcome outcome = TaskOutcome.judge(running, Optional.of(unhealthy)).orElseThrow();

        assertThat(outcome.state()).isEqualTo(AttemptState.INTERRUPTED);
        assertThat(outcome.cause()).contains(Cause.INFRA);
        assertThat(outcome.reason()).isEqualTo("interrupted: node worker-1 was drained as unhealthy: 3 uncorrectable ECC errors on GPU-b");
        assertThat(TaskOutcome.judge(task("failed", "shutdown", 143, "task: non-zero exit (143)"), Optional.of(unhealthy)).orElseThrow().reason())
                .isEqualTo(outcome.reason());
        assertThat(TaskOutcome.judge(running, Optional.of(node("ready", "drain", Map.of(SwarmNode.DRAINED_BY_LABEL, SwarmNode.DRAINED_AS_UNHEALTHY)))).orElseThrow().reason())
                .isEqualTo("interrupted: node worker-1 was drained as unhealthy");
    }

    @Test
    void aJobThatStoppedOnTheDrainsSigtermWasInterruptedNotFailed()
    {
        SwarmNode noticed = node("ready", "drain", Map.of(SwarmNode.DRAINED_BY_LABEL, SwarmNode.DRAINED_FOR_SPOT_NOTICE));

        // It saved and exited on SIGTERM (143) before berth saw the drain: Swarm reports such a stop as shutdown, or failed
        for (TaskSnapshot stopped : List.of(task("failed", "shutdown", 143, "task: non-zero exit (143)"), task("shutdown", "shutdown", 143, ""))) {
            AttemptOutcome outcome = TaskOutcome.judge(stopped, Optional.of(noticed)).orElseThrow();

            assertThat(outcome.state()).isEqualTo(AttemptState.INTERRUPTED);
            assertThat(outcome.cause()).contains(Cause.INFRA);
            assertThat(outcome.reason()).isEqualTo("interrupted: spot interruption notice on worker-1");
        }
        for (TaskSnapshot stopped : List.of(task("failed", "shutdown", 143, "task: non-zero exit (143)"), task("shutdown", "shutdown", 143, ""))) {
            AttemptOutcome outcome = TaskOutcome.judge(stopped, Optional.of(node("ready", "drain"))).orElseThrow();

            assertThat(outcome.state()).isEqualTo(AttemptState.INTERRUPTED);
            assertThat(outcome.cause()).contains(Cause.INFRA);
            assertThat(outcome.reason()).isEqualTo("interrupted: node worker-1 was drained");
        }
        assertThat(TaskOutcome.judge(task("failed", "shutdown", 1, "task: non-zero exit (1)"), Optional.of(node("ready", "drain"))).orElseThrow().reason())
                .isEqualTo("interrupted: node worker-1 was drained");
        // A job that finished before the drain stopped it has finished
        assertThat(TaskOutcome.judge(task("complete", "shutdown", 0, ""), Optional.of(noticed)).orElseThrow().state()).isEqualTo(AttemptState.SUCCEEDED);
    }

    @Test
    void aTaskSwarmIsShuttingDownUnaskedWasInterrupted()
    {
        AttemptOutcome outcome = TaskOutcome.judge(task("running", "shutdown", null, ""), Optional.of(READY)).orElseThrow();

        assertThat(outcome.state()).isEqualTo(AttemptState.INTERRUPTED);
    }

    @Test
    void aRejectedTaskSuchAsAMissingImageIsTheNodesFault()
    {
        AttemptOutcome outcome = TaskOutcome.judge(task("rejected", "shutdown", null, "No such image: sha256:abc"), Optional.of(READY)).orElseThrow();

        assertThat(outcome.cause()).contains(Cause.INFRA);
        assertThat(outcome.reason()).contains("No such image");
    }

    @Test
    void aWorkerThatCannotMountTheOverlaySaysSoAndTheAttemptIsTheNodesFault()
    {
        // Engine 20.10's words when the kernel refuses the mount
        TaskSnapshot task = task("failed", "shutdown", 128, "starting container failed: error while mounting volume '/var/lib/docker/volumes/berth-j-1-work/_data': "
                + "failed to mount local volume: mount overlay:/var/lib/docker/volumes/berth-j-1-work/_data, data: lowerdir=/shared/snapshots/0a/tree,"
                + "upperdir=/shared/runs/r/attempts/1/work,workdir=/shared/runs/r/attempts/1/.overlay: no such device");

        AttemptOutcome outcome = TaskOutcome.judge(task, Optional.of(READY)).orElseThrow();

        assertThat(TaskOutcome.volumeMountFailed(task)).isTrue();
        assertThat(outcome.cause()).contains(Cause.INFRA);
        assertThat(outcome.reason()).startsWith("interrupted: the worker on worker-1 could not mount the job's overlay of its commit, so its next attempt runs on a full checkout")
                .endsWith("no such device");
        assertThat(TaskOutcome.volumeMountFailed(task("failed", "shutdown", 128, "starting container failed: failed to create endpoint"))).isFalse();
    }

    private static TaskSnapshot task(String state, String desired, Integer exitCode, String error)
    {
        return new TaskSnapshot("berth-j-1", Optional.of("n1"), state, desired, Optional.ofNullable(exitCode), error, Instant.EPOCH, Instant.EPOCH);
    }

    private static SwarmNode node(String state, String availability)
    {
        return node(state, availability, Map.of());
    }

    private static SwarmNode node(String state, String availability, Map<String, String> labels)
    {
        return new SwarmNode("n1", "worker-1", state, availability, labels, 2_000_000_000L, 1L << 30, List.of());
    }
}
