package dev.berth.daemon;

import dev.berth.job.Attempt;
import dev.berth.job.AttemptState;
import dev.berth.job.Cause;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.GitRepos;
import dev.berth.testing.SwarmTestbed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spot workers vanish: on a real multi-node swarm (one dockerd per network namespace), the worker
 * running a job is killed or drained, and berth must record the attempt as interrupted, naming the
 * node, and run the job again elsewhere, each attempt with its own logs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LostWorkerTestbedIntegrationTest
{
    @TempDir
    static Path temp;

    private SwarmTestbed testbed;
    private BerthHarness berth;
    private GitRepos repo;

    @BeforeAll
    void start()
            throws Exception
    {
        testbed = SwarmTestbed.start(3, List.of("spot"), 1, Duration.ofSeconds(1));
        repo = GitRepos.create(temp.resolve("repo"));
        repo.commit(Map.of("spot.sh", """
                #!/bin/sh
                if [ "$BERTH_ATTEMPT" = 1 ]; then echo "attempt 1 waiting"; sleep 300; fi
                echo "finished on attempt $BERTH_ATTEMPT"
                """));
        // Nodes are listed once a poll interval: a long one keeps berth's listing from before a worker's restart
        // while the next job may be placed on it, which must not count as a loss of that job
        berth = BerthHarness.start(temp.resolve("berth"), Map.of("BERTH_DOCKER_HOST", testbed.managerDockerHost(), "BERTH_POLL_INTERVAL", "3s"));
    }

    @AfterAll
    void stop()
            throws Exception
    {
        berth.close();
        repo.close();
        testbed.close();
    }

    @Test
    void jobOnAKilledWorkerIsInterruptedAndRetriedOnAnotherNode()
    {
        String jobId = submit("killed", 3);
        String node = runningOn(jobId);
        long killedAt = System.nanoTime();

        testbed.killWorker(node);
        Job job = berth.awaitEnd(jobId);
        long noticed = System.nanoTime();

        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
        List<Attempt> attempts = berth.store().reads().attempts(jobId);
        assertThat(attempts).extracting(Attempt::state).containsExactly(AttemptState.INTERRUPTED, AttemptState.SUCCEEDED);
        assertThat(attempts.get(0).cause()).contains(Cause.INFRA);
        assertThat(attempts.get(0).reason().orElseThrow()).contains(node);
        assertThat(attempts.get(1).node().orElseThrow()).isNotEqualTo(node);
        Path runDir = job.runDir().orElseThrow();
        assertThat(runDir.resolve("stdout.txt")).hasContent("finished on attempt 2");
        assertThat(runDir.resolve("attempts/1/stdout.txt")).hasContent("attempt 1 waiting");
        System.out.printf("lost worker: %s killed; job %s retried and finished %d ms later%n", node, jobId, (noticed - killedAt) / 1_000_000);
        testbed.restartWorker(node);
    }

    @Test
    void jobOnADrainedWorkerIsInterruptedAndRetried()
    {
        String jobId = submit("drained", 3);
        String node = runningOn(jobId);

        testbed.drainWorker(node);
        Job job = berth.awaitEnd(jobId);

        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
        Attempt first = berth.store().reads().attempts(jobId).get(0);
        assertThat(first.state()).isEqualTo(AttemptState.INTERRUPTED);
        assertThat(first.reason().orElseThrow()).contains("node " + node + " was drained");
    }

    @Test
    void jobWithNoAttemptsLeftFailsAsInfrastructure()
    {
        String jobId = submit("last-chance", 1);
        String node = runningOn(jobId);

        testbed.killWorker(node);
        Job job = berth.awaitEnd(jobId);

        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.cause()).contains(Cause.INFRA);
        assertThat(job.reason().orElseThrow()).contains(node).contains("none left");
        berth.awaitNoServices();
        testbed.restartWorker(node);
    }

    private String submit(String jobId, int maxAttempts)
    {
        berth.send("{\"job_id\": \"" + jobId + "\", \"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"spot.sh\","
                + " \"pool\": \"spot\", \"max_attempts\": " + maxAttempts + "}");
        return jobId;
    }

    private String runningOn(String jobId)
    {
        berth.awaitState(jobId, EnumSet.of(JobState.RUNNING), Duration.ofSeconds(60));
        return berth.store().reads().attempts(jobId).get(0).node().orElseThrow();
    }
}
