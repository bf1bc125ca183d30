package dev.berth.fleet;

import static java.util.Objects.requireNonNull;

/** A job container a worker's agent saw running, from its {@code berth.job} and {@code berth.attempt} labels. */
public record RunningJob(String container, String job, String attempt)
{
    public RunningJob
    {
        requireNonNull(container, "container is null");
        requireNonNull(job, "job is null");
        requireNonNull(attempt, "attempt is null");
    }
}
