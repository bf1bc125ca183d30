package dev.berth.daemon;

import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.metrics.BerthMetrics;
import dev.berth.queue.QueueMessage;
import dev.berth.store.JobStore;
import dev.berth.swarm.EngineException;
import dev.berth.testing.FakeJobQueue;
import dev.berth.testing.FakeSwarm;
import dev.berth.testing.TestingClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final FakeSwarm swarm = new FakeSwarm(clock).withSecret("hf_token");
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
        assertThat(submitted()).isEqualTo(2);
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
        assertThat(submitted()).as("a rejected message is no submission").isZero();
    }

    @Test
    void aJobsUserIsTheRequestsElseTheSendersElseUnknown()
    {
        String own = queue.send(VALID.replace("}", ", \"job_id\": \"own\", \"user\": \"ana\"}"), Optional.of("bo"));
        String sent = queue.send(VALID.replace("}", ", \"job_id\": \"sent\"}"), Optional.of("bo"));
        String none = queue.send(VALID.replace("}", ", \"job_id\": \"none\"}"));

        receiveAndHandle(intake(FailPoints.none()));

        assertThat(queue.deleted()).containsExactly(own, sent, none);
        assertThat(store.reads().job("own").orElseThrow().user()).isEqualTo("ana");
        assertThat(store.reads().job("sent").orElseThrow().user()).isEqualTo("bo");
        assertThat(store.reads().job("none").orElseThrow().user()).isEqualTo(Job.UNKNOWN_USER);
    }

    @Test
    void aSendersUserBerthCannotAcceptRejectsTheJobSayingWhatToSend()
    {
        String id = queue.send(VALID, Optional.of("<script>"));

        receiveAndHandle(intake(FailPoints.none()));

        Job rejected = store.reads().newest(EnumSet.of(JobState.REJECTED), 10).get(0);
        assertThat(rejected.reason().orElseThrow())
                .isEqualTo("message attribute berth-user must be 1-64 letters, digits, '_', '.', '@' or '-', starting with a letter, digit or '_', "
                        + "got '<script>'; send a valid one, or name the user in the request's \"user\" field");
        assertThat(rejected.user()).isEqualTo(Job.UNKNOWN_USER);
        assertThat(queue.deadLetters()).containsKey(id);
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
        assertThat(submitted()).as("the redelivery is no second submission").isEqualTo(1);
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

    @Test
    void aRequestNamingASecretSwarmLacksIsRejectedWithItsNameWhileTheOthersAreStored()
    {
        String unknown = queue.send(VALID.replace("}", ", \"secrets\": [\"hf_token\", \"wandb_key\"]}"));
        queue.send(VALID.replace("}", ", \"secrets\": [\"hf_token\"]}"));
        queue.send(VALID);

        receiveAndHandle(intake(FailPoints.none()));

        String reason = "secret 'wandb_key' does not exist: create it with 'berth secret create wandb_key'";
        assertThat(store.reads().job(Intake.idFor(unknown)).orElseThrow().reason()).contains(reason);
        assertThat(queue.deadLetters()).containsOnly(Map.entry(unknown, reason));
        assertThat(store.reads().inStates(EnumSet.of(JobState.QUEUED))).extracting(job -> job.spec().secrets()).containsExactly(List.of("hf_token"), List.of());
        assertThat(queue.deleted()).hasSize(3);
        assertThat(swarm.secretListings()).as("one listing for the batch").isEqualTo(1);
    }

    @Test
    void aBatchNamingNoSecretListsNone()
    {
        queue.send(VALID);
        queue.send(VALID.replace("main", "dev"));

        receiveAndHandle(intake(FailPoints.none()));

        assertThat(swarm.secretListings()).isZero();
    }

    @Test
    void withTheEngineUnreachableARequestNamingSecretsIsStoredForItsPreparationToCheck()
    {
        swarm.failSecretListings(new EngineException("cannot reach the Docker engine", new IOException("refused")));
        queue.send(VALID.replace("}", ", \"secrets\": [\"wandb_key\"]}"));
        queue.send(VALID.replace("main", "dev").replace("}", ", \"secrets\": [\"hf_token\"]}"));

        receiveAndHandle(intake(FailPoints.none()));

        assertThat(store.reads().inStates(EnumSet.of(JobState.QUEUED))).hasSize(2);
        assertThat(queue.deleted()).hasSize(2);
        assertThat(swarm.secretListings()).as("the engine is asked once a batch, not once a message").isEqualTo(1);
    }

    @Test
    void aRedeliveryOfAJobStoredBeforeItsSecretWentIsNotRejected()
    {
        String id = queue.send(VALID.replace("}", ", \"secrets\": [\"hf_token\"]}"));
        Intake crashing = intake(FailPoints.at(FailPoints.AFTER_STORE, () -> {
            throw new IllegalStateException("crashed after storing");
        }));
        assertThatThrownBy(() -> receiveAndHandle(crashing)).hasMessage("crashed after storing");
        swarm.removeSecret("hf_token");

        queue.redeliverInFlight();
        receiveAndHandle(intake(FailPoints.none()));

        assertThat(store.reads().countByState()).containsEntry(JobState.QUEUED, 1).doesNotContainKey(JobState.REJECTED);
        assertThat(queue.deadLetters()).isEmpty();
        assertThat(queue.deleted()).containsExactly(id);
    }

    @Test
    void anEnvValueThatLooksLikeACredentialIsStillAccepted()
    {
        queue.send(VALID.replace("}", ", \"env\": {\"AWS_ACCESS_KEY_ID\": \"AKIAIOSFODNN7EXAMPLE\"}}"));

        receiveAndHandle(intake(FailPoints.none()));

        assertThat(store.reads().inStates(EnumSet.of(JobState.QUEUED))).singleElement()
                .satisfies(job -> assertThat(job.spec().env()).containsKey("AWS_ACCESS_KEY_ID"));
    }

    private double submitted()
    {
        return meters.get("berth.jobs.submitted").counter().count();
    }

    private void receiveAndHandle(Intake intake)
    {
        List<QueueMessage> messages = queue.receive(Duration.ZERO, Duration.ofSeconds(60));
        intake.handle(messages);
    }

    private Intake intake(FailPoints failPoints)
    {
        return new Intake(queue, store, new RequestParser(new RequestDefaults("img", 1, 1L << 30, 3)), swarm, () -> wakeups++, clock, clock,
                Duration.ofSeconds(1), Duration.ofSeconds(60), failPoints, new BerthMetrics(meters));
    }
}
