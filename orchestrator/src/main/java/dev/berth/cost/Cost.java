package dev.berth.cost;

import dev.berth.config.PoolPrice.Market;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * What an attempt, or a job's attempts together, cost the fleet: instance-hours (the node's hours times
 * the job's share of it) and dollars, with the markets paid. When any part of it is not known (no price
 * for the pool, the node gone from Swarm's listing) the whole is unknown, and {@code unknown} says why:
 * an unknown cost is never shown as 0.
 */
public record Cost(double instanceHours, double usd, Set<Market> markets, List<String> unknown)
{
    /** An attempt that never started: it held no node. */
    public static final Cost NONE = new Cost(0, 0, Set.of(), List.of());

    public Cost
    {
        markets = markets.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(markets));
        unknown = List.copyOf(unknown);
    }

    public static Cost priced(double instanceHours, double usd, Market market)
    {
        return new Cost(instanceHours, usd, Set.of(market), List.of());
    }

    public static Cost unknown(String why)
    {
        requireNonNull(why, "why is null");
        return new Cost(0, 0, Set.of(), List.of(why));
    }

    public boolean known()
    {
        return unknown.isEmpty();
    }

    public OptionalDouble knownInstanceHours()
    {
        return known() ? OptionalDouble.of(instanceHours) : OptionalDouble.empty();
    }

    public OptionalDouble knownUsd()
    {
        return known() ? OptionalDouble.of(usd) : OptionalDouble.empty();
    }

    /** Both together: unknown if either is, each reason said once. */
    public Cost plus(Cost other)
    {
        Set<Market> allMarkets = EnumSet.noneOf(Market.class);
        allMarkets.addAll(markets);
        allMarkets.addAll(other.markets);
        List<String> reasons = new ArrayList<>(unknown);
        other.unknown.stream().filter(reason -> !reasons.contains(reason)).forEach(reasons::add);
        return new Cost(instanceHours + other.instanceHours, usd + other.usd, allMarkets, reasons);
    }

    /** How {@code berth status} says it: "0.42 instance-hours, $0.13 (spot)", or "unknown (no price for pool gpu)". */
    public String text()
    {
        if (!known()) {
            return "unknown (" + String.join("; ", unknown) + ")";
        }
        String text = String.format(Locale.ROOT, "%.2f instance-hours, $%.2f", instanceHours, usd);
        return markets.isEmpty() ? text : text + " (" + String.join(", ", markets.stream().sorted().map(Market::label).toList()) + ")";
    }
}
