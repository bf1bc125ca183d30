package dev.berth.daemon;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How berth stops a running job, on a real engine: SIGTERM first, through an init process so that
 * the job's own process gets it even when it is not PID 1's kind to act on it, then the job's
 * {@code stop_grace} to save its work before SIGKILL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StopGraceSwarmIntegrationTest
{
    @TempDir
    static Path temp;

    private GitRepos repo;
    private BerthHarness berth;

    @BeforeAll
    void start()
            throws Exception
    {
        repo = GitRepos.create(temp.resolve("repo"));
        repo.commit(Map.of(
                // Saves on SIGTERM and takes its time doing it, as a training step that writes a checkpoint does
                "saves.sh", """
                        #!/bin/sh
                        trap 'echo "saving at step $step"; sleep 2; echo "saved"; exit 0' TERM
                        step=0
                        echo started
                        while :; do step=$((step + 1)); sleep 1; done
                        """,
                // No handler of its own: a process that would ignore SIGTERM as PID 1, and so wait out the grace
                "ignores.sh", """
                        #!/bin/sh
                        echo started
                        exec sleep 600
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
    void aCancelledJobGetsSigtermAndItsGraceToSaveItsWork()
            throws IOException
    {
        Job job = startAndCancel("saves", "saves.sh", "60s");

        assertThat(job.state()).isEqualTo(JobState.CANCELLED);
        Path stdout = job.runDir().orElseThrow().resolve("attempts/1/stdout.txt");
        await().atMost(Duration.ofSeconds(30)).until(() -> read(stdout).contains("saved"));
        assertThat(read(stdout)).contains("started", "saving at step", "saved");
    }

    @Test
    void aJobThatIsNotPidOneStopsOnSigtermRatherThanWaitingOutItsGrace()
    {
        // A ten-minute grace: the container goes within the wait below only if the job itself took the SIGTERM
        Job job = startAndCancel("ignores", "ignores.sh", "10m");

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> containersOf(job.id()).isEmpty());
        assertThat(job.state()).isEqualTo(JobState.CANCELLED);
    }

    private Job startAndCancel(String jobId, String entrypoint, String stopGrace)
    {
        berth.send("{\"job_id\": \"" + jobId + "\", \"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"" + entrypoint
                + "\", \"stop_grace\": \"" + stopGrace + "\"}");
        Job running = berth.awaitState(jobId, EnumSet.of(JobState.RUNNING), Duration.ofSeconds(60));
        Path stdout = running.runDir().orElseThrow().resolve("attempts/1/stdout.txt");
        await().atMost(Duration.ofSeconds(30)).until(() -> read(stdout).contains("started"));
        BerthHarness.CliResult cancel = berth.cli("cancel", jobId);
        assertThat(cancel.exitCode()).as(cancel.err()).isZero();
        return berth.store().reads().job(jobId).orElseThrow();
    }

    private static String read(Path file)
            throws IOException
    {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** The job's containers on this engine, running or on their way out. */
    private static String containersOf(String jobId)
            throws IOException, InterruptedException
    {
        Process docker = new ProcessBuilder("docker", "ps", "-q", "--filter", "label=berth.job=" + jobId).redirectErrorStream(true).start();
        String out = new String(docker.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (docker.waitFor() != 0) {
            throw new IOException("docker ps failed: " + out);
        }
        return out;
    }
}
