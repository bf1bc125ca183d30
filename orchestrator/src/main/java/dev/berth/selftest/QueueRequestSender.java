package dev.berth.selftest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.job.InvalidRequestException;
import dev.berth.job.RequestParser;
import dev.berth.queue.SqsJobQueue;
import dev.berth.text.Sha256;

import java.io.IOException;

import static java.util.Objects.requireNonNull;

/**
 * The daemon's way to send a self-test: checked by the parser intake uses, then into the daemon's
 * own queue, so a self-test started over HTTP arrives as every job does.
 */
public final class QueueRequestSender
        implements RequestSender
{
    private static final String GROUP = "berth-selftest";

    private final ObjectMapper mapper = new ObjectMapper();
    private final RequestParser parser;
    private final SqsJobQueue queue;

    public QueueRequestSender(RequestParser parser, SqsJobQueue queue)
    {
        this.parser = requireNonNull(parser, "parser is null");
        this.queue = requireNonNull(queue, "queue is null");
    }

    @Override
    public String send(ObjectNode request)
            throws IOException, InvalidRequestException
    {
        String text = mapper.writeValueAsString(request);
        String id = parser.parse(text, request.path("job_id").asText()).id();
        // The same text is the same message: SQS drops a resend within its deduplication window
        queue.send(text, GROUP, Sha256.hex(text));
        return id;
    }
}
