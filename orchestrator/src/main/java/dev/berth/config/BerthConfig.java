package dev.berth.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * Everything berth reads from its environment. Values come from {@code BERTH_*} environment
 * variables, then from the env-file named by {@code BERTH_CONFIG} (same {@code KEY=value} lines,
 * so one file serves both systemd's {@code EnvironmentFile=} and berth), then from defaults.
 * The README lists every key.
 */
public record BerthConfig(
        Path stateDir,
        Path sharedDir,
        String dockerHost,
        Optional<String> queueUrl,
        Optional<String> deadLetterQueueUrl,
        String sqsRegion,
        Optional<String> sqsEndpoint,
        String gpuKind,
        List<PoolType> pools,
        List<PoolPrice> prices,
        Autoscaling autoscaling,
        FairShare fairShare,
        int pendingCap,
        Duration pollInterval,
        Duration queueVisibility,
        String defaultImage,
        double defaultCpus,
        String defaultMemory,
        int defaultMaxAttempts,
        Duration heartbeatStaleAfter,
        Duration gitTimeout,
        GitCredentials gitCredentials,
        Path dockerConfig,
        Optional<HttpAddress> httpAddress,
        Optional<Duration> retention,
        Optional<Long> snapshotCap,
        Optional<ExportLocation> exportS3,
        String exportS3Region,
        Optional<String> exportS3Endpoint,
        Optional<String> failPoint)
{
    private static final String DEFAULT_SNAPSHOT_CAP = "20g";

    public BerthConfig
    {
        requireNonNull(stateDir, "stateDir is null");
        requireNonNull(sharedDir, "sharedDir is null");
        requireNonNull(snapshotCap, "snapshotCap is null");
        requireNonNull(dockerHost, "dockerHost is null");
        requireNonNull(queueUrl, "queueUrl is null");
        requireNonNull(deadLetterQueueUrl, "deadLetterQueueUrl is null");
        requireNonNull(sqsRegion, "sqsRegion is null");
        requireNonNull(sqsEndpoint, "sqsEndpoint is null");
        requireNonNull(gpuKind, "gpuKind is null");
        pools = List.copyOf(pools);
        prices = List.copyOf(prices);
        PoolPrice.checkAgainst(prices, pools);
        requireNonNull(autoscaling, "autoscaling is null");
        autoscaling.checkAgainst(pools);
        requireNonNull(fairShare, "fairShare is null");
        requireNonNull(pollInterval, "pollInterval is null");
        requireNonNull(queueVisibility, "queueVisibility is null");
        requireNonNull(defaultImage, "defaultImage is null");
        requireNonNull(defaultMemory, "defaultMemory is null");
        requireNonNull(heartbeatStaleAfter, "heartbeatStaleAfter is null");
        requireNonNull(gitTimeout, "gitTimeout is null");
        requireNonNull(gitCredentials, "gitCredentials is null");
        requireNonNull(dockerConfig, "dockerConfig is null");
        requireNonNull(httpAddress, "httpAddress is null");
        requireNonNull(retention, "retention is null");
        requireNonNull(exportS3, "exportS3 is null");
        requireNonNull(exportS3Region, "exportS3Region is null");
        requireNonNull(exportS3Endpoint, "exportS3Endpoint is null");
        requireNonNull(failPoint, "failPoint is null");
        if (pendingCap < 1) {
            throw new ConfigException("BERTH_PENDING_CAP must be at least 1, got " + pendingCap);
        }
        if (pollInterval.compareTo(Duration.ofMillis(10)) < 0) {
            throw new ConfigException("BERTH_POLL_INTERVAL must be at least 10ms, got " + Durations.format(pollInterval));
        }
        // SQS takes whole seconds, at most 12 hours
        if (queueVisibility.compareTo(Duration.ofSeconds(1)) < 0 || queueVisibility.compareTo(Duration.ofHours(12)) > 0) {
            throw new ConfigException("BERTH_QUEUE_VISIBILITY must be between 1s and 12h, got " + Durations.format(queueVisibility));
        }
        if (gitTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigException("BERTH_GIT_TIMEOUT must be at least 1s, got " + Durations.format(gitTimeout));
        }
        if (defaultMaxAttempts < 1) {
            throw new ConfigException("BERTH_MAX_ATTEMPTS must be at least 1, got " + defaultMaxAttempts);
        }
        if (!(defaultCpus > 0)) {
            throw new ConfigException("BERTH_DEFAULT_CPUS must be more than 0, got " + defaultCpus);
        }
    }

    /**
     * The process environment. It is read here and nowhere else: {@code berth} reads it once at its
     * start and hands it to whatever needs it, and tests hand their own.
     */
    public static Map<String, String> environment()
    {
        return System.getenv();
    }

    public static BerthConfig load(Map<String, String> environment)
    {
        Map<String, String> values = new HashMap<>();
        String file = environment.get("BERTH_CONFIG");
        if (file != null && !file.isBlank()) {
            values.putAll(readEnvFile(Path.of(file)));
        }
        environment.forEach((key, value) -> {
            if (key.startsWith("BERTH_") || key.equals("DOCKER_HOST") || key.equals("AWS_REGION") || key.equals("HOME")) {
                values.put(key, value);
            }
        });
        Settings settings = new Settings(values);

        Path stateDir = Path.of(settings.get("BERTH_STATE_DIR", Path.of(settings.get("HOME", "."), ".berth").toString()));
        return new BerthConfig(
                stateDir,
                Path.of(settings.get("BERTH_SHARED_DIR", stateDir.resolve("shared").toString())),
                settings.get("BERTH_DOCKER_HOST", settings.get("DOCKER_HOST", "unix:///var/run/docker.sock")),
                settings.optional("BERTH_QUEUE_URL"),
                settings.optional("BERTH_DLQ_URL"),
                settings.get("BERTH_SQS_REGION", settings.get("AWS_REGION", "us-east-1")),
                settings.optional("BERTH_SQS_ENDPOINT"),
                settings.get("BERTH_GPU_KIND", "GPU"),
                // The fleet's pools and their instance types (the fleet's manager role writes them); none on a single node
                settings.optional(PoolType.KEY).map(PoolType::parseAll).orElse(List.of()),
                // What a node of each pool costs an hour, for jobs' costs (the fleet's manager role writes it); none: costs are unknown
                settings.optional(PoolPrice.KEY).map(PoolPrice::parseAll).orElse(List.of()),
                new Autoscaling(
                        settings.optional(Autoscaling.KEY).map(Autoscaling::parsePools).orElse(List.of()),
                        settings.get("BERTH_SCALER", "aws"),
                        settings.duration("BERTH_SCALE_COOLDOWN", Duration.ofMinutes(5)),
                        settings.duration("BERTH_SCALE_INTERVAL", Duration.ofSeconds(30))),
                new FairShare(
                        settings.duration("BERTH_FAIR_SHARE_HALF_LIFE", FairShare.DEFAULT_HALF_LIFE),
                        settings.decimal("BERTH_FAIR_SHARE_GPU_WEIGHT", FairShare.DEFAULT_GPU_WEIGHT),
                        settings.optional(FairShare.SHARES_KEY).map(FairShare::parseShares).orElse(Map.of())),
                settings.integer("BERTH_PENDING_CAP", 8),
                settings.duration("BERTH_POLL_INTERVAL", Duration.ofMillis(500)),
                settings.duration("BERTH_QUEUE_VISIBILITY", Duration.ofSeconds(60)),
                settings.get("BERTH_DEFAULT_IMAGE", "berth-local/busybox:1"),
                settings.decimal("BERTH_DEFAULT_CPUS", 1.0),
                settings.get("BERTH_DEFAULT_MEMORY", "1g"),
                settings.integer("BERTH_MAX_ATTEMPTS", 3),
                settings.duration("BERTH_HEARTBEAT_STALE_AFTER", Duration.ofSeconds(60)),
                settings.duration("BERTH_GIT_TIMEOUT", Duration.ofSeconds(120)),
                new GitCredentials(settings.optional("BERTH_GIT_TOKEN"), settings.optional("BERTH_GIT_SSH_KEY").map(Path::of)),
                // Where 'docker login' on the manager writes: registries' credentials, handed to the workers with each service
                Path.of(settings.get("BERTH_DOCKER_CONFIG", Path.of(settings.get("HOME", "."), ".docker", "config.json").toString())),
                HttpAddress.parse(settings.get("BERTH_HTTP_ADDRESS", "127.0.0.1:8080")),
                settings.optional("BERTH_RETENTION").filter(value -> !value.equalsIgnoreCase("off")).map(value -> Durations.parse(value).orElseThrow(
                        () -> new ConfigException("BERTH_RETENTION must be an age such as 90d, or off; got '" + value + "'"))),
                snapshotCap(settings.get("BERTH_SNAPSHOT_CAP", DEFAULT_SNAPSHOT_CAP)),
                // Where the file system exports the run dirs (the fleet's manager role writes it); none on a single node
                settings.optional(ExportLocation.KEY).map(ExportLocation::parse),
                settings.get("BERTH_EXPORT_S3_REGION", settings.get("BERTH_SQS_REGION", settings.get("AWS_REGION", "us-east-1"))),
                settings.optional("BERTH_EXPORT_S3_ENDPOINT"),
                settings.optional("BERTH_FAILPOINT"));
    }

    /** {@link #defaultMemory()} in bytes; read when a request is checked, so a command that checks none is not refused for it. */
    public long defaultMemoryBytes()
    {
        return Sizes.parse(defaultMemory).orElseThrow(() -> new ConfigException(
                "BERTH_DEFAULT_MEMORY must be a size such as 1g, got '" + defaultMemory + "'"));
    }

    public Path databaseFile()
    {
        return stateDir.resolve("berth.db");
    }

    public Path runsDir()
    {
        return sharedDir.resolve("runs");
    }

    public Path mirrorsDir()
    {
        return sharedDir.resolve("mirrors");
    }

    /** One read-only tree per commit that jobs run, which each attempt sees through an overlay of its own. */
    public Path snapshotsDir()
    {
        return sharedDir.resolve("snapshots");
    }

    /** Empty when snapshots are off and every attempt gets a full checkout of its own. */
    private static Optional<Long> snapshotCap(String value)
    {
        if (value.strip().equalsIgnoreCase("off")) {
            return Optional.empty();
        }
        return Optional.of(Sizes.parse(value).filter(bytes -> bytes > 0).orElseThrow(() -> new ConfigException(
                "BERTH_SNAPSHOT_CAP must be a size such as " + DEFAULT_SNAPSHOT_CAP + " (the most the commits' snapshots may take on the shared mount), "
                        + "or off for a full checkout per attempt; got '" + value + "'")));
    }

    /** The token asked of HTTP clients when berth answers on more than loopback; only its owner reads it. */
    public Path httpTokenFile()
    {
        return stateDir.resolve("http-token");
    }

    public Path workersDir()
    {
        return sharedDir.resolve(".swarm").resolve("workers");
    }

    private static Map<String, String> readEnvFile(Path file)
    {
        Map<String, String> values = new HashMap<>();
        try {
            int lineNumber = 0;
            for (String line : Files.readAllLines(file)) {
                lineNumber++;
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                if (trimmed.startsWith("export ")) {
                    trimmed = trimmed.substring("export ".length()).strip();
                }
                int equals = trimmed.indexOf('=');
                if (equals <= 0) {
                    throw new ConfigException("%s:%d: expected KEY=value, got '%s'".formatted(file, lineNumber, line));
                }
                values.put(trimmed.substring(0, equals).strip(), unquote(trimmed.substring(equals + 1).strip()));
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read BERTH_CONFIG file " + file, e);
        }
        return values;
    }

    private static String unquote(String value)
    {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    private record Settings(Map<String, String> values)
    {
        String get(String key, String fallback)
        {
            String value = values.get(key);
            return value == null || value.isBlank() ? fallback : value;
        }

        Optional<String> optional(String key)
        {
            return Optional.ofNullable(values.get(key)).filter(value -> !value.isBlank());
        }

        int integer(String key, int fallback)
        {
            return parsed(key, fallback, number(Integer::valueOf), "a whole number");
        }

        double decimal(String key, double fallback)
        {
            return parsed(key, fallback, number(Double::valueOf), "a number");
        }

        Duration duration(String key, Duration fallback)
        {
            return parsed(key, fallback, Durations::parse, "a duration such as 500ms, 30s, 5m or 2h");
        }

        /** The key's value as {@code parser} reads it, or {@code fallback} when it is not set; a value it cannot read is refused by name. */
        private <T> T parsed(String key, T fallback, Function<String, Optional<T>> parser, String expected)
        {
            String value = get(key, null);
            if (value == null) {
                return fallback;
            }
            return parser.apply(value).orElseThrow(() -> new ConfigException("%s must be %s, got '%s'".formatted(key, expected, value)));
        }

        private static <T> Function<String, Optional<T>> number(Function<String, T> parse)
        {
            return text -> {
                try {
                    return Optional.of(parse.apply(text));
                }
                catch (NumberFormatException e) {
                    return Optional.empty();
                }
            };
        }
    }
}
