package dev.berth.store;

import dev.berth.job.Attempt;
import dev.berth.job.AttemptEnd;
import dev.berth.job.AttemptOutcome;
import dev.berth.job.AttemptState;
import dev.berth.job.Cause;
import dev.berth.job.IllegalTransitionException;
import dev.berth.job.Job;
import dev.berth.job.JobMove;
import dev.berth.job.JobState;
import dev.berth.job.Lifecycle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import static dev.berth.store.StoreRequests.NOW;
import static dev.berth.store.StoreRequests.body;
import static dev.berth.store.StoreRequests.queued;
import static dev.berth.store.StoreRequests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against a real SQLite file. */
class JobWritesTest
{
    @TempDir
    Path temp;

    private JobStore store;
    private JobReads reads;
    private JobWrites writes;

    @BeforeEach
    void open()
    {
        store = JobStore.open(temp.resolve("berth.db"));
        reads = store.reads();
        writes = store.writes();
    }

    @AfterEach
    void close()
    {
        store.close();
    }

    @Test
    void aJobsSecretsAreStoredAsTheirNamesInOrder()
            throws Exception
    {
        String body = body("with-secrets").replace("}", ", \"secrets\": [\"hf_token\", \"aws.prod\"]}");
        writes.insert(request(body, "with-secrets"), body, Optional.empty(), NOW);
        queued(writes, "without");

        assertThat(reads.job("with-secrets").orElseThrow().spec().secrets()).containsExactly("hf_token", "aws.prod");
        assertThat(reads.job("without").orElseThrow().spec().secrets()).isEmpty();
    }

    @Test
    void storingTheSameRequestTwiceIsOneJob()
            throws Exception
    {
        String body = body("exp-1");
        assertThat(writes.insert(request(body, "exp-1"), body, Optional.of("msg-1"), NOW)).isEqualTo(InsertOutcome.CREATED);
        assertThat(writes.insert(request(body, "exp-1"), body, Optional.of("msg-2"), NOW)).isEqualTo(InsertOutcome.DUPLICATE);

        assertThat(reads.inStates(EnumSet.of(JobState.QUEUED))).extracting(Job::id).containsExactly("exp-1");
    }

    @Test
    void aJobIdTakenByAnotherRequestIsAConflict()
            throws Exception
    {
        String body = body("exp-1");
        writes.insert(request(body, "exp-1"), body, Optional.empty(), NOW);
        String other = body.replace("run.sh", "other.sh");

        assertThat(writes.insert(request(other, "exp-1"), other, Optional.empty(), NOW)).isEqualTo(InsertOutcome.CONFLICT);
        assertThat(reads.job("exp-1").orElseThrow().spec().entrypoint()).isEqualTo("run.sh");
    }

    @Test
    void refusesAnIllegalMoveAndLeavesTheJobAsItWas()
            throws Exception
    {
        queued(writes, "exp-1");

        assertThatThrownBy(() -> writes.moveJob("exp-1", new JobMove(JobState.QUEUED, JobState.RUNNING, Optional.empty(), Optional.empty())))
                .isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> writes.moveJob("exp-1", new JobMove(JobState.PREPARING, JobState.SUBMITTED, Optional.empty(), Optional.empty())))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("is QUEUED, not PREPARING");
        assertThat(reads.job("exp-1").orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void interruptedAttemptsRequeueUntilNoneAreLeft()
            throws Exception
    {
        queued(writes, "exp-1");
        for (int attempt = 1; attempt <= 3; attempt++) {
            writes.moveJob("exp-1", Lifecycle.admitted());
            writes.recordAttempt("exp-1", attempt, "berth-exp-1-" + attempt, NOW);
            writes.attemptSubmitted("exp-1", attempt);
            writes.attemptRunning("exp-1", attempt, "worker-" + attempt, NOW);
            JobState next = writes.finishAttempt("exp-1", attempt, new AttemptEnd(new AttemptOutcome(AttemptState.INTERRUPTED, Optional.of(Cause.INFRA),
                    "interrupted: node worker-" + attempt + " went down", Optional.empty()), Optional.empty(), Optional.empty(), NOW.plusSeconds(attempt)),
                    JobEnded.NOTHING);
            assertThat(next).isEqualTo(attempt < 3 ? JobState.QUEUED : JobState.FAILED);
        }
        Job job = reads.job("exp-1").orElseThrow();
        assertThat(job.cause()).contains(Cause.INFRA);
        assertThat(job.reason().orElseThrow()).contains("worker-3 went down").contains("attempt 3 of 3, none left");
        List<Attempt> attempts = reads.attempts("exp-1");
        assertThat(attempts).extracting(Attempt::state).containsOnly(AttemptState.INTERRUPTED);
        assertThat(attempts).extracting(attempt -> attempt.node().orElseThrow()).containsExactly("worker-1", "worker-2", "worker-3");
    }

    @Test
    void retryExitCodesSurviveTheRoundTrip()
            throws Exception
    {
        String body = body("exp-1").replace("}", ", \"retry_exit_codes\": [75, 3]}");
        writes.insert(request(body, "exp-1"), body, Optional.empty(), NOW);

        assertThat(reads.job("exp-1").orElseThrow().spec().retryExitCodes()).containsExactly(3, 75);
        queued(writes, "exp-2");
        assertThat(reads.job("exp-2").orElseThrow().spec().retryExitCodes()).isEmpty();
    }

    @Test
    void aListedExitCodeRequeuesTheJobUntilNoAttemptsAreLeft()
            throws Exception
    {
        String body = body("exp-1").replace("}", ", \"retry_exit_codes\": [75], \"max_attempts\": 2}");
        writes.insert(request(body, "exp-1"), body, Optional.empty(), NOW);

        assertThat(runAndExit("exp-1", 1, 75)).isEqualTo(JobState.QUEUED);
        assertThat(reads.job("exp-1").orElseThrow().reason())
                .contains("attempt 1 of 2 exited with code 75; retrying (75 is in retry_exit_codes)");
        assertThat(runAndExit("exp-1", 2, 75)).isEqualTo(JobState.FAILED);
        Job job = reads.job("exp-1").orElseThrow();
        assertThat(job.cause()).contains(Cause.EXIT);
        assertThat(job.exitCode()).contains(75);
        assertThat(job.reason()).contains("exited with code 75 (attempt 2 of 2, none left)");
    }

    @Test
    void anExitCodeNotListedEndsTheJob()
            throws Exception
    {
        String body = body("exp-1").replace("}", ", \"retry_exit_codes\": [75]}");
        writes.insert(request(body, "exp-1"), body, Optional.empty(), NOW);

        assertThat(runAndExit("exp-1", 1, 3)).isEqualTo(JobState.FAILED);
        assertThat(reads.job("exp-1").orElseThrow().reason()).contains("exited with code 3");
    }

    @Test
    void cancellingAQueuedJobEndsItAtOnceAndALiveOneIsFlagged()
            throws Exception
    {
        queued(writes, "queued");
        queued(writes, "running");
        writes.moveJob("running", Lifecycle.admitted());

        assertThat(writes.requestCancel("queued", NOW)).isEqualTo(JobState.CANCELLED);
        assertThat(writes.requestCancel("running", NOW)).isEqualTo(JobState.PREPARING);
        assertThat(reads.job("running").orElseThrow().cancelRequested()).isTrue();
        assertThat(reads.job("queued").orElseThrow().cause()).contains(Cause.CANCELLED);
    }

    @Test
    void rejectedRequestsAreKeptWithTheirReason()
    {
        assertThat(writes.insertRejected("m1", "{oops", "not valid JSON", Optional.of("msg"), Optional.of("ana"), NOW)).isTrue();
        assertThat(writes.insertRejected("m1", "{oops", "not valid JSON", Optional.of("msg"), Optional.of("ana"), NOW)).isFalse();

        Job job = reads.job("m1").orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.REJECTED);
        assertThat(job.reason()).contains("not valid JSON");
        assertThat(job.rawRequest()).isEqualTo("{oops");
        assertThat(job.user()).as("the sender's user, so a user's failures count as theirs").isEqualTo("ana");
    }

    /** Runs attempt {@code number} of a queued job until it exits with {@code code}; returns the job's next state. */
    private JobState runAndExit(String id, int number, int code)
    {
        writes.moveJob(id, Lifecycle.admitted());
        writes.recordAttempt(id, number, "berth-" + id + "-" + number, NOW);
        writes.attemptSubmitted(id, number);
        writes.attemptRunning(id, number, "worker-1", NOW);
        return writes.finishAttempt(id, number, new AttemptEnd(new AttemptOutcome(AttemptState.FAILED, Optional.of(Cause.EXIT), "exited with code " + code,
                Optional.of(code)), Optional.empty(), Optional.empty(), NOW.plusSeconds(number)), JobEnded.NOTHING);
    }
}
