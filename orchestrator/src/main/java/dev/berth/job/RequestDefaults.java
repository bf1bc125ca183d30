package dev.berth.job;

import dev.berth.config.BerthConfig;

import static java.util.Objects.requireNonNull;

/** What a request gets for each field it leaves out. */
public record RequestDefaults(String image, double cpus, long memoryBytes, int maxAttempts)
{
    public RequestDefaults
    {
        requireNonNull(image, "image is null");
    }

    /** The defaults the daemon and the CLI both apply, so a request checked by {@code berth submit} is the one the daemon stores. */
    public static RequestDefaults of(BerthConfig config)
    {
        return new RequestDefaults(config.defaultImage(), config.defaultCpus(), config.defaultMemoryBytes(), config.defaultMaxAttempts());
    }
}
