package dev.berth.job;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LifecycleTest
{
    @Test
    void allowsTheJobsJourney()
    {
        assertThatNoException().isThrownBy(() -> {
            Lifecycle.check(JobState.QUEUED, JobState.PREPARING);
            Lifecycle.check(JobState.PREPARING, JobState.SUBMITTED);
            Lifecycle.check(JobState.SUBMITTED, JobState.RUNNING);
            Lifecycle.check(JobState.RUNNING, JobState.SUCCEEDED);
            Lifecycle.check(JobState.RUNNING, JobState.QUEUED);
            Lifecycle.check(AttemptState.SUBMITTING, AttemptState.PENDING);
            Lifecycle.check(AttemptState.PENDING, AttemptState.RUNNING);
            Lifecycle.check(AttemptState.RUNNING, AttemptState.INTERRUPTED);
        });
    }

    @Test
    void refusesToLeaveAnEndOrSkipAhead()
    {
        for (JobState end : JobState.values()) {
            if (end.terminal()) {
                for (JobState any : JobState.values()) {
                    assertThatThrownBy(() -> Lifecycle.check(end, any)).isInstanceOf(IllegalTransitionException.class);
                }
            }
        }
        assertThatThrownBy(() -> Lifecycle.check(JobState.QUEUED, JobState.RUNNING))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessage("job cannot move from QUEUED to RUNNING");
        assertThatThrownBy(() -> Lifecycle.check(JobState.QUEUED, JobState.REJECTED)).isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> Lifecycle.check(AttemptState.SUCCEEDED, AttemptState.RUNNING)).isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> Lifecycle.check(AttemptState.SUBMITTING, AttemptState.RUNNING)).isInstanceOf(IllegalTransitionException.class);
    }

    @Test
    void aSpotInterruptionNoticeInterruptsTheAttemptNamingItsNodeAndRetriesTheJobAtOnce()
            throws InvalidRequestException
    {
        JobRequest request = new RequestParser(new RequestDefaults("berth-local/busybox:1", 1, 1L << 30, 3))
                .parse("{\"repo_uri\": \"https://github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\", \"max_attempts\": 2}", "j");

        AttemptOutcome notice = Lifecycle.spotNotice("spot-7");
        JobMove retry = Lifecycle.afterAttempt(JobState.RUNNING, notice, 1, request);
        JobMove last = Lifecycle.afterAttempt(JobState.RUNNING, notice, 2, request);

        assertThat(notice.state()).isEqualTo(AttemptState.INTERRUPTED);
        assertThat(notice.cause()).contains(Cause.INFRA);
        assertThat(notice.reason()).isEqualTo("interrupted: spot interruption notice on spot-7");
        assertThat(retry.to()).isEqualTo(JobState.QUEUED);
        assertThat(retry.reason()).contains("attempt 1 of 2 interrupted: spot interruption notice on spot-7; retrying");
        assertThat(last.to()).isEqualTo(JobState.FAILED);
        assertThat(last.cause()).contains(Cause.INFRA);
        assertThat(last.reason()).contains("interrupted: spot interruption notice on spot-7 (attempt 2 of 2, none left)");
    }

    @Test
    void infrastructureFailuresAreRetriedOnlyWhileAttemptsRemain()
    {
        assertThat(Lifecycle.jobAfter(AttemptState.INTERRUPTED, Cause.INFRA, Optional.empty(), Set.of(), 1, 3)).isEqualTo(JobState.QUEUED);
        assertThat(Lifecycle.jobAfter(AttemptState.INTERRUPTED, Cause.INFRA, Optional.empty(), Set.of(), 3, 3)).isEqualTo(JobState.FAILED);
        assertThat(Lifecycle.jobAfter(AttemptState.FAILED, Cause.EXIT, Optional.of(1), Set.of(), 1, 3)).isEqualTo(JobState.FAILED);
        assertThat(Lifecycle.jobAfter(AttemptState.FAILED, Cause.REQUEST, Optional.empty(), Set.of(), 1, 3)).isEqualTo(JobState.FAILED);
        assertThat(Lifecycle.jobAfter(AttemptState.TIMED_OUT, Cause.TIMEOUT, Optional.empty(), Set.of(75), 1, 3)).isEqualTo(JobState.TIMED_OUT);
        assertThat(Lifecycle.jobAfter(AttemptState.CANCELLED, Cause.CANCELLED, Optional.empty(), Set.of(75), 1, 3)).isEqualTo(JobState.CANCELLED);
        assertThat(Lifecycle.jobAfter(AttemptState.SUCCEEDED, null, Optional.of(0), Set.of(75), 2, 3)).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void anExitCodeIsRetriedOnlyWhenListedAndWhileAttemptsRemain()
    {
        Set<Integer> listed = Set.of(75, 111);

        assertThat(Lifecycle.jobAfter(AttemptState.FAILED, Cause.EXIT, Optional.of(75), listed, 1, 3)).isEqualTo(JobState.QUEUED);
        assertThat(Lifecycle.jobAfter(AttemptState.FAILED, Cause.EXIT, Optional.of(111), listed, 2, 3)).isEqualTo(JobState.QUEUED);
        assertThat(Lifecycle.jobAfter(AttemptState.FAILED, Cause.EXIT, Optional.of(3), listed, 1, 3)).isEqualTo(JobState.FAILED);
        assertThat(Lifecycle.jobAfter(AttemptState.FAILED, Cause.EXIT, Optional.of(75), listed, 3, 3)).isEqualTo(JobState.FAILED);
        assertThat(Lifecycle.jobAfter(AttemptState.FAILED, Cause.EXIT, Optional.of(75), listed, 1, 1)).isEqualTo(JobState.FAILED);
        assertThat(Lifecycle.retryable(AttemptState.FAILED, Cause.EXIT, Optional.of(75), listed)).isTrue();
        assertThat(Lifecycle.retryable(AttemptState.FAILED, Cause.EXIT, Optional.of(3), listed)).isFalse();
    }
}
