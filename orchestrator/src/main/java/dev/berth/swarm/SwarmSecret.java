package dev.berth.swarm;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/** One of berth's Swarm secrets as the engine lists it: never its value, which Swarm gives only to the containers that mount it. */
public record SwarmSecret(String id, String name, Instant createdAt)
{
    public SwarmSecret
    {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(createdAt, "createdAt is null");
    }
}
