package dev.berth.fleet;

import dev.berth.testing.MetadataStandIn;
import dev.berth.testing.SilentServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs the real agent script ({@code heartbeat/berth-heartbeat}) and reads what it writes with
 * berth's reader, so the two sides of the format cannot drift apart. The agent is pointed at a
 * socket where no dockerd listens, which it must report rather than count as idle, and at a stand-in
 * metadata service (or none that answers) for spot notices. How an idle burst worker ends is run
 * here against a stand-in docker CLI (a swarm worker with no job, which must not be this machine's
 * own engine) and a stand-in {@code aws} that records how it was called, as in
 * {@code GpuHealthAgentIntegrationTest}. Its run against a real dockerd (busy, idle, self-termination,
 * a notice drained by the reconcile script) is in scripts/check-fleet.sh.
 */
class HeartbeatAgentIntegrationTest
{
    private static final Path AGENT = Path.of("..", "heartbeat", "berth-heartbeat").toAbsolutePath();

    private static final String TERMINATE = "--region " + MetadataStandIn.REGION + " autoscaling terminate-instance-in-auto-scaling-group --instance-id "
            + MetadataStandIn.INSTANCE_ID + " --should-decrement-desired-capacity";

    @TempDir
    Path shared;

    @TempDir
    Path standIns;

    private Process agent;
    private Path output;

    @AfterEach
    void stopAgent()
            throws InterruptedException
    {
        if (agent != null) {
            agent.destroy();
            agent.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void agentHeartbeatIsReadByBerthAndKeepsBeating()
            throws IOException
    {
        agent = start(Map.of(
                "HEARTBEAT_POOL", "gpu",
                "HEARTBEAT_LIFECYCLE", "burst",
                "HEARTBEAT_IDLE_LIMIT", "0",
                "HEARTBEAT_GPUS", "GPU-1111,GPU-2222"));
        HeartbeatReader reader = new HeartbeatReader(shared.resolve(".swarm/workers"));
        AtomicReference<Heartbeat> first = new AtomicReference<>();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HeartbeatScan scan = reader.read();
            assertThat(scan.unreadable()).isEmpty();
            assertThat(scan.heartbeats()).hasSize(1);
            first.set(scan.heartbeats().get(0));
        });

        Heartbeat beat = first.get();
        assertThat(beat.hostname()).isEqualTo("agent-test");
        assertThat(beat.nodeId()).isEmpty();
        assertThat(beat.pool()).isEqualTo("gpu");
        assertThat(beat.lifecycle()).isEqualTo("burst");
        assertThat(beat.gpus()).containsExactly("GPU-1111", "GPU-2222");
        assertThat(beat.jobs()).isEmpty();
        assertThat(beat.dockerReachable()).isFalse();
        // Idle limit 0, yet no dockerd to ask: the agent must not take that for idleness.
        assertThat(beat.agentState()).isEqualTo("active");
        assertThat(beat.writtenAt()).isBetween(Instant.now().minusSeconds(30), Instant.now().plusSeconds(1));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(reader.read().heartbeats()).singleElement()
                        .satisfies(next -> assertThat(next.writtenAt()).isAfter(beat.writtenAt())));
        assertThat(reader.read().heartbeats().get(0).agentState()).isEqualTo("active");
        assertThat(agent.isAlive()).isTrue();

        FleetStatus fleet = FleetStatus.of(List.of(), reader.read(), Instant.now(), Duration.ofSeconds(60));
        assertThat(fleet.workers().get(0).flags()).containsExactlyInAnyOrder(WorkerFlag.NOT_IN_SWARM, WorkerFlag.DOCKER_UNREACHABLE);
    }

    @Test
    void agentRecordsASpotInterruptionNoticeAndARebalanceRecommendationFromTheMetadataService()
            throws IOException
    {
        try (MetadataStandIn metadata = MetadataStandIn.start(InetAddress.getLoopbackAddress(), 0,
                Optional.of("{\"action\": \"terminate\", \"time\": \"2026-12-01T23:40:00Z\"}"),
                Optional.of("{\"noticeTime\": \"2026-12-01T23:35:12Z\"}"))) {
            agent = start(Map.of("HEARTBEAT_METADATA_URL", metadata.url()));
            HeartbeatReader reader = new HeartbeatReader(shared.resolve(".swarm/workers"));

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(reader.read().heartbeats()).singleElement().satisfies(beat -> {
                        assertThat(beat.spotNotice()).contains(new SpotNotice("terminate", Optional.of(Instant.parse("2026-12-01T23:40:00Z"))));
                        assertThat(beat.rebalanceAt()).contains(Instant.parse("2026-12-01T23:35:12Z"));
                    }));
            // Every document was asked for with a session token, as IMDSv2 requires
            assertThat(metadata.refused()).isZero();
            Heartbeat noticed = reader.read().heartbeats().get(0);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(reader.read().heartbeats()).singleElement().satisfies(next -> {
                        assertThat(next.writtenAt()).isAfter(noticed.writtenAt());
                        assertThat(next.spotNotice()).isEqualTo(noticed.spotNotice());
                    }));
        }
    }

    @Test
    void aMetadataServiceWithNoNoticeLeavesTheHeartbeatWithoutOne()
            throws IOException
    {
        try (MetadataStandIn metadata = MetadataStandIn.start(InetAddress.getLoopbackAddress(), 0, Optional.empty(), Optional.empty())) {
            agent = start(Map.of("HEARTBEAT_METADATA_URL", metadata.url()));
            HeartbeatReader reader = new HeartbeatReader(shared.resolve(".swarm/workers"));

            // Two polls answered 404 for both documents: the heartbeat written after them says no notice
            await().atMost(Duration.ofSeconds(15)).until(() -> metadata.documentsServed() >= 4);
            Instant polled = Instant.now().minusSeconds(1);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(reader.read().heartbeats()).singleElement().satisfies(beat -> {
                        assertThat(beat.writtenAt()).isAfter(polled);
                        assertThat(beat.spotNotice()).isEmpty();
                        assertThat(beat.rebalanceAt()).isEmpty();
                    }));
            assertThat(metadata.refused()).isZero();
        }
    }

    @Test
    void aMetadataServiceThatNeverAnswersDoesNotHoldUpTheHeartbeats()
            throws IOException
    {
        // Accepts and stays silent: without its timeout, the agent's first request would wait forever
        try (SilentServer silent = new SilentServer()) {
            agent = start(Map.of("HEARTBEAT_METADATA_URL", "http://127.0.0.1:" + silent.port(), "HEARTBEAT_METADATA_TIMEOUT", "1"));
            HeartbeatReader reader = new HeartbeatReader(shared.resolve(".swarm/workers"));
            Set<Instant> beats = new TreeSet<>();

            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
                reader.read().heartbeats().forEach(beat -> beats.add(beat.writtenAt()));
                return beats.size() >= 4;
            });

            assertThat(silent.connections()).isGreaterThanOrEqualTo(2);
            List<Instant> times = List.copyOf(beats);
            for (int i = 1; i < times.size(); i++) {
                // A beat every interval (1 s) plus at most the metadata timeout (1 s), with room for a busy machine
                assertThat(Duration.between(times.get(i - 1), times.get(i))).isLessThanOrEqualTo(Duration.ofSeconds(4));
            }
            assertThat(reader.read().heartbeats().get(0).spotNotice()).isEmpty();
        }
    }

    @Test
    void anIdleBurstWorkerLeavesTheSwarmAndEndsItselfThroughItsGroupWithOneFewerDesired()
            throws IOException
    {
        try (MetadataStandIn metadata = MetadataStandIn.start(InetAddress.getLoopbackAddress(), 0, Optional.empty(), Optional.empty())) {
            agent = startIdleBurstWorker(Map.of("HEARTBEAT_METADATA_URL", metadata.url()));
            HeartbeatReader reader = new HeartbeatReader(shared.resolve(".swarm/workers"));

            // One fewer desired: the group launches no worker in its place, and the pool costs nothing once it is gone
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(standIns.resolve("aws-calls")));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(Files.readAllLines(standIns.resolve("aws-calls"))).containsExactly(TERMINATE));
            assertThat(metadata.refused()).isZero();
            assertThat(reader.read().heartbeats()).singleElement().satisfies(beat -> assertThat(beat.agentState()).isEqualTo("off"));
            assertThat(Files.readAllLines(standIns.resolve("docker-calls"))).contains("swarm leave");
            // It waits for its group to end the instance: powered off, the group would count it failed and replace it
            assertThat(output()).contains("i-0123456789abcdef0 terminated through its Auto Scaling group, one fewer desired");
            assertThat(shared.resolve("powered-off")).doesNotExist();
            assertThat(agent.isAlive()).isTrue();
        }
    }

    @Test
    void anIdleBurstWorkerOffAwsPowersOff()
            throws IOException
    {
        // HEARTBEAT_METADATA_URL=off: no instance id to name to a group
        agent = startIdleBurstWorker(Map.of());
        HeartbeatReader reader = new HeartbeatReader(shared.resolve(".swarm/workers"));

        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(shared.resolve("powered-off")));
        assertThat(standIns.resolve("aws-calls")).doesNotExist();
        assertThat(Files.readAllLines(standIns.resolve("docker-calls"))).contains("swarm leave");
        assertThat(reader.read().heartbeats()).singleElement().satisfies(beat -> assertThat(beat.agentState()).isEqualTo("off"));
        assertThat(output()).contains("not ending this worker through an Auto Scaling group");
    }

    @Test
    void anIdleBurstWorkerWhoseGroupRefusesToEndItPowersOff()
            throws IOException
    {
        // In no group, say (a worker set up by hand), or a role without the permission
        Files.writeString(standIns.resolve("aws-fails"), "");
        try (MetadataStandIn metadata = MetadataStandIn.start(InetAddress.getLoopbackAddress(), 0, Optional.empty(), Optional.empty())) {
            agent = startIdleBurstWorker(Map.of("HEARTBEAT_METADATA_URL", metadata.url()));

            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(shared.resolve("powered-off")));
            assertThat(Files.readAllLines(standIns.resolve("aws-calls"))).containsExactly(TERMINATE);
            assertThat(output()).contains("ending i-0123456789abcdef0 through its Auto Scaling group with aws failed");
        }
    }

    @Test
    void badSettingStopsTheAgentWithAClearMessage()
            throws Exception
    {
        agent = start(Map.of("HEARTBEAT_INTERVAL", "5s"));

        assertThat(agent.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(agent.exitValue()).isEqualTo(2);
        assertThat(new String(agent.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("HEARTBEAT_INTERVAL must be a whole number of seconds, got '5s'");
    }

    /**
     * The agent as a burst worker that is idle at once (limit 0) and has a one-second drain grace, on an engine
     * that answers as a swarm worker running no job: a stand-in docker CLI, found first on the PATH, that records
     * its calls and leaves its swarm when asked.
     */
    private Process startIdleBurstWorker(Map<String, String> settings)
            throws IOException
    {
        Path bin = Files.createDirectories(standIns.resolve("bin"));
        Path left = standIns.resolve("left-the-swarm");
        script(bin.resolve("docker"), """
                #!/bin/sh
                echo "$*" >>'%1$s'
                case "$*" in
                    'ps '*) ;;
                    'info --format {{.Swarm.NodeID}}') echo burst-node-1 ;;
                    'info --format {{.Swarm.ControlAvailable}}') echo false ;;
                    'info --format {{.Swarm.LocalNodeState}}') if [ -e '%2$s' ]; then echo inactive; else echo active; fi ;;
                    'swarm leave') touch '%2$s' ;;
                    *) echo "unexpected docker call: $*" >&2; exit 1 ;;
                esac
                """.formatted(standIns.resolve("docker-calls"), left));
        // A call made before the worker left the swarm would take a node still given jobs
        script(bin.resolve("aws"), """
                #!/bin/sh
                echo "$*" >>'%1$s'
                [ -e '%2$s' ] || echo "called before leaving the swarm" >>'%1$s'
                [ ! -e '%3$s' ]
                """.formatted(standIns.resolve("aws-calls"), left, standIns.resolve("aws-fails")));
        Map<String, String> burst = new HashMap<>(Map.of(
                "PATH", bin + ":" + System.getenv("PATH"),
                "HEARTBEAT_POOL", "burst",
                "HEARTBEAT_LIFECYCLE", "burst",
                "HEARTBEAT_IDLE_LIMIT", "0",
                "HEARTBEAT_DRAIN_GRACE", "1"));
        burst.putAll(settings);
        output = standIns.resolve("agent.log");
        return start(burst);
    }

    private String output()
            throws IOException
    {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    private static void script(Path path, String text)
            throws IOException
    {
        Files.writeString(path, text);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Process start(Map<String, String> settings)
            throws IOException
    {
        ProcessBuilder builder = new ProcessBuilder("sh", AGENT.toString()).redirectErrorStream(true);
        if (output != null) {
            builder.redirectOutput(output.toFile());
        }
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(key -> key.startsWith("HEARTBEAT_") || key.startsWith("BERTH_"));
        environment.put("BERTH_SHARED_DIR", shared.toString());
        environment.put("HEARTBEAT_HOSTNAME", "agent-test");
        environment.put("HEARTBEAT_INTERVAL", "1");
        environment.put("DOCKER_HOST", "unix://" + shared.resolve("no-dockerd-here.sock"));
        environment.put("HEARTBEAT_POWEROFF_COMMAND", "touch " + shared.resolve("powered-off"));
        // Never the address of a real metadata service, which the machine running the tests may have
        environment.put("HEARTBEAT_METADATA_URL", "off");
        // Nor a real nvidia-smi: the GPU check has tests of its own (GpuHealthAgentIntegrationTest)
        environment.put("HEARTBEAT_NVIDIA_SMI", "off");
        environment.putAll(settings);
        return builder.start();
    }
}
