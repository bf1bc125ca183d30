package dev.berth.daemon;

import dev.berth.cli.BerthCli;
import dev.berth.config.BerthConfig;
import dev.berth.job.Cause;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.queue.EmbeddedSqs;
import dev.berth.queue.QueueEndpoint;
import dev.berth.queue.QueueMessage;
import dev.berth.queue.SqsJobQueue;
import dev.berth.store.JobStore;
import dev.berth.testing.BadRequests;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.GitRepos;
import dev.berth.testing.LocalSwarm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every kind of broken or hostile request, sent through SQS to a real daemon process between valid
 * jobs: each ends REJECTED (and in the dead-letter queue) or FAILED with a specific reason, the
 * valid jobs around them still run, and no credential shows up in the log, the CLI or a run dir.
 */
class HostileInputSwarmIntegrationTest
{
    private static final String SECRET_IN_URL = "s3cretT0kenInUrl";
    private static final String CONFIGURED_TOKEN = "configuredT0kenValue";
    private static final int SQS_MAX_BODY = 256 * 1024;

    @TempDir
    Path temp;

    @Test
    void badRequestsAreRefusedOneByOneWhileTheDaemonKeepsServing()
            throws Exception
    {
        LocalSwarm.ensureReady();
        try (GitRepos repo = GitRepos.create(temp.resolve("repo"));
                EmbeddedSqs sqs = EmbeddedSqs.start(0, temp.resolve("sqs"));
                SqsJobQueue queue = new SqsJobQueue(sqs.endpoint())) {
            repo.commit(Map.of("ok.sh", "#!/bin/sh\necho fine\n", "plain.txt", "not a script\n"));
            String fields = "\"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\"";

            Map<String, String> rejected = new LinkedHashMap<>();
            for (BadRequests.BadRequest bad : BadRequests.all()) {
                if (!bad.body().isEmpty() && bad.body().length() < SQS_MAX_BODY) {
                    rejected.put(bad.body(), bad.reason());
                }
            }
            rejected.put("{" + fields + ", \"entrypoint\": \"ok.sh\", \"entrypoint_params\": \"" + "p".repeat(200 * 1024) + "\"}",
                    "entrypoint_params is 204800 bytes; the limit is 102400");
            rejected.put("{\"repo_uri\": \"https://robot:" + SECRET_IN_URL + "@github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\"}",
                    "BERTH_GIT_TOKEN");
            rejected.put("{\"job_id\": \"taken\", " + fields + ", \"entrypoint\": \"plain.txt\"}", "job_id 'taken' is already used by a different request");

            Map<String, String> failed = new LinkedHashMap<>();
            failed.put("{\"job_id\": \"bad-branch\", " + fields.replace("\"main\"", "\"nope\"") + ", \"entrypoint\": \"ok.sh\"}", "nope");
            failed.put("{\"job_id\": \"unreachable\", \"repo_uri\": \"git://127.0.0.1:1/nothing\", \"branch\": \"main\", \"entrypoint\": \"ok.sh\"}", "could not reach repository");
            failed.put("{\"job_id\": \"no-file\", " + fields + ", \"entrypoint\": \"missing.sh\"}", "is not a file in commit");
            failed.put("{\"job_id\": \"not-exec\", " + fields + ", \"entrypoint\": \"plain.txt\"}", "is not executable");
            failed.put("{\"job_id\": \"no-image\", " + fields + ", \"entrypoint\": \"ok.sh\", \"image\": \"nowhere.invalid/none:1\"}", "image 'nowhere.invalid/none:1'");
            failed.put("{\"job_id\": \"too-big\", " + fields + ", \"entrypoint\": \"ok.sh\", \"resources\": {\"gpus\": 64}}", "no node can ever hold this job");

            List<String> valid = new ArrayList<>();
            List<String> messageIds = new ArrayList<>();
            Map<String, String> reasonsByMessage = new HashMap<>();
            send(queue, "{\"job_id\": \"taken\", " + fields + ", \"entrypoint\": \"ok.sh\"}");
            valid.add("taken");
            int sent = 0;
            for (Map.Entry<String, String> bad : rejected.entrySet()) {
                String messageId = send(queue, bad.getKey());
                messageIds.add(messageId);
                reasonsByMessage.put(messageId, bad.getValue());
                if (++sent % 10 == 0) {
                    String id = "valid-" + sent;
                    send(queue, "{\"job_id\": \"" + id + "\", " + fields + ", \"entrypoint\": \"ok.sh\"}");
                    valid.add(id);
                }
            }
            failed.keySet().forEach(body -> send(queue, body));

            Map<String, String> environment = BerthProcess.settings(temp, sqs.endpoint());
            environment.put("BERTH_GIT_TOKEN", CONFIGURED_TOKEN);
            environment.put("BERTH_GIT_TIMEOUT", "5s");

            try (BerthProcess berth = new BerthProcess(environment, temp.resolve("serve.log"));
                    JobStore store = JobStore.open(temp.resolve("state").resolve("berth.db"))) {
                berth.start();
                List<String> ended = new ArrayList<>(valid);
                ended.addAll(List.of("bad-branch", "unreachable", "no-file", "not-exec", "no-image", "too-big"));
                for (String id : ended) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> store.reads().job(id).map(job -> job.state().terminal()).orElse(false));
                }
                for (String id : valid) {
                    assertThat(store.reads().job(id).orElseThrow().state()).as(id).isEqualTo(JobState.SUCCEEDED);
                }
                int index = 0;
                for (Map.Entry<String, String> bad : failed.entrySet()) {
                    Job job = store.reads().job(ended.get(valid.size() + index++)).orElseThrow();
                    assertThat(job.state()).as(job.id()).isEqualTo(JobState.FAILED);
                    assertThat(job.cause()).as(job.id()).contains(Cause.REQUEST);
                    assertThat(job.reason().orElseThrow()).as(job.id()).contains(bad.getValue());
                }
                for (String messageId : messageIds) {
                    Job job = await().atMost(Duration.ofSeconds(30)).until(() -> store.reads().job(Intake.idFor(messageId)).orElse(null), found -> found != null);
                    assertThat(job.state()).isEqualTo(JobState.REJECTED);
                    assertThat(job.reason().orElseThrow()).contains(reasonsByMessage.get(messageId));
                }

                QueueEndpoint main = sqs.endpoint();
                Set<String> deadLettered = new HashSet<>();
                try (SqsJobQueue deadLetters = new SqsJobQueue(new QueueEndpoint(main.deadLetterQueueUrl(), main.deadLetterQueueUrl(), main.region(), main.endpoint(), true))) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> {
                        // A FIFO queue holds back a group's later messages while earlier ones are in flight: take and delete.
                        List<QueueMessage> batch = deadLetters.receive(Duration.ofSeconds(1), Duration.ofMinutes(5));
                        batch.forEach(message -> deadLettered.add(message.body()));
                        deadLetters.delete(batch);
                        return deadLettered.size() >= rejected.size();
                    });
                }
                assertThat(deadLettered).containsExactlyInAnyOrderElementsOf(rejected.keySet());

                String cliOutput = cli("list", "--json", "--limit", "500") + cli("list", "--limit", "500");
                for (Job job : store.reads().newest(List.of(), 500)) {
                    cliOutput += cli("status", job.id()) + cli("status", job.id(), "--json");
                }
                String runDirs = allFiles(temp.resolve("shared").resolve("runs"));
                for (String secret : List.of(SECRET_IN_URL, CONFIGURED_TOKEN)) {
                    assertThat(berth.logs()).as("daemon log").doesNotContain(secret);
                    assertThat(cliOutput).as("list and status").doesNotContain(secret);
                    assertThat(runDirs).as("run dirs").doesNotContain(secret);
                }
                System.out.printf("hostile input: %d rejected (all in the dead-letter queue), %d failed, %d valid jobs succeeded around them%n",
                        rejected.size(), failed.size(), valid.size());
            }
        }
    }

    private String cli(String... args)
    {
        StringWriter out = new StringWriter();
        List<String> full = new ArrayList<>(List.of(args[0], "--state-dir", temp.resolve("state").toString()));
        full.addAll(List.of(args).subList(1, args.length));
        BerthCli.standard(BerthConfig.environment()).execute(new PrintWriter(out, true), new PrintWriter(out, true), full.toArray(String[]::new));
        return out.toString();
    }

    private static String send(SqsJobQueue queue, String body)
    {
        return queue.send(body, "hostile", UUID.randomUUID().toString());
    }

    private static String allFiles(Path root)
            throws Exception
    {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(path -> Files.isRegularFile(path) && !path.toString().contains("/.git/")).toList()) {
                all.append(Files.readString(file));
            }
        }
        return all.toString();
    }
}
