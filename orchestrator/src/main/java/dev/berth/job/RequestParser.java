package dev.berth.job;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.repo.RepoUrl;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Turns a request body into a {@link JobRequest}, or says everything that is wrong with it.
 * Accepts the original remote-job-runner message ({@code repo_uri, branch, entrypoint,
 * entrypoint_params}) unchanged. Each group of fields has its rules in a class of its own; this
 * one reads the JSON, applies them in the order their problems are listed, and fills in defaults.
 */
public final class RequestParser
{
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
        return request(new RequestFields(read(body)), fallbackId);
    }

    /**
     * The request's JSON object, before any field is checked: for a sender that adds to it (a
     * {@code job_id}) before it is checked whole. A body that is not one JSON object is refused
     * here, with where it goes wrong.
     */
    public ObjectNode read(String body)
            throws InvalidRequestException
    {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        }
        catch (JsonProcessingException e) {
            throw new InvalidRequestException(List.of(RequestProblem.general("not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")")));
        }
        if (!(root instanceof ObjectNode object)) {
            throw new InvalidRequestException(List.of(RequestProblem.general("the request must be a JSON object with at least repo_uri, branch and entrypoint")));
        }
        return object;
    }

    private JobRequest request(RequestFields fields, String fallbackId)
            throws InvalidRequestException
    {
        UnknownFields unknownFields = new UnknownFields(fields);
        SourceRules source = new SourceRules(fields);
        NamingRules naming = new NamingRules(fields);
        RetryRules retries = new RetryRules(fields);

        unknownFields.checkRequest();
        Optional<String> givenId = naming.jobId();
        String id = givenId.orElse(fallbackId);
        Optional<RepoUrl> repo = source.repo();
        Optional<String> branch = source.branch();
        Optional<String> entrypoint = source.entrypoint();
        Optional<String> params = new ParamsRule(fields).params();
        Optional<String> name = naming.name();
        String image = new ImageRule(fields).image(defaults.image());
        Resources resources = new ResourceRules(fields, unknownFields).resources(defaults.cpus(), defaults.memoryBytes());
        Map<String, String> env = new EnvRules(fields).env();
        Optional<Duration> timeout = retries.timeout();
        Duration stopGrace = retries.stopGrace();
        int maxAttempts = retries.maxAttempts().orElse(defaults.maxAttempts());
        Set<Integer> retryExitCodes = retries.retryExitCodes();
        Optional<String> pool = naming.pool();
        List<String> secrets = new SecretsRule(fields).secrets();
        Optional<String> user = naming.user();
        Optional<String> commit = source.commit();
        Optional<String> rerunOf = naming.rerunOf();
        int priority = new SchedulingRules(fields).priority();
        List<Dependency> dependencies = new DependencyRules(fields).dependencies();
        Optional<ArraySpec> array = new ArrayRules(fields).array(givenId);

        if (!fields.problems().isEmpty()) {
            throw new InvalidRequestException(fields.problems());
        }
        return new JobRequest(
                id,
                name.orElseGet(() -> NamingRules.defaultName(entrypoint.orElseThrow())),
                repo.orElseThrow(),
                branch.orElseThrow(),
                entrypoint.orElseThrow(),
                params,
                image,
                resources,
                env,
                timeout,
                stopGrace,
                maxAttempts,
                retryExitCodes,
                pool,
                secrets,
                user,
                commit,
                rerunOf,
                priority,
                dependencies,
                array);
    }
}
