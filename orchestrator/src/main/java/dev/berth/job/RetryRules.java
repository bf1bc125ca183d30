package dev.berth.job;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.config.Durations;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static dev.berth.job.RequestFields.describe;
import static java.util.Objects.requireNonNull;

/**
 * The rules for how long a job may run, how it is stopped and how often it is tried: {@code timeout},
 * {@code stop_grace}, {@code max_attempts} and {@code retry_exit_codes}.
 */
final class RetryRules
{
    private static final Duration MAX_TIMEOUT = Duration.ofDays(30);
    private static final Duration MAX_STOP_GRACE = Duration.ofMinutes(15);
    private static final int MAX_ATTEMPTS = 10;
    private static final int MAX_RETRY_EXIT_CODES = 16;

    private final RequestFields fields;

    RetryRules(RequestFields fields)
    {
        this.fields = requireNonNull(fields, "fields is null");
    }

    Optional<Duration> timeout()
    {
        Optional<JsonNode> found = fields.value("timeout");
        if (found.isEmpty()) {
            return Optional.empty();
        }
        JsonNode node = found.get();
        Optional<Duration> timeout = node.isTextual() ? Durations.parse(node.textValue()) : Optional.empty();
        if (timeout.isEmpty() || timeout.get().isZero() || timeout.get().compareTo(MAX_TIMEOUT) > 0) {
            fields.problem("timeout must be a duration such as \"90s\", \"45m\" or \"2h\" (at most 30d), got " + describe(node));
            return Optional.empty();
        }
        return timeout;
    }

    Duration stopGrace()
    {
        Optional<JsonNode> found = fields.value("stop_grace");
        if (found.isEmpty()) {
            return JobRequest.DEFAULT_STOP_GRACE;
        }
        JsonNode node = found.get();
        Optional<Duration> grace = node.isTextual() ? Durations.parse(node.textValue()) : Optional.empty();
        if (grace.isEmpty() || grace.get().compareTo(MAX_STOP_GRACE) > 0) {
            fields.problem("stop_grace must be a duration such as \"30s\" or \"2m\" (at most 15m; under 2m to save work on a spot notice), got "
                    + describe(node));
            return JobRequest.DEFAULT_STOP_GRACE;
        }
        return grace.get();
    }

    Optional<Integer> maxAttempts()
    {
        return fields.wholeNumber("max_attempts", fields.value("max_attempts"), 1, MAX_ATTEMPTS);
    }

    /** The valid codes, in ascending order; each given more than once is a problem. */
    Set<Integer> retryExitCodes()
    {
        Set<Integer> codes = new TreeSet<>();
        Optional<JsonNode> found = fields.collection("retry_exit_codes", JsonNode::isArray, "an array of exit codes such as [75]", MAX_RETRY_EXIT_CODES, "codes");
        if (found.isEmpty()) {
            return codes;
        }
        JsonNode node = found.get();
        Set<Integer> repeated = new TreeSet<>();
        for (int i = 0; i < node.size(); i++) {
            Optional<Integer> code = fields.wholeNumber("retry_exit_codes[" + i + "]", Optional.of(node.get(i)), 1, 255);
            if (code.isPresent() && !codes.add(code.get())) {
                repeated.add(code.get());
            }
        }
        if (!repeated.isEmpty()) {
            fields.problem("retry_exit_codes lists " + repeated.stream().map(String::valueOf).collect(Collectors.joining(", ")) + " more than once");
        }
        return codes;
    }
}
