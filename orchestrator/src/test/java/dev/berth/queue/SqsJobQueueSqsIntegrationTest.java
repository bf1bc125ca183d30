package dev.berth.queue;

import dev.berth.config.BerthConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The job queue through the real AWS SDK against the embedded ElasticMQ server on loopback: batches,
 * deletes, visibility, the dead-letter copy and FIFO order, as SQS has them. An integration test
 * although the server runs in this JVM: its first start costs several seconds of CPU, and SQS's
 * visibility timeouts are whole seconds that the tests must wait out.
 */
class SqsJobQueueSqsIntegrationTest
{
    /** Long enough that nothing comes back by itself while a test looks. */
    private static final Duration HIDDEN = Duration.ofSeconds(60);
    private static final Duration NO_WAIT = Duration.ZERO;

    @TempDir
    Path temp;

    private EmbeddedSqs sqs;
    private SqsJobQueue queue;

    @BeforeEach
    void start()
            throws Exception
    {
        sqs = EmbeddedSqs.start(0, temp.resolve("sqs"));
        queue = new SqsJobQueue(sqs.endpoint());
    }

    @AfterEach
    void stop()
    {
        queue.close();
        sqs.close();
    }

    @Test
    void receivesAtMostTenAtATimeInTheOrderSentWithinAGroup()
    {
        List<String> bodies = IntStream.range(0, 25).mapToObj(i -> "{\"n\": " + i + "}").toList();
        List<String> ids = queue.sendAll(IntStream.range(0, 25).mapToObj(i -> new SqsJobQueue.Outgoing(bodies.get(i), "d" + i)).toList(), "group");
        assertThat(ids).hasSize(25).doesNotHaveDuplicates();

        List<Integer> batchSizes = new ArrayList<>();
        List<String> received = new ArrayList<>();
        List<String> receivedIds = new ArrayList<>();
        while (received.size() < bodies.size() && batchSizes.size() < 10) {
            List<QueueMessage> batch = queue.receive(Duration.ofSeconds(1), HIDDEN);
            batchSizes.add(batch.size());
            batch.forEach(message -> received.add(message.body()));
            batch.forEach(message -> receivedIds.add(message.messageId()));
            assertThat(queue.delete(batch)).isEmpty();
        }

        assertThat(batchSizes).allSatisfy(size -> assertThat(size).isBetween(1, 10)).first().isEqualTo(10);
        assertThat(received).containsExactlyElementsOf(bodies);
        assertThat(receivedIds).containsExactlyElementsOf(ids);
    }

    @Test
    void theSendersUserTravelsAsAMessageAttribute()
    {
        queue.sendAll(List.of(new SqsJobQueue.Outgoing("from ana", "d1", Optional.of("ana")), new SqsJobQueue.Outgoing("from no one", "d2")), "group");

        List<QueueMessage> batch = receiveAtLeast(2, Duration.ofSeconds(1));

        assertThat(batch).extracting(QueueMessage::body, QueueMessage::user)
                .containsExactly(tuple("from ana", Optional.of("ana")), tuple("from no one", Optional.empty()));
    }

    @Test
    void onlyTheDeletedMessagesAreGoneTheOthersComeBack()
    {
        // Three groups, so that no message waits behind another of its group.
        String first = queue.send("first", "a", "d1");
        String second = queue.send("second", "b", "d2");
        String third = queue.send("third", "c", "d3");
        List<QueueMessage> batch = receiveAtLeast(3, Duration.ofSeconds(1));
        assertThat(batch).extracting(QueueMessage::messageId).containsExactlyInAnyOrder(first, second, third);

        List<QueueMessage> handled = batch.stream().filter(message -> !message.messageId().equals(third)).toList();
        assertThat(queue.delete(handled)).isEmpty();

        List<QueueMessage> back = receiveAtLeast(1, HIDDEN);
        assertThat(back).extracting(QueueMessage::messageId).containsExactly(third);
        assertThat(back).extracting(QueueMessage::body).containsExactly("third");
        assertThat(queue.delete(List.of())).isEmpty();
    }

    @Test
    void aMessageTheQueueCouldNotDeleteIsNamedInTheAnswer()
    {
        String kept = queue.send("kept", "a", "d1");
        String gone = queue.send("gone", "b", "d2");
        List<QueueMessage> batch = receiveAtLeast(2, HIDDEN);
        QueueMessage toDelete = batch.stream().filter(message -> message.messageId().equals(gone)).findFirst().orElseThrow();
        QueueMessage keptMessage = batch.stream().filter(message -> message.messageId().equals(kept)).findFirst().orElseThrow();
        QueueMessage badHandle = new QueueMessage(kept, "not-a-receipt-handle", "kept");

        List<String> undeleted = queue.delete(List.of(toDelete, badHandle));

        assertThat(undeleted).containsExactly(kept);
        queue.extendVisibility(List.of(keptMessage), Duration.ZERO);
        assertThat(receiveAtLeast(1, HIDDEN)).extracting(QueueMessage::messageId).as("still on the queue").containsExactly(kept);
    }

    @Test
    void extendedVisibilityKeepsAMessageHiddenPastItsFirstTimeout()
    {
        String id = queue.send("slow to store", "a", "d1");
        List<QueueMessage> batch = receiveAtLeast(1, Duration.ofSeconds(1));

        queue.extendVisibility(batch, HIDDEN);

        // Waits past the first visibility timeout of one second
        assertThat(queue.receive(Duration.ofSeconds(2), HIDDEN)).isEmpty();
        queue.extendVisibility(batch, Duration.ZERO);
        assertThat(receiveAtLeast(1, HIDDEN)).extracting(QueueMessage::messageId).containsExactly(id);
        queue.extendVisibility(List.of(), HIDDEN);
    }

    @Test
    void theDeadLetterCopyKeepsTheBodyAsSentAndCarriesTheReason()
    {
        String body = "{\"job_id\": \"x\",\n \"note\": \"quotes \\\" and \u65e5\u672c and tabs\t\"}  ";
        String messageId = queue.send(body, "a", "d1");
        QueueMessage message = receiveAtLeast(1, HIDDEN).get(0);

        queue.sendToDeadLetter(message, "unknown field 'note'");
        // A redelivered message rejected again is one copy, not two
        queue.sendToDeadLetter(message, "unknown field 'note'");

        List<Message> deadLetters = receiveDeadLetters(1);
        assertThat(deadLetters).singleElement().satisfies(copy -> {
            assertThat(copy.body()).isEqualTo(body);
            assertThat(copy.messageAttributes()).containsOnlyKeys("berth-reason", "berth-message-id");
            assertThat(copy.messageAttributes().get("berth-reason").stringValue()).isEqualTo("unknown field 'note'");
            assertThat(copy.messageAttributes().get("berth-message-id").stringValue()).isEqualTo(messageId);
        });

        String longReason = "r".repeat(1500);
        String other = queue.send("too long a story", "b", "d2");
        queue.sendToDeadLetter(receiveAtLeast(1, HIDDEN).get(0), longReason);
        assertThat(receiveDeadLetters(1)).singleElement().satisfies(copy -> {
            assertThat(copy.messageAttributes().get("berth-message-id").stringValue()).isEqualTo(other);
            assertThat(copy.messageAttributes().get("berth-reason").stringValue()).isEqualTo(longReason.substring(0, 1000));
        });
    }

    @Test
    void aClientFindsTheEmbeddedQueueThroughTheStateDir()
            throws Exception
    {
        Path stateDir = temp.resolve("state");
        BerthConfig client = BerthConfig.load(Map.of("BERTH_STATE_DIR", stateDir.toString()));

        sqs.endpoint().recordEmbedded(stateDir);
        QueueEndpoint found = QueueEndpoint.forClient(client);

        assertThat(found).isEqualTo(sqs.endpoint());
        try (SqsJobQueue fromClient = new SqsJobQueue(found)) {
            String id = fromClient.send("from the cli", "cli", "d1");
            assertThat(receiveAtLeast(1, HIDDEN)).extracting(QueueMessage::messageId).containsExactly(id);
        }
    }

    private List<QueueMessage> receiveAtLeast(int count, Duration visibility)
    {
        List<QueueMessage> received = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            received.addAll(queue.receive(NO_WAIT, visibility));
            return received.size() >= count;
        });
        return received;
    }

    private List<Message> receiveDeadLetters(int count)
    {
        try (SqsClient client = SqsClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(sqs.endpoint().region()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .endpointOverride(sqs.endpoint().endpoint().orElseThrow())
                .build()) {
            List<Message> received = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                List<Message> batch = client.receiveMessage(request -> request.queueUrl(sqs.endpoint().deadLetterQueueUrl())
                        .maxNumberOfMessages(10).waitTimeSeconds(1).visibilityTimeout(60).messageAttributeNames("All")).messages();
                received.addAll(batch);
                batch.forEach(message -> client.deleteMessage(request -> request.queueUrl(sqs.endpoint().deadLetterQueueUrl())
                        .receiptHandle(message.receiptHandle())));
                return received.size() >= count;
            });
            // Nothing more behind them
            assertThat(client.receiveMessage(request -> request.queueUrl(sqs.endpoint().deadLetterQueueUrl())
                    .maxNumberOfMessages(10).waitTimeSeconds(1)).messages()).isEmpty();
            return received;
        }
    }
}
