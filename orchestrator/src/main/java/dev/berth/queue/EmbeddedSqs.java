package dev.berth.queue;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.pattern.Patterns;
import org.elasticmq.NodeAddress;
import org.elasticmq.actor.QueueManagerActor;
import org.elasticmq.actor.queue.QueueEvent;
import org.elasticmq.persistence.CreateQueueMetadata;
import org.elasticmq.persistence.sql.SqlQueuePersistenceActor;
import org.elasticmq.persistence.sql.SqlQueuePersistenceConfig;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.elasticmq.util.NowProvider;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;
import scala.util.Left;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.util.Objects.requireNonNull;

/**
 * An SQS-compatible server (ElasticMQ) on 127.0.0.1, with berth's FIFO queue and dead-letter
 * queue, for running berth without AWS. It keeps its queues and messages in the state dir, so a
 * message it accepted survives a crash of {@code berth serve}; it is for one machine, not a fleet.
 */
public final class EmbeddedSqs
        implements AutoCloseable
{
    public static final String QUEUE_NAME = "berth-jobs.fifo";
    public static final String DEAD_LETTER_QUEUE_NAME = "berth-jobs-dlq.fifo";
    private static final String REGION = "elasticmq";
    private static final Duration RESTORE_TIMEOUT = Duration.ofSeconds(60);

    private final ActorSystem actors;
    private final SQSRestServer server;
    private final EmbeddedQueueStore store;
    private final QueueEndpoint endpoint;

    private EmbeddedSqs(ActorSystem actors, SQSRestServer server, EmbeddedQueueStore store, QueueEndpoint endpoint)
    {
        this.actors = requireNonNull(actors, "actors is null");
        this.server = requireNonNull(server, "server is null");
        this.store = requireNonNull(store, "store is null");
        this.endpoint = requireNonNull(endpoint, "endpoint is null");
    }

    /**
     * Starts on {@code port}, with the queues and messages kept in {@code stateDir}. With port 0, on the
     * port it had when it last ran on this state dir if that is free (so a client that has its URL
     * keeps working across a restart), else on any free port.
     */
    public static EmbeddedSqs start(int port, Path stateDir)
            throws IOException
    {
        EmbeddedQueueStore store = EmbeddedQueueStore.open(stateDir);
        ActorSystem actors = null;
        try {
            int chosen = port != 0 ? port : store.lastPort().stream().filter(EmbeddedSqs::free).findFirst().orElseGet(EmbeddedSqs::freePort);
            ClassLoader classLoader = EmbeddedSqs.class.getClassLoader();
            actors = ActorSystem.create("elasticmq", ConfigFactory.load(classLoader), classLoader, store.executionContext());
            SqlQueuePersistenceConfig persistence = store.persistence();
            List<CreateQueueMetadata> noBaseQueues = List.of();
            ActorRef storage = actors.actorOf(Props.create(SqlQueuePersistenceActor.class,
                    () -> new SqlQueuePersistenceActor(persistence, CollectionConverters.asScala(noBaseQueues).toList())));
            ActorRef queues = actors.actorOf(Props.create(QueueManagerActor.class,
                    () -> new QueueManagerActor(new NowProvider(), SQSRestServerBuilder.sqsLimits(), Option.apply(storage))));
            // Before the server answers, so that no client ever sees the queue without the messages it had
            restore(storage, queues, store);
            SQSRestServer server = startServer(actors, queues, storage, chosen);
            try {
                QueueEndpoint endpoint = ensureQueues(URI.create("http://127.0.0.1:" + chosen));
                store.recordPort(chosen);
                return new EmbeddedSqs(actors, server, store, endpoint);
            }
            catch (IOException | RuntimeException e) {
                server.stopAndWait();
                throw e;
            }
        }
        catch (IOException | RuntimeException e) {
            if (actors != null) {
                terminate(actors);
            }
            store.close();
            throw e;
        }
    }

    public QueueEndpoint endpoint()
    {
        return endpoint;
    }

    /** Brings back the queues and their messages from the store: none on a first start. */
    private static void restore(ActorRef storage, ActorRef queues, EmbeddedQueueStore store)
    {
        Object result;
        try {
            result = Patterns.ask(storage, new QueueEvent.Restore(queues), RESTORE_TIMEOUT).toCompletableFuture()
                    .get(RESTORE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restoring the embedded queue from " + store.dir(), e);
        }
        catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot restore the embedded queue from " + store.dir() + " (see the log above); move that directory "
                    + "aside to start with an empty queue", e);
        }
        if (result instanceof Left<?, ?> errors) {
            throw new IllegalStateException("cannot restore the embedded queue from " + store.dir() + ": " + errors.value());
        }
    }

    private static SQSRestServer startServer(ActorSystem actors, ActorRef queues, ActorRef storage, int port)
    {
        SQSRestServer server = SQSRestServerBuilder
                .withActorSystem(actors)
                .withQueueManagerActor(queues)
                .withQueueEventListener(storage)
                .withInterface("127.0.0.1")
                .withPort(port)
                .withServerAddress(new NodeAddress("http", "127.0.0.1", port, ""))
                .withAWSRegion(REGION)
                .start();
        try {
            server.waitUntilStarted();
            return server;
        }
        catch (RuntimeException e) {
            server.stopAndWait();
            throw new IllegalStateException("cannot start the embedded queue on 127.0.0.1:" + port + " (" + e.getMessage()
                    + "); is the port taken? Choose another with --queue-port, or 0 for any free port", e);
        }
    }

    /** berth's two queues: restored ones as they were, created on a first start. */
    private static QueueEndpoint ensureQueues(URI uri)
    {
        try (SqsClient sqs = SqsClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("berth", "berth")))
                .endpointOverride(uri)
                .build()) {
            String deadLetterUrl = existing(sqs, DEAD_LETTER_QUEUE_NAME).orElseGet(() -> sqs.createQueue(request -> request.queueName(DEAD_LETTER_QUEUE_NAME)
                    .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl());
            String queueUrl = existing(sqs, QUEUE_NAME).orElseGet(() -> {
                String deadLetterArn = sqs.getQueueAttributes(request -> request.queueUrl(deadLetterUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                        .attributes().get(QueueAttributeName.QUEUE_ARN);
                return sqs.createQueue(request -> request.queueName(QUEUE_NAME).attributes(Map.of(
                        QueueAttributeName.FIFO_QUEUE, "true",
                        QueueAttributeName.REDRIVE_POLICY, "{\"maxReceiveCount\":\"5\",\"deadLetterTargetArn\":\"" + deadLetterArn + "\"}"))).queueUrl();
            });
            return new QueueEndpoint(queueUrl, deadLetterUrl, REGION, Optional.of(uri), true);
        }
    }

    private static Optional<String> existing(SqsClient sqs, String name)
    {
        return sqs.listQueues(request -> request.queueNamePrefix(name)).queueUrls().stream().filter(url -> url.endsWith("/" + name)).findFirst();
    }

    private static boolean free(int port)
    {
        try (ServerSocket ignored = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }

    private static int freePort()
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException("no free port for the embedded queue", e);
        }
    }

    private static void terminate(ActorSystem actors)
    {
        actors.terminate();
        try {
            actors.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        catch (ExecutionException | TimeoutException e) {
            // stopping anyway, as a crash would: a delete not yet written brings its message back, which intake knows as a redelivery
        }
    }

    @Override
    public void close()
    {
        server.stopAndWait();
        terminate(actors);
        store.close();
    }
}
