package dev.berth.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Which pools berth grows and shrinks on demand, between what bounds, through which scaler, and how
 * long a pool must have had more workers than its jobs need before an idle one is removed.
 *
 * @param scaler {@code aws} (each pool's Auto Scaling group) or {@code testbed:PATH} (the test bed's {@code swarm.sh})
 * @param coolDown how long a worker must be idle, and a pool must not have grown, before a scale-in
 * @param interval how often the pools are looked at
 */
public record Autoscaling(List<Pool> pools, String scaler, Duration coolDown, Duration interval)
{
    public static final String KEY = "BERTH_AUTOSCALE";
    static final String FORM = "pool:min:max[:auto-scaling-group] or pool:auto-scaling-group (its min and max are the group's), comma-separated, "
            + "such as gpu:0:4:berth-gpu,spot:berth-spot";
    private static final Pattern POOL = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");
    /** What AWS allows in an Auto Scaling group's name, less ':' (the separator here). */
    private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9_.\\-/+=@]{1,255}");
    private static final int MOST_WORKERS = 1000;

    /**
     * One pool that scales on demand.
     *
     * @param group its Auto Scaling group's name, for the {@code aws} scaler, whose own min and max bound the pool too
     */
    public record Pool(String pool, int min, int max, Optional<String> group)
    {
        public Pool
        {
            requireNonNull(pool, "pool is null");
            requireNonNull(group, "group is null");
        }
    }

    /** The pools that scale on demand, by name. */
    public Set<String> poolNames()
    {
        return pools.stream().map(Pool::pool).collect(Collectors.toUnmodifiableSet());
    }

    public Autoscaling
    {
        pools = List.copyOf(pools);
        requireNonNull(scaler, "scaler is null");
        requireNonNull(coolDown, "coolDown is null");
        requireNonNull(interval, "interval is null");
        if (!scaler.equals("aws") && !scaler.startsWith("testbed:")) {
            throw new ConfigException("BERTH_SCALER must be aws or testbed:PATH-TO-swarm.sh, got '" + scaler + "'");
        }
        if (scaler.equals("aws")) {
            pools.stream().filter(pool -> pool.group().isEmpty()).findFirst().ifPresent(pool -> {
                throw new ConfigException("%s: pool '%s' names no Auto Scaling group, which BERTH_SCALER=aws needs; write it as %s:%d:%d:GROUP-NAME"
                        .formatted(KEY, pool.pool(), pool.pool(), pool.min(), pool.max()));
            });
        }
        if (interval.compareTo(Duration.ofMillis(100)) < 0) {
            throw new ConfigException("BERTH_SCALE_INTERVAL must be at least 100ms, got " + Durations.format(interval));
        }
    }

    public boolean enabled()
    {
        return !pools.isEmpty();
    }

    /** Each pool must be one of {@code BERTH_POOLS}: the planner packs jobs into that pool's instance type. */
    void checkAgainst(List<PoolType> types)
    {
        for (Pool pool : pools) {
            if (types.stream().noneMatch(type -> type.pool().equals(pool.pool()))) {
                throw new ConfigException("%s names pool '%s', which %s does not describe (it has: %s); add it there with its instance type"
                        .formatted(KEY, pool.pool(), PoolType.KEY, types.isEmpty() ? "no pools" : String.join(", ", types.stream().map(PoolType::pool).toList())));
            }
        }
    }

    static List<Pool> parsePools(String value)
    {
        List<Pool> pools = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String raw : value.split(",", -1)) {
            String entry = raw.strip();
            String[] fields = entry.split(":", -1);
            if (fields.length == 2 && POOL.matcher(fields[0]).matches() && GROUP.matcher(fields[1]).matches() && !fields[1].matches("\\d+")) {
                // The group's own min and max bound it: berth reads them from AWS on each look
                fields = new String[] {fields[0], "0", Integer.toString(MOST_WORKERS), fields[1]};
            }
            if (fields.length < 3 || fields.length > 4 || !POOL.matcher(fields[0]).matches() || !fields[1].matches("\\d{1,4}") || !fields[2].matches("\\d{1,4}")
                    || fields.length == 4 && !GROUP.matcher(fields[3]).matches()) {
                throw refused(value, "'" + entry + "' is not a pool with its bounds");
            }
            int min = Integer.parseInt(fields[1]);
            int max = Integer.parseInt(fields[2]);
            if (min > max || max > MOST_WORKERS) {
                throw refused(value, "pool '%s' needs min <= max <= %d, got min %d and max %d".formatted(fields[0], MOST_WORKERS, min, max));
            }
            if (!names.add(fields[0])) {
                throw refused(value, "pool '" + fields[0] + "' is named twice");
            }
            pools.add(new Pool(fields[0], min, max, fields.length == 4 ? Optional.of(fields[3]) : Optional.empty()));
        }
        return List.copyOf(pools);
    }

    private static ConfigException refused(String value, String why)
    {
        return new ConfigException("%s must be %s; got '%s': %s".formatted(KEY, FORM, value, why));
    }
}
