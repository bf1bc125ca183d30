package dev.berth.job;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.config.Sizes;

import java.util.Optional;

import static dev.berth.job.RequestFields.describe;
import static java.util.Objects.requireNonNull;

/** The rules for {@code resources}: the CPUs, memory and GPUs a job reserves, each defaulted when left out. */
final class ResourceRules
{
    private static final double MAX_CPUS = 512;
    private static final long MIN_MEMORY = 4L << 20;
    private static final long MAX_MEMORY = 16L << 40;
    private static final int MAX_GPUS = 64;

    private final RequestFields fields;
    private final UnknownFields unknownFields;

    ResourceRules(RequestFields fields, UnknownFields unknownFields)
    {
        this.fields = requireNonNull(fields, "fields is null");
        this.unknownFields = requireNonNull(unknownFields, "unknownFields is null");
    }

    Resources resources(double defaultCpus, long defaultMemoryBytes)
    {
        double cpus = defaultCpus;
        long memory = defaultMemoryBytes;
        int gpus = 0;
        Optional<JsonNode> found = fields.ofKind("resources", JsonNode::isObject, "an object like {\"cpus\": 2, \"memory\": \"8g\", \"gpus\": 1}");
        if (found.isEmpty()) {
            return new Resources(cpus, memory, gpus);
        }
        JsonNode node = found.get();
        unknownFields.checkResources(node);
        Optional<JsonNode> cpuNode = RequestFields.value(node, "cpus");
        if (cpuNode.isPresent()) {
            double value = cpuNode.get().doubleValue();
            if (!cpuNode.get().isNumber() || !(value > 0) || value > MAX_CPUS) {
                fields.problem("resources.cpus", "resources.cpus must be a number above 0 and at most " + (int) MAX_CPUS + ", got " + describe(cpuNode.get()));
            }
            else {
                cpus = value;
            }
        }
        Optional<JsonNode> memoryNode = RequestFields.value(node, "memory");
        if (memoryNode.isPresent()) {
            Optional<Long> parsed = memoryBytes(memoryNode.get());
            if (parsed.isEmpty() || parsed.get() < MIN_MEMORY || parsed.get() > MAX_MEMORY) {
                fields.problem("resources.memory", "resources.memory must be a size from 4m to 16t such as \"512m\" or \"16g\", got " + describe(memoryNode.get()));
            }
            else {
                memory = parsed.get();
            }
        }
        gpus = fields.wholeNumber("resources.gpus", RequestFields.value(node, "gpus"), 0, MAX_GPUS).orElse(0);
        return new Resources(cpus, memory, gpus);
    }

    /** A size such as "16g", or a whole number of bytes. */
    private static Optional<Long> memoryBytes(JsonNode node)
    {
        if (node.isTextual()) {
            return Sizes.parse(node.textValue());
        }
        return node.canConvertToLong() && node.isIntegralNumber() ? Optional.of(node.longValue()) : Optional.empty();
    }
}
