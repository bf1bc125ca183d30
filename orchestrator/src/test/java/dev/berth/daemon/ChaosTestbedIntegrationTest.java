package dev.berth.daemon;

import dev.berth.job.Attempt;
import dev.berth.job.AttemptState;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.queue.EmbeddedSqs;
import dev.berth.queue.SqsJobQueue;
import dev.berth.store.JobStore;
import dev.berth.swarm.SwarmClient;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.GitRepos;
import dev.berth.testing.SwarmTestbed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The chaos run: 200 short jobs through a three-worker swarm while one worker is killed and berth
 * itself is restarted twice (once by SIGKILL, once by SIGTERM). Every job must end SUCCEEDED exactly
 * once with its output, no service may be left behind, and every extra attempt must be explained by
 * an interruption.
 */
class ChaosTestbedIntegrationTest
{
    private static final int JOBS = 200;

    @TempDir
    Path temp;

    @Test
    void twoHundredJobsSurviveALostWorkerAndTwoRestarts()
            throws Exception
    {
        long start = System.nanoTime();
        try (SwarmTestbed testbed = SwarmTestbed.start(3, List.of("spot"), 1, Duration.ofSeconds(1));
                GitRepos repo = GitRepos.create(temp.resolve("repo"));
                EmbeddedSqs sqs = EmbeddedSqs.start(0, temp.resolve("sqs"));
                SqsJobQueue queue = new SqsJobQueue(sqs.endpoint())) {
            repo.commit(Map.of("job.sh", "#!/bin/sh\necho \"ran $BERTH_JOB_ID attempt $BERTH_ATTEMPT\"\nsleep 1\n"));
            Map<String, String> environment = BerthProcess.settings(temp, sqs.endpoint());
            environment.put("BERTH_DOCKER_HOST", testbed.managerDockerHost());
            environment.put("BERTH_POLL_INTERVAL", "250ms");
            environment.put("BERTH_PENDING_CAP", "12");
            environment.put("BERTH_DEFAULT_CPUS", "0.05");
            environment.put("BERTH_DEFAULT_MEMORY", "16m");

            for (int i = 0; i < JOBS; i++) {
                queue.send("{\"job_id\": \"chaos" + i + "\", \"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\","
                        + " \"entrypoint\": \"job.sh\", \"pool\": \"spot\", \"max_attempts\": 5}", "chaos", UUID.randomUUID().toString());
            }

            try (BerthProcess berth = new BerthProcess(environment, temp.resolve("serve.log"));
                    JobStore store = JobStore.open(temp.resolve("state").resolve("berth.db"))) {
                IntSupplier succeeded = () -> store.reads().inStates(EnumSet.of(JobState.SUCCEEDED)).size();
                berth.start();

                await().atMost(Duration.ofMinutes(5)).until(() -> succeeded.getAsInt() >= JOBS / 5);
                berth.kill();
                berth.start();

                await().atMost(Duration.ofMinutes(5)).until(() -> succeeded.getAsInt() >= JOBS * 2 / 5);
                String victim = await().atMost(Duration.ofMinutes(1)).until(() -> store.reads().liveAttempts().stream()
                        .filter(attempt -> attempt.state() == AttemptState.RUNNING).map(attempt -> attempt.node().orElse("")).findFirst().orElse(null),
                        node -> node != null && !node.isEmpty());
                testbed.killWorker(victim);

                await().atMost(Duration.ofMinutes(5)).until(() -> succeeded.getAsInt() >= JOBS * 3 / 5);
                berth.stop();
                berth.start();

                await().atMost(Duration.ofMinutes(8)).until(() -> store.reads().inStates(EnumSet.allOf(JobState.class)).stream().allMatch(job -> job.state().terminal())
                        && store.reads().inStates(EnumSet.allOf(JobState.class)).size() == JOBS);

                int attempts = 0;
                int interrupted = 0;
                for (int i = 0; i < JOBS; i++) {
                    String id = "chaos" + i;
                    Job job = store.reads().job(id).orElseThrow();
                    List<Attempt> tries = store.reads().attempts(id);
                    assertThat(job.state()).as(() -> id + ": " + job.reason().orElse("") + "\nattempts: " + tries + "\nberth's log of it:\n" + logOf(berth, id))
                            .isEqualTo(JobState.SUCCEEDED);
                    assertThat(tries).as(id).filteredOn(attempt -> attempt.state() == AttemptState.SUCCEEDED).hasSize(1);
                    attempts += tries.size();
                    interrupted += (int) tries.stream().filter(attempt -> attempt.state() == AttemptState.INTERRUPTED).count();
                    assertThat(job.runDir().orElseThrow().resolve("stdout.txt")).as(id).hasContent("ran " + id + " attempt " + tries.size());
                }
                assertThat(attempts).isEqualTo(JOBS + interrupted);
                assertThat(interrupted).as("the killed worker was running jobs").isPositive();
                try (SwarmClient swarm = new SwarmClient(testbed.managerDockerHost())) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> swarm.services(store.instanceId()).isEmpty());
                }
                System.out.printf("chaos run: %d jobs, %d attempts, %d interrupted (worker %s killed), berth restarted twice, wall time %d s%n",
                        JOBS, attempts, interrupted, victim, (System.nanoTime() - start) / 1_000_000_000);
            }
        }
    }

    private static String logOf(BerthProcess berth, String jobId)
    {
        try {
            return berth.logs().lines().filter(line -> line.contains("Job " + jobId + " ") || line.contains("Job " + jobId + ":"))
                    .collect(Collectors.joining("\n"));
        }
        catch (IOException e) {
            return "(cannot read it: " + e + ")";
        }
    }
}
