package dev.berth.job;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** The rule for {@code array}: a range of task indices that makes the request an array of jobs, one per index. */
final class ArrayRules
{
    /** So that a task's id (the array's, '_', and an index of up to five digits) is still a job id. */
    static final int MAX_ARRAY_ID = 42;

    private final RequestFields fields;

    ArrayRules(RequestFields fields)
    {
        this.fields = requireNonNull(fields, "fields is null");
    }

    Optional<ArraySpec> array(Optional<String> jobId)
    {
        Optional<String> text = fields.ofKind("array", JsonNode::isTextual, "a range as a string, such as \"0-99%10\"")
                .flatMap(node -> fields.text("array", node));
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            ArraySpec spec = ArraySpec.parse("array", text.get());
            if (jobId.filter(id -> id.length() > MAX_ARRAY_ID).isPresent()) {
                fields.problem("job_id", "job_id '" + jobId.get() + "' is too long for an array: an array's id has at most " + MAX_ARRAY_ID
                        + " characters, so that its tasks' ids (the id, '_' and the index) are at most 48");
            }
            return Optional.of(spec);
        }
        catch (ArraySpec.BadRange e) {
            fields.problem("array", e.getMessage());
            return Optional.empty();
        }
    }
}
