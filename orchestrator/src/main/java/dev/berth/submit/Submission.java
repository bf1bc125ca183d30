package dev.berth.submit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.job.EnvCredentials;
import dev.berth.job.InvalidRequestException;
import dev.berth.job.JobRequest;
import dev.berth.job.RequestParser;
import dev.berth.job.RequestProblem;
import dev.berth.job.SecretNames;
import dev.berth.queue.JobQueue;
import dev.berth.text.Sha256;

import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * How a job request goes into berth, for {@code berth submit} and the HTTP API alike. Each request is
 * given a random {@code job_id} when it has none, so its sender knows the id before the daemon stores
 * it; it is checked with the parser the daemon uses and against the secrets Swarm holds; then it is
 * sent to the job queue, the one way in. A sender checks every request of a batch before it sends any.
 */
public final class Submission
{
    /** The message group of every submitted request, so the queue keeps them in the order they were sent, from wherever. */
    private static final String GROUP = "berth-submit";

    private final ObjectMapper mapper = new ObjectMapper();
    private final RequestParser parser;
    private final Supplier<Optional<Set<String>>> existingSecrets;

    /**
     * @param existingSecrets the names of the secrets Swarm holds, asked only for a request that names any;
     * empty when the engine cannot say, which leaves the check to the daemon's intake
     */
    public Submission(RequestParser parser, Supplier<Optional<Set<String>>> existingSecrets)
    {
        this.parser = requireNonNull(parser, "parser is null");
        this.existingSecrets = requireNonNull(existingSecrets, "existingSecrets is null");
    }

    /**
     * Checks one request, adding a random {@code job_id} to it when it has none.
     *
     * @param sender who sends it, a name berth accepts as a user: the job's user unless the request names one
     * @param warnings told of each env value that looks like a credential, naming its key, never its value
     */
    public CheckedRequest check(ObjectNode request, Optional<String> sender, Consumer<String> warnings)
            throws InvalidRequestException
    {
        if (!request.hasNonNull("job_id")) {
            request.put("job_id", randomId());
        }
        String text;
        try {
            text = mapper.writeValueAsString(request);
        }
        catch (JsonProcessingException e) {
            // A tree of plain JSON values always writes
            throw new UncheckedIOException(e);
        }
        JobRequest parsed = parser.parse(text, request.path("job_id").asText());
        List<String> credentialKeys = EnvCredentials.suspiciousKeys(parsed.env());
        if (!credentialKeys.isEmpty()) {
            warnings.accept("job " + parsed.id() + ": " + EnvCredentials.warning(credentialKeys));
        }
        if (!parsed.secrets().isEmpty()) {
            Optional<String> missing = existingSecrets.get().flatMap(names -> SecretNames.missing(parsed.secrets(), names));
            if (missing.isPresent()) {
                throw new InvalidRequestException(List.of(RequestProblem.about("secrets", missing.get())));
            }
        }
        // The same text is the same message: SQS drops a resend within its deduplication window
        return new CheckedRequest(parsed.id(), new JobQueue.Outgoing(text, Sha256.hex(text), sender));
    }

    /**
     * Sends checked requests, in order; returns their job ids.
     *
     * @throws dev.berth.queue.QueueException when the queue refused any of them (an unreachable SQS throws the AWS SDK's exception)
     */
    public List<String> send(JobQueue queue, List<CheckedRequest> requests)
    {
        queue.sendAll(requests.stream().map(CheckedRequest::message).toList(), GROUP);
        return requests.stream().map(CheckedRequest::jobId).toList();
    }

    private static String randomId()
    {
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
