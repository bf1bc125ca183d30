package dev.berth.job;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** One of a job's dependencies and where it is now: empty when it is no longer in the store (purged after it ended). */
public record DependencyState(Dependency dependency, Optional<JobState> state)
{
    public DependencyState
    {
        requireNonNull(dependency, "dependency is null");
        requireNonNull(state, "state is null");
    }

    /** Not ended yet: a job purged had ended. */
    public boolean live()
    {
        return state.filter(current -> !current.terminal()).isPresent();
    }
}
