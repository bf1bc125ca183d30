package dev.berth.selftest;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What a self-test asks for: how many GPUs (0: the CPU part alone), which pool to run in and which
 * image to run; an empty pool or image leaves it to berth's defaults, as any job's request does.
 */
public record SelfTestOptions(int gpus, Optional<String> pool, Optional<String> image)
{
    public SelfTestOptions
    {
        requireNonNull(pool, "pool is null");
        requireNonNull(image, "image is null");
        if (gpus < 0) {
            throw new IllegalArgumentException("gpus must be 0 or more, got " + gpus);
        }
    }

    /** The CPU part alone, in any pool, with the default image. */
    public static SelfTestOptions defaults()
    {
        return new SelfTestOptions(0, Optional.empty(), Optional.empty());
    }
}
