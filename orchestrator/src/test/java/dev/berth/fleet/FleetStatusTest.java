package dev.berth.fleet;

import dev.berth.swarm.SwarmNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FleetStatusTest
{
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private static final Duration STALE_AFTER = Duration.ofSeconds(60);

    @TempDir
    Path workers;

    @Test
    void freshHeartbeatJoinsItsNodeById()
            throws IOException
    {
        // The hostname differs from the node's: the id is what joins them.
        HeartbeatFiles.write(workers, "ip-10-42-0-7", "node-7", "spot", "spot", "active", NOW.minusSeconds(4), NOW.minusSeconds(4),
                "[{\"container\":\"abc\",\"job\":\"job-1\",\"attempt\":\"1\"}]", "[]");

        FleetStatus fleet = status(List.of(node("node-7", "renamed-host", "ready", "active", "spot", List.of())));

        assertThat(fleet.healthy()).isTrue();
        assertThat(fleet.workers()).singleElement().satisfies(worker -> {
            assertThat(worker.hostname()).isEqualTo("renamed-host");
            assertThat(worker.pool()).contains("spot");
            assertThat(worker.swarmState()).contains("ready");
            assertThat(worker.heartbeatAge()).contains(Duration.ofSeconds(4));
            assertThat(worker.jobs()).extracting(RunningJob::job).containsExactly("job-1");
            assertThat(worker.idleFor()).isEmpty();
            assertThat(worker.flags()).isEmpty();
        });
    }

    @Test
    void flagsStaleMissingAndOrphanedHeartbeatsAndDownNodes()
            throws IOException
    {
        HeartbeatFiles.writeIdle(workers, "stale", "node-s", "spot", NOW.minusSeconds(61));
        HeartbeatFiles.writeIdle(workers, "down", "node-d", "spot", NOW.minusSeconds(2));
        HeartbeatFiles.writeIdle(workers, "never-joined", "", "burst", NOW.minusSeconds(2));

        FleetStatus fleet = status(List.of(
                node("node-s", "stale", "ready", "active", "spot", List.of()),
                node("node-d", "down", "down", "active", "spot", List.of()),
                node("node-m", "no-agent", "ready", "active", "spot", List.of())));

        assertThat(fleet.healthy()).isFalse();
        Map<String, WorkerStatus> byHost = byHost(fleet);
        assertThat(byHost.get("stale").flags()).containsExactly(WorkerFlag.STALE_HEARTBEAT);
        assertThat(byHost.get("down").flags()).containsExactly(WorkerFlag.NODE_DOWN);
        assertThat(byHost.get("no-agent").flags()).containsExactly(WorkerFlag.MISSING_HEARTBEAT);
        assertThat(byHost.get("no-agent").heartbeatAge()).isEmpty();
        assertThat(byHost.get("never-joined").flags()).containsExactly(WorkerFlag.NOT_IN_SWARM);
        assertThat(byHost.get("never-joined").swarmState()).isEmpty();
        assertThat(byHost.get("never-joined").idleFor()).contains(Duration.ofSeconds(92));
    }

    @Test
    void burstWorkerThatPoweredItselfOffIsNotAProblem()
            throws IOException
    {
        HeartbeatFiles.write(workers, "burst-3", "node-b", "burst", "burst", "off", NOW.minusSeconds(3600), NOW.minusSeconds(5400), "[]", "[]");
        HeartbeatFiles.write(workers, "burst-4", "node-c", "burst", "burst", "off", NOW.minusSeconds(3600), NOW.minusSeconds(5400), "[]", "[]");

        FleetStatus fleet = status(List.of(node("node-c", "burst-4", "down", "drain", "burst", List.of())));

        assertThat(fleet.healthy()).isTrue();
        assertThat(byHost(fleet).get("burst-3").agentState()).contains("off");
        assertThat(byHost(fleet).get("burst-4").swarmState()).contains("down");
    }

    @Test
    void unreadableHeartbeatIsReportedForItsNodeAndNotCalledMissing()
            throws IOException
    {
        Files.createDirectories(workers);
        Files.writeString(workers.resolve("gpu-2"), "garbage");

        FleetStatus fleet = status(List.of(node("node-g", "gpu-2", "ready", "active", "gpu", List.of("GPU-1", "GPU-2"))));

        WorkerStatus worker = fleet.workers().get(0);
        assertThat(worker.flags()).containsExactly(WorkerFlag.UNREADABLE_HEARTBEAT);
        assertThat(worker.gpus()).containsExactly("GPU-1", "GPU-2");
        assertThat(fleet.unreadableHeartbeats()).containsOnlyKeys("gpu-2");
    }

    @Test
    void listsByPoolThenHost()
            throws IOException
    {
        HeartbeatFiles.writeIdle(workers, "b", "node-b", "spot", NOW);
        HeartbeatFiles.writeIdle(workers, "a", "node-a", "spot", NOW);
        HeartbeatFiles.writeIdle(workers, "z", "node-z", "burst", NOW);

        FleetStatus fleet = status(List.of(
                node("node-b", "b", "ready", "active", "spot", List.of()),
                node("node-a", "a", "ready", "active", "spot", List.of()),
                node("node-z", "z", "ready", "active", "burst", List.of())));

        assertThat(fleet.workers()).extracting(WorkerStatus::hostname).containsExactly("z", "a", "b");
    }

    private FleetStatus status(List<SwarmNode> nodes)
    {
        return FleetStatus.of(nodes, new HeartbeatReader(workers).read(), NOW, STALE_AFTER);
    }

    private static Map<String, WorkerStatus> byHost(FleetStatus fleet)
    {
        return fleet.workers().stream().collect(java.util.stream.Collectors.toMap(WorkerStatus::hostname, worker -> worker));
    }

    static SwarmNode node(String id, String hostname, String state, String availability, String pool, List<String> gpus)
    {
        return new SwarmNode(id, hostname, state, availability, Map.of(SwarmNode.POOL_LABEL, pool), 8_000_000_000L, 32L << 30, gpus);
    }
}
