package dev.berth.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/** Writes heartbeat files in the agent's format (heartbeat/README.md), for tests of their readers. */
final class HeartbeatFiles
{
    private HeartbeatFiles() {}

    static void write(Path directory, String hostname, String nodeId, String pool, String lifecycle, String state, Instant writtenAt, Instant lastBusyAt, String jobsJson, String gpusJson)
            throws IOException
    {
        write(directory, hostname, nodeId, pool, lifecycle, state, writtenAt, lastBusyAt, jobsJson, gpusJson, "");
    }

    /** @param noticesJson the agent's notice fields with a trailing comma ({@code "spot_notice":...,"rebalance_at":...,}), or empty as older agents wrote */
    static void write(Path directory, String hostname, String nodeId, String pool, String lifecycle, String state, Instant writtenAt, Instant lastBusyAt, String jobsJson,
            String gpusJson, String noticesJson)
            throws IOException
    {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve(hostname), """
                {"version":1,"hostname":"%s","node_id":"%s","pool":"%s","lifecycle":"%s","state":"%s","docker":"ok",\
                "written_at":%d,"last_busy_at":%d,"started_at":%d,%s"gpus":%s,"jobs":%s}
                """.formatted(hostname, nodeId, pool, lifecycle, state, writtenAt.getEpochSecond(), lastBusyAt.getEpochSecond(),
                lastBusyAt.getEpochSecond(), noticesJson, gpusJson, jobsJson));
    }

    static void writeIdle(Path directory, String hostname, String nodeId, String pool, Instant writtenAt)
            throws IOException
    {
        write(directory, hostname, nodeId, pool, pool.equals("burst") ? "burst" : "spot", "active", writtenAt, writtenAt.minusSeconds(90), "[]", "[]");
    }
}
