package dev.berth.job;

import dev.berth.repo.RepoUrl;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static java.util.Collections.unmodifiableSortedSet;
import static java.util.Objects.requireNonNull;

/**
 * A validated job request with berth's defaults filled in. {@code entrypointParams} reaches the
 * job only as the environment variable {@code ENTRYPOINT_PARAMS}. {@code retryExitCodes} are the
 * job's own exit codes that earn it another attempt, in ascending order. {@code secrets} names the
 * Swarm secrets mounted at {@code /run/secrets/NAME}, in the request's order: names only, never values.
 * {@code stopGrace} is how long the job has between SIGTERM and SIGKILL when berth stops it.
 * {@code commit}, when given, is run instead of the branch's tip (a rerun's); {@code rerunOf} the job it runs again.
 * {@code user} is whom the job is for: the request's own field, else the sender's (see {@link #forUser}).
 * {@code priority} orders that user's own queued jobs, higher first; fair share decides between users.
 * {@code dependencies} are the jobs it waits for before it is queued ({@code after}, {@code after_any}), by id.
 * {@code array}, when given, makes the request an array: one job per index, each a task of the array (see {@link ArrayTask}).
 */
public record JobRequest(
        String id,
        String name,
        RepoUrl repo,
        String branch,
        String entrypoint,
        Optional<String> entrypointParams,
        String image,
        Resources resources,
        Map<String, String> env,
        Optional<Duration> timeout,
        Duration stopGrace,
        int maxAttempts,
        Set<Integer> retryExitCodes,
        Optional<String> pool,
        List<String> secrets,
        Optional<String> user,
        Optional<String> commit,
        Optional<String> rerunOf,
        int priority,
        List<Dependency> dependencies,
        Optional<ArraySpec> array)
{
    /**
     * Between SIGTERM and SIGKILL when berth stops a job (cancel, timeout, a drained node): long enough to
     * write a checkpoint, and under the two minutes' notice AWS gives before it takes a spot instance.
     */
    public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(90);

    public JobRequest
    {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(repo, "repo is null");
        requireNonNull(branch, "branch is null");
        requireNonNull(entrypoint, "entrypoint is null");
        requireNonNull(entrypointParams, "entrypointParams is null");
        requireNonNull(image, "image is null");
        requireNonNull(resources, "resources is null");
        env = Map.copyOf(env);
        requireNonNull(timeout, "timeout is null");
        requireNonNull(stopGrace, "stopGrace is null");
        retryExitCodes = unmodifiableSortedSet(new TreeSet<>(requireNonNull(retryExitCodes, "retryExitCodes is null")));
        requireNonNull(pool, "pool is null");
        secrets = List.copyOf(secrets);
        requireNonNull(user, "user is null");
        requireNonNull(commit, "commit is null");
        requireNonNull(rerunOf, "rerunOf is null");
        dependencies = dependencies.stream().sorted(Comparator.comparing(Dependency::jobId)).toList();
        requireNonNull(array, "array is null");
    }

    /** The job's user when the request names none: who sent it, as the queue says. */
    public JobRequest forUser(String sender)
    {
        return user.isPresent() ? this : new JobRequest(id, name, repo, branch, entrypoint, entrypointParams, image, resources, env, timeout,
                stopGrace, maxAttempts, retryExitCodes, pool, secrets, Optional.of(sender), commit, rerunOf, priority, dependencies, array);
    }

    /** The same request waiting for {@code resolved}: its dependencies as intake found them in the store, by their whole ids. */
    public JobRequest withDependencies(List<Dependency> resolved)
    {
        return new JobRequest(id, name, repo, branch, entrypoint, entrypointParams, image, resources, env, timeout,
                stopGrace, maxAttempts, retryExitCodes, pool, secrets, user, commit, rerunOf, priority, resolved, array);
    }

    /** Whether a sender's name (the queue's message attribute) is one a request's {@code user} field could hold. */
    public static Optional<String> userProblem(String user)
    {
        return NamingRules.USER.matcher(user).matches() ? Optional.empty()
                : Optional.of("must be " + NamingRules.USER_RULE + ", got '" + user + "'");
    }
}
