package dev.berth.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * One pool of the fleet and what each of its nodes offers, as its instance type has it: known before
 * any of the pool's nodes is up, so that a job for an empty pool can wait for one rather than fail.
 *
 * @param scaleVariable the Terraform variable that sets how many nodes the pool has, when there is one
 */
public record PoolType(String pool, String instanceType, double cpus, long memoryBytes, int gpus, Optional<String> scaleVariable)
{
    public static final String KEY = "BERTH_POOLS";
    /** What {@link #parseAll} takes, for the message that refuses anything else. */
    static final String FORM = "pool:instance-type:cpus:memory:gpus[:terraform-variable], comma-separated, "
            + "such as gpu:g5.xlarge:4:16g:1:gpu_worker_count,spot:m6i.2xlarge:8:32g:0:worker_count";
    /** As a request's {@code pool} field may name it. */
    private static final Pattern POOL = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");
    private static final Pattern INSTANCE_TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,62}");

    public PoolType
    {
        requireNonNull(pool, "pool is null");
        requireNonNull(instanceType, "instanceType is null");
        requireNonNull(scaleVariable, "scaleVariable is null");
    }

    public long nanoCpus()
    {
        return Math.round(cpus * 1e9);
    }

    /** The pools of {@code value}; every one a pool may be named only once. */
    static List<PoolType> parseAll(String value)
    {
        List<PoolType> pools = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String entry : value.split(",", -1)) {
            PoolType pool = parse(entry.strip()).orElseThrow(() -> refused(value, "'" + entry.strip() + "' is not a pool"));
            if (!names.add(pool.pool())) {
                throw refused(value, "pool '" + pool.pool() + "' is named twice");
            }
            pools.add(pool);
        }
        return List.copyOf(pools);
    }

    private static Optional<PoolType> parse(String entry)
    {
        String[] fields = entry.split(":", -1);
        if (fields.length < 5 || fields.length > 6 || !POOL.matcher(fields[0]).matches() || !INSTANCE_TYPE.matcher(fields[1]).matches()
                || fields.length == 6 && !VARIABLE.matcher(fields[5]).matches()) {
            return Optional.empty();
        }
        Optional<Double> cpus = decimal(fields[2]).filter(number -> number > 0 && number < 1e6);
        Optional<Long> memory = Sizes.parse(fields[3]).filter(bytes -> bytes > 0);
        Optional<Integer> gpus = whole(fields[4]).filter(count -> count >= 0);
        if (cpus.isEmpty() || memory.isEmpty() || gpus.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PoolType(fields[0], fields[1], cpus.get(), memory.get(), gpus.get(),
                fields.length == 6 ? Optional.of(fields[5]) : Optional.empty()));
    }

    private static ConfigException refused(String value, String why)
    {
        return new ConfigException("%s must be %s; got '%s': %s".formatted(KEY, FORM, value, why));
    }

    private static Optional<Double> decimal(String text)
    {
        try {
            return text.matches("\\d+(\\.\\d+)?") ? Optional.of(Double.valueOf(text)) : Optional.empty();
        }
        catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<Integer> whole(String text)
    {
        try {
            return text.matches("\\d{1,4}") ? Optional.of(Integer.valueOf(text)) : Optional.empty();
        }
        catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
