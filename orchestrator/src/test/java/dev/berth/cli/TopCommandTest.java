package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.job.Lifecycle;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.store.JobStore;
import dev.berth.swarm.SwarmNode;
import dev.berth.testing.TestingClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code berth top} off a terminal: one snapshot, as text or JSON, read from a real store. */
class TopCommandTest
{
    private static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");

    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(NOW);
    private final List<SwarmNode> nodes = List.of(
            new SwarmNode("n1", "gpu-1", "ready", "active", Map.of(SwarmNode.POOL_LABEL, "gpu"), 8_000_000_000L, 32L << 30, List.of("GPU-a", "GPU-b")));

    @Test
    void offATerminalItPrintsOneSnapshotAndExits()
            throws Exception
    {
        storeRunningJob("train-1", "gpu-1", 2);

        Result top = top(false);

        assertThat(top.status()).as(top.err()).isZero();
        List<String> lines = top.out().lines().toList();
        assertThat(lines.get(0)).startsWith("berth top  ");
        assertThat(lines).anySatisfy(line -> assertThat(line).containsPattern("^gpu +1 +1 +1 +2 +2 +0$"));
        assertThat(lines).contains("queue: 1 queued  0 preparing  0 pending in Swarm  1 running");
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("  train-1").contains("RUNNING", "gpu-1", "1m00s"));
        assertThat(top.out()).doesNotContain("\u001b").doesNotContain("q quit");
    }

    @Test
    void onceOnATerminalPrintsTheSnapshotInsteadOfTheScreen()
            throws Exception
    {
        storeRunningJob("train-1", "gpu-1", 2);

        Result top = top(true, "--once");

        assertThat(top.status()).isZero();
        assertThat(top.out()).contains("RUNNING AND STARTING (1)").doesNotContain("\u001b");
    }

    @Test
    void jsonPrintsTheSnapshotsFacts()
            throws Exception
    {
        storeRunningJob("train-1", "gpu-1", 2);

        Result top = top(true, "--json");

        assertThat(top.status()).as(top.err()).isZero();
        JsonNode root = JobViews.mapper().readTree(top.out());
        assertThat(root.path("taken_at").asText()).isEqualTo(NOW.toString());
        JsonNode pool = root.path("fleet").path("pools").get(0);
        assertThat(pool.path("pool").asText()).isEqualTo("gpu");
        assertThat(pool.path("gpus").asInt()).isEqualTo(2);
        assertThat(pool.path("gpus_used").asInt()).isEqualTo(2);
        assertThat(pool.path("gpus_free").asInt()).isZero();
        assertThat(root.path("queue").path("queued").asInt()).isEqualTo(1);
        assertThat(root.path("queue").path("running").asInt()).isEqualTo(1);
        JsonNode job = root.path("live").get(0);
        assertThat(job.path("id").asText()).isEqualTo("train-1");
        assertThat(job.path("node").asText()).isEqualTo("gpu-1");
        assertThat(job.path("elapsed_seconds").asLong()).isEqualTo(60);
        assertThat(root.path("recent_failures")).isEmpty();
    }

    @Test
    void aBadIntervalIsRefusedSayingWhatIsAccepted()
    {
        Result top = top(true, "--interval", "soon");

        assertThat(top.status()).isEqualTo(1);
        assertThat(top.err()).contains("--interval must be a duration such as 1s or 500ms, not 'soon'");
    }

    private void storeRunningJob(String id, String node, int gpus)
            throws Exception
    {
        RequestParser parser = new RequestParser(new RequestDefaults("img", 1, 1 << 30, 3));
        try (JobStore store = JobStore.open(temp.resolve("state/berth.db"))) {
            for (String job : List.of(id, "waiting")) {
                String body = "{\"repo_uri\": \"https://github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"job_id\": \"%s\", \"resources\": {\"gpus\": %d}}"
                        .formatted(job, gpus);
                store.writes().insert(parser.parse(body, job), body, Optional.empty(), NOW.minusSeconds(90));
            }
            store.writes().moveJob(id, Lifecycle.admitted());
            store.writes().recordAttempt(id, 1, "berth-" + id + "-1", NOW.minusSeconds(70));
            store.writes().attemptSubmitted(id, 1);
            store.writes().attemptRunning(id, 1, node, NOW.minusSeconds(60));
        }
    }

    private record Result(int status, String out, String err) {}

    private Result top(boolean onTerminal, String... args)
    {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 5];
        all[0] = "top";
        all[1] = "--state-dir";
        all[2] = temp.resolve("state").toString();
        all[3] = "--shared-dir";
        all[4] = temp.resolve("shared").toString();
        System.arraycopy(args, 0, all, 5, args.length);
        BerthCli cli = new BerthCli(Map.of(), clock, clock.sleeper()).withCommand("top", () -> new TopCommand(() -> nodes, clock, () -> onTerminal));
        int status = cli.execute(new PrintWriter(out), new PrintWriter(err), all);
        return new Result(status, out.toString(), err.toString());
    }
}
