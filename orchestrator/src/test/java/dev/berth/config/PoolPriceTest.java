package dev.berth.config;

import dev.berth.config.PoolPrice.Market;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code BERTH_POOL_PRICES} as berth reads it from the fleet's berth.env, and every value it refuses, by field. */
class PoolPriceTest
{
    private static final String FORM = "BERTH_POOL_PRICES must be pool:instance-type:usd-per-hour:market, comma-separated, market spot or on-demand, "
            + "such as spot:m6i.2xlarge:0.15:spot,gpu:g5.xlarge:1.006:on-demand; got ";

    @TempDir
    Path temp;

    @Test
    void pricesAreReadPerPoolWithTheirMarkets()
    {
        BerthConfig config = load(Map.of("BERTH_POOLS", "spot:m6i.2xlarge:8:32g:0,gpu:g5.xlarge:4:16g:1",
                "BERTH_POOL_PRICES", "spot:m6i.2xlarge:0.15:spot, gpu:g5.xlarge:1.006:On-Demand"));

        assertThat(config.prices()).containsExactly(
                new PoolPrice("spot", "m6i.2xlarge", 0.15, Market.SPOT),
                new PoolPrice("gpu", "g5.xlarge", 1.006, Market.ON_DEMAND));
        assertThat(load(Map.of()).prices()).as("none set: every cost is unknown").isEmpty();
        assertThat(load(Map.of("BERTH_POOL_PRICES", "local:laptop:0:on-demand")).prices())
                .as("a pool BERTH_POOLS does not describe (a single node labelled by hand), and a free one")
                .containsExactly(new PoolPrice("local", "laptop", 0, Market.ON_DEMAND));
    }

    @Test
    void badPricesAreRefusedNamingTheFieldTheValueAndWhatIsAccepted()
    {
        assertRefused("spot:m6i.2xlarge:0.15", "'spot:m6i.2xlarge:0.15' has 3 fields, not 4");
        assertRefused("Spot:m6i.2xlarge:0.15:spot", "pool 'Spot' is not a pool name (lower-case letters, digits, '_', '.', '-')");
        assertRefused("spot:m6i 2xlarge:0.15:spot", "instance type 'm6i 2xlarge' of pool 'spot' is not an instance type such as m6i.2xlarge");
        assertRefused("spot:m6i.2xlarge:-1:spot", "usd-per-hour '-1' of pool 'spot' is not a price in dollars such as 0.15 (0 or more)");
        assertRefused("spot:m6i.2xlarge:$0.15:spot", "usd-per-hour '$0.15' of pool 'spot' is not a price in dollars such as 0.15 (0 or more)");
        assertRefused("spot:m6i.2xlarge:0.15:reserved", "market 'reserved' of pool 'spot' is neither spot nor on-demand");
        assertRefused("spot:m6i.2xlarge:0.15:spot,spot:m6i.2xlarge:0.2:spot", "pool 'spot' is priced twice");
        assertRefused("spot:m6i.2xlarge:0.15:spot,", "'' has 1 field, not 4");
    }

    @Test
    void aPriceForAnotherInstanceTypeThanThePoolsIsRefused()
    {
        assertThatThrownBy(() -> load(Map.of("BERTH_POOLS", "spot:m6i.2xlarge:8:32g:0", "BERTH_POOL_PRICES", "spot:m5.large:0.05:spot")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("BERTH_POOL_PRICES prices pool 'spot' as instance type 'm5.large', but BERTH_POOLS says its nodes are 'm6i.2xlarge'; price the pool's type");
    }

    private void assertRefused(String value, String why)
    {
        assertThatThrownBy(() -> load(Map.of("BERTH_POOL_PRICES", value))).as(value)
                .isInstanceOf(ConfigException.class)
                .hasMessage(FORM + "'" + value + "': " + why);
    }

    private BerthConfig load(Map<String, String> settings)
    {
        Map<String, String> environment = new java.util.HashMap<>(settings);
        environment.put("HOME", temp.toString());
        return BerthConfig.load(environment);
    }
}
