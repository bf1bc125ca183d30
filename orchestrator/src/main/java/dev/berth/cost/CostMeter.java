package dev.berth.cost;

import dev.berth.config.PoolPrice;
import dev.berth.job.Resources;
import dev.berth.swarm.SwarmNode;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Prices an attempt as it ends: its node's price per hour times its run time times its share of the
 * node, the largest of its CPU, memory and GPU shares (a job holding all of a node's GPUs keeps the node
 * from every other GPU job, however few of its CPUs it uses). Instance-hours are the run hours times the
 * same share.
 */
public final class CostMeter
{
    private static final double MILLIS_PER_HOUR = 3_600_000.0;

    private final Map<String, PoolPrice> prices;

    public CostMeter(List<PoolPrice> prices)
    {
        this.prices = prices.stream().collect(Collectors.toUnmodifiableMap(PoolPrice::pool, Function.identity()));
    }

    /**
     * @param nodeName the node the attempt ran on, as recorded
     * @param node that node as Swarm last listed it, if it still does
     */
    public Cost cost(Resources resources, Optional<String> nodeName, Optional<SwarmNode> node, Optional<Instant> startedAt, Instant finishedAt)
    {
        requireNonNull(resources, "resources is null");
        if (startedAt.isEmpty()) {
            return Cost.NONE;
        }
        if (nodeName.isEmpty()) {
            return Cost.unknown("no node recorded");
        }
        if (node.isEmpty()) {
            return Cost.unknown("node " + nodeName.get() + " no longer listed by Swarm");
        }
        Optional<String> pool = node.get().pool();
        if (pool.isEmpty()) {
            return Cost.unknown("node " + nodeName.get() + " has no pool");
        }
        PoolPrice price = prices.get(pool.get());
        if (price == null) {
            return Cost.unknown("no price for pool " + pool.get());
        }
        Optional<Double> share = share(resources, node.get());
        if (share.isEmpty()) {
            return Cost.unknown("node " + nodeName.get() + " reports no CPUs or memory");
        }
        // A start stamped after the end, by two machines' clocks, ran no time
        double hours = Math.max(0, Duration.between(startedAt.get(), finishedAt).toMillis()) / MILLIS_PER_HOUR;
        double instanceHours = hours * share.get();
        return Cost.priced(instanceHours, instanceHours * price.usdPerHour(), price.market());
    }

    /** The largest of the job's shares of the node's CPUs, memory and GPUs, at most the whole node; empty when the node reports none. */
    static Optional<Double> share(Resources resources, SwarmNode node)
    {
        if (node.nanoCpus() <= 0 || node.memoryBytes() <= 0) {
            return Optional.empty();
        }
        double share = Math.max((double) resources.nanoCpus() / node.nanoCpus(), (double) resources.memoryBytes() / node.memoryBytes());
        if (!node.gpus().isEmpty()) {
            share = Math.max(share, (double) resources.gpus() / node.gpus().size());
        }
        return Optional.of(Math.min(1.0, share));
    }
}
