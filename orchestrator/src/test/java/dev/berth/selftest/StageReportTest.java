package dev.berth.selftest;

import dev.berth.job.Job;
import org.junit.jupiter.api.Test;

import java.time.ZoneOffset;
import java.util.List;

import static dev.berth.selftest.SelfTestJobs.attempts;
import static org.assertj.core.api.Assertions.assertThat;

class StageReportTest
{
    private final StageReport report = new StageReport(ZoneOffset.UTC);

    @Test
    void eachStageIsShownOnceInOrderWithItsTimeAndTheSecondsSinceTheDaemonReceivedIt()
    {
        assertThat(look(SelfTestJobs.queued())).containsExactly(
                "  queued    05:06:07.200    +0.0s  received by the daemon");
        assertThat(look(SelfTestJobs.queued())).as("nothing new").isEmpty();
        // Prepared and started between two looks: both shown, with the times the daemon stored
        assertThat(look(SelfTestJobs.running())).containsExactly(
                "  prepared  05:06:07.800    +0.6s  commit 552287dcf915, image berth-local/busybox:1@sha256:06699b1c56fe",
                "  running   05:06:08.300    +1.1s  on node node-1");
        assertThat(look(SelfTestJobs.succeeded())).containsExactly(
                "  done      05:06:11.800    +4.6s  SUCCEEDED, exit code 0");
        assertThat(look(SelfTestJobs.succeeded())).isEmpty();
    }

    @Test
    void aJobThatEndsBeforeAStageSkipsItAndSaysWhy()
    {
        assertThat(look(SelfTestJobs.failedUnprepared())).containsExactly(
                "  queued    05:06:07.200    +0.0s  received by the daemon",
                "  done      05:06:07.500    +0.3s  FAILED (request): image 'nosuch:1' not found");
    }

    @Test
    void theEndOfAJobThatFailedByItsExitNamesTheCodeAndAnyRetries()
    {
        Job retried = SelfTestJobs.withAttempts(SelfTestJobs.failedByItsExit(), 2);

        assertThat(look(retried)).last().isEqualTo("  done      05:06:11.800    +4.6s  FAILED (exit), exit code 1, after 2 attempts: exited with code 1");
    }

    @Test
    void secondsAreCountedFromTheDaemonsReceipt()
    {
        assertThat(StageReport.secondsAfterQueued(SelfTestJobs.queued(), SelfTestJobs.after(12.345))).isEqualTo(12.145);
    }

    private List<String> look(Job job)
    {
        return report.newlyReached(job, attempts(job));
    }
}
