package dev.berth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.fleet.FleetStatus;
import dev.berth.fleet.Heartbeat;
import dev.berth.fleet.HeartbeatReader;
import dev.berth.fleet.SpotNotice;
import dev.berth.fleet.WorkerStatus;
import dev.berth.job.Attempt;
import dev.berth.job.AttemptState;
import dev.berth.job.Cause;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.swarm.SwarmClient;
import dev.berth.swarm.SwarmNode;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.GitRepos;
import dev.berth.testing.MetadataStandIn;
import dev.berth.testing.SwarmTestbed;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A spot interruption notice end to end, on a real multi-node swarm: each worker runs the real heartbeat
 * agent in its own network namespace, where one of them finds a stand-in metadata service at
 * 169.254.169.254 announcing its reclaim; the manager's real reconcile script drains that worker; berth
 * stops the job there (SIGTERM through the container's init, with its stop grace), and the job, which
 * counts and checkpoints, resumes on the other worker from the count it saved.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpotNoticeTestbedIntegrationTest
{
    private static final Path HEARTBEAT = Path.of("..", "heartbeat").toAbsolutePath();
    private static final String NOTICE = "{\"action\": \"terminate\", \"time\": \"2026-12-01T23:42:00Z\"}";
    private static final int STEPS = 60;

    @TempDir
    static Path temp;

    private SwarmTestbed testbed;
    private BerthHarness berth;
    private GitRepos repo;
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    void start()
            throws Exception
    {
        testbed = SwarmTestbed.start(2, List.of("spot"), 0, Duration.ofSeconds(1));
        repo = GitRepos.create(temp.resolve("repo"));
        // The pattern the README shows: resume from the checkpoint if there is one, save it at each step and on SIGTERM
        repo.commit(Map.of("count.sh", """
                #!/bin/sh
                checkpoint="$BERTH_CHECKPOINT_DIR/count"
                count=0
                if [ -f "$checkpoint" ]; then
                    count=$(cat "$checkpoint")
                    echo "resumed from $count"
                else
                    echo "starting from 0"
                fi
                save() {
                    echo "$count" >"$checkpoint.tmp" && mv "$checkpoint.tmp" "$checkpoint"
                }
                trap 'save; echo "saved $count on SIGTERM"; exit 143' TERM
                while [ "$count" -lt %d ]; do
                    sleep 1
                    count=$((count + 1))
                    save
                done
                echo "done at $count"
                """.formatted(STEPS)));
        berth = BerthHarness.start(temp.resolve("berth"), Map.of("BERTH_DOCKER_HOST", testbed.managerDockerHost()));
    }

    @AfterAll
    void stop()
            throws Exception
    {
        for (Process process : processes) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        berth.close();
        repo.close();
        testbed.close();
    }

    @Test
    void aNoticedWorkerIsDrainedAndTheJobResumesFromItsCheckpointOnAnother()
            throws Exception
    {
        for (String worker : testbed.workers()) {
            startAgent(worker);
        }
        HeartbeatReader heartbeats = new HeartbeatReader(berth.config().workersDir());
        await().atMost(Duration.ofSeconds(30)).until(() -> heartbeats.read().heartbeats().stream().filter(beat -> beat.nodeId().isPresent()).count() == 2);

        berth.send("{\"job_id\": \"counter\", \"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"count.sh\","
                + " \"pool\": \"spot\", \"stop_grace\": \"30s\", \"max_attempts\": 3}");
        Job running = berth.awaitState("counter", EnumSet.of(JobState.RUNNING), Duration.ofSeconds(60));
        String noticed = berth.store().reads().attempts("counter").get(0).node().orElseThrow();
        String other = testbed.workers().stream().filter(worker -> !worker.equals(noticed)).findFirst().orElseThrow();
        Path checkpoint = running.runDir().orElseThrow().resolve("checkpoint/count");
        await().atMost(Duration.ofSeconds(30)).until(() -> count(checkpoint) >= 3);

        // AWS announces the reclaim to that one instance: its metadata service, inside its own network namespace
        testbed.inNode(noticed, "ip", "addr", "add", "169.254.169.254/32", "dev", "lo");
        startMetadataService(noticed);
        await().atMost(Duration.ofSeconds(30)).until(() -> heartbeat(heartbeats, noticed).spotNotice().isPresent());
        assertThat(heartbeat(heartbeats, noticed).spotNotice()).contains(new SpotNotice("terminate", Optional.of(Instant.parse("2026-12-01T23:42:00Z"))));
        assertThat(heartbeat(heartbeats, other).spotNotice()).as("the other worker has no metadata service and no notice").isEmpty();

        Instant drainedAt = Instant.now();
        String reconciled = reconcile();
        assertThat(reconciled).contains("(" + noticed + "): spot interruption notice, terminate at 2026-12-01T23:42:00Z");

        Job job = berth.awaitState("counter", EnumSet.of(JobState.SUCCEEDED), Duration.ofSeconds(3 * STEPS));
        List<Attempt> attempts = berth.store().reads().attempts("counter");
        assertThat(attempts).extracting(Attempt::state).containsExactly(AttemptState.INTERRUPTED, AttemptState.SUCCEEDED);
        assertThat(attempts.get(0).cause()).contains(Cause.INFRA);
        assertThat(attempts.get(0).reason()).contains("interrupted: spot interruption notice on " + noticed);
        assertThat(attempts.get(1).node()).contains(other);

        // The first attempt took the SIGTERM and saved; the second started from exactly what it saved
        Path runDir = job.runDir().orElseThrow();
        String first = Files.readString(runDir.resolve("attempts/1/stdout.txt"));
        String second = Files.readString(runDir.resolve("attempts/2/stdout.txt"));
        assertThat(first).startsWith("starting from 0\n");
        int saved = number(first, "saved (\\d+) on SIGTERM");
        assertThat(saved).isGreaterThan(0).isLessThan(STEPS);
        assertThat(number(second, "resumed from (\\d+)")).isEqualTo(saved);
        assertThat(second).endsWith("done at " + STEPS + "\n");

        System.out.printf("spot notice: %s drained; attempt 1 ended %d ms later having saved %d, attempt 2 ran on %s %d ms after that%n", noticed,
                Duration.between(drainedAt, attempts.get(0).finishedAt().orElseThrow()).toMillis(), saved, other,
                Duration.between(attempts.get(0).finishedAt().orElseThrow(), attempts.get(1).startedAt().orElseThrow()).toMillis());

        BerthHarness.CliResult logs = berth.cli("logs", "counter");
        assertThat(logs.exitCode()).as(logs.err()).isZero();
        assertThat(logs.out()).isEqualTo("==> attempt 1: INTERRUPTED on " + noticed + " (interrupted: spot interruption notice on " + noticed + ") <==\n"
                + first + "==> attempt 2: SUCCEEDED on " + other + " (exited with code 0) <==\n" + second);

        JsonNode status = new ObjectMapper().readTree(berth.cli("status", "--json", "counter").out());
        assertThat(status.path("checkpoint").path("files").asLong()).isEqualTo(1);
        assertThat(status.path("checkpoint").path("bytes").asLong()).isEqualTo((STEPS + "\n").length());
        assertThat(berth.cli("status", "counter").out()).contains("checkpoint: 3 B in 1 file");

        // The drain is the notice's for good: fresh heartbeats from the worker never make it active again
        Instant afterTheJob = Instant.now();
        await().atMost(Duration.ofSeconds(15)).until(() -> heartbeat(heartbeats, noticed).writtenAt().isAfter(afterTheJob));
        reconcile();
        try (SwarmClient swarm = new SwarmClient(testbed.managerDockerHost())) {
            List<SwarmNode> nodes = swarm.nodes("GPU");
            SwarmNode drained = nodes.stream().filter(node -> node.hostname().equals(noticed)).findFirst().orElseThrow();
            assertThat(drained.availability()).isEqualTo("drain");
            assertThat(drained.drainedBy()).contains(SwarmNode.DRAINED_FOR_SPOT_NOTICE);

            // What berth workers shows of the two
            FleetStatus fleet = FleetStatus.of(nodes, heartbeats.read(), Instant.now(), Duration.ofSeconds(60));
            WorkerStatus shown = fleet.workers().stream().filter(worker -> worker.hostname().equals(noticed)).findFirst().orElseThrow();
            assertThat(shown.spotNotice()).isPresent();
            assertThat(shown.drainedBy()).contains(SwarmNode.DRAINED_FOR_SPOT_NOTICE);
            assertThat(fleet.workers().stream().filter(worker -> worker.hostname().equals(other)).findFirst().orElseThrow().spotNotice()).isEmpty();
        }
    }

    /** The worker's agent, in the worker's network namespace, as the heartbeat role's unit runs it on a fleet member. */
    private void startAgent(String worker)
    {
        processes.add(testbed.startInNode(worker, Map.of(
                        "BERTH_SHARED_DIR", berth.config().sharedDir().toString(),
                        "DOCKER_HOST", testbed.dockerHost(worker),
                        "HEARTBEAT_HOSTNAME", worker,
                        "HEARTBEAT_POOL", "spot",
                        "HEARTBEAT_LIFECYCLE", "spot",
                        "HEARTBEAT_INTERVAL", "1"),
                temp.resolve("agent-" + worker + ".log"),
                "sh", HEARTBEAT.resolve("berth-heartbeat").toString()));
    }

    /** The stand-in metadata service on 169.254.169.254:80 of the worker's namespace, in a JVM of its own started there. */
    private void startMetadataService(String worker)
            throws Exception
    {
        Path log = temp.resolve("metadata-" + worker + ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        String classes = Path.of(MetadataStandIn.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        processes.add(testbed.startInNode(worker, Map.of(), log, java, "-cp", classes, MetadataStandIn.class.getName(), "169.254.169.254", "80", NOTICE));
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log).contains("serving http://169.254.169.254:80"));
    }

    /** One run of the manager's reconcile script, as its timer runs it; returns what it printed. */
    private String reconcile()
            throws IOException, InterruptedException
    {
        ProcessBuilder builder = new ProcessBuilder("sh", HEARTBEAT.resolve("berth-fleet-reconcile").toString()).redirectErrorStream(true);
        builder.environment().put("DOCKER_HOST", testbed.managerDockerHost());
        builder.environment().put("BERTH_SHARED_DIR", berth.config().sharedDir().toString());
        Process reconcile = builder.start();
        String output = new String(reconcile.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(reconcile.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(reconcile.exitValue()).as(output).isZero();
        return output;
    }

    private static Heartbeat heartbeat(HeartbeatReader reader, String hostname)
    {
        return reader.read().heartbeats().stream().filter(beat -> beat.hostname().equals(hostname)).findFirst().orElseThrow();
    }

    private static int count(Path checkpoint)
            throws IOException
    {
        return Files.exists(checkpoint) ? Integer.parseInt(Files.readString(checkpoint).strip()) : 0;
    }

    private static int number(String text, String pattern)
    {
        Matcher matcher = Pattern.compile(pattern).matcher(text);
        assertThat(matcher.find()).as(pattern + " in " + text).isTrue();
        return Integer.parseInt(matcher.group(1));
    }
}
