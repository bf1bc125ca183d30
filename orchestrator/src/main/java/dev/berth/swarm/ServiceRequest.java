package dev.berth.swarm;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
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
    /** A bind mount of {@code path} at the same path inside, or with {@code overlay}, a volume that is an overlay mounted there. */
    public record Mount(Path path, boolean readOnly, Optional<Overlay> overlay)
    {
        public Mount
        {
            requireNonNull(path, "path is null");
            requireNonNull(overlay, "overlay is null");
        }

        public Mount(Path path, boolean readOnly)
        {
            this(path, readOnly, Optional.empty());
        }

        /** A writable view of {@code overlay}'s lower dir at {@code path}: what the job changes goes to the upper dir. */
        public static Mount overlay(Path path, Overlay overlay)
        {
            return new Mount(path, false, Optional.of(overlay));
        }
    }

    /**
     * An overlay the node's engine mounts as the local volume {@code volume}, labelled {@code labels} so that berth
     * can find it to remove once its container is gone. {@code lower} stays as it is; {@code upper} gets every file
     * the job writes, and {@code work} is the overlay's own scratch dir, on the same file system as {@code upper}.
     */
    public record Overlay(String volume, Path lower, Path upper, Path work, Map<String, String> labels)
    {
        public Overlay
        {
            requireNonNull(volume, "volume is null");
            requireNonNull(lower, "lower is null");
            requireNonNull(upper, "upper is null");
            requireNonNull(work, "work is null");
            labels = Map.copyOf(labels);
        }

        /**
         * An overlay whose volume is {@code prefix} and a digest of its dirs. An engine mounts an existing volume
         * of the name it is given with the options that volume was created with, and volumes outlive their
         * services; so a name must never come back with other dirs, as it would for a job id used again by
         * another berth on the same engine, or after a purge.
         */
        public static Overlay named(String prefix, Path lower, Path upper, Path work, Map<String, String> labels)
        {
            String options = new Overlay(prefix, lower, upper, work, labels).options();
            String digest = HexFormat.of().formatHex(sha256(options.getBytes(StandardCharsets.UTF_8)), 0, 6);
            return new Overlay(prefix + "-" + digest, lower, upper, work, labels);
        }

        private static byte[] sha256(byte[] bytes)
        {
            try {
                return MessageDigest.getInstance("SHA-256").digest(bytes);
            }
            catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
        }

        /** The mount options; the overlay's syntax has no escapes, so the dirs' paths must hold no ',' or ':'. */
        public String options()
        {
            return "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work;
        }
    }

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
