package dev.berth.web.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.job.InvalidRequestException;
import dev.berth.job.JobRequest;
import dev.berth.job.RequestParser;
import dev.berth.queue.JobQueue;
import dev.berth.queue.QueueException;
import dev.berth.submit.CheckedRequest;
import dev.berth.submit.Submission;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpStatus;
import software.amazon.awssdk.core.exception.SdkException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * {@code POST /api/v1/jobs}: one job request, as {@code berth submit --file} takes it, checked as
 * {@code berth submit} checks it and sent to the same queue, the one way into berth. The answer, 202,
 * names the job's id before the daemon has stored it (a random one when the request has no
 * {@code job_id}), and any warning {@code berth submit} would print; the job appears in
 * {@code GET /api/v1/jobs/{id}} once intake has taken it off the queue. The header
 * {@value #USER_HEADER} is the sender's name, sent on as the message attribute {@code berth submit}
 * sets to its login name: the job's user unless the request names one.
 */
final class SubmitJob
        implements Handler
{
    static final String USER_HEADER = "Berth-User";

    private final RequestParser parser;
    private final Submission submission;
    private final JobQueue queue;

    SubmitJob(RequestParser parser, Submission submission, JobQueue queue)
    {
        this.parser = requireNonNull(parser, "parser is null");
        this.submission = requireNonNull(submission, "submission is null");
        this.queue = requireNonNull(queue, "queue is null");
    }

    @Override
    public void handle(Context context)
    {
        Optional<String> sender = Optional.ofNullable(context.header(USER_HEADER));
        Optional<String> senderProblem = sender.flatMap(JobRequest::userProblem);
        if (senderProblem.isPresent()) {
            // As intake says it of the message attribute this becomes
            throw ApiError.about(HttpStatus.BAD_REQUEST, USER_HEADER, "header " + USER_HEADER + " " + senderProblem.get()
                    + "; send a valid one, or name the user in the request's \"user\" field");
        }
        List<String> warnings = new ArrayList<>();
        CheckedRequest checked;
        try {
            ObjectNode request = parser.read(context.body());
            checked = submission.check(request, sender, warnings::add);
        }
        catch (InvalidRequestException e) {
            throw ApiError.invalidRequest(e);
        }
        try {
            submission.send(queue, List.of(checked));
        }
        catch (SdkException | QueueException e) {
            throw ApiError.of(HttpStatus.SERVICE_UNAVAILABLE, "cannot send to the queue " + queue.describe() + ": " + e.getMessage()
                    + "; nothing was sent, so sending the same request again is safe");
        }
        ObjectNode answer = JsonNodeFactory.instance.objectNode().put("job_id", checked.jobId());
        warnings.forEach(answer.putArray("warnings")::add);
        context.status(HttpStatus.ACCEPTED).header("Location", ApiRoutes.PREFIX + "/jobs/" + checked.jobId()).json(answer);
    }
}
