package dev.berth.job;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.berth.job.RequestFields.abbreviate;
import static dev.berth.job.RequestFields.describe;
import static java.util.Objects.requireNonNull;

/**
 * The rule for {@code secrets}: the names of Swarm secrets mounted in the job's container at
 * {@code /run/secrets/NAME}. Only names travel with a request; whether Swarm holds them is checked
 * at intake, as that needs the engine.
 */
final class SecretsRule
{
    private final RequestFields fields;

    SecretsRule(RequestFields fields)
    {
        this.fields = requireNonNull(fields, "fields is null");
    }

    /** The valid names, in the request's order; each given more than once is a problem. */
    List<String> secrets()
    {
        List<String> names = new ArrayList<>();
        Optional<JsonNode> found = fields.collection("secrets", JsonNode::isArray, "an array of secret names such as [\"hf_token\"]",
                SecretNames.MAX_PER_JOB, "names");
        if (found.isEmpty()) {
            return names;
        }
        JsonNode node = found.get();
        Set<String> repeated = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isTextual()) {
                fields.problem("secrets[" + i + "]", "secrets[" + i + "] must be a string, got " + describe(item));
            }
            else if (!SecretNames.valid(item.textValue())) {
                fields.problem("secrets[" + i + "]", "secrets[" + i + "] '" + abbreviate(item.textValue()) + "' is not valid: expected " + SecretNames.EXPECTED);
            }
            else if (names.contains(item.textValue())) {
                repeated.add(item.textValue());
            }
            else {
                names.add(item.textValue());
            }
        }
        if (!repeated.isEmpty()) {
            fields.problem("secrets", "secrets lists " + String.join(", ", repeated) + " more than once");
        }
        return names;
    }
}
