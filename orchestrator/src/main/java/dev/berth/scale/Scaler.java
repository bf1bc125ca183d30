package dev.berth.scale;

import dev.berth.swarm.SwarmNode;

import java.util.List;

/**
 * What adds and removes a pool's workers: on AWS the pool's Auto Scaling group ({@link AutoScalingGroupScaler}),
 * on the test bed its script ({@link TestbedScaler}). berth decides how many workers each pool needs and which
 * idle ones go; a scaler only carries that out.
 */
public interface Scaler
{
    /**
     * How many workers the pool has or has been asked to get (some may still be starting), and the bounds the
     * scaler itself keeps it in: an Auto Scaling group's min and max, which berth keeps to as well.
     */
    PoolSize size(String pool);

    /** @param min at least 0; {@code max} at least {@code min} */
    record PoolSize(int desired, int min, int max)
    {
        /** A scaler that keeps no bounds of its own: berth's (BERTH_AUTOSCALE) are all there are. */
        public static PoolSize unbounded(int desired)
        {
            return new PoolSize(desired, 0, Integer.MAX_VALUE);
        }
    }

    /** Asks for {@code workers} workers in the pool, more than {@link #size} says it has. */
    void grow(String pool, int workers);

    /**
     * Keeps a scale-in of the pool from taking the {@code busy} workers, and lets it take the {@code idle} ones:
     * whatever else shrinks the pool (an operator lowering its count) never kills a running job.
     */
    void protect(String pool, List<SwarmNode> busy, List<SwarmNode> idle);

    /** Removes one worker that berth drained and that runs nothing, and the pool's desired count with it. */
    void remove(String pool, SwarmNode worker);
}
