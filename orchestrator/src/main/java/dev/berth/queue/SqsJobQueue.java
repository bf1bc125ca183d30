package dev.berth.queue;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResultEntry;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * The job queue: an SQS FIFO queue and its dead-letter queue, through the AWS SDK. A message is
 * deleted only by the caller, after its job is stored, so a crash in between redelivers it.
 */
public final class SqsJobQueue
        implements JobQueue, AutoCloseable
{
    private static final int MAX_BATCH_BYTES = 256 * 1024;

    private final SqsClient sqs;
    private final QueueEndpoint endpoint;

    public SqsJobQueue(QueueEndpoint endpoint)
    {
        this.endpoint = requireNonNull(endpoint, "endpoint is null");
        SqsClientBuilder builder = SqsClient.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(30)).connectionTimeout(Duration.ofSeconds(5)))
                .region(Region.of(endpoint.region()))
                .credentialsProvider(endpoint.embedded()
                        ? StaticCredentialsProvider.create(AwsBasicCredentials.create("berth", "berth"))
                        : DefaultCredentialsProvider.builder().build());
        endpoint.endpoint().ifPresent(builder::endpointOverride);
        this.sqs = builder.build();
    }

    public QueueEndpoint endpoint()
    {
        return endpoint;
    }

    @Override
    public String describe()
    {
        return endpoint.queueUrl();
    }

    @Override
    public List<QueueMessage> receive(Duration wait, Duration visibility)
    {
        List<Message> messages = sqs.receiveMessage(request -> request
                .queueUrl(endpoint.queueUrl())
                .maxNumberOfMessages(10)
                .waitTimeSeconds((int) wait.toSeconds())
                .visibilityTimeout((int) visibility.toSeconds())
                .messageAttributeNames(QueueMessage.USER_ATTRIBUTE)).messages();
        List<QueueMessage> received = new ArrayList<>(messages.size());
        for (Message message : messages) {
            Optional<String> user = Optional.ofNullable(message.messageAttributes().get(QueueMessage.USER_ATTRIBUTE)).map(MessageAttributeValue::stringValue);
            received.add(new QueueMessage(message.messageId(), message.receiptHandle(), message.body(), user));
        }
        return received;
    }

    @Override
    public List<String> delete(List<QueueMessage> messages)
    {
        if (messages.isEmpty()) {
            return List.of();
        }
        List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            entries.add(DeleteMessageBatchRequestEntry.builder().id(String.valueOf(i)).receiptHandle(messages.get(i).receiptHandle()).build());
        }
        DeleteMessageBatchResponse response = sqs.deleteMessageBatch(request -> request.queueUrl(endpoint.queueUrl()).entries(entries));
        return response.failed().stream().map(failure -> messages.get(Integer.parseInt(failure.id())).messageId()).toList();
    }

    @Override
    public void extendVisibility(List<QueueMessage> messages, Duration visibility)
    {
        if (messages.isEmpty()) {
            return;
        }
        List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            entries.add(ChangeMessageVisibilityBatchRequestEntry.builder()
                    .id(String.valueOf(i))
                    .receiptHandle(messages.get(i).receiptHandle())
                    .visibilityTimeout((int) visibility.toSeconds())
                    .build());
        }
        sqs.changeMessageVisibilityBatch(request -> request.queueUrl(endpoint.queueUrl()).entries(entries));
    }

    @Override
    public void sendToDeadLetter(QueueMessage message, String reason)
    {
        sqs.sendMessage(request -> request
                .queueUrl(endpoint.deadLetterQueueUrl())
                .messageBody(message.body())
                .messageGroupId("rejected")
                .messageDeduplicationId(message.messageId())
                .messageAttributes(Map.of(
                        "berth-reason", MessageAttributeValue.builder().dataType("String").stringValue(truncate(reason, 1000)).build(),
                        "berth-message-id", MessageAttributeValue.builder().dataType("String").stringValue(message.messageId()).build())));
    }

    /** Sends a request; {@code deduplicationId} makes a resend within SQS's five-minute window a no-op. */
    public String send(String body, String groupId, String deduplicationId)
    {
        return sqs.sendMessage(request -> request
                .queueUrl(endpoint.queueUrl())
                .messageBody(body)
                .messageGroupId(groupId)
                .messageDeduplicationId(deduplicationId)).messageId();
    }

    /**
     * Sends requests in order, as few calls as SQS allows (ten messages and 256 KiB per batch), and
     * returns their message ids. Throws if SQS refused any of them, naming which.
     */
    public List<String> sendAll(List<Outgoing> messages, String groupId)
    {
        List<String> ids = new ArrayList<>();
        List<SendMessageBatchRequestEntry> batch = new ArrayList<>();
        int batchBytes = 0;
        for (Outgoing message : messages) {
            int bytes = message.body().getBytes(StandardCharsets.UTF_8).length;
            if (!batch.isEmpty() && (batch.size() == 10 || batchBytes + bytes > MAX_BATCH_BYTES)) {
                ids.addAll(sendBatch(batch));
                batch.clear();
                batchBytes = 0;
            }
            batch.add(SendMessageBatchRequestEntry.builder()
                    .id(Integer.toString(ids.size() + batch.size()))
                    .messageBody(message.body())
                    .messageGroupId(groupId)
                    .messageDeduplicationId(message.deduplicationId())
                    .messageAttributes(message.user().map(user -> Map.of(QueueMessage.USER_ATTRIBUTE,
                            MessageAttributeValue.builder().dataType("String").stringValue(user).build())).orElse(Map.of()))
                    .build());
            batchBytes += bytes;
        }
        if (!batch.isEmpty()) {
            ids.addAll(sendBatch(batch));
        }
        return ids;
    }

    private List<String> sendBatch(List<SendMessageBatchRequestEntry> entries)
    {
        SendMessageBatchResponse response = sqs.sendMessageBatch(request -> request.queueUrl(endpoint.queueUrl()).entries(entries));
        if (!response.failed().isEmpty()) {
            BatchResultErrorEntry failed = response.failed().get(0);
            throw new QueueException("the queue refused request " + (Integer.parseInt(failed.id()) + 1) + ": " + failed.message()
                    + (response.failed().size() > 1 ? " (and " + (response.failed().size() - 1) + " more in the same batch)" : ""));
        }
        Map<String, String> byEntry = response.successful().stream()
                .collect(Collectors.toMap(SendMessageBatchResultEntry::id, SendMessageBatchResultEntry::messageId));
        return entries.stream().map(entry -> byEntry.get(entry.id())).toList();
    }

    /**
     * A request to send, with the id that makes a resend within SQS's five-minute window a no-op, and
     * the user who sends it (the job's user unless the request names one).
     */
    public record Outgoing(String body, String deduplicationId, Optional<String> user)
    {
        public Outgoing
        {
            requireNonNull(body, "body is null");
            requireNonNull(deduplicationId, "deduplicationId is null");
            requireNonNull(user, "user is null");
        }

        public Outgoing(String body, String deduplicationId)
        {
            this(body, deduplicationId, Optional.empty());
        }
    }

    private static String truncate(String text, int length)
    {
        return text.length() <= length ? text : text.substring(0, length);
    }

    @Override
    public void close()
    {
        sqs.close();
    }
}
