package dev.berth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.job.Attempt;
import dev.berth.job.AttemptState;
import dev.berth.job.Cause;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.queue.QueueEndpoint;
import dev.berth.queue.QueueMessage;
import dev.berth.queue.SqsJobQueue;
import dev.berth.swarm.Swarm;
import dev.berth.swarm.SwarmClient;
import dev.berth.swarm.SwarmNode;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.GitDaemon;
import dev.berth.testing.GitRepos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole path on real parts: requests through the embedded SQS queue, repositories mirrored
 * with JGit, jobs run as services on the local single-node swarm, results in SQLite and the run dir.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineSwarmIntegrationTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;

    private BerthHarness berth;
    private GitRepos repo;
    private String headCommit;

    @BeforeAll
    void start()
            throws Exception
    {
        repo = GitRepos.create(temp.resolve("served").resolve("jobs"));
        headCommit = repo.commit(Map.of(
                "ok.sh", "#!/bin/sh\necho \"out line from $BERTH_JOB_ID\"\necho 'err line' >&2\n",
                "exit3.sh", "#!/bin/sh\necho 'about to fail'\nexit 3\n",
                "exit75-once.sh", "#!/bin/sh\necho \"attempt $BERTH_ATTEMPT\"\nif [ \"$BERTH_ATTEMPT\" = 1 ]; then exit 75; fi\n",
                "params.sh", "#!/bin/sh\nprintf '%s' \"$ENTRYPOINT_PARAMS\" > \"$BERTH_ATTEMPT_DIR/params.out\"\n"
                        + "if [ -e /tmp/pwned ]; then echo PWNED; fi\necho checked\n",
                "gpu.sh", "#!/bin/sh\necho \"gpu=$DOCKER_RESOURCE_GPU nvidia=$NVIDIA_VISIBLE_DEVICES\"\nsleep 2\n",
                "sleep.sh", "#!/bin/sh\necho started\nsleep 300\n",
                // One character (U+65E5) written in two pieces a second apart, as a slow job's output can be
                "slow-utf8.sh", "#!/bin/sh\nprintf '\\346\\227'\nsleep 1\nprintf '\\245 done\\n'\necho 'to stderr' >&2\n",
                "not-executable.txt", "just text\n"));
        berth = BerthHarness.start(temp.resolve("berth"), Map.of());
    }

    @AfterAll
    void stop()
            throws IOException
    {
        berth.close();
        repo.close();
    }

    @Test
    void originalRunnerMessageRunsAndItsOutputLandsInTheRunDir()
            throws Exception
    {
        String body = "{\"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"ok.sh\", \"entrypoint_params\": null}";
        String messageId = berth.send(body);
        String jobId = Intake.idFor(messageId);

        Job job = berth.awaitEnd(jobId);

        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(job.exitCode()).contains(0);
        assertThat(job.commit()).contains(headCommit);
        assertThat(job.startedAt()).isPresent();
        assertThat(job.finishedAt().orElseThrow()).isAfterOrEqualTo(job.startedAt().orElseThrow());
        Path runDir = job.runDir().orElseThrow();
        assertThat(runDir.getFileName().toString()).matches("\\d{8}_\\d{6}_ok_" + jobId);
        assertThat(runDir.resolve("stdout.txt")).hasContent("out line from " + jobId);
        assertThat(runDir.resolve("stderr.txt")).hasContent("err line");
        assertThat(runDir.resolve("exit_code")).hasContent("0");
        JsonNode jobJson = JSON.readTree(runDir.resolve("job.json").toFile());
        assertThat(jobJson.path("commit").asText()).isEqualTo(headCommit);
        assertThat(jobJson.path("request")).isEqualTo(JSON.readTree(body));
        JsonNode result = JSON.readTree(runDir.resolve("result.json").toFile());
        assertThat(result.path("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(result.path("attempts")).hasSize(1);
        assertThat(result.path("attempts").get(0).path("node").asText()).as("the node is recorded even when the job ends between two polls").isNotEmpty();
        berth.awaitServiceRemoved(Swarm.serviceName(jobId, 1));
    }

    @Test
    void jobExitingWithThreeFailsWithExitCodeThreeAndIsNotRetried()
            throws Exception
    {
        Job job = berth.awaitEnd(submit(Map.of("entrypoint", "exit3.sh")));

        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.cause()).contains(Cause.EXIT);
        assertThat(job.exitCode()).contains(3);
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.reason()).contains("exited with code 3");
        assertThat(job.runDir().orElseThrow().resolve("exit_code")).hasContent("3");
        assertThat(job.runDir().orElseThrow().resolve("stdout.txt")).hasContent("about to fail");
    }

    @Test
    void jobExitingWithAListedCodeRunsAgainAndKeepsEachAttemptsOutput()
            throws Exception
    {
        Job job = berth.awaitEnd(submit(Map.of("entrypoint", "exit75-once.sh", "retry_exit_codes", List.of(75))));

        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(job.attempts()).isEqualTo(2);
        Attempt first = berth.store().reads().attempts(job.id()).get(0);
        assertThat(first.state()).isEqualTo(AttemptState.FAILED);
        assertThat(first.cause()).contains(Cause.EXIT);
        assertThat(first.exitCode()).contains(75);
        Path runDir = job.runDir().orElseThrow();
        assertThat(runDir.resolve("attempts/1/stdout.txt")).hasContent("attempt 1");
        assertThat(runDir.resolve("attempts/2/stdout.txt")).hasContent("attempt 2");
        assertThat(runDir.resolve("exit_code")).hasContent("0");
        JsonNode status = JSON.readTree(berth.cli("status", job.id(), "--json").out());
        assertThat(status.path("retry_exit_codes")).isEqualTo(JSON.readTree("[75]"));
    }

    @Test
    void unknownBranchFailsAtOnceNamingTheBranchWithoutAnAttempt()
    {
        Job job = berth.awaitEnd(submit(Map.of("entrypoint", "ok.sh", "branch", "no-such-branch")));

        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.cause()).contains(Cause.REQUEST);
        assertThat(job.reason().orElseThrow()).contains("no-such-branch").contains("main");
        assertThat(job.attempts()).isZero();
    }

    @Test
    void entrypointThatIsNotExecutableFailsAsARequestProblem()
    {
        Job job = berth.awaitEnd(submit(Map.of("entrypoint", "not-executable.txt")));

        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.cause()).contains(Cause.REQUEST);
        assertThat(job.reason().orElseThrow()).contains("not executable").contains("git update-index --chmod=+x not-executable.txt");
    }

    @Test
    void secondJobOfAnUnchangedRepositoryFetchesNothing()
            throws Exception
    {
        Job first = berth.awaitEnd(submit(Map.of("entrypoint", "ok.sh")));
        Path mirrors = berth.config().mirrorsDir();
        Map<String, Long> before = files(mirrors);

        Job second = berth.awaitEnd(submit(Map.of("entrypoint", "ok.sh")));

        assertThat(second.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(second.commit()).isEqualTo(first.commit());
        assertThat(files(mirrors)).isEqualTo(before);
        // Each job has its own work dir over the commit's one snapshot, which borrows its objects from the mirror.
        Path secondWork = second.runDir().orElseThrow().resolve("work");
        assertThat(secondWork.toRealPath()).isNotEqualTo(first.runDir().orElseThrow().resolve("work").toRealPath());
        assertThat(berth.config().snapshotsDir().resolve(second.commit().orElseThrow()).resolve("tree/.git/objects/info/alternates")).exists();
    }

    @Test
    void parametersArriveByteForByteAndNoShellRunsThem()
            throws Exception
    {
        String params = "$(touch /tmp/pwned); \"quotes\" 'single' `touch /tmp/pwned` \\ ; exit 7 | tee x\nsecond line";

        Job job = berth.awaitEnd(submit(Map.of("entrypoint", "params.sh", "entrypoint_params", params)));

        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
        Path attemptDir = job.runDir().orElseThrow().resolve("attempts/1");
        assertThat(Files.readString(attemptDir.resolve("params.out"), StandardCharsets.UTF_8)).isEqualTo(params);
        assertThat(job.runDir().orElseThrow().resolve("stdout.txt")).hasContent("checked");
    }

    @Test
    void twoOneGpuJobsOnANodeWithOneGpuRunOneAfterTheOther()
    {
        try (SwarmClient swarm = new SwarmClient(berth.config().dockerHost())) {
            List<SwarmNode> nodes = swarm.nodes(berth.config().gpuKind());
            assertThat(nodes).as("the local engine must be a one-node swarm advertising one fake GPU: start dockerd with "
                            + "--node-generic-resource GPU=GPU-fake0 (see README)")
                    .singleElement().satisfies(node -> assertThat(node.gpus()).hasSize(1));
        }
        Map<String, Object> gpuJob = Map.of("entrypoint", "gpu.sh", "resources", Map.of("gpus", 1, "cpus", 0.1, "memory", "32m"));
        String first = submit(gpuJob);
        String second = submit(gpuJob);

        Job one = berth.awaitEnd(first);
        Job two = berth.awaitEnd(second);

        assertThat(List.of(one.state(), two.state())).containsOnly(JobState.SUCCEEDED);
        assertThat(one.runDir().orElseThrow().resolve("stdout.txt")).content().startsWith("gpu=GPU-").contains("nvidia=").doesNotContain("void");
        Attempt a = berth.store().reads().attempts(first).get(0);
        Attempt b = berth.store().reads().attempts(second).get(0);
        boolean aFirst = a.startedAt().orElseThrow().isBefore(b.startedAt().orElseThrow());
        Attempt earlier = aFirst ? a : b;
        Attempt later = aFirst ? b : a;
        assertThat(later.startedAt().orElseThrow()).as("the second GPU job starts only after the first has finished")
                .isAfterOrEqualTo(earlier.finishedAt().orElseThrow());
    }

    @Test
    void jobWithoutGpusSeesNoGpus()
    {
        Job job = berth.awaitEnd(submit(Map.of("entrypoint", "gpu.sh")));

        assertThat(job.runDir().orElseThrow().resolve("stdout.txt")).hasContent("gpu= nvidia=void");
    }

    @Test
    void cancellingARunningJobStopsItRemovesItsServiceAndKeepsItsLogs()
    {
        String jobId = submit(Map.of("entrypoint", "sleep.sh"));
        berth.awaitState(jobId, EnumSet.of(JobState.RUNNING), Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).until(() -> berth.store().reads().job(jobId).orElseThrow().runDir().orElseThrow()
                .resolve("stdout.txt").toFile().length() > 0);

        BerthHarness.CliResult cancel = berth.cli("cancel", jobId);

        assertThat(cancel.exitCode()).as(cancel.err()).isZero();
        assertThat(cancel.out()).contains("job " + jobId + " cancelled");
        Job job = berth.store().reads().job(jobId).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.CANCELLED);
        assertThat(job.cause()).contains(Cause.CANCELLED);
        berth.awaitServiceRemoved(Swarm.serviceName(jobId, 1));
        assertThat(job.runDir().orElseThrow().resolve("stdout.txt")).hasContent("started");

        BerthHarness.CliResult again = berth.cli("cancel", jobId);
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("already ended as CANCELLED");
    }

    @Test
    void jobPastItsTimeoutIsStoppedAndRecordedAsTimedOut()
    {
        Job job = berth.awaitEnd(submit(Map.of("entrypoint", "sleep.sh", "timeout", "2s")));

        assertThat(job.state()).isEqualTo(JobState.TIMED_OUT);
        assertThat(job.cause()).contains(Cause.TIMEOUT);
        assertThat(job.reason().orElseThrow()).contains("timeout of 2s");
        assertThat(job.runDir().orElseThrow().resolve("stdout.txt")).hasContent("started");
        berth.awaitNoServices();
    }

    @Test
    void invalidMessageIsRejectedToTheDeadLetterQueueWhileTheNextValidOneRuns()
            throws Exception
    {
        String badMessage = berth.send("{\"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"ok.sh\", \"gpu\": 1}");
        String good = submit(Map.of("entrypoint", "ok.sh"));

        assertThat(berth.awaitEnd(good).state()).isEqualTo(JobState.SUCCEEDED);
        Job rejected = berth.awaitEnd(Intake.idFor(badMessage));
        assertThat(rejected.state()).isEqualTo(JobState.REJECTED);
        assertThat(rejected.reason().orElseThrow()).contains("unknown field 'gpu'").contains("did you mean 'resources.gpus'");

        BerthHarness.CliResult list = berth.cli("list", "--state", "rejected", "--json");
        assertThat(list.exitCode()).isZero();
        JsonNode listed = JSON.readTree(list.out());
        assertThat(listed.findValuesAsText("id")).contains(rejected.id());

        QueueEndpoint main = berth.queue().endpoint();
        try (SqsJobQueue deadLetters = new SqsJobQueue(new QueueEndpoint(main.deadLetterQueueUrl(), main.deadLetterQueueUrl(), main.region(), main.endpoint(), true))) {
            List<QueueMessage> received = await().atMost(Duration.ofSeconds(10))
                    .until(() -> deadLetters.receive(Duration.ofSeconds(1), Duration.ofSeconds(30)), messages -> !messages.isEmpty());
            assertThat(received).extracting(QueueMessage::body).anySatisfy(body -> assertThat(body).contains("\"gpu\": 1"));
        }
    }

    @Test
    void jobFromARepositoryServedByGitDaemonRuns()
            throws Exception
    {
        try (GitDaemon daemon = GitDaemon.serve(repo.dir().getParent(), temp.resolve("git-daemon.log"))) {
            Job job = berth.awaitEnd(submit(Map.of("entrypoint", "ok.sh", "repo_uri", daemon.url("jobs"))));

            assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(job.commit()).contains(headCommit);
        }
    }

    @Test
    void submitWaitStatusListAndLogsWorkFromTheCommandLine()
            throws Exception
    {
        BerthHarness.CliResult submit = berth.cli("submit", "--repo", repo.fileUrl(), "--entrypoint", "exit3.sh",
                "--cpus", "0.1", "--memory", "32m", "--name", "cli-job", "--wait");

        assertThat(submit.exitCode()).as(submit.err()).isEqualTo(3);
        String jobId = submit.out().strip();
        assertThat(submit.err()).contains("FAILED").contains("stdout.txt");

        BerthHarness.CliResult status = berth.cli("status", jobId);
        assertThat(status.exitCode()).isZero();
        assertThat(status.out()).contains("FAILED [exit]").contains("exit code:  3").contains(headCommit);

        JsonNode statusJson = JSON.readTree(berth.cli("status", jobId, "--json").out());
        assertThat(statusJson.path("exit_code").asInt()).isEqualTo(3);
        assertThat(statusJson.path("attempts")).hasSize(1);
        assertThat(statusJson.path("user").asText()).as("whoever ran berth submit").isEqualTo(System.getProperty("user.name"));

        BerthHarness.CliResult list = berth.cli("list");
        assertThat(list.out()).contains(jobId).contains("cli-job");

        BerthHarness.CliResult logs = berth.cli("logs", jobId.substring(0, 8));
        assertThat(logs.exitCode()).isZero();
        assertThat(logs.out()).isEqualTo("about to fail\n");

        String slow = berth.cli("submit", "--repo", repo.fileUrl(), "--entrypoint", "slow-utf8.sh", "--cpus", "0.1", "--memory", "32m").out().strip();
        BerthHarness.CliResult followed = berth.cli("logs", "--follow", slow);
        assertThat(followed.exitCode()).as(followed.err()).isZero();
        assertThat(followed.out()).isEqualTo("\u65e5 done\n");
        assertThat(berth.cli("logs", "--stderr", slow).out()).isEqualTo("to stderr\n");

        BerthHarness.CliResult missing = berth.cli("status", "no-such-job");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("no job 'no-such-job'");

        BerthHarness.CliResult invalid = berth.cli("submit", "--repo", repo.fileUrl(), "--entrypoint", "../escape.sh");
        assertThat(invalid.exitCode()).isEqualTo(1);
        assertThat(invalid.err()).contains("entrypoint '../escape.sh'");

        Path notUtf8 = temp.resolve("latin1.json");
        Files.write(notUtf8, "{\"repo_uri\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1));
        BerthHarness.CliResult undecodable = berth.cli("submit", "--file", notUtf8.toString());
        assertThat(undecodable.exitCode()).isEqualTo(1);
        assertThat(undecodable.err()).contains("is not valid UTF-8 text");

        Path request = temp.resolve("request.json");
        Files.writeString(request, "{\"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"ok.sh\"}");
        BerthHarness.CliResult mixed = berth.cli("submit", "--file", request.toString(), "--cpus", "2");
        assertThat(mixed.exitCode()).isEqualTo(1);
        assertThat(mixed.err()).contains("not both (also given: --cpus)");
    }

    @Test
    void aFileOfManyRequestsIsCheckedWholeThenSentTogether()
            throws Exception
    {
        String request = "{\"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"%s\", \"job_id\": \"%s\"}\n";
        Path broken = temp.resolve("broken.jsonl");
        Files.writeString(broken, request.formatted("ok.sh", "batch-early") + request.formatted("../escape.sh", "batch-bad"));
        BerthHarness.CliResult refused = berth.cli("submit", "--file", broken.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("invalid request 2 of 2 in " + broken).contains("entrypoint '../escape.sh'").contains("nothing was sent");

        Path batch = temp.resolve("batch.jsonl");
        Files.writeString(batch, request.formatted("ok.sh", "batch-1") + request.formatted("exit3.sh", "batch-2") + request.formatted("ok.sh", "batch-3"));
        BerthHarness.CliResult sent = berth.cli("submit", "--file", batch.toString());
        assertThat(sent.exitCode()).as(sent.err()).isZero();
        assertThat(sent.out().lines()).containsExactly("batch-1", "batch-2", "batch-3");

        assertThat(berth.awaitEnd("batch-1").state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(berth.awaitEnd("batch-2").exitCode()).contains(3);
        assertThat(berth.awaitEnd("batch-3").state()).isEqualTo(JobState.SUCCEEDED);
        // Same message group, so had the refused file's first request been sent, it would have arrived first.
        assertThat(berth.cli("status", "batch-early").err()).contains("no job 'batch-early'");

        BerthHarness.CliResult waitForMany = berth.cli("submit", "--file", batch.toString(), "--wait");
        assertThat(waitForMany.exitCode()).isEqualTo(1);
        assertThat(waitForMany.err()).contains("--wait follows one job, but " + batch + " holds 3 requests");
    }

    /** Sends a request for the test repository with {@code fields} set; returns its job id. */
    private String submit(Map<String, Object> fields)
    {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("repo_uri", repo.fileUrl());
        request.put("branch", "main");
        request.put("job_id", "t" + Long.toHexString(System.nanoTime()));
        request.putAll(fields);
        try {
            berth.send(JSON.writeValueAsString(request));
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return (String) request.get("job_id");
    }

    private static Map<String, Long> files(Path dir)
            throws IOException
    {
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(path -> !path.getFileName().toString().endsWith(".berth-lock")).filter(Files::isRegularFile)
                    .forEach(file -> files.put(dir.relativize(file).toString(), file.toFile().length()));
        }
        return files;
    }
}
