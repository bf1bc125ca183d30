package dev.berth.store;

import dev.berth.job.JobState;

import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Which jobs a listing shows: any of {@code states} (none: every state), and of those only the jobs
 * with exactly this name, repository and user, when given. Each is answered by an index, so a listing
 * stays fast in a large store.
 *
 * @param repo a repository as the store keeps it: {@link dev.berth.repo.RepoUrl}'s text
 */
public record JobFilter(Set<JobState> states, Optional<String> name, Optional<String> repo, Optional<String> user)
{
    public static final JobFilter ALL = new JobFilter(Set.of(), Optional.empty(), Optional.empty(), Optional.empty());

    public JobFilter
    {
        states = Set.copyOf(states);
        requireNonNull(name, "name is null");
        requireNonNull(repo, "repo is null");
        requireNonNull(user, "user is null");
    }

    public static JobFilter inStates(Set<JobState> states)
    {
        return new JobFilter(states, Optional.empty(), Optional.empty(), Optional.empty());
    }
}
