package dev.berth.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class HeartbeatReaderTest
{
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    @TempDir
    Path workers;

    @Test
    void readsEveryFieldTheAgentWrites()
            throws IOException
    {
        HeartbeatFiles.write(workers, "gpu-1", "node-abc", "gpu", "spot", "active", NOW, NOW.minusSeconds(3),
                "[{\"container\":\"c0ffee\",\"job\":\"job-7\",\"attempt\":\"2\"}]", "[\"GPU-1111\",\"GPU-2222\"]");

        HeartbeatScan scan = new HeartbeatReader(workers).read();

        assertThat(scan.unreadable()).isEmpty();
        assertThat(scan.heartbeats()).singleElement().satisfies(beat -> {
            assertThat(beat.hostname()).isEqualTo("gpu-1");
            assertThat(beat.nodeId()).contains("node-abc");
            assertThat(beat.pool()).isEqualTo("gpu");
            assertThat(beat.lifecycle()).isEqualTo("spot");
            assertThat(beat.agentState()).isEqualTo("active");
            assertThat(beat.dockerReachable()).isTrue();
            assertThat(beat.writtenAt()).isEqualTo(NOW);
            assertThat(beat.lastBusyAt()).isEqualTo(NOW.minusSeconds(3));
            assertThat(beat.gpus()).containsExactly("GPU-1111", "GPU-2222");
            assertThat(beat.jobs()).containsExactly(new RunningJob("c0ffee", "job-7", "2"));
        });
    }

    @Test
    void readsASpotInterruptionNoticeAndARebalanceRecommendation()
            throws IOException
    {
        HeartbeatFiles.write(workers, "spot-1", "node-1", "spot", "spot", "active", NOW, NOW, "[]", "[]",
                "\"spot_notice\":{\"action\":\"terminate\",\"time\":\"2026-11-23T12:02:00Z\"},\"rebalance_at\":\"2026-11-23T11:58:30Z\",");
        HeartbeatFiles.write(workers, "spot-2", "node-2", "spot", "spot", "active", NOW, NOW, "[]", "[]",
                "\"spot_notice\":{\"action\":\"stop\",\"time\":null},\"rebalance_at\":null,");

        HeartbeatScan scan = new HeartbeatReader(workers).read();

        assertThat(scan.unreadable()).isEmpty();
        assertThat(scan.heartbeats()).extracting(Heartbeat::spotNotice).containsExactly(
                Optional.of(new SpotNotice("terminate", Optional.of(Instant.parse("2026-11-23T12:02:00Z")))),
                Optional.of(new SpotNotice("stop", Optional.empty())));
        assertThat(scan.heartbeats()).extracting(Heartbeat::rebalanceAt).containsExactly(Optional.of(Instant.parse("2026-11-23T11:58:30Z")), Optional.empty());
    }

    @Test
    void noNoticeFieldsOrNullOnesMeanNoNotice()
            throws IOException
    {
        // An agent from before notices writes neither field; a newer one writes null while there is none
        HeartbeatFiles.writeIdle(workers, "spot-1", "node-1", "spot", NOW);
        HeartbeatFiles.write(workers, "spot-2", "node-2", "spot", "spot", "active", NOW, NOW, "[]", "[]", "\"spot_notice\":null,\"rebalance_at\":null,");

        HeartbeatScan scan = new HeartbeatReader(workers).read();

        assertThat(scan.unreadable()).isEmpty();
        assertThat(scan.heartbeats()).hasSize(2).allSatisfy(beat -> {
            assertThat(beat.spotNotice()).isEmpty();
            assertThat(beat.rebalanceAt()).isEmpty();
        });
    }

    @Test
    void readsWhyTheAgentFoundItsHostUnhealthyAndWhenItReportedIt()
            throws IOException
    {
        HeartbeatFiles.write(workers, "gpu-1", "node-1", "gpu", "spot", "active", NOW, NOW, "[]", "[]",
                "\"unhealthy\":\"Xid 79 on PCI:0000:00:1e in the kernel log\",\"unhealthy_reported_at\":%d,".formatted(NOW.getEpochSecond()));
        HeartbeatFiles.write(workers, "gpu-2", "node-2", "gpu", "spot", "active", NOW, NOW, "[]", "[]", "\"unhealthy\":\"1 of the 2 GPUs at boot listed\",\"unhealthy_reported_at\":null,");
        // Older agents write neither field; a newer one writes null while the host is healthy
        HeartbeatFiles.write(workers, "gpu-3", "node-3", "gpu", "spot", "active", NOW, NOW, "[]", "[]", "\"unhealthy\":null,\"unhealthy_reported_at\":null,");
        HeartbeatFiles.writeIdle(workers, "gpu-4", "node-4", "gpu", NOW);
        HeartbeatFiles.write(workers, "gpu-5", "node-5", "gpu", "spot", "active", NOW, NOW, "[]", "[]", "\"unhealthy\":true,");

        HeartbeatScan scan = new HeartbeatReader(workers).read();

        assertThat(scan.heartbeats()).extracting(Heartbeat::unhealthy).containsExactly(
                Optional.of("Xid 79 on PCI:0000:00:1e in the kernel log"), Optional.of("1 of the 2 GPUs at boot listed"), Optional.empty(), Optional.empty());
        assertThat(scan.heartbeats()).extracting(Heartbeat::unhealthyReportedAt).containsExactly(Optional.of(NOW), Optional.empty(), Optional.empty(), Optional.empty());
        assertThat(scan.unreadable().get("gpu-5")).contains("'unhealthy' is neither a non-empty string nor null");
    }

    @Test
    void aNoticeThatIsNotOneIsReportedNotIgnored()
            throws IOException
    {
        HeartbeatFiles.write(workers, "spot-1", "node-1", "spot", "spot", "active", NOW, NOW, "[]", "[]",
                "\"spot_notice\":{\"action\":\"terminate\",\"time\":\"in two minutes\"},");
        HeartbeatFiles.write(workers, "spot-2", "node-2", "spot", "spot", "active", NOW, NOW, "[]", "[]", "\"spot_notice\":\"terminate\",");

        HeartbeatScan scan = new HeartbeatReader(workers).read();

        assertThat(scan.heartbeats()).isEmpty();
        assertThat(scan.unreadable().get("spot-1")).contains("'time' is not a time such as 2026-12-01T23:40:00Z: in two minutes");
        assertThat(scan.unreadable().get("spot-2")).contains("'spot_notice' is neither an object nor null");
    }

    @Test
    void skipsTheAgentsTempFilesAndReportsBrokenOnesWithoutHidingTheOthers()
            throws IOException
    {
        HeartbeatFiles.writeIdle(workers, "spot-1", "node-1", "spot", NOW);
        Files.writeString(workers.resolve(".spot-2.tmp"), "{\"version\":1,\"hostn");
        Files.writeString(workers.resolve("spot-3"), "{\"version\":1,\"hostn");
        Files.writeString(workers.resolve("spot-4"), "{\"version\":2,\"hostname\":\"spot-4\"}");
        HeartbeatFiles.writeIdle(workers, "spot-5", "node-5", "spot", NOW);
        Files.move(workers.resolve("spot-5"), workers.resolve("spot-6"));

        HeartbeatScan scan = new HeartbeatReader(workers).read();

        assertThat(scan.heartbeats()).extracting(Heartbeat::hostname).containsExactly("spot-1");
        assertThat(scan.unreadable()).containsOnlyKeys("spot-3", "spot-4", "spot-6");
        assertThat(scan.unreadable().get("spot-4")).contains("version 2");
        assertThat(scan.unreadable().get("spot-6")).contains("named spot-6 but holds the heartbeat of spot-5");
    }

    @Test
    void noTreeYetMeansNoHeartbeats()
    {
        HeartbeatScan scan = new HeartbeatReader(workers.resolve("not-created-yet")).read();

        assertThat(scan.heartbeats()).isEmpty();
        assertThat(scan.unreadable()).isEmpty();
    }
}
