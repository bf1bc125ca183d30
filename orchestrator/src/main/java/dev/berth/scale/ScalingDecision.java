package dev.berth.scale;

import dev.berth.swarm.SwarmNode;

import static java.util.Objects.requireNonNull;

/** One step the planner takes for a pool, with the reason {@code berth workers} and the log give for it. */
sealed interface ScalingDecision
{
    String pool();

    String reason();

    /** Ask the scaler for {@code workers} workers in all. */
    record Grow(String pool, int from, int workers, String reason)
            implements ScalingDecision
    {
        public Grow
        {
            requireNonNull(pool, "pool is null");
            requireNonNull(reason, "reason is null");
        }
    }

    /** Drain an idle worker so that nothing more is placed there: the first half of a scale-in. */
    record Drain(String pool, SwarmNode worker, String reason)
            implements ScalingDecision
    {
        public Drain
        {
            requireNonNull(pool, "pool is null");
            requireNonNull(worker, "worker is null");
            requireNonNull(reason, "reason is null");
        }
    }

    /** Remove a worker berth drained and that runs nothing now: the second half. */
    record Remove(String pool, SwarmNode worker, String reason)
            implements ScalingDecision
    {
        public Remove
        {
            requireNonNull(pool, "pool is null");
            requireNonNull(worker, "worker is null");
            requireNonNull(reason, "reason is null");
        }
    }
}
