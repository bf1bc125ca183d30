package dev.berth.queue;

import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * An SQS-compatible server (ElasticMQ) on 127.0.0.1, with berth's FIFO queue and dead-letter
 * queue, for running berth without AWS. Messages live in memory: it is for one machine, not a fleet.
 */
public final class EmbeddedSqs
        implements AutoCloseable
{
    public static final String QUEUE_NAME = "berth-jobs.fifo";
    public static final String DEAD_LETTER_QUEUE_NAME = "berth-jobs-dlq.fifo";
    private static final String REGION = "elasticmq";

    private final SQSRestServer server;
    private final QueueEndpoint endpoint;

    private EmbeddedSqs(SQSRestServer server, QueueEndpoint endpoint)
    {
        this.server = server;
        this.endpoint = endpoint;
    }

    /** Starts on {@code port}, or on a free port when it is 0. */
    public static EmbeddedSqs start(int port)
    {
        int chosen = port == 0 ? freePort() : port;
        SQSRestServer server = SQSRestServerBuilder
                .withInterface("127.0.0.1")
                .withPort(chosen)
                .withServerAddress(new NodeAddress("http", "127.0.0.1", chosen, ""))
                .withAWSRegion(REGION)
                .start();
        try {
            server.waitUntilStarted();
        }
        catch (RuntimeException e) {
            server.stopAndWait();
            throw new IllegalStateException("cannot start the embedded queue on 127.0.0.1:" + chosen + " (" + e.getMessage()
                    + "); is the port taken? Choose another with --queue-port, or 0 for any free port", e);
        }
        URI uri = URI.create("http://127.0.0.1:" + chosen);
        try (SqsClient sqs = SqsClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("berth", "berth")))
                .endpointOverride(uri)
                .build()) {
            String deadLetterUrl = sqs.createQueue(request -> request.queueName(DEAD_LETTER_QUEUE_NAME)
                    .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
            String deadLetterArn = sqs.getQueueAttributes(request -> request.queueUrl(deadLetterUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes().get(QueueAttributeName.QUEUE_ARN);
            String queueUrl = sqs.createQueue(request -> request.queueName(QUEUE_NAME).attributes(Map.of(
                    QueueAttributeName.FIFO_QUEUE, "true",
                    QueueAttributeName.REDRIVE_POLICY, "{\"maxReceiveCount\":\"5\",\"deadLetterTargetArn\":\"" + deadLetterArn + "\"}"))).queueUrl();
            return new EmbeddedSqs(server, new QueueEndpoint(queueUrl, deadLetterUrl, REGION, Optional.of(uri), true));
        }
        catch (RuntimeException e) {
            server.stopAndWait();
            throw e;
        }
    }

    public QueueEndpoint endpoint()
    {
        return endpoint;
    }

    private static int freePort()
    {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException("no free port for the embedded queue", e);
        }
    }

    @Override
    public void close()
    {
        server.stopAndWait();
    }
}
