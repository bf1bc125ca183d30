package dev.berth.job;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

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
    void onlyInfrastructureFailuresAreRetriedAndOnlyWhileAttemptsRemain()
    {
        assertThat(Lifecycle.jobAfter(AttemptState.INTERRUPTED, Cause.INFRA, 1, 3)).isEqualTo(JobState.QUEUED);
        assertThat(Lifecycle.jobAfter(AttemptState.INTERRUPTED, Cause.INFRA, 3, 3)).isEqualTo(JobState.FAILED);
        assertThat(Lifecycle.jobAfter(AttemptState.FAILED, Cause.EXIT, 1, 3)).isEqualTo(JobState.FAILED);
        assertThat(Lifecycle.jobAfter(AttemptState.FAILED, Cause.REQUEST, 1, 3)).isEqualTo(JobState.FAILED);
        assertThat(Lifecycle.jobAfter(AttemptState.TIMED_OUT, Cause.TIMEOUT, 1, 3)).isEqualTo(JobState.TIMED_OUT);
        assertThat(Lifecycle.jobAfter(AttemptState.CANCELLED, Cause.CANCELLED, 1, 3)).isEqualTo(JobState.CANCELLED);
        assertThat(Lifecycle.jobAfter(AttemptState.SUCCEEDED, null, 2, 3)).isEqualTo(JobState.SUCCEEDED);
    }
}
