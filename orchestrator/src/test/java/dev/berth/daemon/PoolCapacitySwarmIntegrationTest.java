package dev.berth.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.GitRepos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Waiting for capacity on a real engine: with the fleet's pools configured, a job for a pool with no
 * node up waits, saying so in {@code berth status}, {@code list} and their JSON, and runs once a node
 * of that pool appears (the local node, labelled into the pool for the test and put back after).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PoolCapacitySwarmIntegrationTest
{
    /** A pool of this test's own, so that no other berth on this engine has jobs for it. */
    private static final String POOL = "capacity-it";
    private static final String WAITING = "waiting for a node in pool capacity-it: none running; scale with `terraform apply -var capacity_it_count=N`";

    @TempDir
    static Path temp;

    private GitRepos repo;
    private BerthHarness berth;

    @BeforeAll
    void start()
            throws Exception
    {
        repo = GitRepos.create(temp.resolve("repo"));
        repo.commit(Map.of("run.sh", "#!/bin/sh\necho ran in the pool\n"));
        berth = BerthHarness.start(temp.resolve("berth"), Map.of("BERTH_POOLS", POOL + ":local-type:1:512m:0:capacity_it_count"));
    }

    @AfterAll
    void stop()
            throws Exception
    {
        berth.close();
        repo.close();
    }

    @Test
    void aJobForAPoolWithNoNodeWaitsSayingSoAndRunsOnceANodeOfThePoolIsUp()
            throws Exception
    {
        berth.send("{\"job_id\": \"pooled\", \"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"pool\": \"" + POOL + "\"}");

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> berth.store().reads().job("pooled").flatMap(Job::reason).filter(WAITING::equals).isPresent());
        BerthHarness.CliResult status = berth.cli("status", "pooled");
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("QUEUED").contains(WAITING);
        assertThat(new ObjectMapper().readTree(berth.cli("status", "pooled", "--json").out()).findValue("reason").asText()).isEqualTo(WAITING);
        assertThat(new ObjectMapper().readTree(berth.cli("list", "--json").out()).findValue("reason").asText()).isEqualTo(WAITING);
        assertThat(berth.cli("list").out()).contains("waiting for a node in pool capacity-it");
        // It keeps waiting, poll after poll: nothing fails it
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200))
                .until(() -> berth.store().reads().job("pooled").map(Job::state).orElseThrow(), JobState.QUEUED::equals);

        labelLocalNode("--label-add", "berth.pool=" + POOL);
        try {
            Job ended = berth.awaitEnd("pooled");
            assertThat(ended.state()).as(ended.reason().orElse("")).isEqualTo(JobState.SUCCEEDED);
        }
        finally {
            labelLocalNode("--label-rm", "berth.pool");
        }
    }

    private static void labelLocalNode(String action, String label)
            throws IOException, InterruptedException
    {
        docker("node", "update", action, label, docker("info", "--format", "{{.Swarm.NodeID}}"));
    }

    private static String docker(String... args)
            throws IOException, InterruptedException
    {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        Process docker = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(docker.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (docker.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
