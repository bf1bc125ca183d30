package dev.berth.job;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** The rule for {@code entrypoint_params}, which reaches the job only as the environment variable {@code ENTRYPOINT_PARAMS}. */
final class ParamsRule
{
    /** Linux refuses to exec with a single environment string over 128 KiB; keep well under it. */
    static final int MAX_PARAMS_BYTES = 100 * 1024;

    private final RequestFields fields;

    ParamsRule(RequestFields fields)
    {
        this.fields = requireNonNull(fields, "fields is null");
    }

    /** The parameters as the job's environment holds them: a string as given, an object or array as its JSON text. */
    Optional<String> params()
    {
        Optional<JsonNode> found = fields.ofKind("entrypoint_params", node -> node.isTextual() || node.isContainerNode(), "a string, an object or an array");
        if (found.isEmpty()) {
            return Optional.empty();
        }
        JsonNode node = found.get();
        // Structured parameters arrive as their JSON text, which is what a job would parse anyway.
        String value = node.isTextual() ? node.textValue() : node.toString();
        if (value.indexOf('\0') >= 0) {
            fields.problem("entrypoint_params", "entrypoint_params must not contain NUL characters (it travels as an environment variable)");
            return Optional.empty();
        }
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_PARAMS_BYTES) {
            fields.problem("entrypoint_params", "entrypoint_params is " + bytes + " bytes; the limit is " + MAX_PARAMS_BYTES
                    + " because it travels as an environment variable: put large inputs on the shared mount and pass their path");
            return Optional.empty();
        }
        return Optional.of(value);
    }
}
