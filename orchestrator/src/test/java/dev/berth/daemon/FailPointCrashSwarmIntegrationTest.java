package dev.berth.daemon;

import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.queue.EmbeddedSqs;
import dev.berth.queue.SqsJobQueue;
import dev.berth.store.JobStore;
import dev.berth.swarm.SwarmClient;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.GitRepos;
import dev.berth.testing.LocalSwarm;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * berth killed in each narrow window between two durable steps (see {@link FailPoints}), then
 * started again: each job still ends exactly once with one attempt and one service, and the log
 * shows the recovery path that window needs.
 */
class FailPointCrashSwarmIntegrationTest
{
    @TempDir
    Path temp;

    @ParameterizedTest(name = "killed at {0}")
    @CsvSource(delimiter = '|', value = {
            "after-store    | is a redelivery or a resubmit",
            "after-checkout | queued again",
            "before-create  | SUBMITTING",
            "after-create   | adopted existing service",
            "after-result   | Removed leftover service",
    })
    void everyJobEndsOnceAfterACrashInThisWindow(String failPoint, String recoveryEvidence)
            throws Exception
    {
        LocalSwarm.ensureReady();
        try (GitRepos repo = GitRepos.create(temp.resolve("repo"));
                EmbeddedSqs sqs = EmbeddedSqs.start(0, temp.resolve("sqs"));
                SqsJobQueue queue = new SqsJobQueue(sqs.endpoint())) {
            repo.commit(Map.of("job.sh", "#!/bin/sh\necho \"ran $BERTH_JOB_ID\"\n"));
            Map<String, String> environment = BerthProcess.settings(temp, sqs.endpoint());
            environment.put("BERTH_QUEUE_VISIBILITY", "3s");
            environment.put("BERTH_FAILPOINT", failPoint);
            List<String> ids = List.of("first", "second");
            for (String id : ids) {
                queue.send("{\"job_id\": \"" + id + "\", \"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"job.sh\"}",
                        "crash", UUID.randomUUID().toString());
            }

            try (BerthProcess berth = new BerthProcess(environment, temp.resolve("serve.log"))) {
                berth.start();
                assertThat(berth.awaitExit()).as("halted at the fail point").isEqualTo(137);
                berth.set("BERTH_FAILPOINT", null);
                berth.start();

                try (JobStore store = JobStore.open(temp.resolve("state").resolve("berth.db"))) {
                    for (String id : ids) {
                        await().atMost(Duration.ofSeconds(60)).until(() -> store.reads().job(id).map(job -> job.state().terminal()).orElse(false));
                        Job job = store.reads().job(id).orElseThrow();
                        assertThat(job.state()).as(id).isEqualTo(JobState.SUCCEEDED);
                        assertThat(store.reads().attempts(id)).as(id).hasSize(1);
                        assertThat(job.runDir().orElseThrow().resolve("stdout.txt")).hasContent("ran " + id);
                        assertThat(job.runDir().orElseThrow().resolve("exit_code")).hasContent("0");
                    }
                    try (SwarmClient swarm = new SwarmClient(LocalSwarm.DOCKER_HOST)) {
                        await().atMost(Duration.ofSeconds(30)).until(() -> swarm.services(store.instanceId()).isEmpty());
                    }
                    // A redelivered message may arrive after both jobs ended: it must change nothing then either
                    await().atMost(Duration.ofSeconds(30)).until(() -> berth.logs().contains(recoveryEvidence));
                    assertThat(berth.logs()).contains("halting at fail point " + failPoint);
                    assertThat(store.reads().newest(List.of(), 100)).hasSize(ids.size());
                    for (String id : ids) {
                        assertThat(store.reads().attempts(id)).as(id).hasSize(1);
                        assertThat(store.reads().job(id).orElseThrow().state()).as(id).isEqualTo(JobState.SUCCEEDED);
                    }
                }
            }
        }
    }
}
