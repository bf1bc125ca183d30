package dev.berth.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/** Reads the heartbeat tree the workers' agents write. A bad file is reported, never fatal: one broken worker must not hide the others. */
public final class HeartbeatReader
{
    private static final int SUPPORTED_VERSION = 1;

    private final Path directory;
    private final ObjectMapper mapper = new ObjectMapper();

    public HeartbeatReader(Path directory)
    {
        this.directory = requireNonNull(directory, "directory is null");
    }

    public HeartbeatScan read()
    {
        if (!Files.isDirectory(directory)) {
            return new HeartbeatScan(List.of(), Map.of());
        }
        List<Heartbeat> heartbeats = new ArrayList<>();
        Map<String, String> unreadable = new HashMap<>();
        List<Path> files;
        try (Stream<Path> listing = Files.list(directory)) {
            // Names starting with '.' are the agents' temp files, renamed into place when complete.
            files = listing.filter(file -> !file.getFileName().toString().startsWith(".")).sorted().toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot list the heartbeat directory " + directory, e);
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            try {
                heartbeats.add(parse(name, Files.readAllBytes(file)));
            }
            catch (NoSuchFileException e) {
                // Removed between listing and reading: nothing to report.
            }
            catch (IOException | IllegalArgumentException e) {
                unreadable.put(name, e.getMessage());
            }
        }
        return new HeartbeatScan(heartbeats, unreadable);
    }

    private Heartbeat parse(String fileName, byte[] content)
            throws IOException
    {
        JsonNode root = mapper.readTree(content);
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        int version = root.path("version").asInt(-1);
        if (version != SUPPORTED_VERSION) {
            throw new IllegalArgumentException("heartbeat format version %s, expected %d: update berth or the agent".formatted(root.path("version"), SUPPORTED_VERSION));
        }
        String hostname = text(root, "hostname");
        if (!hostname.equals(fileName)) {
            throw new IllegalArgumentException("file is named %s but holds the heartbeat of %s".formatted(fileName, hostname));
        }
        List<String> gpus = new ArrayList<>();
        root.path("gpus").forEach(gpu -> gpus.add(gpu.asText()));
        List<RunningJob> jobs = new ArrayList<>();
        for (JsonNode job : root.path("jobs")) {
            jobs.add(new RunningJob(text(job, "container"), text(job, "job"), text(job, "attempt")));
        }
        return new Heartbeat(
                hostname,
                Optional.of(text(root, "node_id")).filter(id -> !id.isEmpty()),
                text(root, "pool"),
                text(root, "lifecycle"),
                text(root, "state"),
                text(root, "docker").equals("ok"),
                epochSeconds(root, "written_at"),
                epochSeconds(root, "last_busy_at"),
                gpus,
                jobs,
                spotNotice(root),
                optionalTime(root, "rebalance_at"),
                optionalText(root, "unhealthy"),
                optionalEpochSeconds(root, "unhealthy_reported_at"));
    }

    /** Absent or null: nothing to say (agents before GPU checks wrote neither health field). */
    private static Optional<String> optionalText(JsonNode node, String field)
    {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw new IllegalArgumentException("field '%s' is neither a non-empty string nor null".formatted(field));
        }
        return Optional.of(value.asText());
    }

    private static Optional<Instant> optionalEpochSeconds(JsonNode node, String field)
    {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        return Optional.of(epochSeconds(node, field));
    }

    /** Absent or null: no notice (agents before notices wrote neither field). */
    private static Optional<SpotNotice> spotNotice(JsonNode root)
    {
        JsonNode notice = root.get("spot_notice");
        if (notice == null || notice.isNull()) {
            return Optional.empty();
        }
        if (!notice.isObject()) {
            throw new IllegalArgumentException("field 'spot_notice' is neither an object nor null");
        }
        return Optional.of(new SpotNotice(text(notice, "action"), optionalTime(notice, "time")));
    }

    private static Optional<Instant> optionalTime(JsonNode node, String field)
    {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException("field '%s' is not a time".formatted(field));
        }
        try {
            return Optional.of(Instant.parse(value.asText()));
        }
        catch (DateTimeParseException e) {
            throw new IllegalArgumentException("field '%s' is not a time such as 2026-12-01T23:40:00Z: %s".formatted(field, value.asText()));
        }
    }

    private static String text(JsonNode node, String field)
    {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("field '%s' is missing or not a string".formatted(field));
        }
        return value.asText();
    }

    private static Instant epochSeconds(JsonNode node, String field)
    {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToLong()) {
            throw new IllegalArgumentException("field '%s' is missing or not a number of seconds".formatted(field));
        }
        return Instant.ofEpochSecond(value.asLong());
    }
}
