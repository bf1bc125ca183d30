package dev.berth.daemon;

import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.rundir.RunDirs;
import dev.berth.swarm.Swarm;
import dev.berth.swarm.SwarmClient;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.GitRepos;
import dev.berth.testing.LocalSwarm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Jobs of one commit on a real engine: one snapshot of the commit on the shared dir, and each attempt's own
 * overlay of it, which the engine's local volume driver mounts with the kernel's overlayfs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SnapshotOverlaySwarmIntegrationTest
{
    // Changes its work dir, says what it found, and holds on until the test says go, so that the test can look at its view meanwhile
    private static final String EDIT = """
            #!/bin/sh
            echo "data: $(cat data.txt)"
            echo "new: $(cat new.txt 2>/dev/null || echo none)"
            [ -L link.txt ] && echo "link: $(readlink link.txt) -> $(cat link.txt)"
            echo changed > data.txt
            rm gone.txt
            echo new > new.txt
            : > "$BERTH_ATTEMPT_DIR/ready"
            while [ ! -e "$BERTH_CHECKPOINT_DIR/go" ]; do sleep 0.1; done
            """;

    @TempDir
    static Path temp;

    private GitRepos repo;
    private BerthHarness berth;
    private String commit;

    @BeforeAll
    void start()
            throws Exception
    {
        repo = GitRepos.create(temp.resolve("repo"));
        Files.createSymbolicLink(repo.dir().resolve("link.txt"), Path.of("data.txt"));
        commit = repo.commit(Map.of("data.txt", "original\n", "gone.txt", "keep\n", "edit.sh", EDIT,
                "retry.sh", """
                        #!/bin/sh
                        [ -e scratch.txt ] && { echo "attempt $BERTH_ATTEMPT found the last attempt's file"; exit 1; }
                        echo "attempt $BERTH_ATTEMPT" > scratch.txt
                        [ "$BERTH_ATTEMPT" = 1 ] && exit 75
                        echo "attempt $BERTH_ATTEMPT started clean"
                        """));
        berth = BerthHarness.start(temp.resolve("berth"), Map.of());
    }

    @AfterAll
    void stop()
            throws Exception
    {
        berth.close();
        repo.close();
    }

    @Test
    void jobsOfOneCommitShareOneSnapshotAndEachSeesOnlyItsOwnChangesWithGitWorking()
            throws Exception
    {
        String first = submit("first", "edit.sh", "");
        Path firstAttempt = awaitReady(first);
        String second = submit("second", "edit.sh", "");
        Path secondAttempt = awaitReady(second);

        // While both run: the first job's view, as its container sees it, is the commit plus its own changes
        List<String> firstVolumes = volumesOf(first);
        assertThat(firstVolumes).hasSize(1);
        Path view = mountpointOf(firstVolumes.get(0));
        assertThat(git(view, "status", "--porcelain")).isEqualTo(" M data.txt\n D gone.txt\n?? new.txt");
        assertThat(git(view, "diff", "data.txt")).contains("-original").contains("+changed");
        assertThat(git(view, "log", "--format=%H")).isEqualTo(commit);
        assertThat(Files.readSymbolicLink(view.resolve("link.txt"))).isEqualTo(Path.of("data.txt"));

        for (String job : List.of(first, second)) {
            Files.createFile(RunDirs.checkpointDirOf(berth.store().reads().job(job).orElseThrow().runDir().orElseThrow()).resolve("go"));
        }
        for (String job : List.of(first, second)) {
            Job ended = berth.awaitEnd(job);
            assertThat(ended.state()).as(ended.reason().orElse("")).isEqualTo(JobState.SUCCEEDED);
            // The second started after the first had changed its files, and saw none of it
            assertThat(ended.runDir().orElseThrow().resolve("stdout.txt")).hasContent("data: original\nnew: none\nlink: data.txt -> original");
        }
        // One snapshot for both; each attempt's work dir on the shared dir holds what that job changed, and only that
        assertThat(children(berth.config().snapshotsDir())).containsExactly(commit);
        for (Path attempt : List.of(firstAttempt, secondAttempt)) {
            Path work = attempt.resolve("work");
            assertThat(work.resolve("data.txt")).hasContent("changed");
            assertThat(work.resolve("new.txt")).hasContent("new");
            assertThat(Files.exists(work.resolve("edit.sh"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        }
        assertThat(berth.config().snapshotsDir().resolve(commit).resolve("tree").resolve("data.txt")).hasContent("original");
        assertThat(berth.config().snapshotsDir().resolve(commit).resolve("tree").resolve("gone.txt")).hasContent("keep");
    }

    @Test
    void everyAttemptStartsFromThePristineCommit()
    {
        String job = submit("pristine", "retry.sh", ", \"retry_exit_codes\": [75], \"max_attempts\": 2");
        Job ended = berth.awaitEnd(job);

        assertThat(ended.state()).as(ended.reason().orElse("")).isEqualTo(JobState.SUCCEEDED);
        assertThat(ended.runDir().orElseThrow().resolve("stdout.txt")).hasContent("attempt 2 started clean");
        assertThat(RunDirs.attemptDir(ended.runDir().orElseThrow(), 1).resolve("work/scratch.txt")).hasContent("attempt 1");
    }

    @Test
    void theVolumesOfEndedAttemptsAreRemoved()
            throws Exception
    {
        String job = submit("volumes", "retry.sh", ", \"retry_exit_codes\": [75], \"max_attempts\": 2");
        berth.awaitEnd(job);
        assertThat(volumesOf(job)).isNotEmpty();

        try (SwarmClient swarm = new SwarmClient(LocalSwarm.DOCKER_HOST)) {
            // The containers go a moment after their services
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                swarm.removeUnusedJobVolumes(berth.instanceId());
                return volumesOf(job).isEmpty();
            });
        }
    }

    private String submit(String id, String entrypoint, String moreFields)
    {
        berth.send("""
                {"job_id": "%s", "repo_uri": "%s", "branch": "main", "entrypoint": "%s", "resources": {"cpus": 0.1, "memory": "32m"}%s}
                """.formatted(id, repo.fileUrl(), entrypoint, moreFields));
        return id;
    }

    private Path awaitReady(String job)
    {
        Job running = berth.awaitState(job, Set.of(JobState.RUNNING), Duration.ofSeconds(60));
        Path attempt = RunDirs.attemptDir(running.runDir().orElseThrow(), 1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> Files.exists(attempt.resolve("ready")));
        return attempt;
    }

    private static Path mountpointOf(String volume)
            throws Exception
    {
        return Path.of(run(Path.of("/"), "docker", "volume", "inspect", "--format", "{{.Mountpoint}}", volume));
    }

    private List<String> volumesOf(String job)
            throws Exception
    {
        String names = run(Path.of("/"), "docker", "volume", "ls", "-q", "--filter", "label=" + Swarm.JOB_LABEL + "=" + job,
                "--filter", "label=" + Swarm.INSTANCE_LABEL + "=" + berth.instanceId());
        return names.isEmpty() ? List.of() : names.lines().toList();
    }

    private static String git(Path dir, String... args)
            throws Exception
    {
        List<String> command = new java.util.ArrayList<>(List.of("git", "-c", "safe.directory=*", "-c", "core.pager=cat"));
        command.addAll(List.of(args));
        return run(dir, command.toArray(String[]::new));
    }

    private static String run(Path dir, String... command)
            throws Exception
    {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).stripTrailing();
        assertThat(process.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }

    private static List<String> children(Path dir)
            throws IOException
    {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(entry -> entry.getFileName().toString()).toList();
        }
    }
}
