package dev.berth.top;

import dev.berth.job.Cause;
import dev.berth.job.JobState;
import dev.berth.top.TopSnapshot.JobLine;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Snapshots made by hand, for the tests of what top shows and what its keys do. */
final class TopFixtures
{
    static final Instant NOW = Instant.parse("2026-05-06T07:08:09Z");

    private TopFixtures() {}

    static JobLine running(String id, String name, String node, long secondsAgo)
    {
        return new JobLine(id, name, JobState.RUNNING, false, 1, 0, Optional.of(node), NOW.minusSeconds(secondsAgo + 5),
                Optional.of(NOW.minusSeconds(secondsAgo)), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    static JobLine pending(String id, String name, long secondsAgo)
    {
        return new JobLine(id, name, JobState.SUBMITTED, false, 1, 0, Optional.empty(), NOW.minusSeconds(secondsAgo),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    static JobLine failed(String id, String name, String reason, long secondsAgo)
    {
        return new JobLine(id, name, JobState.FAILED, false, 1, 0, Optional.empty(), NOW.minusSeconds(secondsAgo + 60),
                Optional.of(NOW.minusSeconds(secondsAgo + 30)), Optional.of(NOW.minusSeconds(secondsAgo)), Optional.of(Cause.EXIT), Optional.of(reason),
                Optional.of(1));
    }

    static TopSnapshot snapshot(List<JobLine> live, List<JobLine> failures)
    {
        return new TopSnapshot(NOW, new TopSnapshot.Fleet(List.of(new TopSnapshot.PoolLine("gpu", 2, 2, 0, 8, 3, 5)), Optional.empty()),
                new TopSnapshot.QueueCounts(12, 2, 1, live.size()), live, failures);
    }
}
