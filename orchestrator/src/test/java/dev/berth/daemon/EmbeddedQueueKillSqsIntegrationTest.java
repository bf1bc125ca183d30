package dev.berth.daemon;

import dev.berth.config.BerthConfig;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.queue.QueueEndpoint;
import dev.berth.store.JobStore;
import dev.berth.swarm.SwarmClient;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.GitRepos;
import dev.berth.testing.LocalSwarm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real {@code berth serve} on its embedded queue, sent ten requests in one SendMessageBatch through
 * the AWS SDK, killed with SIGKILL the moment the queue has answered, then started again: every
 * request the queue accepted must run, once. The embedded queue keeps its messages in the state dir,
 * and comes back on the port it had, so the client that sent them keeps working.
 */
class EmbeddedQueueKillSqsIntegrationTest
{
    private static final int JOBS = 10;

    @TempDir
    Path temp;

    @Test
    void everyMessageTheEmbeddedQueueAcceptedRunsOnceAfterAKill()
            throws Exception
    {
        LocalSwarm.ensureReady();
        try (GitRepos repo = GitRepos.create(temp.resolve("repo"));
                BerthProcess berth = new BerthProcess(settings(), temp.resolve("serve.log"))) {
            repo.commit(Map.of("job.sh", "#!/bin/sh\necho \"ran $BERTH_JOB_ID\"\n"));
            berth.start();
            BerthConfig clientConfig = BerthConfig.load(Map.of("BERTH_STATE_DIR", temp.resolve("state").toString()));
            QueueEndpoint before = QueueEndpoint.forClient(clientConfig);

            List<String> ids = IntStream.range(0, JOBS).mapToObj(i -> "killed" + i).toList();
            try (SqsClient sqs = client(before)) {
                List<SendMessageBatchRequestEntry> entries = ids.stream().map(id -> SendMessageBatchRequestEntry.builder()
                        .id(id)
                        .messageBody("{\"job_id\": \"" + id + "\", \"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"job.sh\"}")
                        .messageGroupId("kill-test")
                        .messageDeduplicationId(UUID.randomUUID().toString())
                        .build()).toList();
                SendMessageBatchResponse sent = sqs.sendMessageBatch(request -> request.queueUrl(before.queueUrl()).entries(entries));
                berth.kill();
                assertThat(sent.failed()).as("refused by the queue").isEmpty();
                assertThat(sent.successful()).as("accepted by the queue").hasSize(JOBS);

                berth.start();
                try (JobStore store = JobStore.open(temp.resolve("state").resolve("berth.db"))) {
                    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
                            .untilAsserted(() -> assertThat(store.reads().inStates(EnumSet.of(JobState.SUCCEEDED))).as("jobs that succeeded")
                                    .extracting(Job::id).containsExactlyInAnyOrderElementsOf(ids));
                    for (String id : ids) {
                        Job job = store.reads().job(id).orElseThrow();
                        assertThat(job.state()).as(id).isEqualTo(JobState.SUCCEEDED);
                        assertThat(store.reads().attempts(id)).as("attempts of " + id).hasSize(1);
                        assertThat(job.runDir().orElseThrow().resolve("stdout.txt")).as(id).hasContent("ran " + id);
                    }
                    assertThat(store.reads().newest(List.of(), 1000)).as("ten distinct jobs, none stored twice").extracting(Job::id)
                            .containsExactlyInAnyOrderElementsOf(ids);
                    try (SwarmClient swarm = new SwarmClient(LocalSwarm.DOCKER_HOST)) {
                        await().atMost(Duration.ofSeconds(30)).until(() -> swarm.services(store.instanceId()).isEmpty());
                    }
                }
                QueueEndpoint after = QueueEndpoint.forClient(clientConfig);
                assertThat(after.endpoint()).as("the embedded queue is back where the client had it").isEqualTo(before.endpoint());
                assertThat(after.queueUrl()).isEqualTo(before.queueUrl());
                // So the client from before the kill still reaches it: every message was taken and deleted
                await().atMost(Duration.ofSeconds(30)).until(() -> sqs.getQueueAttributes(request -> request.queueUrl(before.queueUrl())
                        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                        .attributes().values().stream().allMatch("0"::equals));
            }
            System.out.printf("embedded queue across a kill: %d sent in one batch, %d redelivered messages ignored%n",
                    JOBS, berth.logs().lines().filter(line -> line.contains("is a redelivery")).count());
        }
    }

    /** On the embedded default; messages taken before the kill come back after three seconds rather than a minute. */
    private Map<String, String> settings()
    {
        Map<String, String> settings = BerthProcess.settings(temp);
        settings.put("BERTH_QUEUE_VISIBILITY", "3s");
        return settings;
    }

    private static SqsClient client(QueueEndpoint endpoint)
    {
        return SqsClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(endpoint.region()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("any", "any")))
                .endpointOverride(endpoint.endpoint().orElseThrow())
                .build();
    }
}
