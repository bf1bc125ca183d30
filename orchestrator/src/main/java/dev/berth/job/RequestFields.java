package dev.berth.job;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.text.Abbreviation;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * One request object as the field rules read it, and the problems they find in it. Problems are
 * collected rather than thrown at the first, so one round trip fixes a request; each names its field.
 */
final class RequestFields
{
    private final JsonNode root;
    private final List<RequestProblem> problems = new ArrayList<>();

    RequestFields(JsonNode root)
    {
        this.root = requireNonNull(root, "root is null");
    }

    JsonNode root()
    {
        return root;
    }

    /** The field's value; empty when it is absent or JSON null, which every field treats alike. */
    Optional<JsonNode> value(String field)
    {
        return value(root, field);
    }

    static Optional<JsonNode> value(JsonNode parent, String field)
    {
        JsonNode node = parent.get(field);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(node);
    }

    /** @param field the path of the field the problem is about; {@code message} names it too, for the reader */
    void problem(String field, String message)
    {
        problems.add(RequestProblem.about(field, message));
    }

    List<RequestProblem> problems()
    {
        return List.copyOf(problems);
    }

    /** A string the request must give. */
    Optional<String> required(String field)
    {
        Optional<JsonNode> node = value(field);
        if (node.isEmpty()) {
            problem(field, field + " is required");
            return Optional.empty();
        }
        return text(field, node.get());
    }

    /** A non-blank string without NUL characters. */
    Optional<String> text(String field, JsonNode node)
    {
        if (!node.isTextual()) {
            problem(field, field + " must be a string, got " + describe(node));
            return Optional.empty();
        }
        String value = node.textValue();
        if (value.isBlank()) {
            problem(field, field + " must not be empty");
            return Optional.empty();
        }
        if (value.indexOf('\0') >= 0) {
            problem(field, field + " must not contain NUL characters");
            return Optional.empty();
        }
        return Optional.of(value);
    }

    /** An optional string that must match {@code pattern}; {@code expected} tells the user what does. */
    Optional<String> matching(String field, Pattern pattern, String expected)
    {
        Optional<JsonNode> node = value(field);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> value = text(field, node.get());
        if (value.isPresent() && !pattern.matcher(value.get()).matches()) {
            problem(field, field + " '" + abbreviate(value.get()) + "' is not valid: expected " + expected);
            return Optional.empty();
        }
        return value;
    }

    /** The field's value when it is of the kind {@code kind} accepts; else the problem that it must be {@code expected}. */
    Optional<JsonNode> ofKind(String field, Predicate<JsonNode> kind, String expected)
    {
        Optional<JsonNode> node = value(field);
        if (node.isPresent() && !kind.test(node.get())) {
            problem(field, field + " must be " + expected + ", got " + describe(node.get()));
            return Optional.empty();
        }
        return node;
    }

    /** The field's object or array when it is of the kind {@code kind} accepts and holds at most {@code max} {@code entries}. */
    Optional<JsonNode> collection(String field, Predicate<JsonNode> kind, String expected, int max, String entries)
    {
        Optional<JsonNode> node = ofKind(field, kind, expected);
        if (node.isPresent() && node.get().size() > max) {
            problem(field, field + " has " + node.get().size() + " " + entries + "; the limit is " + max);
            return Optional.empty();
        }
        return node;
    }

    /** An optional whole number from {@code min} to {@code max}; {@code path} names it in a problem. */
    Optional<Integer> wholeNumber(String path, Optional<JsonNode> value, int min, int max)
    {
        if (value.isEmpty()) {
            return Optional.empty();
        }
        JsonNode node = value.get();
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
            problem(path, path + " must be a whole number from " + min + " to " + max + ", got " + describe(node));
            return Optional.empty();
        }
        return Optional.of(node.intValue());
    }

    /** A value as a problem quotes it: its type, and a short form of its text. */
    static String describe(JsonNode node)
    {
        if (node.isTextual()) {
            return "\"" + abbreviate(node.textValue()) + "\"";
        }
        if (node.isNumber() || node.isBoolean()) {
            return node.getNodeType().name().toLowerCase() + " " + node.asText();
        }
        return node.getNodeType().name().toLowerCase();
    }

    /** A value quoted in a problem: its first 80 characters, then '…'. */
    static String abbreviate(String value)
    {
        return Abbreviation.abbreviate(value, 80 + 1);
    }
}
