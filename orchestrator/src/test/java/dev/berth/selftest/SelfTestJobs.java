package dev.berth.selftest;

import dev.berth.job.Attempt;
import dev.berth.job.AttemptState;
import dev.berth.job.Cause;
import dev.berth.job.Job;
import dev.berth.job.JobState;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A self-test job as the store holds it at each stage, for the tests of what berth selftest makes of it. */
final class SelfTestJobs
{
    /** When the self-test was sent: the daemon received it 0.2 s later. */
    static final Instant SENT = Instant.parse("2026-03-04T05:06:07Z");
    static final String ID = "selftest-0123456789ab";
    static final String COMMIT = "552287dcf9155d2445944c26f350c5d07311f1d3";
    static final String IMAGE = "berth-local/busybox:1@sha256:06699b1c56fe";

    private SelfTestJobs() {}

    static Instant after(double seconds)
    {
        return SENT.plus(Duration.ofMillis(Math.round(seconds * 1000)));
    }

    static Job queued()
    {
        return job(JobState.QUEUED, Optional.empty(), Optional.empty(), false, Optional.empty(), Optional.empty(), Optional.empty(), 0);
    }

    static Job submitted()
    {
        return job(JobState.SUBMITTED, Optional.empty(), Optional.empty(), true, Optional.empty(), Optional.empty(), Optional.empty(), 1);
    }

    static Job running()
    {
        return job(JobState.RUNNING, Optional.empty(), Optional.empty(), true, Optional.of(after(1.3)), Optional.empty(), Optional.empty(), 1);
    }

    static Job succeeded()
    {
        return job(JobState.SUCCEEDED, Optional.empty(), Optional.empty(), true, Optional.of(after(1.3)), Optional.of(after(4.8)), Optional.of(0), 1);
    }

    static Job failedByItsExit()
    {
        return job(JobState.FAILED, Optional.of(Cause.EXIT), Optional.of("exited with code 1"), true, Optional.of(after(1.3)), Optional.of(after(4.8)), Optional.of(1), 1);
    }

    /** Ended before berth could prepare it, as a job naming an unknown image does. */
    static Job failedUnprepared()
    {
        return job(JobState.FAILED, Optional.of(Cause.REQUEST), Optional.of("image 'nosuch:1' not found"), false, Optional.empty(), Optional.of(after(0.5)), Optional.empty(), 0);
    }

    /** Prepared, but its container never started. */
    static Job failedUnstarted()
    {
        return job(JobState.FAILED, Optional.of(Cause.INFRA), Optional.of("the container failed to start"), true, Optional.empty(), Optional.of(after(2.0)), Optional.empty(), 1);
    }

    static Job rejected()
    {
        return job(JobState.REJECTED, Optional.of(Cause.REQUEST), Optional.of("pool: 1-63 lower-case letters"), false, Optional.empty(), Optional.of(after(0.2)), Optional.empty(), 0);
    }

    static Job withAttempts(Job job, int attempts)
    {
        return new Job(job.seq(), job.id(), job.name(), job.state(), job.cause(), job.reason(), job.request(), job.rawRequest(), job.imageRef(), job.commit(),
                job.runDir(), job.receivedAt(), job.startedAt(), job.finishedAt(), job.exitCode(), attempts, job.cancelRequested(), job.user(), job.task());
    }

    /** The job's attempts as they stand: the first made 0.8 s after the send, started when the job did. */
    static List<Attempt> attempts(Job job)
    {
        if (job.attempts() == 0) {
            return List.of();
        }
        AttemptState state = job.state().terminal() ? AttemptState.valueOf(job.state().name()) : job.startedAt().isPresent() ? AttemptState.RUNNING : AttemptState.PENDING;
        return List.of(new Attempt(job.id(), 1, "berth-" + job.id() + "-1", state, job.startedAt().map(started -> "node-1"), job.cause(), job.reason(),
                job.exitCode(), after(0.8), job.startedAt(), job.finishedAt()));
    }

    private static Job job(JobState state, Optional<Cause> cause, Optional<String> reason, boolean prepared, Optional<Instant> started,
            Optional<Instant> finished, Optional<Integer> exitCode, int attempts)
    {
        return new Job(1, ID, "selftest", state, cause, reason, Optional.empty(), "{}",
                prepared ? Optional.of(IMAGE) : Optional.empty(),
                prepared ? Optional.of(COMMIT) : Optional.empty(),
                prepared ? Optional.of(Path.of("/shared/runs/20260304-050607_selftest_" + ID)) : Optional.empty(),
                after(0.2), started, finished, exitCode, attempts, false, "ana", Optional.empty());
    }
}
