package dev.berth.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.config.BerthConfig;
import dev.berth.job.InvalidRequestException;
import dev.berth.job.JobRequest;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.queue.QueueEndpoint;
import dev.berth.queue.QueueException;
import dev.berth.queue.SqsJobQueue;
import dev.berth.text.Sha256;
import software.amazon.awssdk.core.exception.SdkException;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Sends job requests to berth's queue, the one way into berth. Every request is first checked with
 * the parser the daemon uses, then by {@link SubmitChecks}, and nothing is sent unless all pass, so a
 * file of many requests is never half sent for a mistake in one.
 */
final class QueueSender
{
    private final BerthConfig config;
    private final SubmitChecks checks;

    QueueSender(BerthConfig config, SubmitChecks checks)
    {
        this.config = requireNonNull(config, "config is null");
        this.checks = requireNonNull(checks, "checks is null");
    }

    /**
     * Sends the requests, each given a random {@code job_id} if it has none; returns their job ids, in order.
     * @param file where the requests came from, named in a problem with one of several; empty for flags
     */
    List<String> send(List<ObjectNode> requests, Optional<String> file)
            throws JsonProcessingException
    {
        RequestParser parser = new RequestParser(RequestDefaults.of(config));
        List<SqsJobQueue.Outgoing> outgoing = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        // Whoever runs berth submit is the job's user unless the request names one; a login berth could not accept names no one
        Optional<String> login = Optional.ofNullable(System.getProperty("user.name")).filter(name -> JobRequest.userProblem(name).isEmpty());
        for (int i = 0; i < requests.size(); i++) {
            ObjectNode request = requests.get(i);
            if (!request.hasNonNull("job_id")) {
                request.put("job_id", randomId());
            }
            String text = JobViews.mapper().writeValueAsString(request);
            try {
                JobRequest parsed = parser.parse(text, request.path("job_id").asText());
                checks.check(parsed);
                ids.add(parsed.id());
            }
            catch (InvalidRequestException e) {
                boolean several = requests.size() > 1;
                throw new BerthCli.UserException("invalid request" + (several ? " " + (i + 1) + " of " + requests.size() + " in " + file.orElseThrow() : "")
                        + ": " + e.getMessage() + (several ? " (nothing was sent)" : ""));
            }
            // The same text is the same message: SQS drops a resend within its deduplication window
            outgoing.add(new SqsJobQueue.Outgoing(text, Sha256.hex(text), login));
        }

        QueueEndpoint endpoint = QueueEndpoint.forClient(config);
        try (SqsJobQueue queue = new SqsJobQueue(endpoint)) {
            queue.sendAll(outgoing, "berth-submit");
        }
        catch (SdkException | QueueException e) {
            throw new BerthCli.UserException("cannot send to the queue " + endpoint.queueUrl() + ": " + e.getMessage()
                    + (endpoint.embedded() ? " (the embedded queue runs inside 'berth serve': is it running?)" : ""));
        }
        return ids;
    }

    private static String randomId()
    {
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
