package dev.berth.daemon;

import dev.berth.job.Attempt;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.rundir.RunDirs;
import dev.berth.swarm.Swarm;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.GitRepos;
import dev.berth.testing.SwarmTestbed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A sweep of one commit on a real multi-node swarm: the workers' own engines mount each attempt's overlay of the
 * commit's one snapshot on the shared dir, and their agents remove the volumes once the attempts have ended.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SnapshotOverlayTestbedIntegrationTest
{
    private static final Path HEARTBEAT = Path.of("..", "heartbeat").toAbsolutePath();
    private static final int SWEEP = 6;

    // Says what it found, changes its work dir, and holds on until the test says go, so that the test can look at its view meanwhile
    private static final String EDIT = """
            #!/bin/sh
            echo "data: $(cat data.txt) new: $(cat new.txt 2>/dev/null || echo none) link: $(readlink link.txt)"
            echo "$BERTH_JOB_ID" > data.txt
            rm gone.txt
            echo new > new.txt
            : > "$BERTH_ATTEMPT_DIR/ready"
            while [ ! -e "$BERTH_CHECKPOINT_DIR/go" ]; do sleep 0.1; done
            """;

    @TempDir
    static Path temp;

    private SwarmTestbed testbed;
    private BerthHarness berth;
    private GitRepos repo;
    private String commit;
    private final List<Process> agents = new ArrayList<>();

    @BeforeAll
    void start()
            throws Exception
    {
        testbed = SwarmTestbed.start(2, List.of("spot"), 0, Duration.ofSeconds(1));
        repo = GitRepos.create(temp.resolve("repo"));
        Files.createSymbolicLink(repo.dir().resolve("link.txt"), Path.of("data.txt"));
        commit = repo.commit(Map.of("data.txt", "original\n", "gone.txt", "keep\n", "edit.sh", EDIT));
        berth = BerthHarness.start(temp.resolve("berth"), Map.of("BERTH_DOCKER_HOST", testbed.managerDockerHost()));
        for (String worker : testbed.workers()) {
            agents.add(testbed.startInNode(worker, Map.of(
                            "BERTH_SHARED_DIR", berth.config().sharedDir().toString(),
                            "DOCKER_HOST", testbed.dockerHost(worker),
                            "HEARTBEAT_HOSTNAME", worker,
                            "HEARTBEAT_POOL", "spot",
                            "HEARTBEAT_LIFECYCLE", "spot",
                            "HEARTBEAT_INTERVAL", "1"),
                    temp.resolve("agent-" + worker + ".log"),
                    "sh", HEARTBEAT.resolve("berth-heartbeat").toString()));
        }
    }

    @AfterAll
    void stop()
            throws Exception
    {
        for (Process agent : agents) {
            agent.destroy();
        }
        berth.close();
        repo.close();
        testbed.close();
    }

    @Test
    void aSweepOnTheWorkersSharesOneSnapshotEachJobSeesOnlyItsOwnChangesAndTheVolumesGo()
            throws Exception
    {
        List<String> jobs = IntStream.range(0, SWEEP).mapToObj(index -> "sweep-" + index).toList();
        for (String job : jobs) {
            berth.send("""
                    {"job_id": "%s", "repo_uri": "%s", "branch": "main", "entrypoint": "edit.sh", "pool": "spot", "resources": {"cpus": 0.1, "memory": "32m"}}
                    """.formatted(job, repo.fileUrl()));
        }
        for (String job : jobs) {
            Job running = berth.awaitState(job, Set.of(JobState.RUNNING), Duration.ofSeconds(120));
            Path ready = RunDirs.attemptDir(running.runDir().orElseThrow(), 1).resolve("ready");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> Files.exists(ready));
        }

        // While all run: each job's view, as the worker's engine mounted it, is the commit plus that job's changes alone
        Set<String> nodes = new java.util.HashSet<>();
        for (String job : jobs) {
            Attempt attempt = berth.store().reads().attempts(job).get(0);
            String node = attempt.node().orElseThrow();
            nodes.add(node);
            List<String> volumes = testbed.inNode(node, "docker", "-H", testbed.dockerHost(node), "volume", "ls", "-q",
                    "--filter", "label=" + Swarm.JOB_LABEL + "=" + job);
            assertThat(volumes).as(job + "'s overlay on " + node).hasSize(1);
            String view = testbed.inNode(node, "docker", "-H", testbed.dockerHost(node), "volume", "inspect", "--format", "{{.Mountpoint}}", volumes.get(0)).get(0);
            assertThat(testbed.inNode(node, "git", "-C", view, "-c", "safe.directory=*", "status", "--porcelain"))
                    .containsExactly(" M data.txt", " D gone.txt", "?? new.txt");
            assertThat(testbed.inNode(node, "git", "-C", view, "-c", "safe.directory=*", "log", "--format=%H")).containsExactly(commit);
            assertThat(testbed.inNode(node, "cat", view + "/data.txt")).containsExactly(job);
        }
        assertThat(nodes).as("the sweep ran on both workers' engines").containsExactlyInAnyOrderElementsOf(testbed.workers());

        for (String job : jobs) {
            Files.createFile(RunDirs.checkpointDirOf(berth.store().reads().job(job).orElseThrow().runDir().orElseThrow()).resolve("go"));
        }
        for (String job : jobs) {
            Job ended = berth.awaitEnd(job);
            assertThat(ended.state()).as(ended.reason().orElse("")).isEqualTo(JobState.SUCCEEDED);
            // Every job started from the pristine commit, whatever the others had changed by then
            assertThat(ended.runDir().orElseThrow().resolve("stdout.txt")).hasContent("data: original new: none link: data.txt");
            assertThat(RunDirs.attemptDir(ended.runDir().orElseThrow(), 1).resolve("work/data.txt")).hasContent(job);
        }
        assertThat(children(berth.config().snapshotsDir())).containsExactly(commit);
        assertThat(berth.config().snapshotsDir().resolve(commit).resolve("tree/data.txt")).hasContent("original");

        // Each worker's agent removes the volumes of the attempts that ended there
        for (String node : nodes) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> testbed.inNode(node, "docker", "-H", testbed.dockerHost(node),
                    "volume", "ls", "-q", "--filter", "label=" + Swarm.INSTANCE_LABEL + "=" + berth.instanceId()).isEmpty());
        }
    }

    private static List<String> children(Path dir)
            throws IOException
    {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(entry -> entry.getFileName().toString()).toList();
        }
    }
}
