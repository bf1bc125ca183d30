package dev.berth.job;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a job waiting for others does as they end. */
class LifecycleDependenciesTest
{
    private static final Dependency AFTER_A = new Dependency("a", Dependency.Kind.AFTER);
    private static final Dependency AFTER_ANY_B = new Dependency("b", Dependency.Kind.AFTER_ANY);

    @Test
    void aWaitingJobIsQueuedOrCancelledAndNothingElse()
    {
        assertThatNoException().isThrownBy(() -> {
            Lifecycle.check(JobState.WAITING, JobState.QUEUED);
            Lifecycle.check(JobState.WAITING, JobState.CANCELLED);
        });
        for (JobState other : List.of(JobState.PREPARING, JobState.SUBMITTED, JobState.RUNNING, JobState.SUCCEEDED, JobState.FAILED, JobState.REJECTED)) {
            assertThatThrownBy(() -> Lifecycle.check(JobState.WAITING, other)).isInstanceOf(IllegalTransitionException.class);
        }
        assertThatThrownBy(() -> Lifecycle.check(JobState.QUEUED, JobState.WAITING)).isInstanceOf(IllegalTransitionException.class);
        assertThat(JobState.WAITING.terminal()).isFalse();
        assertThat(JobState.WAITING.active()).as("holds no place in the fleet").isFalse();
    }

    @Test
    void waitsWhileAnyDependencyIsLive()
    {
        assertThat(Lifecycle.dependenciesSettled(List.of(AFTER_A, AFTER_ANY_B), Map.of("a", JobState.SUCCEEDED, "b", JobState.RUNNING))).isEmpty();
        assertThat(Lifecycle.dependenciesSettled(List.of(AFTER_A, AFTER_ANY_B), Map.of("a", JobState.QUEUED, "b", JobState.FAILED))).isEmpty();
        assertThat(Lifecycle.dependenciesSettled(List.of(AFTER_A), Map.of("a", JobState.WAITING))).isEmpty();
    }

    @Test
    void isQueuedOnceAfterOnesSucceededAndAfterAnyOnesEndedAnyway()
    {
        for (JobState end : List.of(JobState.SUCCEEDED, JobState.FAILED, JobState.TIMED_OUT, JobState.CANCELLED, JobState.REJECTED)) {
            assertThat(Lifecycle.dependenciesSettled(List.of(AFTER_A, AFTER_ANY_B), Map.of("a", JobState.SUCCEEDED, "b", end)))
                    .contains(new JobMove(JobState.WAITING, JobState.QUEUED, Optional.empty(), Optional.empty()));
        }
        assertThat(Lifecycle.dependenciesSettled(List.of(AFTER_ANY_B), Map.of())).as("a purged job had ended")
                .map(JobMove::to).contains(JobState.QUEUED);
    }

    @Test
    void isCancelledNamingTheFirstAfterDependencyThatDidNotSucceedEvenWhileOthersRun()
    {
        Optional<JobMove> move = Lifecycle.dependenciesSettled(List.of(AFTER_A, AFTER_ANY_B), Map.of("a", JobState.TIMED_OUT, "b", JobState.RUNNING));

        assertThat(move).contains(new JobMove(JobState.WAITING, JobState.CANCELLED, Optional.of(Cause.CANCELLED),
                Optional.of("dependency a failed: it ended TIMED_OUT")));
        assertThat(Lifecycle.dependenciesSettled(List.of(AFTER_A), Map.of())).map(JobMove::reason).contains(
                Optional.of("dependency a is no longer known (purged), so it cannot be known to have succeeded"));
    }

    @Test
    void aCancelOfAWaitingJobIsOnRequest()
    {
        assertThat(Lifecycle.cancelledWhileWaiting()).isEqualTo(new JobMove(JobState.WAITING, JobState.CANCELLED, Optional.of(Cause.CANCELLED),
                Optional.of("cancelled on request while waiting")));
    }

    @Test
    void saysWhatAWaitingJobWaitsForWithTheirStates()
    {
        assertThat(Lifecycle.waitingFor(List.of(
                new DependencyState(new Dependency("abc123", Dependency.Kind.AFTER), Optional.of(JobState.RUNNING)),
                new DependencyState(new Dependency("done", Dependency.Kind.AFTER), Optional.of(JobState.SUCCEEDED)),
                new DependencyState(new Dependency("def456", Dependency.Kind.AFTER_ANY), Optional.of(JobState.QUEUED)))))
                .isEqualTo("abc123 (RUNNING), def456 (QUEUED)");
    }
}
