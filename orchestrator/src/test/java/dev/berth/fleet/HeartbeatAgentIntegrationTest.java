package dev.berth.fleet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs the real agent script ({@code heartbeat/berth-heartbeat}) and reads what it writes with
 * berth's reader, so the two sides of the format cannot drift apart. The agent is pointed at a
 * socket where no dockerd listens, which it must report rather than count as idle. Its run
 * against a real dockerd (busy, idle, self-termination) is in scripts/check-fleet.sh.
 */
class HeartbeatAgentIntegrationTest
{
    private static final Path AGENT = Path.of("..", "heartbeat", "berth-heartbeat").toAbsolutePath();

    @TempDir
    Path shared;

    private Process agent;

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
    void badSettingStopsTheAgentWithAClearMessage()
            throws Exception
    {
        agent = start(Map.of("HEARTBEAT_INTERVAL", "5s"));

        assertThat(agent.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(agent.exitValue()).isEqualTo(2);
        assertThat(new String(agent.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("HEARTBEAT_INTERVAL must be a whole number of seconds, got '5s'");
    }

    private Process start(Map<String, String> settings)
            throws IOException
    {
        ProcessBuilder builder = new ProcessBuilder("sh", AGENT.toString()).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(key -> key.startsWith("HEARTBEAT_") || key.startsWith("BERTH_"));
        environment.put("BERTH_SHARED_DIR", shared.toString());
        environment.put("HEARTBEAT_HOSTNAME", "agent-test");
        environment.put("HEARTBEAT_INTERVAL", "1");
        environment.put("DOCKER_HOST", "unix://" + shared.resolve("no-dockerd-here.sock"));
        environment.put("HEARTBEAT_POWEROFF_COMMAND", "touch " + shared.resolve("powered-off"));
        environment.putAll(settings);
        return builder.start();
    }
}
