package dev.berth.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigException;
import dev.berth.rundir.AtomicFiles;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Where the job queue and its dead-letter queue are. From config when {@code BERTH_QUEUE_URL} is
 * set; otherwise the embedded queue that {@code berth serve} started and recorded in the state dir.
 *
 * @param endpoint an endpoint override (the embedded queue, or any SQS-compatible server); empty for AWS itself
 * @param embedded whether berth's own embedded server answers here (it takes any credentials)
 */
public record QueueEndpoint(String queueUrl, String deadLetterQueueUrl, String region, Optional<URI> endpoint, boolean embedded)
{
    private static final String FILE = "embedded-queue.json";

    public QueueEndpoint
    {
        requireNonNull(queueUrl, "queueUrl is null");
        requireNonNull(deadLetterQueueUrl, "deadLetterQueueUrl is null");
        requireNonNull(region, "region is null");
        requireNonNull(endpoint, "endpoint is null");
    }

    /** The configured queue, if any. The dead-letter queue defaults to the queue's name with {@code -dlq} before {@code .fifo}. */
    public static Optional<QueueEndpoint> configured(BerthConfig config)
    {
        return config.queueUrl().map(url -> new QueueEndpoint(
                url,
                config.deadLetterQueueUrl().orElseGet(() -> url.endsWith(".fifo") ? url.substring(0, url.length() - 5) + "-dlq.fifo" : url + "-dlq"),
                config.sqsRegion(),
                config.sqsEndpoint().map(URI::create),
                false));
    }

    /** The configured queue, else the embedded one a running {@code berth serve} recorded. */
    public static QueueEndpoint forClient(BerthConfig config)
    {
        return configured(config).or(() -> readEmbedded(config.stateDir())).orElseThrow(() -> new ConfigException(
                "no queue configured: set BERTH_QUEUE_URL, or start 'berth serve' (with no queue configured it runs an embedded one)"));
    }

    public void recordEmbedded(Path stateDir)
            throws IOException
    {
        Map<String, String> content = new LinkedHashMap<>();
        content.put("queue_url", queueUrl);
        content.put("dead_letter_queue_url", deadLetterQueueUrl);
        content.put("region", region);
        content.put("endpoint", endpoint.orElseThrow().toString());
        Files.createDirectories(stateDir);
        AtomicFiles.write(stateDir.resolve(FILE), new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(content));
    }

    public static void forgetEmbedded(Path stateDir)
            throws IOException
    {
        Files.deleteIfExists(stateDir.resolve(FILE));
    }

    private static Optional<QueueEndpoint> readEmbedded(Path stateDir)
    {
        Path file = stateDir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonNode node = new ObjectMapper().readTree(file.toFile());
            return Optional.of(new QueueEndpoint(
                    node.path("queue_url").asText(),
                    node.path("dead_letter_queue_url").asText(),
                    node.path("region").asText(),
                    Optional.of(URI.create(node.path("endpoint").asText())),
                    true));
        }
        catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
