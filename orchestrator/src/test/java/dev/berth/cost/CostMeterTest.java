package dev.berth.cost;

import dev.berth.config.PoolPrice;
import dev.berth.config.PoolPrice.Market;
import dev.berth.job.Resources;
import dev.berth.swarm.SwarmNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** An attempt's cost: its node's hourly price, times its run time, times its largest share of the node; unknown, never 0, when a part is missing. */
class CostMeterTest
{
    private static final long GIB = 1L << 30;
    private static final Instant START = Instant.parse("2026-03-04T05:00:00Z");
    private static final Instant TWO_HOURS_LATER = START.plus(Duration.ofHours(2));
    private static final PoolPrice SPOT = new PoolPrice("spot", "m6i.2xlarge", 0.40, Market.SPOT);
    private static final PoolPrice GPU = new PoolPrice("gpu", "g5.12xlarge", 5.60, Market.ON_DEMAND);

    private final CostMeter meter = new CostMeter(List.of(SPOT, GPU));

    @Test
    void theShareIsTheLargestOfTheCpuMemoryAndGpuShares()
    {
        SwarmNode spot = node("s1", "spot", 8, 32, 0);
        // 2 of 8 CPUs, 4 of 32 GiB: the CPUs' quarter counts
        Cost cpuBound = meter.cost(new Resources(2, 4 * GIB, 0), Optional.of("s1"), Optional.of(spot), Optional.of(START), TWO_HOURS_LATER);
        assertThat(cpuBound.instanceHours()).isCloseTo(2 * 0.25, within(1e-9));
        assertThat(cpuBound.usd()).isCloseTo(2 * 0.25 * SPOT.usdPerHour(), within(1e-9));
        assertThat(cpuBound.markets()).containsExactly(Market.SPOT);
        assertThat(cpuBound.text()).isEqualTo("0.50 instance-hours, $0.20 (spot)");

        // 1 of 8 CPUs, 16 of 32 GiB: half the node's memory keeps others off half of it
        Cost memoryBound = meter.cost(new Resources(1, 16 * GIB, 0), Optional.of("s1"), Optional.of(spot), Optional.of(START), TWO_HOURS_LATER);
        assertThat(memoryBound.instanceHours()).isCloseTo(2 * 0.5, within(1e-9));

        // 1 of 48 CPUs, 8 of 192 GiB, but 2 of 4 GPUs
        SwarmNode gpu = node("g1", "gpu", 48, 192, 4);
        Cost gpuBound = meter.cost(new Resources(1, 8 * GIB, 2), Optional.of("g1"), Optional.of(gpu), Optional.of(START), TWO_HOURS_LATER);
        assertThat(gpuBound.instanceHours()).isCloseTo(2 * 0.5, within(1e-9));
        assertThat(gpuBound.usd()).isCloseTo(2 * 0.5 * GPU.usdPerHour(), within(1e-9));
        assertThat(gpuBound.markets()).containsExactly(Market.ON_DEMAND);
    }

    @Test
    void aShareIsNeverMoreThanTheWholeNode()
    {
        SwarmNode small = node("s1", "spot", 2, 4, 0);
        Cost cost = meter.cost(new Resources(4, 8 * GIB, 0), Optional.of("s1"), Optional.of(small), Optional.of(START), TWO_HOURS_LATER);
        assertThat(cost.instanceHours()).isCloseTo(2, within(1e-9));
    }

    @Test
    void whatIsNotKnownMakesTheCostUnknownNeverZero()
    {
        Resources resources = new Resources(1, GIB, 0);
        assertThat(meter.cost(resources, Optional.of("n1"), Optional.of(node("n1", "burst", 8, 32, 0)), Optional.of(START), TWO_HOURS_LATER).unknown())
                .containsExactly("no price for pool burst");
        assertThat(meter.cost(resources, Optional.of("n1"), Optional.of(node("n1", null, 8, 32, 0)), Optional.of(START), TWO_HOURS_LATER).unknown())
                .containsExactly("node n1 has no pool");
        assertThat(meter.cost(resources, Optional.of("gone"), Optional.empty(), Optional.of(START), TWO_HOURS_LATER).unknown())
                .containsExactly("node gone no longer listed by Swarm");
        assertThat(meter.cost(resources, Optional.empty(), Optional.empty(), Optional.of(START), TWO_HOURS_LATER).unknown())
                .containsExactly("no node recorded");
        assertThat(meter.cost(resources, Optional.of("n0"), Optional.of(node("n0", "spot", 0, 0, 0)), Optional.of(START), TWO_HOURS_LATER).unknown())
                .containsExactly("node n0 reports no CPUs or memory");
        Cost unknown = new CostMeter(List.of()).cost(resources, Optional.of("s1"), Optional.of(node("s1", "spot", 8, 32, 0)), Optional.of(START), TWO_HOURS_LATER);
        assertThat(unknown.known()).isFalse();
        assertThat(unknown.knownUsd()).isEmpty();
        assertThat(unknown.knownInstanceHours()).isEmpty();
        assertThat(unknown.text()).isEqualTo("unknown (no price for pool spot)");
    }

    @Test
    void anAttemptThatNeverStartedHeldNoNodeAndOneWhoseClocksDisagreeRanNoTime()
    {
        Resources resources = new Resources(1, GIB, 0);
        assertThat(meter.cost(resources, Optional.empty(), Optional.empty(), Optional.empty(), TWO_HOURS_LATER)).isEqualTo(Cost.NONE);
        Cost backwards = meter.cost(resources, Optional.of("s1"), Optional.of(node("s1", "spot", 8, 32, 0)), Optional.of(TWO_HOURS_LATER), START);
        assertThat(backwards.known()).isTrue();
        assertThat(backwards.usd()).isZero();
    }

    @Test
    void aJobsAttemptsAddUpAndOneUnknownMakesTheSumUnknown()
    {
        Cost spot = Cost.priced(0.5, 0.2, Market.SPOT);
        Cost onDemand = Cost.priced(1.0, 0.9, Market.ON_DEMAND);
        Cost both = spot.plus(onDemand);
        assertThat(both.instanceHours()).isCloseTo(1.5, within(1e-9));
        assertThat(both.usd()).isCloseTo(1.1, within(1e-9));
        assertThat(both.text()).isEqualTo("1.50 instance-hours, $1.10 (spot, on-demand)");
        Cost withUnknown = both.plus(Cost.unknown("no price for pool gpu")).plus(Cost.unknown("no price for pool gpu"));
        assertThat(withUnknown.known()).isFalse();
        assertThat(withUnknown.text()).isEqualTo("unknown (no price for pool gpu)");
        assertThat(Cost.NONE.plus(spot)).isEqualTo(spot);
    }

    @Test
    void aStoredCostReadsBackAsItWasAndAnythingElseAsUnknown()
    {
        for (Cost cost : List.of(Cost.priced(0.125, 0.05, Market.SPOT), Cost.NONE, Cost.unknown("no price for pool gpu"))) {
            assertThat(CostJson.read(CostJson.stored(cost))).isEqualTo(cost);
        }
        assertThat(CostJson.read("{\"usd\": 1}").known()).isFalse();
        assertThat(CostJson.read("not json").known()).isFalse();
    }

    private static SwarmNode node(String name, String pool, int cpus, int memoryGib, int gpus)
    {
        List<String> gpuIds = java.util.stream.IntStream.range(0, gpus).mapToObj(i -> "GPU-" + i).toList();
        return new SwarmNode(name, name, "ready", "active", pool == null ? Map.of() : Map.of(SwarmNode.POOL_LABEL, pool),
                cpus * 1_000_000_000L, memoryGib * GIB, gpuIds);
    }
}
