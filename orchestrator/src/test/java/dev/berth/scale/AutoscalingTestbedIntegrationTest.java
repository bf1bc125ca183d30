package dev.berth.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.cli.BerthCli;
import dev.berth.job.Attempt;
import dev.berth.job.AttemptState;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.swarm.SwarmClient;
import dev.berth.swarm.SwarmNode;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.GitRepos;
import dev.berth.testing.SwarmTestbed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Autoscaling on a real multi-node swarm: the GPU pool starts with no worker, six one-GPU jobs are queued,
 * and berth's test-bed scaler starts three real worker engines of two GPUs each; every job runs once, and
 * once the cool-down has passed with them idle, berth drains and removes the workers again, saying why
 * at each step in {@code berth workers --json}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AutoscalingTestbedIntegrationTest
{
    private static final int JOBS = 6;
    private static final Duration COOL_DOWN = Duration.ofSeconds(5);

    @TempDir
    static Path temp;

    private SwarmTestbed testbed;
    private BerthHarness berth;
    private GitRepos repo;

    @BeforeAll
    void start()
            throws Exception
    {
        testbed = SwarmTestbed.start(0, List.of("gpu"), 2, Duration.ofSeconds(1));
        repo = GitRepos.create(temp.resolve("repo"));
        repo.commit(Map.of("train.sh", """
                #!/bin/sh
                echo "training on GPU $DOCKER_RESOURCE_GPU"
                sleep 4
                echo done
                """));
        berth = BerthHarness.start(temp.resolve("berth"), Map.of(
                "BERTH_DOCKER_HOST", testbed.managerDockerHost(),
                // A worker of this pool offers two GPUs, as the test bed's added workers do
                "BERTH_POOLS", "gpu:tb-2gpu:2:4g:2",
                "BERTH_AUTOSCALE", "gpu:0:3",
                "BERTH_SCALER", "testbed:" + testbed.script(),
                "BERTH_SCALE_INTERVAL", "300ms",
                "BERTH_SCALE_COOLDOWN", COOL_DOWN.toSeconds() + "s"));
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
    void anEmptyGpuPoolGrowsToThreeTwoGpuWorkersForSixJobsAndShrinksBackOnceTheyAreIdle()
            throws Exception
    {
        assertThat(testbed.currentWorkers()).isEmpty();
        List<String> ids = IntStream.rangeClosed(1, JOBS).mapToObj(i -> "train-" + i).toList();
        for (String id : ids) {
            berth.send("{\"job_id\": \"" + id + "\", \"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"train.sh\","
                    + " \"pool\": \"gpu\", \"resources\": {\"gpus\": 1}, \"max_attempts\": 3}");
        }

        // The pool's workers as the swarm lists them, watched while the jobs run: at most as many as the jobs need
        AtomicInteger most = new AtomicInteger();
        Map<String, Integer> gpusByWorker = new HashMap<>();
        try (SwarmClient swarm = new SwarmClient(testbed.managerDockerHost())) {
            for (String id : ids) {
                berth.awaitState(id, EnumSet.of(JobState.SUCCEEDED), Duration.ofSeconds(120));
                List<SwarmNode> pool = gpuWorkers(swarm);
                most.accumulateAndGet(pool.size(), Math::max);
                pool.forEach(node -> gpusByWorker.put(node.hostname(), node.gpus().size()));
            }
        }

        Set<String> nodesUsed = new HashSet<>();
        for (String id : ids) {
            Job job = berth.store().reads().job(id).orElseThrow();
            List<Attempt> attempts = berth.store().reads().attempts(id);
            assertThat(attempts).as("job %s ran once", id).hasSize(1);
            assertThat(attempts.get(0).state()).isEqualTo(AttemptState.SUCCEEDED);
            nodesUsed.add(attempts.get(0).node().orElseThrow());
            String output = Files.readString(job.runDir().orElseThrow().resolve("attempts/1/stdout.txt"));
            assertThat(output).matches("training on GPU GPU-tb-worker-\\d+-[01]\ndone\n");
        }
        assertThat(nodesUsed).as("two jobs to a two-GPU worker").hasSize(3);
        assertThat(gpusByWorker).hasSize(3).allSatisfy((worker, gpus) -> assertThat(gpus).isEqualTo(2));
        assertThat(most.get()).isLessThanOrEqualTo(3);

        JsonNode grown = scaling();
        List<JsonNode> grows = steps(grown, "grow");
        assertThat(grows).isNotEmpty();
        assertThat(grows.get(grows.size() - 1).path("to").asInt()).isEqualTo(3);
        assertThat(grows.get(grows.size() - 1).path("reason").asText())
                .matches("pool gpu: \\d queued (and \\d running )?jobs need 3 workers of tb-2gpu \\(2 GPUs each\\); have \\d; scaling to 3");

        // Idle for the cool-down: each worker drained, then removed
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> testbed.currentWorkers().isEmpty());
        try (SwarmClient swarm = new SwarmClient(testbed.managerDockerHost())) {
            assertThat(gpuWorkers(swarm)).isEmpty();
        }
        // The report is written after the step that removed the last worker returns
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> scaling().path("desired").asInt() == 0);
        JsonNode shrunk = scaling();
        List<JsonNode> drains = steps(shrunk, "drain");
        List<JsonNode> removals = steps(shrunk, "remove");
        assertThat(removals).hasSize(3);
        assertThat(drains).hasSize(3).allSatisfy(step -> assertThat(step.path("reason").asText())
                .matches("pool gpu: no jobs, none needing a worker; have \\d; draining tb-worker-\\d+, idle for \\S+ \\(cool-down 5s\\), to remove it"));
        assertThat(removals.get(2).path("reason").asText()).matches("pool gpu: tb-worker-\\d+ is drained and runs nothing; removing it \\(0 workers left\\)");
        assertThat(ids.stream().map(id -> berth.store().reads().attempts(id).size()).collect(Collectors.toSet())).as("no job ran again").containsExactly(1);

        String table = workers().out();
        assertThat(table).contains("autoscaled pool gpu: 0 workers of 0 to 3").contains("removing it (0 workers left)");
        System.out.printf("autoscaling: at most %d workers of pool gpu, %d grow steps, %d drains, %d removals%n", most.get(), grows.size(), drains.size(), removals.size());
    }

    private static List<SwarmNode> gpuWorkers(SwarmClient swarm)
    {
        return swarm.nodes("GPU").stream().filter(node -> node.pool().filter("gpu"::equals).isPresent()).toList();
    }

    /** The GPU pool in {@code berth workers --json}. */
    private JsonNode scaling()
            throws Exception
    {
        BerthHarness.CliResult result = workers("--json");
        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode scaling = new ObjectMapper().readTree(result.out()).path("scaling");
        assertThat(scaling).hasSize(1);
        assertThat(scaling.get(0).path("pool").asText()).isEqualTo("gpu");
        return scaling.get(0);
    }

    private static List<JsonNode> steps(JsonNode pool, String action)
    {
        List<JsonNode> steps = new ArrayList<>();
        pool.path("steps").forEach(step -> {
            if (step.path("action").asText().equals(action)) {
                steps.add(step);
            }
        });
        return steps;
    }

    /** {@code berth workers} as an operator on the manager runs it: against the manager's engine and berth's state dir. */
    private BerthHarness.CliResult workers(String... options)
    {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> arguments = new ArrayList<>(List.of("workers", "--state-dir", berth.config().stateDir().toString(),
                "--shared-dir", berth.config().sharedDir().toString()));
        arguments.addAll(List.of(options));
        int exitCode = BerthCli.standard(Map.of("BERTH_DOCKER_HOST", testbed.managerDockerHost(), "HOME", temp.toString()))
                .execute(new PrintWriter(out, true), new PrintWriter(err, true), arguments.toArray(String[]::new));
        return new BerthHarness.CliResult(exitCode, out.toString(), err.toString());
    }
}
