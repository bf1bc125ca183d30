package dev.berth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.GitRepos;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A job's cost on a real engine: its attempt is priced by the node Swarm lists under the hostname it recorded.
 * The test engine's node belongs to no pool, so the cost is unknown and says so, in status and in list --json.
 */
class CostSwarmIntegrationTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private GitRepos repo;
    private BerthHarness berth;

    @BeforeEach
    void start()
            throws Exception
    {
        repo = GitRepos.create(temp.resolve("repo"));
        berth = BerthHarness.start(temp.resolve("berth"), Map.of("BERTH_POOL_PRICES", "spot:m6i.2xlarge:0.15:spot"));
    }

    @AfterEach
    void stop()
            throws Exception
    {
        berth.close();
        repo.close();
    }

    @Test
    void anAttemptOnANodeOfNoPoolIsOfUnknownCostNamingTheNode()
            throws Exception
    {
        repo.commit(Map.of("run.sh", "#!/bin/sh\necho ran\n"));
        BerthHarness.CliResult submit = berth.cli("submit", "--repo", repo.fileUrl(), "--entrypoint", "run.sh", "--cpus", "0.1", "--memory", "32m", "--wait");
        assertThat(submit.exitCode()).as(submit.err()).isZero();
        String id = submit.out().strip().lines().findFirst().orElseThrow();
        Job job = berth.awaitEnd(id);
        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
        String node = berth.store().reads().attempts(id).get(0).node().orElseThrow();

        // The end is recorded before the service is removed, and with it the cost
        await().atMost(Duration.ofSeconds(10)).until(() -> berth.cli("status", id).out().contains("cost:"));
        assertThat(berth.cli("status", id).out()).containsPattern("cost: +unknown \\(node " + node + " has no pool\\)");
        JsonNode listed = JSON.readTree(berth.cli("list", "--json").out()).get(0);
        assertThat(listed.path("id").asText()).isEqualTo(id);
        assertThat(listed.path("cost").path("usd").isNull()).isTrue();
        assertThat(listed.path("cost").path("unknown").get(0).asText()).isEqualTo("node " + node + " has no pool");
    }
}
