package dev.berth.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * What an hour of one node of a pool costs, as the fleet code prices it: the instance type, the dollars
 * per hour and the market the fleet buys it on. A job's cost is its share of this (see {@code CostMeter}).
 */
public record PoolPrice(String pool, String instanceType, double usdPerHour, Market market)
{
    public static final String KEY = "BERTH_POOL_PRICES";
    static final String FORM = "pool:instance-type:usd-per-hour:market, comma-separated, market spot or on-demand, "
            + "such as spot:m6i.2xlarge:0.15:spot,gpu:g5.xlarge:1.006:on-demand";
    private static final Pattern POOL = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");
    private static final Pattern INSTANCE_TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    private static final Pattern PRICE = Pattern.compile("\\d{1,6}(\\.\\d{1,6})?");

    /** How the fleet buys a pool's instances. */
    public enum Market
    {
        SPOT("spot"), ON_DEMAND("on-demand");

        private final String label;

        Market(String label)
        {
            this.label = label;
        }

        public String label()
        {
            return label;
        }

        public static Optional<Market> of(String label)
        {
            return Arrays.stream(values()).filter(market -> market.label.equals(label.toLowerCase(Locale.ROOT))).findFirst();
        }
    }

    public PoolPrice
    {
        requireNonNull(pool, "pool is null");
        requireNonNull(instanceType, "instanceType is null");
        requireNonNull(market, "market is null");
    }

    /** The prices of {@code value}, each pool priced once. */
    static List<PoolPrice> parseAll(String value)
    {
        List<PoolPrice> prices = new ArrayList<>();
        Set<String> pools = new HashSet<>();
        for (String entry : value.split(",", -1)) {
            PoolPrice price = parse(value, entry.strip());
            if (!pools.add(price.pool())) {
                throw refused(value, "pool '" + price.pool() + "' is priced twice");
            }
            prices.add(price);
        }
        return List.copyOf(prices);
    }

    /**
     * Refuses a price for a pool of {@code pools} whose instance type is another: a price table that has
     * fallen behind the fleet would cost every job of the pool at the wrong rate.
     */
    static void checkAgainst(List<PoolPrice> prices, List<PoolType> pools)
    {
        for (PoolPrice price : prices) {
            pools.stream().filter(pool -> pool.pool().equals(price.pool()) && !pool.instanceType().equals(price.instanceType())).findFirst()
                    .ifPresent(pool -> {
                        throw new ConfigException("%s prices pool '%s' as instance type '%s', but %s says its nodes are '%s'; price the pool's type"
                                .formatted(KEY, price.pool(), price.instanceType(), PoolType.KEY, pool.instanceType()));
                    });
        }
    }

    private static PoolPrice parse(String value, String entry)
    {
        String[] fields = entry.split(":", -1);
        if (fields.length != 4) {
            throw refused(value, "'" + entry + "' has " + fields.length + (fields.length == 1 ? " field" : " fields") + ", not 4");
        }
        if (!POOL.matcher(fields[0]).matches()) {
            throw refused(value, "pool '" + fields[0] + "' is not a pool name (lower-case letters, digits, '_', '.', '-')");
        }
        if (!INSTANCE_TYPE.matcher(fields[1]).matches()) {
            throw refused(value, "instance type '" + fields[1] + "' of pool '" + fields[0] + "' is not an instance type such as m6i.2xlarge");
        }
        if (!PRICE.matcher(fields[2]).matches()) {
            throw refused(value, "usd-per-hour '" + fields[2] + "' of pool '" + fields[0] + "' is not a price in dollars such as 0.15 (0 or more)");
        }
        Market market = Market.of(fields[3]).orElseThrow(() -> refused(value,
                "market '" + fields[3] + "' of pool '" + fields[0] + "' is neither spot nor on-demand"));
        return new PoolPrice(fields[0], fields[1], Double.parseDouble(fields[2]), market);
    }

    private static ConfigException refused(String value, String why)
    {
        return new ConfigException("%s must be %s; got '%s': %s".formatted(KEY, FORM, value, why));
    }
}
