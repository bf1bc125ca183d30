package dev.berth.fairshare;

import dev.berth.job.Claim;

import java.util.List;
import java.util.Optional;

/**
 * The queue as fair share reads it: by pool, then by user, each user's jobs in the order they go
 * (higher priority first, then first in, first out). The store answers each with index seeks, so a
 * round reads the users with queued jobs and the next jobs of those it takes from, never the whole queue.
 */
public interface QueuedJobs
{
    /** The pools that have queued jobs; empty for the jobs that name none. */
    List<Optional<String>> pools();

    /** Each user with queued jobs in the pool, with the first of them in line. */
    List<Claim> firstOfEachUser(Optional<String> pool);

    /** The user's queued jobs in the pool that come after {@code after} in line, at most {@code limit}. */
    List<Claim> after(Optional<String> pool, String user, Claim after, int limit);
}
