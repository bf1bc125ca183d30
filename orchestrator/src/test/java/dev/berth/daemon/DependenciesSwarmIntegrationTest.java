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

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs that wait for others, on a real engine through the real queue and {@code berth submit}: a job after
 * another starts only once that one succeeded, and one after a failure is cancelled naming it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DependenciesSwarmIntegrationTest
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
                // Holds until told to go, so the test sees its dependent wait while it runs
                "first.sh", """
                        #!/bin/sh
                        while [ ! -e "$BERTH_CHECKPOINT_DIR/go" ]; do sleep 0.2; done
                        exit "$(cat "$BERTH_CHECKPOINT_DIR/go")"
                        """,
                "second.sh", """
                        #!/bin/sh
                        echo second
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
    void aJobAfterAnotherStartsOnlyOnceItSucceeded()
            throws Exception
    {
        Job first = submitFirst("ok-first");
        submit("--job-id", "ok-second", "--entrypoint", "second.sh", "--after", "ok-fi");
        berth.awaitState("ok-second", EnumSet.of(JobState.WAITING), Duration.ofSeconds(30));

        BerthHarness.CliResult status = berth.cli("status", "ok-second");
        assertThat(status.out()).containsPattern("waiting for: +ok-first \\(RUNNING\\)");
        release(first, "0");

        Job second = berth.awaitEnd("ok-second");
        Job ended = berth.store().reads().job("ok-first").orElseThrow();
        assertThat(ended.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(second.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(second.startedAt().orElseThrow()).as("started after its dependency ended").isAfterOrEqualTo(ended.finishedAt().orElseThrow());
    }

    @Test
    void aJobAfterOneThatFailsIsCancelledNamingIt()
            throws Exception
    {
        Job first = submitFirst("bad-first");
        submit("--job-id", "bad-second", "--entrypoint", "second.sh", "--after", "bad-first");
        berth.awaitState("bad-second", EnumSet.of(JobState.WAITING), Duration.ofSeconds(30));
        release(first, "3");

        Job second = berth.awaitEnd("bad-second");
        assertThat(second.state()).isEqualTo(JobState.CANCELLED);
        assertThat(second.reason()).contains("dependency bad-first failed: it ended FAILED");
        assertThat(second.attempts()).as("never ran").isZero();
    }

    private Job submitFirst(String jobId)
    {
        submit("--job-id", jobId, "--entrypoint", "first.sh", "--max-attempts", "1");
        return berth.awaitState(jobId, EnumSet.of(JobState.RUNNING), Duration.ofSeconds(60));
    }

    private void submit(String... flags)
    {
        String[] arguments = new String[flags.length + 7];
        System.arraycopy(new String[] {"submit", "--repo", repo.fileUrl(), "--cpus", "0.1", "--memory", "32m"}, 0, arguments, 0, 7);
        System.arraycopy(flags, 0, arguments, 7, flags.length);
        BerthHarness.CliResult submitted = berth.cli(arguments);
        assertThat(submitted.exitCode()).as(submitted.err()).isZero();
    }

    /** Lets the first job end, with {@code exitCode}. */
    private static void release(Job first, String exitCode)
            throws Exception
    {
        Files.writeString(first.runDir().orElseThrow().resolve("checkpoint/go"), exitCode);
    }
}
