package dev.berth.job;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.berth.config.Durations;
import dev.berth.repo.BranchNames;
import dev.berth.repo.RepoUrl;
import dev.berth.text.Abbreviation;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Turns a request body into a {@link JobRequest}, or says everything that is wrong with it.
 * Accepts the original remote-job-runner message ({@code repo_uri, branch, entrypoint,
 * entrypoint_params}) unchanged. Unknown fields are errors, so a typo such as {@code gpu} is
 * never silently ignored.
 */
public final class RequestParser
{
    /** Linux refuses to exec with a single environment string over 128 KiB; keep well under it. */
    public static final int MAX_PARAMS_BYTES = 100 * 1024;
    private static final int MAX_ENV_ENTRIES = 100;
    private static final int MAX_ENV_BYTES = 100 * 1024;
    private static final int MAX_GPUS = 64;
    private static final double MAX_CPUS = 512;
    private static final long MAX_MEMORY = 16L << 40;
    private static final Duration MAX_TIMEOUT = Duration.ofDays(30);
    private static final int MAX_ATTEMPTS = 10;
    private static final int MAX_RETRY_EXIT_CODES = 16;

    private static final Set<String> FIELDS = Set.of("job_id", "name", "repo_uri", "branch", "entrypoint", "entrypoint_params",
            "image", "resources", "env", "timeout", "max_attempts", "retry_exit_codes", "pool");
    private static final Set<String> RESOURCE_FIELDS = Set.of("cpus", "memory", "gpus");

    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,47}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern POOL = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");
    private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@+-]{0,511}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern PATH_SEGMENT = Pattern.compile("[^\\x00-\\x1f\\\\]+");

    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private final RequestDefaults defaults;

    public RequestParser(RequestDefaults defaults)
    {
        this.defaults = requireNonNull(defaults, "defaults is null");
    }

    /**
     * @param fallbackId the job id to use when the request has no {@code job_id} (derived from the
     * SQS message id, so a redelivered message maps to the same job)
     */
    public JobRequest parse(String body, String fallbackId)
            throws InvalidRequestException
    {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        }
        catch (JsonProcessingException e) {
            throw new InvalidRequestException(List.of("not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        }
        if (root == null || !root.isObject()) {
            throw new InvalidRequestException(List.of("the request must be a JSON object with at least repo_uri, branch and entrypoint"));
        }
        return new Fields(root).request(fallbackId);
    }

    /** Collects every problem rather than stopping at the first, so one round trip fixes a request. */
    private final class Fields
    {
        private final JsonNode root;
        private final List<String> problems = new ArrayList<>();

        Fields(JsonNode root)
        {
            this.root = root;
        }

        JobRequest request(String fallbackId)
                throws InvalidRequestException
        {
            unknownFields(root, FIELDS, "");
            String id = matching("job_id", JOB_ID, "1-48 letters, digits, '_' or '-', starting with a letter or digit").orElse(fallbackId);
            Optional<RepoUrl> repo = required("repo_uri").flatMap(this::repo);
            Optional<String> branch = required("branch").flatMap(this::branch);
            Optional<String> entrypoint = required("entrypoint").flatMap(this::entrypoint);
            Optional<String> params = params();
            Optional<String> name = matching("name", NAME, "1-64 letters, digits, '_', '.' or '-'");
            String image = matching("image", IMAGE, "an image reference such as python:3.12 or registry/org/image@sha256:...").orElse(defaults.image());
            Resources resources = resources();
            Map<String, String> env = env();
            Optional<Duration> timeout = timeout();
            int maxAttempts = wholeNumber(root, "max_attempts", 1, MAX_ATTEMPTS).orElse(defaults.maxAttempts());
            Set<Integer> retryExitCodes = retryExitCodes();
            Optional<String> pool = matching("pool", POOL, "a node pool label such as spot, burst or gpu (lower case)");

            if (!problems.isEmpty()) {
                throw new InvalidRequestException(problems);
            }
            return new JobRequest(
                    id,
                    name.orElseGet(() -> defaultName(entrypoint.orElseThrow())),
                    repo.orElseThrow(),
                    branch.orElseThrow(),
                    entrypoint.orElseThrow(),
                    params,
                    image,
                    resources,
                    env,
                    timeout,
                    maxAttempts,
                    retryExitCodes,
                    pool);
        }

        private Optional<String> required(String field)
        {
            JsonNode node = root.get(field);
            if (node == null || node.isNull()) {
                problems.add(field + " is required");
                return Optional.empty();
            }
            return text(field, node);
        }

        private Optional<String> text(String field, JsonNode node)
        {
            if (!node.isTextual()) {
                problems.add(field + " must be a string, got " + describe(node));
                return Optional.empty();
            }
            String value = node.textValue();
            if (value.isBlank()) {
                problems.add(field + " must not be empty");
                return Optional.empty();
            }
            if (value.indexOf('\0') >= 0) {
                problems.add(field + " must not contain NUL characters");
                return Optional.empty();
            }
            return Optional.of(value);
        }

        private Optional<String> matching(String field, Pattern pattern, String expected)
        {
            JsonNode node = root.get(field);
            if (node == null || node.isNull()) {
                return Optional.empty();
            }
            Optional<String> value = text(field, node);
            if (value.isPresent() && !pattern.matcher(value.get()).matches()) {
                problems.add(field + " '" + abbreviate(value.get()) + "' is not valid: expected " + expected);
                return Optional.empty();
            }
            return value;
        }

        private Optional<RepoUrl> repo(String raw)
        {
            try {
                return Optional.of(RepoUrl.parse(raw));
            }
            catch (IllegalArgumentException e) {
                problems.add("repo_uri: " + e.getMessage());
                return Optional.empty();
            }
        }

        private Optional<String> branch(String branch)
        {
            Optional<String> problem = BranchNames.problem(branch);
            problem.ifPresent(text -> problems.add("branch: " + text));
            return problem.isPresent() ? Optional.empty() : Optional.of(branch);
        }

        private Optional<String> entrypoint(String entrypoint)
        {
            String problem = null;
            if (entrypoint.startsWith("/")) {
                problem = "must be a path inside the repository, not an absolute path";
            }
            else if (entrypoint.startsWith("-")) {
                problem = "must not start with '-'";
            }
            else {
                for (String segment : entrypoint.split("/", -1)) {
                    if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                        problem = "must be a plain relative path without '.', '..' or empty segments";
                        break;
                    }
                    if (!PATH_SEGMENT.matcher(segment).matches()) {
                        problem = "must not contain control characters or backslashes";
                        break;
                    }
                }
            }
            if (problem != null) {
                problems.add("entrypoint '" + abbreviate(entrypoint) + "' " + problem + " (it runs from the checkout root, e.g. scripts/train.sh)");
                return Optional.empty();
            }
            return Optional.of(entrypoint);
        }

        private Optional<String> params()
        {
            JsonNode node = root.get("entrypoint_params");
            if (node == null || node.isNull()) {
                return Optional.empty();
            }
            String value;
            if (node.isTextual()) {
                value = node.textValue();
            }
            else if (node.isContainerNode()) {
                // Structured parameters arrive as their JSON text, which is what a job would parse anyway.
                value = node.toString();
            }
            else {
                problems.add("entrypoint_params must be a string, an object or an array, got " + describe(node));
                return Optional.empty();
            }
            if (value.indexOf('\0') >= 0) {
                problems.add("entrypoint_params must not contain NUL characters (it travels as an environment variable)");
                return Optional.empty();
            }
            int bytes = value.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_PARAMS_BYTES) {
                problems.add("entrypoint_params is " + bytes + " bytes; the limit is " + MAX_PARAMS_BYTES
                        + " because it travels as an environment variable: put large inputs on the shared mount and pass their path");
                return Optional.empty();
            }
            return Optional.of(value);
        }

        private Resources resources()
        {
            double cpus = defaults.cpus();
            long memory = defaults.memoryBytes();
            int gpus = 0;
            JsonNode node = root.get("resources");
            if (node != null && !node.isNull()) {
                if (!node.isObject()) {
                    problems.add("resources must be an object like {\"cpus\": 2, \"memory\": \"8g\", \"gpus\": 1}, got " + describe(node));
                    return new Resources(cpus, memory, gpus);
                }
                unknownFields(node, RESOURCE_FIELDS, "resources.");
                JsonNode cpuNode = node.get("cpus");
                if (cpuNode != null && !cpuNode.isNull()) {
                    if (!cpuNode.isNumber() || !(cpuNode.doubleValue() > 0) || cpuNode.doubleValue() > MAX_CPUS) {
                        problems.add("resources.cpus must be a number above 0 and at most " + (int) MAX_CPUS + ", got " + describe(cpuNode));
                    }
                    else {
                        cpus = cpuNode.doubleValue();
                    }
                }
                JsonNode memoryNode = node.get("memory");
                if (memoryNode != null && !memoryNode.isNull()) {
                    Optional<Long> parsed = memoryNode.isTextual() ? Resources.parseMemory(memoryNode.textValue())
                            : memoryNode.canConvertToLong() && memoryNode.isIntegralNumber() ? Optional.of(memoryNode.longValue()) : Optional.empty();
                    if (parsed.isEmpty() || parsed.get() < (4L << 20) || parsed.get() > MAX_MEMORY) {
                        problems.add("resources.memory must be a size from 4m to 16t such as \"512m\" or \"16g\", got " + describe(memoryNode));
                    }
                    else {
                        memory = parsed.get();
                    }
                }
                gpus = wholeNumber(node, "gpus", 0, MAX_GPUS).orElse(0);
            }
            return new Resources(cpus, memory, gpus);
        }

        private Map<String, String> env()
        {
            JsonNode node = root.get("env");
            Map<String, String> env = new LinkedHashMap<>();
            if (node == null || node.isNull()) {
                return env;
            }
            if (!node.isObject()) {
                problems.add("env must be an object of NAME: \"value\" pairs, got " + describe(node));
                return env;
            }
            if (node.size() > MAX_ENV_ENTRIES) {
                problems.add("env has " + node.size() + " entries; the limit is " + MAX_ENV_ENTRIES);
                return env;
            }
            int bytes = 0;
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                String key = field.getKey();
                if (!ENV_NAME.matcher(key).matches()) {
                    problems.add("env name '" + abbreviate(key) + "' is not valid: use letters, digits and '_', not starting with a digit");
                }
                else if (reservedEnvName(key)) {
                    problems.add("env name '" + key + "' is reserved for berth (ENTRYPOINT_PARAMS, BERTH_*, DOCKER_RESOURCE_*, NVIDIA_VISIBLE_DEVICES)");
                }
                else if (!field.getValue().isTextual()) {
                    problems.add("env." + key + " must be a string, got " + describe(field.getValue()));
                }
                else if (field.getValue().textValue().indexOf('\0') >= 0) {
                    problems.add("env." + key + " must not contain NUL characters");
                }
                else {
                    env.put(key, field.getValue().textValue());
                    bytes += key.length() + field.getValue().textValue().getBytes(StandardCharsets.UTF_8).length;
                }
            }
            if (bytes > MAX_ENV_BYTES) {
                problems.add("env is " + bytes + " bytes in all; the limit is " + MAX_ENV_BYTES);
            }
            return env;
        }

        private Optional<Duration> timeout()
        {
            JsonNode node = root.get("timeout");
            if (node == null || node.isNull()) {
                return Optional.empty();
            }
            Optional<Duration> timeout = node.isTextual() ? Durations.parse(node.textValue()) : Optional.empty();
            if (timeout.isEmpty() || timeout.get().isZero() || timeout.get().compareTo(MAX_TIMEOUT) > 0) {
                problems.add("timeout must be a duration such as \"90s\", \"45m\" or \"2h\" (at most 30d), got " + describe(node));
                return Optional.empty();
            }
            return timeout;
        }

        private Set<Integer> retryExitCodes()
        {
            Set<Integer> codes = new TreeSet<>();
            JsonNode node = root.get("retry_exit_codes");
            if (node == null || node.isNull()) {
                return codes;
            }
            if (!node.isArray()) {
                problems.add("retry_exit_codes must be an array of exit codes such as [75], got " + describe(node));
                return codes;
            }
            if (node.size() > MAX_RETRY_EXIT_CODES) {
                problems.add("retry_exit_codes has " + node.size() + " codes; the limit is " + MAX_RETRY_EXIT_CODES);
                return codes;
            }
            Set<Integer> repeated = new TreeSet<>();
            for (int i = 0; i < node.size(); i++) {
                JsonNode code = node.get(i);
                if (!code.isIntegralNumber() || !code.canConvertToInt() || code.intValue() < 1 || code.intValue() > 255) {
                    problems.add("retry_exit_codes[" + i + "] must be a whole number from 1 to 255, got " + describe(code));
                }
                else if (!codes.add(code.intValue())) {
                    repeated.add(code.intValue());
                }
            }
            if (!repeated.isEmpty()) {
                problems.add("retry_exit_codes lists " + repeated.stream().map(String::valueOf).collect(Collectors.joining(", ")) + " more than once");
            }
            return codes;
        }

        private Optional<Integer> wholeNumber(JsonNode parent, String field, int min, int max)
        {
            JsonNode node = parent.get(field);
            if (node == null || node.isNull()) {
                return Optional.empty();
            }
            String path = parent == root ? field : "resources." + field;
            if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
                problems.add(path + " must be a whole number from " + min + " to " + max + ", got " + describe(node));
                return Optional.empty();
            }
            return Optional.of(node.intValue());
        }

        private void unknownFields(JsonNode node, Set<String> known, String prefix)
        {
            node.fieldNames().forEachRemaining(field -> {
                if (!known.contains(field)) {
                    String hint = closest(field).map(match -> " (did you mean '" + match + "'?)").orElse("");
                    problems.add("unknown field '" + prefix + abbreviate(field) + "'" + hint);
                }
            });
        }
    }

    private static boolean reservedEnvName(String name)
    {
        return name.equals("ENTRYPOINT_PARAMS") || name.startsWith("BERTH_") || name.startsWith("DOCKER_RESOURCE_")
                || name.equals("NVIDIA_VISIBLE_DEVICES");
    }

    private static Optional<String> closest(String field)
    {
        String best = null;
        int bestDistance = 3;
        for (String candidate : List.of("job_id", "name", "repo_uri", "branch", "entrypoint", "entrypoint_params", "image",
                "resources", "env", "timeout", "max_attempts", "retry_exit_codes", "pool", "resources.cpus", "resources.memory", "resources.gpus")) {
            String bare = candidate.substring(candidate.indexOf('.') + 1);
            int distance = editDistance(field.toLowerCase(), bare);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return Optional.ofNullable(best);
    }

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

    private static String defaultName(String entrypoint)
    {
        String file = entrypoint.substring(entrypoint.lastIndexOf('/') + 1);
        int dot = file.lastIndexOf('.');
        String stem = (dot > 0 ? file.substring(0, dot) : file).replaceAll("[^A-Za-z0-9_.-]", "-");
        return stem.isEmpty() || !Character.isLetterOrDigit(stem.charAt(0)) ? "job" : Abbreviation.abbreviate(stem, 64 + 1);
    }

    private static String describe(JsonNode node)
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
    private static String abbreviate(String value)
    {
        return Abbreviation.abbreviate(value, 80 + 1);
    }
}
