package dev.berth.queue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The embedded queue keeps its queues and messages in the state dir, one store per state dir. */
class EmbeddedSqsTest
{
    @TempDir
    Path temp;

    @Test
    void messagesAndTheirQueuesSurviveARestartOnTheSamePort()
            throws Exception
    {
        Path stateDir = temp.resolve("state");
        QueueEndpoint first;
        try (EmbeddedSqs sqs = EmbeddedSqs.start(0, stateDir);
                SqsJobQueue queue = new SqsJobQueue(sqs.endpoint())) {
            first = sqs.endpoint();
            queue.sendAll(List.of(new SqsJobQueue.Outgoing("one", "1"), new SqsJobQueue.Outgoing("two", "2"), new SqsJobQueue.Outgoing("three", "3")), "g");
            List<QueueMessage> taken = queue.receive(Duration.ofSeconds(1), Duration.ofSeconds(1));
            assertThat(taken).extracting(QueueMessage::body).containsExactly("one", "two", "three");
            assertThat(queue.delete(taken.subList(0, 1))).as("not deleted").isEmpty();
        }

        try (EmbeddedSqs sqs = EmbeddedSqs.start(0, stateDir);
                SqsJobQueue queue = new SqsJobQueue(sqs.endpoint())) {
            assertThat(sqs.endpoint()).as("back where clients had it").isEqualTo(first);
            // The two not deleted come back once the visibility they were taken with has passed, as they would have without the restart
            List<QueueMessage> again = await().atMost(Duration.ofSeconds(10))
                    .until(() -> queue.receive(Duration.ofSeconds(1), Duration.ofSeconds(60)), messages -> !messages.isEmpty());
            // In any order: ElasticMQ's storage keeps when a message may next be delivered, not its place among
            // those sent in the same millisecond
            assertThat(again).extracting(QueueMessage::body).containsExactlyInAnyOrder("two", "three");
        }
    }

    @Test
    void theStoreIsReadableByItsOwnerOnly()
            throws Exception
    {
        Path stateDir = temp.resolve("state");
        try (EmbeddedSqs sqs = EmbeddedSqs.start(0, stateDir);
                SqsJobQueue queue = new SqsJobQueue(sqs.endpoint())) {
            queue.send("secret", "g", UUID.randomUUID().toString());
        }
        Path store = stateDir.resolve("embedded-queue");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store))).isEqualTo("rwx------");
        try (Stream<Path> files = Files.list(store)) {
            assertThat(files.filter(file -> file.getFileName().toString().endsWith(".mv.db")))
                    .singleElement()
                    .satisfies(file -> assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------"));
        }
    }

    @Test
    void twoEmbeddedQueuesInOneProcessKeepTheirOwnMessages()
            throws Exception
    {
        try (EmbeddedSqs first = EmbeddedSqs.start(0, temp.resolve("first"));
                SqsJobQueue firstQueue = new SqsJobQueue(first.endpoint())) {
            try (EmbeddedSqs second = EmbeddedSqs.start(0, temp.resolve("second"));
                    SqsJobQueue secondQueue = new SqsJobQueue(second.endpoint())) {
                firstQueue.send("for the first", "g", "1");
                secondQueue.send("for the second", "g", "2");
            }
            // The first keeps writing to its own store after the second has closed its own
            firstQueue.send("first again", "g", "3");
        }

        try (EmbeddedSqs first = EmbeddedSqs.start(0, temp.resolve("first"));
                SqsJobQueue queue = new SqsJobQueue(first.endpoint())) {
            assertThat(queue.receive(Duration.ofSeconds(1), Duration.ofSeconds(60))).extracting(QueueMessage::body)
                    .containsExactly("for the first", "first again");
        }
        try (EmbeddedSqs second = EmbeddedSqs.start(0, temp.resolve("second"));
                SqsJobQueue queue = new SqsJobQueue(second.endpoint())) {
            assertThat(queue.receive(Duration.ofSeconds(1), Duration.ofSeconds(60))).extracting(QueueMessage::body)
                    .containsExactly("for the second");
        }
    }
}
