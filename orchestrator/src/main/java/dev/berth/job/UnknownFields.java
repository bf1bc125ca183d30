package dev.berth.job;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.berth.job.RequestFields.abbreviate;
import static java.util.Objects.requireNonNull;

/**
 * The rule that a request holds only fields berth knows, so a typo such as {@code gpu} is an error
 * rather than silently ignored; a near miss is answered with the field it probably meant.
 */
final class UnknownFields
{
    /** Every field, those inside {@code resources} by their path; the first of equally near ones is suggested. */
    private static final List<String> KNOWN = List.of("job_id", "name", "repo_uri", "branch", "entrypoint", "entrypoint_params", "image",
            "resources", "env", "timeout", "stop_grace", "max_attempts", "retry_exit_codes", "pool", "secrets", "user", "commit", "rerun_of", "priority", "after", "after_any", "array", "resources.cpus", "resources.memory", "resources.gpus");
    private static final String RESOURCES = "resources.";
    private static final Set<String> REQUEST_FIELDS = KNOWN.stream().filter(field -> !field.contains(".")).collect(Collectors.toSet());
    private static final Set<String> RESOURCE_FIELDS = KNOWN.stream().filter(field -> field.startsWith(RESOURCES))
            .map(field -> field.substring(RESOURCES.length())).collect(Collectors.toSet());
    /** Suggestions are at most this many edits away. */
    private static final int MAX_DISTANCE = 2;

    private final RequestFields fields;

    UnknownFields(RequestFields fields)
    {
        this.fields = requireNonNull(fields, "fields is null");
    }

    void checkRequest()
    {
        check(fields.root(), REQUEST_FIELDS, "");
    }

    void checkResources(JsonNode resources)
    {
        check(resources, RESOURCE_FIELDS, RESOURCES);
    }

    private void check(JsonNode node, Set<String> known, String prefix)
    {
        node.fieldNames().forEachRemaining(field -> {
            if (!known.contains(field)) {
                String hint = closest(field).map(match -> " (did you mean '" + match + "'?)").orElse("");
                fields.problem(prefix + abbreviate(field), "unknown field '" + prefix + abbreviate(field) + "'" + hint);
            }
        });
    }

    private static Optional<String> closest(String field)
    {
        String best = null;
        int bestDistance = MAX_DISTANCE + 1;
        for (String candidate : KNOWN) {
            String bare = candidate.substring(candidate.indexOf('.') + 1);
            int distance = editDistance(field.toLowerCase(), bare);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    private static int editDistance(String a, String b)
    {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
