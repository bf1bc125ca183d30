package dev.berth.daemon;

import dev.berth.job.Cause;
import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.SilentServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Cancelling jobs that wait in berth's queue or are still being prepared (running ones: PipelineSwarmIntegrationTest). */
class CancellationSwarmIntegrationTest
{
    @TempDir
    Path temp;

    private BerthHarness berth;

    @BeforeEach
    void start()
            throws Exception
    {
        berth = BerthHarness.start(temp, Map.of("BERTH_GIT_TIMEOUT", "4s"));
    }

    @AfterEach
    void stop()
            throws Exception
    {
        berth.close();
    }

    @Test
    void aQueuedJobIsCancelledAtOnceAndCancellingAgainChangesNothing()
    {
        // No node is in this pool, so the job waits in berth's own queue.
        berth.send("{\"job_id\": \"waiting\", \"repo_uri\": \"github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"pool\": \"nowhere\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> berth.store().reads().job("waiting").flatMap(Job::reason).orElse(""),
                reason -> reason.contains("no node in pool 'nowhere'"));

        BerthHarness.CliResult cancel = berth.cli("cancel", "waiting");

        assertThat(cancel.exitCode()).isZero();
        assertThat(cancel.out()).contains("job waiting cancelled");
        Job job = berth.store().reads().job("waiting").orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.CANCELLED);
        assertThat(job.cause()).contains(Cause.CANCELLED);
        assertThat(berth.cli("cancel", "waiting").out()).contains("already ended as CANCELLED");
    }

    @Test
    void aJobStuckPreparingIsCancelledRatherThanFailed()
            throws Exception
    {
        try (SilentServer hungGitHost = new SilentServer()) {
            berth.send("{\"job_id\": \"stuck\", \"repo_uri\": \"git://127.0.0.1:" + hungGitHost.port() + "/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\"}");
            berth.awaitState("stuck", EnumSet.of(JobState.PREPARING), Duration.ofSeconds(20));

            BerthHarness.CliResult cancel = berth.cli("cancel", "stuck");

            assertThat(cancel.exitCode()).as(cancel.err()).isZero();
            assertThat(cancel.out()).contains("job stuck cancelled");
            Job job = berth.store().reads().job("stuck").orElseThrow();
            assertThat(job.state()).isEqualTo(JobState.CANCELLED);
            assertThat(job.reason()).contains("cancelled on request while preparing");
        }
    }

    @Test
    void aHungRepositoryFailsTheJobAfterTheGitTimeout()
            throws Exception
    {
        try (SilentServer hungGitHost = new SilentServer()) {
            berth.send("{\"job_id\": \"hung\", \"repo_uri\": \"git://127.0.0.1:" + hungGitHost.port() + "/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\"}");

            Job job = berth.awaitEnd("hung");

            assertThat(job.state()).isEqualTo(JobState.FAILED);
            assertThat(job.cause()).contains(Cause.REQUEST);
            assertThat(job.reason().orElseThrow()).contains("could not reach repository");
        }
    }
}
