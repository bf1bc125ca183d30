package dev.berth.store;

import dev.berth.job.JobState;

import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Which jobs a listing shows: any of {@code states} (none: every state), whose name and repository
 * contain the given text (ignoring the case of ASCII letters; {@code %} and {@code _} match themselves),
 * and whose user is {@code user} exactly.
 */
public record JobFilter(Set<JobState> states, Optional<String> nameContains, Optional<String> repoContains, Optional<String> user)
{
    public static final JobFilter ALL = new JobFilter(Set.of(), Optional.empty(), Optional.empty(), Optional.empty());

    public JobFilter
    {
        states = Set.copyOf(states);
        requireNonNull(nameContains, "nameContains is null");
        requireNonNull(repoContains, "repoContains is null");
        requireNonNull(user, "user is null");
    }
}
