package dev.berth.selftest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.config.BerthConfig;
import dev.berth.job.InvalidRequestException;
import dev.berth.job.RequestParser;
import dev.berth.queue.JobQueue;
import dev.berth.queue.QueueException;
import dev.berth.submit.Submission;
import dev.berth.web.WebRoutes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import software.amazon.awssdk.core.exception.SdkException;

import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * {@code POST /api/v1/selftest}: starts the self-test as {@code berth selftest} does and answers
 * 202 with its job id, which the job's own pages and endpoints then follow. The body is a JSON
 * object with the options, each optional: {@code {"gpus": 1, "pool": "gpu", "image": "..."}}.
 */
public final class SelfTestRoutes
        implements WebRoutes
{
    public static final String PATH = "/api/v1/selftest";

    private final ObjectMapper mapper = new ObjectMapper();
    private final SelfTest selfTest;

    public SelfTestRoutes(SelfTest selfTest)
    {
        this.selfTest = requireNonNull(selfTest, "selfTest is null");
    }

    /** The routes of a running daemon: the repository in its shared dir, requests checked by its parser, sent to its queue. */
    public static SelfTestRoutes forDaemon(BerthConfig config, RequestParser parser, JobQueue queue)
    {
        // The self-test names no secrets and no credentials in its env: there is nothing to look up or warn of
        Submission submission = new Submission(parser, Optional::empty);
        RequestSender sender = request -> submission.send(queue, List.of(submission.check(request, Optional.empty(), warning -> {}))).get(0);
        return new SelfTestRoutes(new SelfTest(new SelfTestRepository(config.sharedDir()), sender));
    }

    @Override
    public void addTo(RoutesConfig routes)
    {
        routes.post(PATH, this::start);
    }

    private void start(Context context)
    {
        // A form on another site can post to a loopback address too, but never with this type without the browser asking first
        String type = Optional.ofNullable(context.contentType()).orElse("");
        if (!type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            error(context, HttpStatus.UNSUPPORTED_MEDIA_TYPE, Optional.empty(), "send the options as JSON with 'Content-Type: application/json', "
                    + "e.g. {} or {\"gpus\": 1}; other types are refused so that no other web page can start jobs here");
            return;
        }
        SelfTestOptions options;
        try {
            options = options(context.body());
        }
        catch (BadOption e) {
            error(context, HttpStatus.BAD_REQUEST, e.field, e.getMessage());
            return;
        }
        try {
            SelfTest.Started started = selfTest.start(options);
            context.status(HttpStatus.ACCEPTED).json(Map.of("job_id", started.jobId()));
        }
        catch (InvalidRequestException e) {
            error(context, HttpStatus.BAD_REQUEST, Optional.empty(), "invalid self-test request: " + e.getMessage());
        }
        catch (SdkException | QueueException e) {
            error(context, HttpStatus.SERVICE_UNAVAILABLE, Optional.empty(), "cannot send the self-test to the queue: " + e.getMessage());
        }
        catch (IOException e) {
            error(context, HttpStatus.INTERNAL_SERVER_ERROR, Optional.empty(), "cannot make the self-test's repository: " + e.getMessage());
        }
    }

    private SelfTestOptions options(String body)
            throws BadOption
    {
        if (body.isBlank()) {
            return SelfTestOptions.defaults();
        }
        JsonNode root;
        try {
            root = mapper.readTree(body);
        }
        catch (JsonProcessingException e) {
            throw new BadOption(Optional.empty(), "the body is not valid JSON: " + e.getOriginalMessage());
        }
        if (!root.isObject()) {
            throw new BadOption(Optional.empty(), "the body must be a JSON object such as {} or {\"gpus\": 1, \"pool\": \"gpu\"}");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("gpus") && !name.equals("pool") && !name.equals("image")) {
                throw new BadOption(Optional.of(name), "unknown field '" + name + "': the self-test takes gpus, pool and image");
            }
        }
        JsonNode gpus = root.path("gpus");
        if (!gpus.isMissingNode() && (!gpus.canConvertToInt() || !gpus.isIntegralNumber() || gpus.intValue() < 0)) {
            throw new BadOption(Optional.of("gpus"), "gpus must be a whole number, 0 or more, got " + gpus);
        }
        return new SelfTestOptions(gpus.asInt(0), text(root, "pool"), text(root, "image"));
    }

    private static Optional<String> text(JsonNode root, String field)
            throws BadOption
    {
        JsonNode value = root.path(field);
        if (value.isMissingNode()) {
            return Optional.empty();
        }
        if (!value.isTextual() || value.textValue().isBlank()) {
            throw new BadOption(Optional.of(field), field + " must be a non-empty string, got " + value);
        }
        return Optional.of(value.textValue());
    }

    private static void error(Context context, HttpStatus status, Optional<String> field, String message)
    {
        context.status(status).json(field.<Map<String, String>>map(name -> Map.of("error", message, "field", name)).orElse(Map.of("error", message)));
    }

    /** An option in the body that is wrong, with the field it is in when it is in one. */
    private static final class BadOption
            extends Exception
    {
        private final Optional<String> field;

        BadOption(Optional<String> field, String message)
        {
            super(message);
            this.field = field;
        }
    }
}
