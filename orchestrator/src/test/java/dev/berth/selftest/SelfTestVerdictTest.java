package dev.berth.selftest;

import dev.berth.job.Job;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static dev.berth.selftest.SelfTestJobs.ID;
import static dev.berth.selftest.SelfTestJobs.attempts;
import static org.assertj.core.api.Assertions.assertThat;

class SelfTestVerdictTest
{
    private static final String PASSED = """
            selftest: job selftest-0123456789ab, attempt 1, on node-1, commit 552287d
            cpu: no numpy in this image (no python): multiplied 120x120 with awk, 1.0 MFLOP/s (3.51 s); product checked
            selftest: OK
            """;

    @Test
    void aJobThatSucceededAndSaidOkProvesTheCircuit()
    {
        SelfTestVerdict verdict = judge(SelfTestJobs.succeeded(), PASSED);

        assertThat(verdict.ok()).isTrue();
        assertThat(verdict.failedAt()).isEmpty();
        assertThat(verdict.message()).contains("the whole circuit works", ID, "4.6 s after the daemon received it");
    }

    @Test
    void successWithoutTheOkLineIsNotEnough()
    {
        SelfTestVerdict verdict = judge(SelfTestJobs.succeeded(), "hello from an image that ran something else\n");

        assertThat(verdict.failedAt()).contains(Stage.DONE);
        assertThat(verdict.message()).startsWith("failed at 'done'").contains("does not end with 'selftest: OK'", "hello from an image", "berth logs " + ID);
    }

    @Test
    void anOkLineFollowedByMoreIsNotTheCheckSayingOk()
    {
        assertThat(judge(SelfTestJobs.succeeded(), PASSED + "something after\n").ok()).isFalse();
    }

    @Test
    void aFailedCheckIsQuotedWithWhereToLook()
    {
        SelfTestVerdict verdict = judge(SelfTestJobs.failedByItsExit(), """
                cpu: no numpy in this image (no python): multiplied 120x120 with awk, 1.0 MFLOP/s (3.51 s); product checked
                gpu: asked for 1, assigned: GPU=GPU-fake0
                gpu: FAILED: this image has no python, so no GPU library (torch or cupy)
                selftest: FAILED: gpu
                """);

        assertThat(verdict.failedAt()).contains(Stage.DONE);
        assertThat(verdict.message())
                .contains("ran but ended FAILED (exit): exited with code 1")
                .contains("it says: gpu: FAILED: this image has no python, so no GPU library (torch or cupy)")
                .contains("berth logs " + ID, "berth logs --stderr " + ID);
    }

    @Test
    void aJobThatEndedBeforeItWasPreparedFailsThere()
    {
        SelfTestVerdict verdict = SelfTestVerdict.judge(SelfTestJobs.failedUnprepared(), attempts(SelfTestJobs.failedUnprepared()), Optional.empty());

        assertThat(verdict.failedAt()).contains(Stage.PREPARED);
        assertThat(verdict.message()).startsWith("failed at 'prepared'").contains("FAILED (request): image 'nosuch:1' not found", "berth status " + ID);
    }

    @Test
    void aJobWhoseContainerNeverStartedFailsAtRunning()
    {
        SelfTestVerdict verdict = judge(SelfTestJobs.failedUnstarted(), "");

        assertThat(verdict.failedAt()).contains(Stage.RUNNING);
        assertThat(verdict.message()).contains("before its container started", "the container failed to start", "docker service ps berth-" + ID + "-1");
    }

    @Test
    void aRejectedRequestFailsAtQueued()
    {
        SelfTestVerdict verdict = judge(SelfTestJobs.rejected(), "");

        assertThat(verdict.failedAt()).contains(Stage.QUEUED);
        assertThat(verdict.message()).contains("rejected", "pool: 1-63 lower-case letters", "--image and --pool");
    }

    @Test
    void aRequestNeverTakenOffTheQueuePointsAtTheDaemon()
    {
        SelfTestVerdict verdict = SelfTestVerdict.notQueued(ID, Duration.ofMinutes(2));

        assertThat(verdict.failedAt()).contains(Stage.QUEUED);
        assertThat(verdict.message()).contains(ID, "within 120 s", "is 'berth serve' running");
    }

    private static SelfTestVerdict judge(Job job, String stdout)
    {
        return SelfTestVerdict.judge(job, attempts(job), Optional.of(stdout));
    }
}
