package dev.berth.job;

import static java.util.Objects.requireNonNull;

/** What a request gets for each field it leaves out. */
public record RequestDefaults(String image, double cpus, long memoryBytes, int maxAttempts)
{
    public RequestDefaults
    {
        requireNonNull(image, "image is null");
    }
}
