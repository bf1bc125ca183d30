package dev.berth.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.swarm.SwarmNode;
import dev.berth.web.api.ApiFixture.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ListWorkersTest
{
    @TempDir
    Path temp;

    private ApiFixture api;

    @BeforeEach
    void start()
    {
        api = new ApiFixture(temp);
    }

    @AfterEach
    void stop()
    {
        api.close();
    }

    @Test
    void theFleetIsTheSwarmsNodesJoinedWithTheHeartbeatsAsWorkersJsonShowsIt()
            throws IOException
    {
        api.swarm.withNode(new SwarmNode("node-1", "spot-1", "ready", "active", Map.of("berth.pool", "spot"), 8_000_000_000L, 32L << 30, List.of()));
        api.swarm.withNode(new SwarmNode("node-2", "gpu-1", "ready", "active", Map.of("berth.pool", "gpu"), 4_000_000_000L, 16L << 30, List.of("GPU-a")));
        heartbeat("spot-1", "node-1", "spot", ApiFixture.NOW.minusSeconds(3), "[{\"container\":\"c1\",\"job\":\"job-9\",\"attempt\":\"2\"}]");

        Answer answer = api.get("/api/v1/workers");

        assertThat(answer.status()).isEqualTo(200);
        JsonNode fleet = answer.json();
        assertThat(fleet.path("stale_after_seconds").asLong()).isEqualTo(60);
        assertThat(fleet.path("healthy").asBoolean()).isFalse();
        JsonNode gpu = fleet.path("workers").get(0);
        assertThat(gpu.path("hostname").asText()).isEqualTo("gpu-1");
        assertThat(gpu.path("gpus")).extracting(JsonNode::asText).containsExactly("GPU-a");
        assertThat(gpu.path("heartbeat_age_seconds").isNull()).isTrue();
        assertThat(gpu.path("flags")).extracting(JsonNode::asText).containsExactly("MISSING_HEARTBEAT");
        JsonNode spot = fleet.path("workers").get(1);
        assertThat(spot.path("heartbeat_age_seconds").asLong()).isEqualTo(3);
        assertThat(spot.path("jobs").get(0).path("job").asText()).isEqualTo("job-9");
        assertThat(spot.path("flags")).isEmpty();
        assertThat(fleet.path("unreadable_heartbeats")).isEmpty();
    }

    @Test
    void theAutoscaledPoolsComeWithTheirLastStepsAndReasons()
            throws IOException
    {
        assertThat(api.get("/api/v1/workers").json().path("scaling")).as("no autoscaling").isEmpty();
        Files.writeString(api.config.stateDir().resolve("scaling.json"), """
                {"pools":[{"pool":"gpu","min":0,"max":3,"desired":3,"steps":[{"at":"2026-11-23T11:59:30Z","action":"grow","from":0,"to":3,
                "reason":"pool gpu: 6 queued jobs need 3 workers of g5.12xlarge (2 GPUs each); have 0; scaling to 3"}]}]}
                """);

        JsonNode scaling = api.get("/api/v1/workers").json().path("scaling");

        assertThat(scaling).hasSize(1);
        assertThat(scaling.get(0).path("desired").asInt()).isEqualTo(3);
        assertThat(scaling.get(0).path("steps").get(0).path("reason").asText())
                .isEqualTo("pool gpu: 6 queued jobs need 3 workers of g5.12xlarge (2 GPUs each); have 0; scaling to 3");
    }

    private void heartbeat(String hostname, String nodeId, String pool, Instant writtenAt, String jobs)
            throws IOException
    {
        Path workers = Files.createDirectories(api.config.workersDir());
        Files.writeString(workers.resolve(hostname), """
                {"version":1,"hostname":"%s","node_id":"%s","pool":"%s","lifecycle":"spot","state":"active","docker":"ok",\
                "written_at":%d,"last_busy_at":%d,"started_at":%d,"gpus":[],"jobs":%s}
                """.formatted(hostname, nodeId, pool, writtenAt.getEpochSecond(), writtenAt.getEpochSecond(), writtenAt.getEpochSecond(), jobs));
    }
}
