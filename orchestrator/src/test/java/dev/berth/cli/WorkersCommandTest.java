package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.swarm.SwarmNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs with berth's default stale limit (60 s), in an environment with no BERTH_* keys. */
class WorkersCommandTest
{
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    @TempDir
    Path shared;

    @TempDir
    Path state;

    private final List<SwarmNode> nodes = List.of(
            new SwarmNode("node-1", "spot-1", "ready", "active", Map.of("berth.pool", "spot", "berth.lifecycle", "spot"), 8_000_000_000L, 32L << 30, List.of()),
            new SwarmNode("node-2", "gpu-1", "ready", "active", Map.of("berth.pool", "gpu"), 4_000_000_000L, 16L << 30, List.of("GPU-a", "GPU-b")),
            new SwarmNode("node-3", "spot-2", "ready", "active", Map.of("berth.pool", "spot"), 8_000_000_000L, 32L << 30, List.of()));

    @Test
    void tableShowsEachWorkerAndExplainsItsFlags()
            throws IOException
    {
        heartbeat("spot-1", "node-1", "spot", NOW.minusSeconds(3), "[{\"container\":\"c1\",\"job\":\"job-9\",\"attempt\":\"2\"}]");
        heartbeat("gpu-1", "node-2", "gpu", NOW.minusSeconds(75), "[]");

        Result result = run();

        assertThat(result.exitCode()).isZero();
        List<String> lines = result.output().lines().toList();
        assertThat(lines.get(0)).startsWith("HOST").contains("POOL", "SWARM", "HEARTBEAT", "JOBS", "GPUS", "FLAGS");
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("gpu-1").contains("gpu", "ready/active", "1m15s ago", "STALE_HEARTBEAT").containsPattern("\\b2\\s+-\\s+STALE"));
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("spot-1").contains("3s ago", "job-9/2").endsWith("ok"));
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("spot-2").contains("never", "MISSING_HEARTBEAT"));
        assertThat(result.output()).contains("STALE_HEARTBEAT: heartbeat older than", "(1m00s, BERTH_HEARTBEAT_STALE_AFTER)");
    }

    @Test
    void jsonCarriesTheSameFacts()
            throws IOException
    {
        heartbeat("spot-1", "node-1", "spot", NOW.minusSeconds(3), "[{\"container\":\"c1\",\"job\":\"job-9\",\"attempt\":\"2\"}]");
        heartbeat("gpu-1", "node-2", "gpu", NOW.minusSeconds(75), "[]");
        Files.writeString(shared.resolve(".swarm/workers/broken"), "{");

        Result result = run("--json");

        JsonNode root = new ObjectMapper().readTree(result.output());
        assertThat(root.path("stale_after_seconds").asLong()).isEqualTo(60);
        assertThat(root.path("healthy").asBoolean()).isFalse();
        assertThat(root.path("unreadable_heartbeats").has("broken")).isTrue();
        JsonNode workers = root.path("workers");
        assertThat(workers).hasSize(3);
        JsonNode gpu = workers.get(0);
        assertThat(gpu.path("hostname").asText()).isEqualTo("gpu-1");
        assertThat(gpu.path("heartbeat_age_seconds").asLong()).isEqualTo(75);
        assertThat(gpu.path("gpus")).extracting(JsonNode::asText).containsExactly("GPU-a", "GPU-b");
        assertThat(gpu.path("flags")).extracting(JsonNode::asText).containsExactly("STALE_HEARTBEAT");
        JsonNode spot = workers.get(1);
        assertThat(spot.path("jobs").get(0).path("job").asText()).isEqualTo("job-9");
        assertThat(spot.path("lifecycle").asText()).isEqualTo("spot");
        assertThat(spot.path("idle_seconds").isNull()).isTrue();
        assertThat(workers.get(2).path("heartbeat_age_seconds").isNull()).isTrue();
        assertThat(workers.get(2).path("flags")).extracting(JsonNode::asText).containsExactly("MISSING_HEARTBEAT");
    }

    @Test
    void aWorkerWithASpotNoticeOrARebalanceRecommendationShowsIt()
            throws IOException
    {
        List<SwarmNode> noticed = List.of(
                new SwarmNode("node-1", "spot-1", "ready", "drain", Map.of("berth.pool", "spot", "berth.drained-by", "spot-notice"), 8_000_000_000L, 32L << 30, List.of()),
                nodes.get(1),
                nodes.get(2));
        heartbeat("spot-1", "node-1", "spot", NOW.minusSeconds(2), "[]",
                "\"spot_notice\":{\"action\":\"terminate\",\"time\":\"2026-11-23T12:01:40Z\"},\"rebalance_at\":\"2026-11-23T11:57:00Z\",");
        heartbeat("gpu-1", "node-2", "gpu", NOW.minusSeconds(2), "[]", "\"spot_notice\":null,\"rebalance_at\":\"2026-11-23T11:59:00Z\",");
        heartbeat("spot-2", "node-3", "spot", NOW.minusSeconds(2), "[]", "\"spot_notice\":null,\"rebalance_at\":null,");
        WorkersCommand command = new WorkersCommand(() -> noticed, Clock.fixed(NOW, ZoneOffset.UTC));

        List<String> lines = run(command).output().lines().toList();
        JsonNode workers = new ObjectMapper().readTree(run(new WorkersCommand(() -> noticed, Clock.fixed(NOW, ZoneOffset.UTC)), "--json").output()).path("workers");

        assertThat(lines.get(0)).contains("NOTICE");
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("spot-1").contains("ready/drain", "terminate in 1m40s"));
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("gpu-1").contains("rebalance recommended 1m00s ago"));
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("spot-2").doesNotContain("terminate", "rebalance", "notice"));
        JsonNode spot = workers.get(1);
        assertThat(spot.path("hostname").asText()).isEqualTo("spot-1");
        assertThat(spot.path("drained_by").asText()).isEqualTo("spot-notice");
        assertThat(spot.path("spot_notice").path("action").asText()).isEqualTo("terminate");
        assertThat(spot.path("spot_notice").path("time").asText()).isEqualTo("2026-11-23T12:01:40Z");
        assertThat(spot.path("rebalance_at").asText()).isEqualTo("2026-11-23T11:57:00Z");
        assertThat(workers.get(0).path("spot_notice").isNull()).isTrue();
        assertThat(workers.get(0).path("rebalance_at").asText()).isEqualTo("2026-11-23T11:59:00Z");
        assertThat(workers.get(2).path("spot_notice").isNull()).isTrue();
        assertThat(workers.get(2).path("drained_by").isNull()).isTrue();
    }

    @Test
    void anUnhealthyWorkerShowsWhyAndWhetherItsGroupWasTold()
            throws IOException
    {
        List<SwarmNode> drained = List.of(
                nodes.get(0),
                new SwarmNode("node-2", "gpu-1", "ready", "drain", Map.of("berth.pool", "gpu", "berth.drained-by", "unhealthy",
                        "berth.unhealthy", "3 uncorrectable ECC errors on GPU-b"), 4_000_000_000L, 16L << 30, List.of("GPU-a", "GPU-b")),
                nodes.get(2));
        heartbeat("spot-1", "node-1", "spot", NOW.minusSeconds(2), "[]");
        heartbeat("gpu-1", "node-2", "gpu", NOW.minusSeconds(2), "[]",
                "\"unhealthy\":\"3 uncorrectable ECC errors on GPU-b\",\"unhealthy_reported_at\":%d,".formatted(NOW.minusSeconds(30).getEpochSecond()));
        // Its agent restarted and checks no more: the drain's label still says why
        heartbeat("spot-2", "node-3", "spot", NOW.minusSeconds(2), "[]", "\"unhealthy\":null,\"unhealthy_reported_at\":null,");
        List<SwarmNode> withLabelOnly = List.of(drained.get(0), drained.get(1),
                new SwarmNode("node-3", "spot-2", "ready", "drain", Map.of("berth.pool", "spot", "berth.drained-by", "unhealthy",
                        "berth.unhealthy", "Xid 79 on PCI:0000:00:1e in the kernel log\u001b[2J"), 8_000_000_000L, 32L << 30, List.of()));

        String table = run(new WorkersCommand(() -> withLabelOnly, Clock.fixed(NOW, ZoneOffset.UTC))).output();
        JsonNode root = new ObjectMapper().readTree(run(new WorkersCommand(() -> withLabelOnly, Clock.fixed(NOW, ZoneOffset.UTC)), "--json").output());

        assertThat(table.lines()).anySatisfy(line -> assertThat(line).startsWith("gpu-1").contains("ready/drain", "UNHEALTHY"));
        assertThat(table).contains("gpu-1 is unhealthy: 3 uncorrectable ECC errors on GPU-b (reported to its Auto Scaling group 30s ago)");
        assertThat(table).contains("spot-2 is unhealthy: Xid 79 on PCI:0000:00:1e in the kernel log?[2J (not reported to an Auto Scaling group yet)");
        assertThat(table).contains("UNHEALTHY: its agent found its GPUs unhealthy");
        assertThat(table).doesNotContain("spot-1 is unhealthy");
        assertThat(root.path("healthy").asBoolean()).isFalse();
        JsonNode gpu = root.path("workers").get(0);
        assertThat(gpu.path("unhealthy").asText()).isEqualTo("3 uncorrectable ECC errors on GPU-b");
        assertThat(gpu.path("unhealthy_reported_at").asText()).isEqualTo(NOW.minusSeconds(30).toString());
        assertThat(gpu.path("drained_by").asText()).isEqualTo("unhealthy");
        assertThat(gpu.path("flags")).extracting(JsonNode::asText).containsExactly("UNHEALTHY");
        assertThat(root.path("workers").get(1).path("unhealthy").isNull()).isTrue();
        assertThat(root.path("workers").get(2).path("unhealthy_reported_at").isNull()).isTrue();
    }

    @Test
    void eachAutoscaledPoolShowsItsCountAndWhyItsLastStepWasTaken()
            throws IOException
    {
        Files.writeString(state.resolve("scaling.json"), """
                {"pools":[{"pool":"gpu","min":0,"max":3,"desired":3,"steps":[
                {"at":"2026-11-23T11:58:00Z","action":"grow","from":0,"to":2,"reason":"pool gpu: 4 queued jobs need 2 workers of g5.12xlarge (2 GPUs each); have 0; scaling to 2"},
                {"at":"2026-11-23T11:59:30Z","action":"grow","from":2,"to":3,"reason":"pool gpu: 6 queued jobs need 3 workers of g5.12xlarge (2 GPUs each); have 2; scaling to 3"}]}]}
                """);

        Result table = run();
        assertThat(table.output()).contains("""
                autoscaled pool gpu: 3 workers of 0 to 3
                  last step 30s ago: pool gpu: 6 queued jobs need 3 workers of g5.12xlarge (2 GPUs each); have 2; scaling to 3
                """);

        JsonNode scaling = new ObjectMapper().readTree(run("--json").output()).path("scaling");
        assertThat(scaling).hasSize(1);
        assertThat(scaling.get(0).path("desired").asInt()).isEqualTo(3);
        assertThat(scaling.get(0).path("steps")).extracting(step -> step.path("reason").asText())
                .containsExactly("pool gpu: 4 queued jobs need 2 workers of g5.12xlarge (2 GPUs each); have 0; scaling to 2",
                        "pool gpu: 6 queued jobs need 3 workers of g5.12xlarge (2 GPUs each); have 2; scaling to 3");
    }

    @Test
    void withoutAutoscalingTheJsonListsNoScaling()
            throws IOException
    {
        assertThat(new ObjectMapper().readTree(run("--json").output()).path("scaling")).isEmpty();
        assertThat(run().output()).doesNotContain("autoscaled");
    }

    @Test
    void emptyFleetSaysWhereItLooked()
    {
        WorkersCommand command = new WorkersCommand(List::of, Clock.fixed(NOW, ZoneOffset.UTC));

        Result result = run(command);

        assertThat(result.output()).contains("no workers", shared.resolve(".swarm/workers").toString());
    }

    private void heartbeat(String hostname, String nodeId, String pool, Instant writtenAt, String jobs)
            throws IOException
    {
        heartbeat(hostname, nodeId, pool, writtenAt, jobs, "");
    }

    private void heartbeat(String hostname, String nodeId, String pool, Instant writtenAt, String jobs, String notices)
            throws IOException
    {
        Path workers = Files.createDirectories(shared.resolve(".swarm/workers"));
        Files.writeString(workers.resolve(hostname), """
                {"version":1,"hostname":"%s","node_id":"%s","pool":"%s","lifecycle":"spot","state":"active","docker":"ok",\
                "written_at":%d,"last_busy_at":%d,"started_at":%d,%s"gpus":[],"jobs":%s}
                """.formatted(hostname, nodeId, pool, writtenAt.getEpochSecond(), writtenAt.getEpochSecond(), writtenAt.getEpochSecond(), notices, jobs));
    }

    private Result run(String... arguments)
    {
        return run(new WorkersCommand(() -> nodes, Clock.fixed(NOW, ZoneOffset.UTC)), arguments);
    }

    private Result run(WorkersCommand command, String... arguments)
    {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        BerthCli cli = new BerthCli(Map.of(), clock, duration -> {}).withCommand("workers", () -> command);
        StringWriter out = new StringWriter();
        String[] all = new String[arguments.length + 5];
        all[0] = "workers";
        all[1] = "--shared-dir";
        all[2] = shared.toString();
        all[3] = "--state-dir";
        all[4] = state.toString();
        System.arraycopy(arguments, 0, all, 5, arguments.length);
        int exitCode = cli.execute(new PrintWriter(out), new PrintWriter(new StringWriter()), all);
        return new Result(exitCode, out.toString());
    }

    private record Result(int exitCode, String output) {}
}
