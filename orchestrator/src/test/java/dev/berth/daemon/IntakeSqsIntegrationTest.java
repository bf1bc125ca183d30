package dev.berth.daemon;

import dev.berth.job.JobState;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.metrics.BerthMetrics;
import dev.berth.queue.EmbeddedSqs;
import dev.berth.queue.QueueMessage;
import dev.berth.queue.SqsJobQueue;
import dev.berth.store.JobStore;
import dev.berth.store.StoreException;
import dev.berth.testing.FakeSwarm;
import dev.berth.time.Sleeper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Intake against the embedded SQS server through the AWS SDK, and a real SQLite file. */
class IntakeSqsIntegrationTest
{
    private static final String REQUEST = "{\"repo_uri\": \"github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\"}";

    @TempDir
    Path temp;

    private EmbeddedSqs sqs;
    private SqsJobQueue queue;
    private JobStore store;
    private final AtomicInteger wakeups = new AtomicInteger();
    private Intake intake;

    @BeforeEach
    void start()
            throws IOException
    {
        sqs = EmbeddedSqs.start(0, temp.resolve("sqs"));
        queue = new SqsJobQueue(sqs.endpoint());
        store = JobStore.open(temp.resolve("berth.db"));
        intake = new Intake(queue, store, new RequestParser(new RequestDefaults("img", 1, 1 << 30, 3)), new FakeSwarm(Clock.systemUTC()),
                wakeups::incrementAndGet,
                Clock.systemUTC(), Sleeper.system(), Duration.ofSeconds(1), Duration.ofSeconds(60), FailPoints.none(),
                new BerthMetrics(new SimpleMeterRegistry()));
    }

    @AfterEach
    void stop()
    {
        store.close();
        queue.close();
        sqs.close();
    }

    @Test
    void storesTheJobThenDeletesTheMessage()
    {
        String messageId = queue.send(REQUEST, "g", "d1");
        List<QueueMessage> received = receive(Duration.ofSeconds(1));

        intake.handle(received);

        assertThat(store.reads().job(Intake.idFor(messageId)).orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(wakeups).hasValue(1);
        // Visibility was 1 s: an undeleted message would be back by now.
        assertThat(queue.receive(Duration.ofSeconds(3), Duration.ofSeconds(30))).isEmpty();
    }

    @Test
    void aRedeliveredMessageIsStoredOnce()
    {
        queue.send(REQUEST, "g", "d1");
        List<QueueMessage> received = receive(Duration.ofSeconds(30));

        intake.handle(received);
        intake.handle(received);

        assertThat(store.reads().inStates(EnumSet.of(JobState.QUEUED))).hasSize(1);
        assertThat(wakeups).hasValue(1);
    }

    @Test
    void aMessageWhoseJobCannotBeStoredStaysOnTheQueue()
    {
        String messageId = queue.send(REQUEST, "g", "d1");
        List<QueueMessage> received = receive(Duration.ofSeconds(1));
        store.close();

        intake.handle(received);

        List<QueueMessage> again = await().atMost(Duration.ofSeconds(10))
                .until(() -> queue.receive(Duration.ofSeconds(1), Duration.ofSeconds(30)), messages -> !messages.isEmpty());
        assertThat(again).extracting(QueueMessage::messageId).containsExactly(messageId);
        assertThatThrownBy(() -> store.reads().job("x")).isInstanceOf(StoreException.class);
        store = JobStore.open(temp.resolve("berth.db"));
    }

    @Test
    void aJobIdReusedForADifferentRequestIsRejected()
    {
        queue.send("{\"job_id\": \"exp\", " + REQUEST.substring(1), "g", "d1");
        intake.handle(receive(Duration.ofSeconds(30)));
        String second = queue.send("{\"job_id\": \"exp\", " + REQUEST.substring(1).replace("run.sh", "other.sh"), "g", "d2");

        intake.handle(receive(Duration.ofSeconds(30)));

        assertThat(store.reads().job("exp").orElseThrow().spec().entrypoint()).isEqualTo("run.sh");
        assertThat(store.reads().job(Intake.idFor(second)).orElseThrow().reason().orElseThrow()).contains("job_id 'exp' is already used by a different request");
    }

    private List<QueueMessage> receive(Duration visibility)
    {
        return await().atMost(Duration.ofSeconds(10)).until(() -> queue.receive(Duration.ofSeconds(1), visibility), messages -> !messages.isEmpty());
    }
}
