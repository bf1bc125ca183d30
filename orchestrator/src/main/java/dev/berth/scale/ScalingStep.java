package dev.berth.scale;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * One scaling step berth took, and why.
 *
 * @param action {@code grow}, {@code drain}, {@code remove}, or {@code failed} (the scaler refused a step)
 * @param from the pool's workers before the step
 * @param to the pool's workers the step asks for
 */
public record ScalingStep(Instant at, String pool, String action, int from, int to, String reason)
{
    public ScalingStep
    {
        requireNonNull(at, "at is null");
        requireNonNull(pool, "pool is null");
        requireNonNull(action, "action is null");
        requireNonNull(reason, "reason is null");
    }
}
