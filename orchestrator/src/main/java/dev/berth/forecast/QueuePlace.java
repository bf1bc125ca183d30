package dev.berth.forecast;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Where a queued job stands among the jobs waiting for the same pool (for a job that names none, among
 * those that name none): 1 is the next one admission takes. {@code estimatedStart} is empty when berth
 * cannot make an estimate (see {@link QueueForecast}).
 *
 * @param waiting how many jobs wait for that pool, this one included
 */
public record QueuePlace(long position, long waiting, Optional<String> pool, Optional<Instant> estimatedStart)
{
    public QueuePlace
    {
        requireNonNull(pool, "pool is null");
        requireNonNull(estimatedStart, "estimatedStart is null");
    }
}
