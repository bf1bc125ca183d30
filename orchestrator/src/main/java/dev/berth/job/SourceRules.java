package dev.berth.job;

import dev.berth.repo.BranchNames;
import dev.berth.repo.RepoUrl;

import java.util.Optional;
import java.util.regex.Pattern;

import static dev.berth.job.RequestFields.abbreviate;
import static java.util.Objects.requireNonNull;

/**
 * The rules for what a job runs: {@code repo_uri}, {@code branch} and {@code entrypoint}, all three required,
 * and {@code commit}, optional: a commit of that branch berth has run before, which the job runs instead of the tip.
 */
final class SourceRules
{
    /** A full object name, SHA-1 or SHA-256, as git prints it: never an abbreviation a later commit could make ambiguous. */
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final Pattern PATH_SEGMENT = Pattern.compile("[^\\x00-\\x1f\\\\]+");

    private final RequestFields fields;

    SourceRules(RequestFields fields)
    {
        this.fields = requireNonNull(fields, "fields is null");
    }

    /** A URL berth can fetch, with no credentials in it. */
    Optional<RepoUrl> repo()
    {
        return fields.required("repo_uri").flatMap(raw -> {
            try {
                return Optional.of(RepoUrl.parse(raw));
            }
            catch (IllegalArgumentException e) {
                fields.problem("repo_uri: " + e.getMessage());
                return Optional.empty();
            }
        });
    }

    /** A name git accepts for a branch. */
    Optional<String> branch()
    {
        return fields.required("branch").flatMap(branch -> {
            Optional<String> problem = BranchNames.problem(branch);
            problem.ifPresent(text -> fields.problem("branch: " + text));
            return problem.isPresent() ? Optional.empty() : Optional.of(branch);
        });
    }

    Optional<String> commit()
    {
        return fields.matching("commit", COMMIT, "a full commit id of 40 (or 64) lower-case hex digits, as 'git rev-parse HEAD' prints it");
    }

    /** A plain relative path inside the checkout: never absolute, never climbing out with '..', never read as an option. */
    Optional<String> entrypoint()
    {
        return fields.required("entrypoint").flatMap(entrypoint -> {
            Optional<String> problem = entrypointProblem(entrypoint);
            problem.ifPresent(text -> fields.problem("entrypoint '" + abbreviate(entrypoint) + "' " + text
                    + " (it runs from the checkout root, e.g. scripts/train.sh)"));
            return problem.isPresent() ? Optional.empty() : Optional.of(entrypoint);
        });
    }

    private static Optional<String> entrypointProblem(String entrypoint)
    {
        if (entrypoint.startsWith("/")) {
            return Optional.of("must be a path inside the repository, not an absolute path");
        }
        if (entrypoint.startsWith("-")) {
            return Optional.of("must not start with '-'");
        }
        for (String segment : entrypoint.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return Optional.of("must be a plain relative path without '.', '..' or empty segments");
            }
            if (!PATH_SEGMENT.matcher(segment).matches()) {
                return Optional.of("must not contain control characters or backslashes");
            }
        }
        return Optional.empty();
    }
}
