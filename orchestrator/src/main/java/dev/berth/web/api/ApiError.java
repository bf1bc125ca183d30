package dev.berth.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.job.InvalidRequestException;
import dev.berth.job.RequestProblem;
import io.javalin.http.HttpStatus;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * An answer other than success, thrown by a handler and written by {@link JsonAnswers}: always the
 * JSON object {@code {"error": "what is wrong and what to do instead", "field": "what it is about"}},
 * {@code field} only when the problem is about one field or parameter, with more (such as
 * {@code candidates}) where that helps the caller fix the request.
 */
final class ApiError
        extends RuntimeException
{
    private final HttpStatus status;
    private final ObjectNode body;

    private ApiError(HttpStatus status, ObjectNode body)
    {
        // Only ever answered, never logged with a trace
        super(body.path("error").asText(), null, false, false);
        this.status = requireNonNull(status, "status is null");
        this.body = requireNonNull(body, "body is null");
    }

    static ApiError of(HttpStatus status, String message)
    {
        return new ApiError(status, body(message));
    }

    static ApiError about(HttpStatus status, String field, String message)
    {
        ObjectNode body = body(message);
        body.put("field", field);
        return new ApiError(status, body);
    }

    /**
     * A request {@code berth submit} would refuse, with the message it gives ({@code invalid request: }
     * and every problem), and each problem with its field under {@code problems}.
     */
    static ApiError invalidRequest(InvalidRequestException e)
    {
        ObjectNode body = body("invalid request: " + e.getMessage());
        List<Optional<String>> fields = e.details().stream().map(RequestProblem::field).distinct().toList();
        if (fields.size() == 1 && fields.get(0).isPresent()) {
            body.put("field", fields.get(0).get());
        }
        ArrayNode problems = body.putArray("problems");
        for (RequestProblem problem : e.details()) {
            ObjectNode entry = problems.addObject();
            problem.field().ifPresent(field -> entry.put("field", field));
            entry.put("error", problem.message());
        }
        return new ApiError(HttpStatus.BAD_REQUEST, body);
    }

    /** Adds {@code value} to the answer as {@code name}. */
    ApiError with(String name, JsonNode value)
    {
        body.set(name, value);
        return this;
    }

    HttpStatus status()
    {
        return status;
    }

    ObjectNode body()
    {
        return body;
    }

    static ObjectNode body(String message)
    {
        return JsonNodeFactory.instance.objectNode().put("error", message);
    }
}
