package dev.berth.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The autoscaled pools and the last steps taken for each, as the daemon last wrote them to
 * {@code <state dir>/scaling.json} for {@code berth workers} and the API. The JSON field names are an
 * interface: keep them stable.
 */
public record ScalingReport(List<PoolScaling> pools)
{
    public static final String FILE = "scaling.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** @param steps the newest last */
    public record PoolScaling(String pool, int min, int max, int desired, List<ScalingStep> steps)
    {
        public PoolScaling
        {
            requireNonNull(pool, "pool is null");
            steps = List.copyOf(steps);
        }

        public Optional<ScalingStep> lastStep()
        {
            return steps.isEmpty() ? Optional.empty() : Optional.of(steps.get(steps.size() - 1));
        }
    }

    public ScalingReport
    {
        pools = List.copyOf(pools);
    }

    /** What the daemon last wrote in the state dir; empty when no pool scales on demand (or it has not yet looked). */
    public static Optional<ScalingReport> read(Path stateDir)
    {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(stateDir.resolve(FILE)));
        }
        catch (NoSuchFileException e) {
            return Optional.empty();
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read " + stateDir.resolve(FILE) + ": " + e.getMessage(), e);
        }
        List<PoolScaling> pools = new ArrayList<>();
        for (JsonNode pool : root.path("pools")) {
            List<ScalingStep> steps = new ArrayList<>();
            for (JsonNode step : pool.path("steps")) {
                steps.add(new ScalingStep(Instant.parse(step.path("at").asText()), pool.path("pool").asText(), step.path("action").asText(),
                        step.path("from").asInt(), step.path("to").asInt(), step.path("reason").asText()));
            }
            pools.add(new PoolScaling(pool.path("pool").asText(), pool.path("min").asInt(), pool.path("max").asInt(), pool.path("desired").asInt(), steps));
        }
        return Optional.of(new ScalingReport(pools));
    }

    /** Written to a temporary name and renamed, so that a reader never sees half of it. */
    void write(Path stateDir)
    {
        Path file = stateDir.resolve(FILE);
        Path temporary = stateDir.resolve(FILE + ".tmp");
        try {
            Files.write(temporary, JSON.writeValueAsBytes(toJson()));
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The autoscaled pools as {@code berth workers --json} and {@code GET /api/v1/workers} list them under
     * {@code scaling}: each with its count, bounds and last steps; none without autoscaling.
     */
    public static ArrayNode poolsJson(Path stateDir)
    {
        return read(stateDir).map(report -> (ArrayNode) report.toJson().get("pools")).orElseGet(JsonNodeFactory.instance::arrayNode);
    }

    public ObjectNode toJson()
    {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode pools = root.putArray("pools");
        for (PoolScaling pool : this.pools) {
            ObjectNode node = pools.addObject().put("pool", pool.pool()).put("min", pool.min()).put("max", pool.max()).put("desired", pool.desired());
            ArrayNode steps = node.putArray("steps");
            for (ScalingStep step : pool.steps()) {
                steps.addObject().put("at", step.at().toString()).put("action", step.action()).put("from", step.from()).put("to", step.to())
                        .put("reason", step.reason());
            }
        }
        return root;
    }
}
