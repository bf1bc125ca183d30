package dev.berth.cost;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.config.PoolPrice.Market;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A cost in JSON, in two forms. As stored with an attempt: {@code {"instance_hours", "usd", "market"}}
 * ({@code market} absent for an attempt that never started), or {@code {"unknown": why}}; SQLite's
 * {@code json_extract} reads the same fields for {@code berth stats}. As shown by {@code status --json},
 * {@code list --json} and the API: {@code {"instance_hours", "usd", "markets", "unknown"}}, the first two null
 * when unknown. The field names are an interface: keep them stable.
 */
public final class CostJson
{
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CostJson() {}

    /** An attempt's cost as stored; it has at most one market. */
    public static String stored(Cost cost)
    {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        if (!cost.known()) {
            node.put("unknown", String.join("; ", cost.unknown()));
        }
        else {
            node.put("instance_hours", cost.instanceHours()).put("usd", cost.usd());
            cost.markets().stream().findFirst().ifPresent(market -> node.put("market", market.label()));
        }
        return node.toString();
    }

    /** What {@link #stored} wrote; a text it could not have written reads as unknown, never as 0. */
    public static Cost read(String stored)
    {
        try {
            JsonNode node = MAPPER.readTree(stored);
            if (node.hasNonNull("unknown")) {
                return Cost.unknown(node.get("unknown").asText());
            }
            if (!node.path("instance_hours").isNumber() || !node.path("usd").isNumber()) {
                return Cost.unknown("stored cost unreadable");
            }
            Optional<Market> market = Optional.ofNullable(node.get("market")).map(JsonNode::asText).flatMap(Market::of);
            return market.map(paid -> Cost.priced(node.get("instance_hours").asDouble(), node.get("usd").asDouble(), paid))
                    .orElseGet(() -> new Cost(node.get("instance_hours").asDouble(), node.get("usd").asDouble(), Set.of(), List.of()));
        }
        catch (JsonProcessingException e) {
            return Cost.unknown("stored cost unreadable");
        }
    }

    /** Adds {@code cost} to {@code parent} as shown. */
    public static void put(ObjectNode parent, Cost cost)
    {
        ObjectNode node = parent.putObject("cost");
        cost.knownInstanceHours().ifPresentOrElse(hours -> node.put("instance_hours", rounded(hours)), () -> node.putNull("instance_hours"));
        cost.knownUsd().ifPresentOrElse(usd -> node.put("usd", rounded(usd)), () -> node.putNull("usd"));
        ArrayNode markets = node.putArray("markets");
        cost.markets().stream().sorted().map(Market::label).forEach(markets::add);
        ArrayNode unknown = node.putArray("unknown");
        cost.unknown().forEach(unknown::add);
    }

    /** To a millionth: a short job on a cheap node costs fractions of a cent, which rounding to cents would make 0. */
    public static double rounded(double value)
    {
        return Math.round(value * 1e6) / 1e6;
    }
}
