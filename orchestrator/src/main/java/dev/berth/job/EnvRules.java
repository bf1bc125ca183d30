package dev.berth.job;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static dev.berth.job.RequestFields.abbreviate;
import static dev.berth.job.RequestFields.describe;
import static java.util.Objects.requireNonNull;

/** The rules for {@code env}: the job's own environment variables, which must not take the names berth sets. */
final class EnvRules
{
    private static final int MAX_ENV_ENTRIES = 100;
    private static final int MAX_ENV_BYTES = 100 * 1024;
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    private final RequestFields fields;

    EnvRules(RequestFields fields)
    {
        this.fields = requireNonNull(fields, "fields is null");
    }

    /** The valid entries, in the request's order. */
    Map<String, String> env()
    {
        Map<String, String> env = new LinkedHashMap<>();
        Optional<JsonNode> found = fields.collection("env", JsonNode::isObject, "an object of NAME: \"value\" pairs", MAX_ENV_ENTRIES, "entries");
        if (found.isEmpty()) {
            return env;
        }
        JsonNode node = found.get();
        int bytes = 0;
        for (Iterator<Map.Entry<String, JsonNode>> entries = node.fields(); entries.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = entries.next();
            String key = entry.getKey();
            JsonNode value = entry.getValue();
            if (!ENV_NAME.matcher(key).matches()) {
                fields.problem("env", "env name '" + abbreviate(key) + "' is not valid: use letters, digits and '_', not starting with a digit");
            }
            else if (reserved(key)) {
                fields.problem("env", "env name '" + key + "' is reserved for berth (ENTRYPOINT_PARAMS, BERTH_*, DOCKER_RESOURCE_*, NVIDIA_VISIBLE_DEVICES)");
            }
            else if (!value.isTextual()) {
                fields.problem("env." + key, "env." + key + " must be a string, got " + describe(value));
            }
            else if (value.textValue().indexOf('\0') >= 0) {
                fields.problem("env." + key, "env." + key + " must not contain NUL characters");
            }
            else {
                env.put(key, value.textValue());
                bytes += key.length() + value.textValue().getBytes(StandardCharsets.UTF_8).length;
            }
        }
        if (bytes > MAX_ENV_BYTES) {
            fields.problem("env", "env is " + bytes + " bytes in all; the limit is " + MAX_ENV_BYTES);
        }
        return env;
    }

    /** The names berth gives the job itself, or Docker and the GPU runtime read. */
    private static boolean reserved(String name)
    {
        return name.equals("ENTRYPOINT_PARAMS") || name.startsWith("BERTH_") || name.startsWith("DOCKER_RESOURCE_")
                || name.equals("NVIDIA_VISIBLE_DEVICES");
    }
}
