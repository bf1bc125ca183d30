package dev.berth.swarm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Everything berth puts into one attempt's Swarm service. {@code secrets} are the names of berth's
 * Swarm secrets mounted at {@code /run/secrets/NAME}; the create resolves them to Swarm's ids.
 * {@code stopGrace} is how long Swarm waits after SIGTERM before SIGKILL when it stops the container.
 */
public record ServiceRequest(
        String name,
        Map<String, String> labels,
        String image,
        List<String> command,
        Map<String, String> env,
        Path workDir,
        List<Mount> mounts,
        long nanoCpus,
        long memoryBytes,
        int gpus,
        String gpuKind,
        Optional<String> pool,
        List<String> secrets,
        Duration stopGrace)
{
    public record Mount(Path path, boolean readOnly) {}

    public ServiceRequest
    {
        requireNonNull(name, "name is null");
        labels = Map.copyOf(labels);
        requireNonNull(image, "image is null");
        command = List.copyOf(command);
        env = Map.copyOf(env);
        requireNonNull(workDir, "workDir is null");
        mounts = List.copyOf(mounts);
        requireNonNull(gpuKind, "gpuKind is null");
        requireNonNull(pool, "pool is null");
        secrets = List.copyOf(secrets);
        requireNonNull(stopGrace, "stopGrace is null");
    }
}
