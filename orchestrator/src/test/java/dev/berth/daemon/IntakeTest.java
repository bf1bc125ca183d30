package dev.berth.daemon;

import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.queue.QueueMessage;
import dev.berth.store.JobStore;
import dev.berth.testing.FakeJobQueue;
import dev.berth.testing.TestingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Intake's contract with the queue (at least once in, exactly once stored), against an in-memory queue and a real SQLite store. */
class IntakeTest
{
    private static final String VALID = "{\"repo_uri\": \"https://github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\"}";

    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(Instant.parse("2026-03-04T05:06:07Z"));
    private final FakeJobQueue queue = new FakeJobQueue();
    private JobStore store;
    private int wakeups;

    @BeforeEach
    void open()
    {
        store = JobStore.open(temp.resolve("berth.db"));
    }

    @AfterEach
    void close()
    {
        store.close();
    }

    @Test
    void storesEachMessagesJobThenDeletesTheMessagesAndWakesTheScheduler()
    {
        queue.send(VALID);
        queue.send(VALID.replace("main", "dev"));

        receiveAndHandle(intake(FailPoints.none()));

        assertThat(store.reads().inStates(EnumSet.of(JobState.QUEUED))).extracting(job -> job.spec().branch()).containsExactly("main", "dev");
        assertThat(queue.deleted()).hasSize(2);
        assertThat(wakeups).isEqualTo(1);
    }

    @Test
    void aMessageThatIsNotARequestIsRejectedWithItsReasonAndSetAside()
    {
        String id = queue.send("{\"repo_uri\": \"https://github.com/org/repo\", \"gpu\": 1}");

        receiveAndHandle(intake(FailPoints.none()));

        Job rejected = store.reads().newest(EnumSet.of(JobState.REJECTED), 10).get(0);
        assertThat(rejected.reason().orElseThrow()).contains("unknown field 'gpu'");
        assertThat(queue.deadLetters().get(id)).isEqualTo(rejected.reason().orElseThrow());
        assertThat(queue.deleted()).containsExactly(id);
        assertThat(wakeups).isZero();
    }

    @Test
    void aMessageRedeliveredAfterACrashBetweenStoreAndDeleteIsOneJob()
    {
        String id = queue.send(VALID);
        Intake crashing = intake(FailPoints.at(FailPoints.AFTER_STORE, () -> {
            throw new IllegalStateException("crashed after storing");
        }));
        assertThatThrownBy(() -> receiveAndHandle(crashing)).hasMessage("crashed after storing");
        assertThat(queue.deleted()).isEmpty();

        queue.redeliverInFlight();
        receiveAndHandle(intake(FailPoints.none()));

        assertThat(store.reads().countByState()).containsEntry(JobState.QUEUED, 1);
        assertThat(queue.deleted()).containsExactly(id);
    }

    @Test
    void theSameJobIdWithAnotherRequestIsRejectedNamingTheId()
    {
        queue.send(VALID.replace("}", ", \"job_id\": \"exp-1\"}"));
        queue.send(VALID.replace("main", "dev").replace("}", ", \"job_id\": \"exp-1\"}"));

        receiveAndHandle(intake(FailPoints.none()));

        assertThat(store.reads().job("exp-1").orElseThrow().spec().branch()).isEqualTo("main");
        assertThat(queue.deadLetters().values()).containsExactly("job_id 'exp-1' is already used by a different request; choose a new job_id");
    }

    private void receiveAndHandle(Intake intake)
    {
        List<QueueMessage> messages = queue.receive(Duration.ZERO, Duration.ofSeconds(60));
        intake.handle(messages);
    }

    private Intake intake(FailPoints failPoints)
    {
        return new Intake(queue, store, new RequestParser(new RequestDefaults("img", 1, 1L << 30, 3)), () -> wakeups++, clock, clock,
                Duration.ofSeconds(1), Duration.ofSeconds(60), failPoints);
    }
}
