package dev.berth.fleet;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A spot interruption notice, as the instance metadata service gave it to the worker's agent
 * ({@code spot/instance-action}): the instance is to be reclaimed, about two minutes from the notice.
 *
 * @param action what AWS will do: {@code terminate}, {@code stop} or {@code hibernate}
 * @param time when it will, if the document said
 */
public record SpotNotice(String action, Optional<Instant> time)
{
    public SpotNotice
    {
        requireNonNull(action, "action is null");
        requireNonNull(time, "time is null");
    }
}
