package dev.berth.daemon;

import dev.berth.job.JobState;
import dev.berth.queue.EmbeddedSqs;
import dev.berth.queue.SqsJobQueue;
import dev.berth.store.JobStore;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.GitRepos;
import dev.berth.testing.LocalSwarm;
import dev.berth.testing.TcpProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The SQS endpoint unreachable for a minute: berth keeps watching the job it runs, logs the outage
 * once rather than in a flood, and takes the messages sent meanwhile as soon as the endpoint is back.
 */
class QueueOutageSwarmIntegrationTest
{
    private static final Duration OUTAGE = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    @Test
    void berthRidesOutAQueueOutageLosingNothing()
            throws Exception
    {
        LocalSwarm.ensureReady();
        try (GitRepos repo = GitRepos.create(temp.resolve("repo"));
                EmbeddedSqs sqs = EmbeddedSqs.start(0, temp.resolve("sqs"));
                SqsJobQueue direct = new SqsJobQueue(sqs.endpoint());
                TcpProxy line = new TcpProxy(sqs.endpoint().endpoint().orElseThrow().getPort())) {
            repo.commit(Map.of("job.sh", "#!/bin/sh\necho \"ran $BERTH_JOB_ID\"\nsleep \"${SECONDS_TO_RUN:-0}\"\n"));
            URI viaProxy = URI.create("http://127.0.0.1:" + line.port());
            Map<String, String> environment = BerthProcess.settings(temp, sqs.endpoint());
            environment.put("BERTH_QUEUE_URL", sqs.endpoint().queueUrl().replace(sqs.endpoint().endpoint().orElseThrow().toString(), viaProxy.toString()));
            environment.put("BERTH_SQS_ENDPOINT", viaProxy.toString());

            try (BerthProcess berth = new BerthProcess(environment, temp.resolve("serve.log"));
                    JobStore store = JobStore.open(temp.resolve("state").resolve("berth.db"))) {
                berth.start();
                send(direct, repo, "long", 20);
                await().atMost(Duration.ofSeconds(30)).until(() -> store.reads().job("long").map(job -> job.state() == JobState.RUNNING).orElse(false));

                line.cut();
                Instant cut = Instant.now();
                List<String> sentDuringOutage = List.of("during-1", "during-2", "during-3");
                for (String id : sentDuringOutage) {
                    send(direct, repo, id, 0);
                }
                await().atMost(OUTAGE).until(() -> store.reads().job("long").orElseThrow().state() == JobState.SUCCEEDED);
                assertThat(Duration.between(cut, Instant.now())).as("the running job ended and was recorded during the outage").isLessThan(OUTAGE);
                // The outage lasting its full minute is the scenario under test, not a wait for a condition.
                Thread.sleep(Math.max(0, Duration.between(Instant.now(), cut.plus(OUTAGE)).toMillis()));
                assertThat(sentDuringOutage).allSatisfy(id -> assertThat(store.reads().job(id)).isEmpty());

                line.restore();
                for (String id : sentDuringOutage) {
                    await().atMost(Duration.ofSeconds(90)).until(() -> store.reads().job(id).map(job -> job.state() == JobState.SUCCEEDED).orElse(false));
                }
                assertThat(store.reads().inStates(EnumSet.allOf(JobState.class))).hasSize(4);

                List<String> warnings = berth.logs().lines().filter(line1 -> line1.contains("Cannot read the job queue")).toList();
                assertThat(warnings).as("one warning per minute of outage, not a flood").hasSizeBetween(1, 2);
                assertThat(berth.logs()).contains("Queue reachable again");
                System.out.printf("queue outage: %d s cut, %d warning lines, all %d messages sent meanwhile ran%n",
                        OUTAGE.toSeconds(), warnings.size(), sentDuringOutage.size());
            }
        }
    }

    private static void send(SqsJobQueue queue, GitRepos repo, String id, int seconds)
    {
        queue.send("{\"job_id\": \"" + id + "\", \"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"job.sh\","
                + " \"env\": {\"SECONDS_TO_RUN\": \"" + seconds + "\"}}", "outage", UUID.randomUUID().toString());
    }
}
