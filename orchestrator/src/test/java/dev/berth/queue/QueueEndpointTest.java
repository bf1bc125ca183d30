package dev.berth.queue;

import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How the CLI finds the queue: the configured one, else the embedded one {@code berth serve} recorded in the state dir. */
class QueueEndpointTest
{
    private static final QueueEndpoint EMBEDDED = new QueueEndpoint(
            "http://127.0.0.1:41234/000000000000/berth-jobs.fifo",
            "http://127.0.0.1:41234/000000000000/berth-jobs-dlq.fifo",
            "elasticmq",
            Optional.of(URI.create("http://127.0.0.1:41234")),
            true);

    @TempDir
    Path stateDir;

    @Test
    void theRecordedEmbeddedQueueIsFoundUntilItIsForgotten()
            throws IOException
    {
        BerthConfig client = BerthConfig.load(Map.of("BERTH_STATE_DIR", stateDir.toString()));

        EMBEDDED.recordEmbedded(stateDir);

        assertThat(QueueEndpoint.forClient(client)).isEqualTo(EMBEDDED);

        QueueEndpoint.forgetEmbedded(stateDir);

        assertThat(stateDir).isEmptyDirectory();
        assertThatThrownBy(() -> QueueEndpoint.forClient(client))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("no queue configured: set BERTH_QUEUE_URL, or start 'berth serve'");
        QueueEndpoint.forgetEmbedded(stateDir);
    }

    @Test
    void recordingCreatesTheStateDir()
            throws IOException
    {
        Path notYet = stateDir.resolve("not").resolve("yet");

        EMBEDDED.recordEmbedded(notYet);

        assertThat(QueueEndpoint.forClient(BerthConfig.load(Map.of("BERTH_STATE_DIR", notYet.toString())))).isEqualTo(EMBEDDED);
    }

    @Test
    void aConfiguredQueueWinsOverARecordedOneAndNamesItsDeadLetterQueue()
            throws IOException
    {
        EMBEDDED.recordEmbedded(stateDir);
        BerthConfig config = BerthConfig.load(Map.of(
                "BERTH_STATE_DIR", stateDir.toString(),
                "BERTH_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs.fifo",
                "BERTH_SQS_REGION", "eu-west-1"));

        QueueEndpoint configured = QueueEndpoint.forClient(config);

        assertThat(configured).isEqualTo(new QueueEndpoint(
                "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs.fifo",
                "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs-dlq.fifo",
                "eu-west-1",
                Optional.empty(),
                false));
        assertThat(QueueEndpoint.configured(BerthConfig.load(Map.of(
                "BERTH_STATE_DIR", stateDir.toString(),
                "BERTH_QUEUE_URL", "http://localhost:9324/queue/jobs",
                "BERTH_DLQ_URL", "http://localhost:9324/queue/rejected",
                "BERTH_SQS_ENDPOINT", "http://localhost:9324"))))
                .hasValueSatisfying(endpoint -> {
                    assertThat(endpoint.deadLetterQueueUrl()).isEqualTo("http://localhost:9324/queue/rejected");
                    assertThat(endpoint.endpoint()).contains(URI.create("http://localhost:9324"));
                });
    }

    @Test
    void anUnreadableRecordNamesItsFile()
            throws IOException
    {
        Path file = Files.writeString(stateDir.resolve("embedded-queue.json"), "{ not json");

        assertThatThrownBy(() -> QueueEndpoint.forClient(BerthConfig.load(Map.of("BERTH_STATE_DIR", stateDir.toString()))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cannot read " + file);
    }
}
