package dev.berth.fleet;

import java.util.List;
import java.util.Map;

/**
 * What one read of the heartbeat tree found.
 *
 * @param unreadable file name to what is wrong with it
 */
public record HeartbeatScan(List<Heartbeat> heartbeats, Map<String, String> unreadable)
{
    public HeartbeatScan
    {
        heartbeats = List.copyOf(heartbeats);
        unreadable = Map.copyOf(unreadable);
    }
}
